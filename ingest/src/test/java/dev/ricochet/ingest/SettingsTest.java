package dev.ricochet.ingest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest
{
    private static final String KEY = "ricochet.test.size";

    @Test
    void shouldReadSizesInBytesWithBinaryUnits()
    {
        assertEquals(65_536L, Settings.parseSizeBytes(KEY, "65536"));
        assertEquals(64L << 10, Settings.parseSizeBytes(KEY, "64k"));
        assertEquals(512L << 20, Settings.parseSizeBytes(KEY, "512m"));
        assertEquals(512L << 20, Settings.parseSizeBytes(KEY, " 512 MB "));
        assertEquals(2L << 30, Settings.parseSizeBytes(KEY, "2G"));
        assertEquals(0L, Settings.parseSizeBytes(KEY, "0"));
    }

    @Test
    void shouldReadOnlyAsciiDigitsInNumbersDurationsAndSizes()
    {
        // Character.isDigit and Long.parseLong take other scripts' digits: "\u0665s" (Arabic-Indic five) started the
        // service with 5 s, "\u0668\u0660" was 80, and "+8" an integer
        for (final String value : new String[] {"\u0665s", "\uFF15ms", "\u0665"})
        {
            assertThrows(IllegalArgumentException.class, () -> Settings.parseDurationMs(KEY, value), value);
        }
        assertThrows(IllegalArgumentException.class, () -> Settings.parseSizeBytes(KEY, "\u0665m"));
        final String integerKey = "ricochet.test.integer";
        try
        {
            for (final String value : new String[] {"\u0668\u0660", "+8", "-", "8\u0660"})
            {
                System.setProperty(integerKey, value);
                assertThrows(IllegalArgumentException.class, () -> Settings.integer(integerKey, 1, -10, 100), value);
            }
            System.setProperty(integerKey, " 80 ");
            assertEquals(80, Settings.integer(integerKey, 1, -10, 100));
            System.setProperty(integerKey, "-8");
            assertEquals(-8, Settings.integer(integerKey, 1, -10, 100));
        }
        finally
        {
            System.clearProperty(integerKey);
        }
        assertEquals(5_000L, Settings.parseDurationMs(KEY, "5s"));
    }

    @Test
    void shouldRejectAMalformedSizeNamingTheKey()
    {
        for (final String value : new String[] {"", "m", "-1m", "12 apples", "99999999999t"})
        {
            final IllegalArgumentException thrown =
                assertThrows(IllegalArgumentException.class, () -> Settings.parseSizeBytes(KEY, value), value);
            assertTrue(thrown.getMessage().startsWith(KEY + "=" + value + ": "), thrown.getMessage());
        }
    }

    @Test
    void shouldStillReadDurationsWithTheirUnits()
    {
        assertEquals(50L, Settings.parseDurationMs(KEY, "50ms"));
        assertEquals(86_400_000L, Settings.parseDurationMs(KEY, "1d"));
        assertThrows(IllegalArgumentException.class, () -> Settings.parseDurationMs(KEY, "soon"));
    }

    @Test
    void shouldRejectADurationWhoseMillisecondsPassALongNamingTheKey()
    {
        // An ArithmeticException without the key's name stopped start-up before: now the same message as any bad value
        for (final String value : new String[] {"9999999999999999d", "106751991167301d", "9223372036854776s",
            "99999999999999999999ms", "-1s"})
        {
            final IllegalArgumentException thrown =
                assertThrows(IllegalArgumentException.class, () -> Settings.parseDurationMs(KEY, value), value);
            assertTrue(thrown.getMessage().startsWith(KEY + "=" + value + ": "), thrown.getMessage());
        }
    }

    @Test
    void shouldRefuseADurationWithoutAUnitNamingTheKeyAndTheUnits()
    {
        // CONFIGURATION.md: durations take a unit. "30" was read as 30 s, which a reader of "30" as ms never expects.
        final IllegalArgumentException thrown =
            assertThrows(IllegalArgumentException.class, () -> Settings.parseDurationMs(KEY, "30"));

        assertEquals(KEY + "=30: a duration needs a unit: ms, s, m, h or d (30s for seconds, 30ms for milliseconds)",
            thrown.getMessage());
    }

    @Test
    void shouldReadZeroWithoutAUnitAsOff()
    {
        assertEquals(0L, Settings.parseDurationMs(KEY, "0"));
    }
}
