package dev.ricochet.ingest.test;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A real, size-limited filesystem for disk-full tests: a tmpfs mounted on a directory, filled by another file as a
 * growing log or a backup fills a data disk. A test using it is skipped, saying why, where a tmpfs cannot be mounted
 * (not root, no CAP_SYS_ADMIN, not Linux); it never fakes the full disk.
 *
 * <p>Usage: {@code tmpfs = SizeLimitedTmpfs.mountOrSkip(tempDir.resolve("fs"), 64L << 20)}, files under
 * {@link #dir()}, {@link #fill(Path, long)} to take the space, delete the file to give it back, and {@link #unmount()}
 * once every file on it is closed.
 */
public final class SizeLimitedTmpfs
{
    private final Path dir;

    private SizeLimitedTmpfs(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * Mount a tmpfs of the given size, or skip the calling test with the reason.
     *
     * @param dir   mount point; created.
     * @param bytes size of the filesystem.
     * @return the mounted filesystem.
     * @throws IOException if the mount point cannot be created.
     * @throws InterruptedException if interrupted while mounting.
     */
    public static SizeLimitedTmpfs mountOrSkip(final Path dir, final long bytes) throws IOException,
        InterruptedException
    {
        Files.createDirectories(dir);
        final String failure = run("mount", "-t", "tmpfs", "-o", "size=" + (bytes >> 20) + "m", "tmpfs", dir.toString(
            ));
        Assumptions.assumeTrue(null == failure, () -> "cannot mount a size-limited tmpfs here: " + failure);
        return new SizeLimitedTmpfs(dir);
    }

    /**
     * @return the mount point.
     */
    public Path dir()
    {
        return dir;
    }

    /**
     * @return bytes an unprivileged writer can still use.
     * @throws IOException if the filesystem cannot be asked.
     */
    public long usableBytes() throws IOException
    {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /**
     * Write a new file until only {@code leaveFreeBytes} are left, or until the filesystem refuses (then nothing is
     * left: for {@code leaveFreeBytes} 0, a completely full disk).
     *
     * @param file           the filler, on this filesystem; delete it to free the space.
     * @param leaveFreeBytes what to leave free.
     * @throws IOException if the file cannot be created.
     */
    public void fill(final Path file, final long leaveFreeBytes) throws IOException
    {
        final ByteBuffer block = ByteBuffer.allocate(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            long remaining = usableBytes() - leaveFreeBytes;
            while (remaining > 0)
            {
                block.clear().limit((int)Math.min(block.capacity(), remaining));
                remaining -= channel.write(block);
            }
        }
        catch (final IOException ex)
        {
            if (!Files.exists(file) || !String.valueOf(ex.getMessage()).contains("No space left"))
            {
                throw ex;
            }
            // The disk is full: what the caller asked for when it asked to leave nothing.
        }
    }

    /**
     * Unmount; if the mount is still busy after two seconds, detach it lazily so that no mount outlives the test,
     * and fail.
     *
     * @throws InterruptedException if interrupted while unmounting.
     */
    public void unmount() throws InterruptedException
    {
        String failure = run("umount", dir.toString());
        for (int attempt = 0; null != failure && attempt < 100; attempt++)
        {
            Thread.sleep(20);
            failure = run("umount", dir.toString());
        }
        if (null != failure)
        {
            run("umount", "-l", dir.toString());
            throw new IllegalStateException("umount " + dir + ": " + failure);
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
