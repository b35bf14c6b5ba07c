package dev.ricochet.tracker;

import dev.ricochet.ingest.OwnerOnly;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The rotating salts of the client-address hash: 16 random bytes per UTC day, kept for that day and then deleted, so
 * that once a day is over nobody, not even the operator, can recompute its hashes from a network.
 *
 * <p>Persistent salts live in their own directory, one file per day ({@code <epoch day>.salt}, owner-only), written
 * and synced before first use so a restart the same day hashes alike. {@link #rotate(long)} (at start and then every
 * minute, off the request path) makes today's and tomorrow's salts and deletes the files of earlier days; the previous
 * day's salt stays in memory for the first {@link #GRACE_MS} of the day, for requests timestamped just before
 * midnight. Without a directory the salts are only in memory (tests, and an edge embedded without a data directory):
 * a restart starts a new day key.
 *
 * <p>A salt that cannot be written or read (a full or read-only disk) never fails a click: the day gets a salt in
 * memory only, and the next {@link #rotate(long)} throws the failure for its caller to report.
 *
 * <p>Thread-safe: event loops read salts concurrently; making a missing one takes a lock.
 */
public final class IpSalts
{
    static final int SALT_BYTES = 16;

    /**
     * How long into a day the previous day's salt is still kept in memory.
     */
    static final long GRACE_MS = 5 * 60_000L;

    private static final String SUFFIX = ".salt";

    private final Path dir;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<Long, long[]> saltByDay = new ConcurrentHashMap<>();
    private final AtomicReference<RuntimeException> unreported = new AtomicReference<>();

    private IpSalts(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * @param dir directory of the salt files, created if missing; nothing else should live there.
     * @return salts that survive a restart within their day.
     * @throws UncheckedIOException if the directory cannot be created.
     */
    public static IpSalts persistent(final Path dir)
    {
        try
        {
            OwnerOnly.directory(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the IP salt directory " + dir, ex);
        }
        return new IpSalts(dir);
    }

    /**
     * @return salts kept in memory only.
     */
    public static IpSalts inMemory()
    {
        return new IpSalts(null);
    }

    /**
     * @param day UTC day number ({@link IpHasher#day(long)}).
     * @return the day's salt as the two 64-bit halves of a SipHash key; made (and persisted) on first use.
     */
    long[] saltOf(final long day)
    {
        final long[] salt = saltByDay.get(day);
        return null != salt ? salt : saltByDay.computeIfAbsent(day, this::loadOrMake);
    }

    /**
     * Make today's and tomorrow's salts ahead of use, delete the files of earlier days and forget yesterday's once the
     * day is {@link #GRACE_MS} old.
     *
     * @param nowMs epoch time.
     * @throws RuntimeException if a salt could not be persisted or read since the last call (that day's salt is then in
     *                          memory only), or expired ones could not be deleted.
     */
    public void rotate(final long nowMs)
    {
        final long today = IpHasher.day(nowMs);
        saltOf(today);
        saltOf(today + 1);
        final long oldestKept = nowMs - today * IpHasher.DAY_MS < GRACE_MS ? today - 1 : today;
        saltByDay.keySet().removeIf(day -> day < oldestKept);
        if (null != dir)
        {
            deleteFilesBefore(today);
        }
        // After the deletions: a salt that could not be written must not keep an expired one on disk.
        final RuntimeException failure = unreported.getAndSet(null);
        if (null != failure)
        {
            throw failure;
        }
    }

    private void deleteFilesBefore(final long today)
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX))
        {
            for (final Path file : files)
            {
                final Long day = dayOf(file.getFileName().toString());
                if (null != day && day < today)
                {
                    Files.deleteIfExists(file);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete expired IP salts in " + dir, ex);
        }
    }

    private long[] loadOrMake(final long day)
    {
        if (null == dir)
        {
            return halves(newSalt());
        }
        try
        {
            return load(dir.resolve(day + SUFFIX));
        }
        catch (final UncheckedIOException | IllegalStateException ex)
        {
            // The click goes on: this day's hashes just will not match across a restart.
            unreported.set(ex);
            return halves(newSalt());
        }
    }

    private long[] load(final Path file)
    {
        try
        {
            if (!Files.exists(file))
            {
                write(file, newSalt());
            }
            final byte[] salt = Files.readAllBytes(file);
            if (SALT_BYTES != salt.length)
            {
                throw new IllegalStateException(file + " must hold " + SALT_BYTES + " bytes, holds " + salt.length);
            }
            return halves(salt);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read or make the IP salt " + file, ex);
        }
    }

    /**
     * Written to a temporary file, synced and linked into place, so a crash leaves the day with one salt or none, never
     * a torn one; an existing salt is kept (another edge in this process may have made it first).
     */
    private static void write(final Path file, final byte[] salt) throws IOException
    {
        // A hard link appears complete or not at all, and unlike a rename it never replaces an existing salt.
        OwnerOnly.writeNew(file, salt);
    }

    private byte[] newSalt()
    {
        final byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return salt;
    }

    private static long[] halves(final byte[] salt)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(salt).order(ByteOrder.LITTLE_ENDIAN);
        return new long[]{ buffer.getLong(0), buffer.getLong(8) };
    }

    private static Long dayOf(final String fileName)
    {
        try
        {
            return Long.parseLong(fileName.substring(0, fileName.length() - SUFFIX.length()));
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }
}
