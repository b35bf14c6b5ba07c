package dev.ricochet.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Temp directories for benchmarks that write real queues: size checks to keep the disk from filling, and deletion.
 */
public final class BenchmarkFiles
{
    /**
     * Queue directories larger than this are deleted and recreated between iterations.
     */
    public static final long MAX_QUEUE_DIR_BYTES = 2L << 30;

    private BenchmarkFiles()
    {
    }

    /**
     * @param prefix of the directory name.
     * @return a new empty directory under the system temp dir.
     */
    public static Path newTempDir(final String prefix)
    {
        try
        {
            return Files.createTempDirectory(prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param dir to measure.
     * @return total length of the regular files under dir (mapped queue files count at their mapped length).
     */
    public static long sizeBytes(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            return paths.filter(Files::isRegularFile).mapToLong(BenchmarkFiles::length).sum();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Delete a directory and everything under it; a missing directory is fine.
     *
     * @param dir to delete.
     */
    public static void delete(final Path dir)
    {
        if (null == dir || !Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            // Children before parents, or the directories would not be empty.
            paths.sorted(Comparator.reverseOrder()).forEach(BenchmarkFiles::deleteOne);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param dir directory.
     * @return true if it does not exist or holds nothing.
     */
    public static boolean isEmpty(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.findAny().isEmpty();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static long length(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            // A file deleted while walking (a queue roll) no longer takes space.
            return 0;
        }
    }

    private static void deleteOne(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
