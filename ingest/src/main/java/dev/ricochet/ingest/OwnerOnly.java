package dev.ricochet.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The data directory holds program secrets (in the journal's catalog events and the state store), tokens and keys:
 * only the service's own user may read it. Directories are made {@code 0700} (or tightened to it at start), files the
 * service writes itself {@code 0600}. Files that Chronicle Queue and RocksDB create take the process umask, but sit in
 * an owner-only directory that nobody else can enter; {@link #tightenFiles} takes away the group and other bits of
 * those present at start, and the launcher sets {@code umask 077} so that later ones are made owner-only too.
 *
 * <p>On a file system without POSIX permissions these are no-ops: there the directory's ACLs are the operator's.
 */
public final class OwnerOnly
{
    /**
     * {@code rwx------}.
     */
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    /**
     * {@code rw-------}.
     */
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnly()
    {
    }

    /**
     * Create a directory (and its missing parents) owner-only, or tighten an existing one to {@code 0700}.
     *
     * @param dir the directory.
     * @return dir.
     * @throws IOException if it cannot be created or its mode set.
     */
    public static Path directory(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            final Path parent = dir.toAbsolutePath().getParent();
            if (null != parent && !Files.isDirectory(parent))
            {
                directory(parent);
            }
            try
            {
                Files.createDirectory(dir, attribute(DIRECTORY));
            }
            catch (final FileAlreadyExistsException raced)
            {
                // made meanwhile: tightened below
            }
            catch (final UnsupportedOperationException notPosix)
            {
                Files.createDirectories(dir);
            }
        }
        setMode(dir, DIRECTORY);
        return dir;
    }

    /**
     * Take the group and other bits away from every file and directory below {@code dir} (not following links):
     * files made by libraries before the launcher's umask was in place, or by an older version.
     *
     * @param dir a directory, which is made owner-only too.
     * @throws IOException if the tree cannot be walked or a mode set.
     */
    public static void tightenFiles(final Path dir) throws IOException
    {
        directory(dir);
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : (Iterable<Path>)paths::iterator)
            {
                if (Files.isSymbolicLink(path))
                {
                    continue;
                }
                setMode(path, Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? DIRECTORY : FILE);
            }
        }
        catch (final UncheckedIOException ex)
        {
            // a file deleted while walked (a journal cycle file released by retention): the rest still counts
            if (!(ex.getCause() instanceof NoSuchFileException))
            {
                throw ex.getCause();
            }
        }
    }

    /**
     * Write a new owner-only file whole or not at all: a temporary file made {@code 0600}, synced, then linked into
     * place, so a crash leaves no torn file and an existing file is never replaced.
     *
     * @param file  the file to create.
     * @param bytes its content.
     * @return true if written, false if the file already existed (the caller reads that one).
     * @throws IOException if it cannot be written.
     */
    public static boolean writeNew(final Path file, final byte[] bytes) throws IOException
    {
        final Path dir = file.toAbsolutePath().getParent();
        Path tmp;
        try
        {
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp", attribute(FILE));
        }
        catch (final UnsupportedOperationException notPosix)
        {
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        }
        try
        {
            setMode(tmp, FILE);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE))
            {
                channel.write(ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            try
            {
                Files.createLink(file, tmp);
            }
            catch (final FileAlreadyExistsException ex)
            {
                return false;
            }
            try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ))
            {
                directory.force(true);
            }
            return true;
        }
        finally
        {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * @param path a file or directory.
     * @param mode the permissions to set, if the file system has POSIX permissions.
     * @throws IOException if they cannot be set.
     */
    public static void setMode(final Path path, final Set<PosixFilePermission> mode) throws IOException
    {
        final PosixFileAttributeView view =
            Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (null == view)
        {
            return;
        }
        try
        {
            // Read with lstat, change with chmod by path: never open the file. Setting a mode without following
            // links opens the file and closes it again, and closing any descriptor of a file drops every POSIX
            // lock this process holds on it: RocksDB's LOCK and the launcher's data directory lock with it, which
            // let a second instance open a live store.
            final PosixFileAttributes attributes = view.readAttributes();
            if (attributes.isSymbolicLink() || attributes.permissions().equals(mode))
            {
                return;
            }
            Files.setPosixFilePermissions(path, mode);
        }
        catch (final NoSuchFileException gone)
        {
            // deleted meanwhile: nothing left to protect
        }
    }

    private static FileAttribute<?>[] attribute(final Set<PosixFilePermission> mode)
    {
        return new FileAttribute<?>[]{ PosixFilePermissions.asFileAttribute(mode) };
    }
}
