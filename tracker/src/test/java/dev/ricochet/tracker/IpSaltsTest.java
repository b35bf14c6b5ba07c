package dev.ricochet.tracker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The client-address hash's day salts in a real directory: kept for their day, across a restart, then deleted.
 */
class IpSaltsTest
{
    private static final long DAY = 20_522;
    private static final long NOON_MS = DAY * IpHasher.DAY_MS + IpHasher.DAY_MS / 2;

    @TempDir
    Path dir;

    @Test
    void keepsTheDaysSaltAcrossARestartWithinTheDay()
    {
        // Given an edge that made today's salt
        final long[] before = IpSalts.persistent(dir).saltOf(DAY);

        // When it restarts the same day, then it hashes with the same salt
        assertArrayEquals(before, IpSalts.persistent(dir).saltOf(DAY));
    }

    @Test
    void makesTodaysAndTomorrowsSaltsAheadAndDeletesEarlierDays() throws Exception
    {
        // Given salts made on three days in a row
        final IpSalts salts = IpSalts.persistent(dir);
        salts.rotate(NOON_MS);
        salts.rotate(NOON_MS + IpHasher.DAY_MS);
        final long[] yesterday = salts.saltOf(DAY + 1);

        // When the next day's rotation runs
        salts.rotate(NOON_MS + 2 * IpHasher.DAY_MS);

        // Then only today's and tomorrow's salts are on disk: the earlier days' are gone for good
        assertEquals(Set.of((DAY + 2) + ".salt", (DAY + 3) + ".salt"), files());

        // And a restart cannot get yesterday's salt back: it would make a new one
        assertFalse(Arrays.equals(yesterday, IpSalts.persistent(dir).saltOf(DAY + 1)));
    }

    @Test
    void keepsYesterdaysSaltInMemoryOnlyForTheFirstMinutesOfTheDay()
    {
        // Given yesterday's salt in use when the day turns
        final IpSalts salts = IpSalts.persistent(dir);
        final long[] yesterday = salts.saltOf(DAY);
        final long midnightMs = (DAY + 1) * IpHasher.DAY_MS;

        // When the first rotation of the day deletes its file, then a request stamped just before midnight still
        // hashes with it
        salts.rotate(midnightMs + 1_000);
        assertArrayEquals(yesterday, salts.saltOf(DAY));

        // And once the day is a few minutes old it is forgotten
        salts.rotate(midnightMs + IpSalts.GRACE_MS);
        assertFalse(Arrays.equals(yesterday, salts.saltOf(DAY)));
    }

    @Test
    void hashesWithASaltInMemoryAndReportsWhenTheDaysSaltFileIsUnusable() throws Exception
    {
        // Given a torn salt file for today
        Files.write(dir.resolve(DAY + ".salt"), new byte[3]);
        final IpSalts salts = IpSalts.persistent(dir);

        // When a click needs today's salt, then it gets one, the same all day
        final long[] salt = salts.saltOf(DAY);
        assertArrayEquals(salt, salts.saltOf(DAY));

        // And the next rotation reports the file
        final IllegalStateException reported = assertThrows(IllegalStateException.class, () -> salts.rotate(NOON_MS));
        assertTrue(reported.getMessage().contains(DAY + ".salt"), reported.getMessage());
    }

    @Test
    void writesEachSaltReadableByItsOwnerOnly() throws Exception
    {
        // When today's salt is made
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "needs POSIX permissions");
        IpSalts.persistent(dir).rotate(NOON_MS);

        // Then its file holds 16 bytes only its owner may read
        final Path file = dir.resolve(DAY + ".salt");
        assertEquals(16, Files.size(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    private Set<String> files() throws Exception
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(file -> file.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
