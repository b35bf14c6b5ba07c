package dev.ricochet.ops;

import dev.ricochet.ingest.OwnerOnly;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * One Ricochet per data directory: an exclusive lock on {@code ricochet.lock} in it, held for the process's life and
 * holding the owner's pid, so that a second start on the same directory stops with one line naming the running one
 * instead of RocksDB's or Chronicle's raw messages (or, where a lock of theirs is lost, two writers on one store).
 *
 * <p>An OS lock (fcntl), released by the kernel when the process dies, SIGKILL included: a crashed service never
 * leaves a stale lock. Nothing else may open the lock file in this process while it is held (a POSIX lock is released
 * when any descriptor of its file in the process closes), so the launcher takes it after tightening the directory's
 * modes.
 */
final class DataDirectoryLock implements AutoCloseable
{
    static final String FILE_NAME = "ricochet.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param dataDir an existing data directory.
     * @return the held lock.
     * @throws IllegalStateException naming the directory and the holder's pid if another process holds it.
     * @throws IOException           if the lock file cannot be made.
     */
    static DataDirectoryLock acquire(final Path dataDir) throws IOException
    {
        final Path file = dataDir.resolve(FILE_NAME);
        final FileChannel channel = open(file);
        FileLock lock = null;
        try
        {
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException sameProcess)
        {
            // held by this JVM already: in use all the same
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }
        if (null == lock)
        {
            final String holder = holder(channel);
            channel.close();
            throw new IllegalStateException("data directory " + dataDir + " is in use by another Ricochet" +
                (holder.isEmpty() ? "" : " (pid " + holder + ")") + ": stop it first, or give this one its own " +
                "with --data-dir");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(false);
        return new DataDirectoryLock(channel, lock);
    }

    private static FileChannel open(final Path file) throws IOException
    {
        final Set<StandardOpenOption> options =
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try
        {
            // Owner-only like everything in the data directory, whatever the umask.
            return FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(OwnerOnly.FILE));
        }
        catch (final UnsupportedOperationException notPosix)
        {
            return FileChannel.open(file, options);
        }
    }

    private static String holder(final FileChannel channel) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        final String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
        return text.matches("[0-9]{1,19}") ? text : "";
    }

    @Override
    public void close()
    {
        try
        {
            lock.release();
            channel.close();
        }
        catch (final IOException ignore)
        {
            // the process is ending: the kernel releases the lock with it
        }
    }
}
