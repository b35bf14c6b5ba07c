package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.test.SizeLimitedTmpfs;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

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

    private SizeLimitedTmpfs tmpfs;
    private EdgeFixture edge;

    @BeforeEach
    void mountSizeLimitedTmpfs() throws Exception
    {
        tmpfs = SizeLimitedTmpfs.mountOrSkip(dir.resolve("fs"), FS_SIZE);
    }

    @AfterEach
    void stopEdgeAndUnmount() throws Exception
    {
        // Order matters: the journal's files must be closed and unmapped before the filesystem can go.
        if (null != edge)
        {
            edge.close();
        }
        if (null != tmpfs)
        {
            // Chronicle unmaps closed files on a background thread: let it finish, then the mount is free.
            BackgroundResourceReleaser.releasePendingResources();
            tmpfs.unmount();
        }
    }

    @Test
    void shouldRefuseConversionsWithoutCrashingWhenTheDiskFillsAndRecoverWhenItIsFreed() throws Exception
    {
        // Given an edge journaling to a 64 MiB filesystem with a 16 MiB watermark, accepting conversions
        edge = new EdgeFixture(tmpfs.dir().resolve("journal"), context -> context.journalMinFreeBytes(MIN_FREE),
            LINKS, SHOP);
        assertEquals(200, edge.post("/v1/conversions", API_KEY, conversion("order-1")).statusCode());
        edge.awaitReadyz(200);

        // When another file fills the disk until only 8 MiB are left
        final Path filler = tmpfs.dir().resolve("filler");
        tmpfs.fill(filler, LEFT_FREE_BY_FILLER);

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
}
