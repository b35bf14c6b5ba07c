package dev.ricochet.ingest;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrashPointsTest
{
    @Test
    void areOffUnlessPointsAreNamed()
    {
        // The test JVM names none: every call site's static final guard is false, and nothing else is read.
        assertFalse(CrashPoints.ENABLED);
        assertFalse(CrashPoints.SPLIT_CHECKPOINT);
        assertEquals("", CrashPoints.describe());
    }

    @Test
    void giveEachPointItsOwnExitStatus()
    {
        final Set<Integer> statuses = new HashSet<>();
        for (final CrashPoints.Point point : CrashPoints.Point.values())
        {
            final int status = CrashPoints.EXIT_STATUS_BASE + point.ordinal();
            assertTrue(statuses.add(status));
            assertEquals(point, CrashPoints.fromExitStatus(status));
            assertEquals(point, CrashPoints.Point.of(point.label()));
        }
        assertNull(CrashPoints.fromExitStatus(137), "a SIGKILL is no crash point");
        assertNull(CrashPoints.fromExitStatus(0));
    }

    @Test
    void rejectAnUnknownPointNamingTheKey()
    {
        final IllegalArgumentException thrown =
            assertThrows(IllegalArgumentException.class, () -> CrashPoints.Point.of("edge-somewhere"));
        assertTrue(thrown.getMessage().startsWith(CrashPoints.POINTS_PROP_NAME +
            ": unknown crash point 'edge-somewhere'"),
            thrown.getMessage());
    }
}
