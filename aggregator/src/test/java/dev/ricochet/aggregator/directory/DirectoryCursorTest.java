package dev.ricochet.aggregator.directory;

import dev.ricochet.aggregator.catalog.InvalidSpecException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Base64;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A list's cursor comes back from clients: any bytes in it are a 400 naming {@code cursor}, never another error.
 */
class DirectoryCursorTest
{
    @Test
    void shouldReadBackWhatItWrote()
    {
        final DirectoryCursor cursor = new DirectoryCursor(DirectorySort.NAME, false, 0, "ann archer", "ann");

        assertEquals(cursor, DirectoryCursor.decode(cursor.encode(), DirectorySort.NAME, false));
    }

    @Test
    void shouldRefuseEveryDamagedCursorNamingTheParameter()
    {
        final String good = new DirectoryCursor(DirectorySort.REVENUE, true, 1234, "", "partner7").encode();
        final byte[] bytes = Base64.getUrlDecoder().decode(good);
        final Random random = new Random(3);
        for (int i = 0; i < 2_000; i++)
        {
            final byte[] damaged = Arrays.copyOf(bytes, 1 + random.nextInt(bytes.length + 4));
            damaged[random.nextInt(damaged.length)] = (byte)random.nextInt(256);
            final String value = Base64.getUrlEncoder().withoutPadding().encodeToString(damaged);
            try
            {
                final DirectoryCursor decoded = DirectoryCursor.decode(value, DirectorySort.REVENUE, true);
                assertEquals(DirectorySort.REVENUE, decoded.sort()); // a change that still reads is a valid cursor
            }
            catch (final InvalidSpecException ex)
            {
                assertTrue(ex.getMessage().startsWith("cursor: "), ex.getMessage());
            }
        }
        for (final String value : new String[]{ "", "%%", "not base64!", "AAAA", "x".repeat(20_000) })
        {
            final InvalidSpecException refused = assertThrows(InvalidSpecException.class,
                () -> DirectoryCursor.decode(value, DirectorySort.REVENUE, true));
            assertTrue(refused.getMessage().startsWith("cursor: "), refused.getMessage());
        }
    }
}
