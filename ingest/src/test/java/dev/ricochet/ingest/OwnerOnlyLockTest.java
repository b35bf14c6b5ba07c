package dev.ricochet.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tightening a data directory never releases a lock held on a file in it (RocksDB's LOCK, the launcher's
 * ricochet.lock): POSIX drops every lock a process holds on a file when any of its descriptors of that file closes,
 * so the modes are changed by path, never through an opened file. Another process probes the lock.
 */
class OwnerOnlyLockTest
{
    @TempDir
    Path dir;

    @Test
    void tighteningADirectoryKeepsALockHeldOnAFileInIt() throws Exception
    {
        // Given a file locked by this process, with a mode the tightening will change
        final Path lockFile = dir.resolve("LOCK");
        Files.createFile(lockFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
            FileLock lock = channel.lock())
        {
            assertEquals("held", probe(lockFile), "the probe must see a held lock before the tightening");

            // When the directory is tightened
            OwnerOnly.tightenFiles(dir);

            // Then the file is owner-only and another process still finds it locked
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lockFile)));
            assertEquals("held", probe(lockFile));
            assertTrue(lock.isValid());
        }
    }

    /**
     * @return "held" if another process cannot take the lock, "free" if it can.
     */
    private static String probe(final Path lockFile) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), LockProbe.class.getName(), lockFile.toString())
            .redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe did not finish");
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    /**
     * The other process: tries the lock once and says what it found.
     */
    public static final class LockProbe
    {
        public static void main(final String[] args) throws IOException
        {
            try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock())
            {
                System.out.println(null == lock ? "held" : "free");
            }
        }
    }
}
