package dev.ricochet.tracker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The client-address hash's day salts in a real directory: kept for their day, across a restart, then deleted.
 */
class IpSaltsTest
{
    private static final long DAY = 20_522;

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
        salts.rotate(DAY);
        salts.rotate(DAY + 1);
        final long[] yesterday = salts.saltOf(DAY + 1);

        // When the next day's rotation runs
        salts.rotate(DAY + 2);

        // Then only today's and tomorrow's salts are on disk: the earlier days' are gone for good
        assertEquals(Set.of((DAY + 2) + ".salt", (DAY + 3) + ".salt"), files());

        // And a restart cannot get yesterday's salt back: it would make a new one
        assertFalse(java.util.Arrays.equals(yesterday, IpSalts.persistent(dir).saltOf(DAY + 1)));
    }

    @Test
    void keepsYesterdaysSaltInMemoryForRequestsTimestampedBeforeMidnight()
    {
        // Given yesterday's salt in use when the day turns
        final IpSalts salts = IpSalts.persistent(dir);
        final long[] yesterday = salts.saltOf(DAY);

        // When the rotation deletes its file
        salts.rotate(DAY + 1);

        // Then a request stamped just before midnight still hashes with it
        assertArrayEquals(yesterday, salts.saltOf(DAY));
    }

    @Test
    void writesEachSaltReadableByItsOwnerOnly() throws Exception
    {
        // When today's salt is made
        IpSalts.persistent(dir).rotate(DAY);

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
