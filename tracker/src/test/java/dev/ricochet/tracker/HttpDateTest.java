package dev.ricochet.tracker;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HttpDateTest
{
    // IMF-fixdate: always two-digit days, unlike java.time's RFC_1123 formatter.
    private static final DateTimeFormatter IMF_FIXDATE =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    @Test
    void formatsTheRfcExampleDate()
    {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", new HttpDate().update(784_111_777_000L).toString());
    }

    @Test
    void agreesWithJavaTimeOverLeapYearsCenturiesAndRandomInstants()
    {
        final HttpDate date = new HttpDate();
        final long[] fixed = {0, 951_782_400_000L, 4_107_542_399_000L, 1_709_164_800_000L, 253_402_300_799_000L};
        for (final long ms : fixed)
        {
            assertEquals(IMF_FIXDATE.format(Instant.ofEpochMilli(ms)), date.update(ms).toString());
        }
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++)
        {
            final long ms = random.nextLong(0, 253_402_300_799_000L);
            assertEquals(IMF_FIXDATE.format(Instant.ofEpochMilli(ms)), date.update(ms).toString());
        }
    }

    @Test
    void rewritesOnlyWhenTheSecondChanges()
    {
        final HttpDate date = new HttpDate();
        final String first = date.update(1_700_000_000_000L).toString();
        assertEquals(first, date.update(1_700_000_000_999L).toString());
        assertEquals("Tue, 14 Nov 2023 22:13:21 GMT", date.update(1_700_000_001_000L).toString());
    }
}
