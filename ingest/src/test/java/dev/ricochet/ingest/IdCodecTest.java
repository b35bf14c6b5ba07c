package dev.ricochet.ingest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdCodecTest
{
    @Test
    void shouldRoundTripEveryBitOfAnId()
    {
        // Given ids with the extreme bit patterns
        final long[][] ids = { { 0, 0 }, { -1, -1 }, { Long.MIN_VALUE, 1 }, { 0x0123456789ABCDEFL,
            0xFEDCBA9876543210L } };
        for (final long[] id : ids)
        {
            // When printed and parsed back
            final String text = IdCodec.toString(id[0], id[1]);

            // Then nothing is lost and the text is URL-safe
            assertEquals(IdCodec.ENCODED_LENGTH, text.length());
            assertTrue(IdCodec.isValid(text, 0, text.length()));
            assertTrue(text.matches("[-0-9A-Z_a-z]+"), text);
            assertEquals(id[0], IdCodec.decodeHi(text, 0));
            assertEquals(id[1], IdCodec.decodeLo(text, 0));
        }
    }

    @Test
    void shouldPrintIdsInTimeOrderAsText()
    {
        // Given ids generated over increasing milliseconds
        final IdGenerator generator = new IdGenerator();
        final List<String> printed = new ArrayList<>();
        for (long ms = 1_700_000_000_000L; ms < 1_700_000_000_000L + 1000; ms += 7)
        {
            generator.next(ms);
            printed.add(IdCodec.toString(generator.hi(), generator.lo()));
        }

        // Then sorting the text sorts them by time
        final List<String> sorted = new ArrayList<>(printed);
        sorted.sort(String::compareTo);
        assertEquals(printed, sorted);
    }

    @Test
    void shouldGenerateDistinctIdsWithinOneMillisecond()
    {
        final IdGenerator generator = new IdGenerator();
        final Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++)
        {
            generator.next(1_700_000_000_000L);
            ids.add(IdCodec.toString(generator.hi(), generator.lo()));
        }
        assertEquals(100_000, ids.size());
    }

    @Test
    void shouldRejectMalformedIds()
    {
        assertFalse(IdCodec.isValid("short", 0, 5));
        assertFalse(IdCodec.isValid("-0cUpCA8VobNMR3l0Rz5l%", 0, 22));
        assertFalse(IdCodec.isValid("z0cUpCA8VobNMR3l0Rz5ln", 0, 22)); // first character carries only 2 bits
        assertFalse(IdCodec.isValid("-0cUpCA8VobNMR3l0Rz5l\u00e9", 0, 22));
    }
}
