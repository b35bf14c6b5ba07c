package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static dev.ricochet.tracker.JournalLowSpaceTest.API_KEY;
import static dev.ricochet.tracker.JournalLowSpaceTest.LINKS;
import static dev.ricochet.tracker.JournalLowSpaceTest.SHOP;
import static dev.ricochet.tracker.JournalLowSpaceTest.assertLowSpace;
import static dev.ricochet.tracker.JournalLowSpaceTest.assertRecovered;
import static dev.ricochet.tracker.JournalLowSpaceTest.conversion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The free-space watermark on a real, size-limited filesystem: a 64 MiB tmpfs holds the journal and is filled by
 * another file, as a growing log or a backup would fill a data disk. Chronicle maps its files, so without the
 * watermark its next write to an unbackable page would kill the JVM with SIGBUS. Skipped, saying why, where a tmpfs
 * cannot be mounted (not root, no CAP_SYS_ADMIN, not Linux).
 */
class JournalDiskFullTest
{
    private static final long FS_SIZE = 64L << 20;
    private static final long MIN_FREE = 16L << 20;
    private static final long LEFT_FREE_BY_FILLER = 8L << 20;

    @TempDir
    Path dir;

    private Path mountPoint;
    private boolean isMounted;
    private EdgeFixture edge;

    @BeforeEach
    void mountSizeLimitedTmpfs() throws Exception
    {
        mountPoint = Files.createDirectory(dir.resolve("fs"));
        final String failure = run("mount", "-t", "tmpfs", "-o", "size=" + (FS_SIZE >> 20) + "m", "tmpfs",
            mountPoint.toString());
        Assumptions.assumeTrue(null == failure, () -> "cannot mount a size-limited tmpfs here: " + failure);
        isMounted = true;
    }

    @AfterEach
    void stopEdgeAndUnmount() throws Exception
    {
        // Order matters: the journal's files must be closed and unmapped before the filesystem can go.
        if (null != edge)
        {
            edge.close();
        }
        if (isMounted)
        {
            // Chronicle unmaps closed files on a background thread: let it finish, then the mount is free.
            BackgroundResourceReleaser.releasePendingResources();
            String failure = run("umount", mountPoint.toString());
            for (int attempt = 0; null != failure && attempt < 100; attempt++)
            {
                Thread.sleep(20);
                failure = run("umount", mountPoint.toString());
            }
            if (null != failure)
            {
                // Never leave a mount behind, even when failing the test.
                run("umount", "-l", mountPoint.toString());
            }
            assertEquals(null, failure, "umount " + mountPoint);
        }
    }

    @Test
    void shouldRefuseConversionsWithoutCrashingWhenTheDiskFillsAndRecoverWhenItIsFreed() throws Exception
    {
        // Given an edge journaling to a 64 MiB filesystem with a 16 MiB watermark, accepting conversions
        edge = new EdgeFixture(mountPoint.resolve("journal"), context -> context.journalMinFreeBytes(MIN_FREE),
            LINKS, SHOP);
        assertEquals(200, edge.post("/v1/conversions", API_KEY, conversion("order-1")).statusCode());
        edge.awaitReadyz(200);

        // When another file fills the disk until only 8 MiB are left
        final Path filler = mountPoint.resolve("filler");
        fill(filler, Files.getFileStore(mountPoint).getUsableSpace() - LEFT_FREE_BY_FILLER);

        // Then the edge notices by itself, refuses conversions with Retry-After and still redirects clicks
        assertTrue(edge.awaitReadyz(503).body().contains("journal disk low on space"));
        assertLowSpace(edge.post("/v1/conversions", API_KEY, conversion("order-2")));
        for (int i = 0; i < 200; i++)
        {
            assertEquals(302, edge.get("/r/home").statusCode());
        }
        assertEquals(200, edge.get("/healthz").statusCode());
        assertEquals(1, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));

        // When the filler is deleted
        Files.delete(filler);

        // Then the edge is ready again by itself and journals the retried conversion and a new click
        assertRecovered(edge, "order-2", 2);
    }

    private static void fill(final Path file, final long bytes) throws IOException
    {
        final ByteBuffer block = ByteBuffer.allocate(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            long remaining = bytes;
            while (remaining > 0)
            {
                block.clear().limit((int)Math.min(block.capacity(), remaining));
                remaining -= channel.write(block);
            }
        }
    }

    /**
     * @return null if the command succeeded, otherwise why it did not.
     */
    private static String run(final String... command) throws InterruptedException
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return String.join(" ", command) + " did not finish";
            }
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return 0 == process.exitValue() ? null :
                String.join(" ", command) + " exited " + process.exitValue() + ": " + output;
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }
}
