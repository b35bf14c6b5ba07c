package dev.ricochet.benchmarks.aggregator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Scratch directories of the aggregator benchmarks: created under {@code java.io.tmpdir}, measured, deleted.
 */
public final class TempDirs
{
    private TempDirs()
    {
    }

    /**
     * @param prefix name prefix, so a left-over directory says which benchmark made it.
     * @return a new empty directory.
     */
    public static Path create(final String prefix)
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
     * @param dir directory to delete with everything in it; nothing happens if it does not exist.
     */
    public static void delete(final Path dir)
    {
        if (null == dir || !Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            // Deepest first, so every directory is empty when its turn comes.
            paths.sorted(Comparator.reverseOrder()).forEach(TempDirs::deleteOne);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param dir directory.
     * @return total size of the regular files under it, in bytes.
     */
    public static long size(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            return paths.filter(Files::isRegularFile).mapToLong(TempDirs::sizeOf).sum();
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

    private static void deleteOne(final Path path)
    {
        try
        {
            Files.delete(path);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static long sizeOf(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            // RocksDB may delete an obsolete file while we walk: it no longer counts.
            return 0;
        }
    }
}
