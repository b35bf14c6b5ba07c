package dev.ricochet.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Prints 128-bit ids as 22 URL-safe characters whose ASCII order is the ids' numeric order, and parses them back.
 *
 * <p>The alphabet is {@code -0-9A-Z_a-z} in ASCII order, so a sorted list of printed ids is in time order, and no
 * character needs escaping in a URL, a cookie or a CSV cell. The first character carries the top 2 bits, the other
 * 21 carry 6 bits each.
 */
public final class IdCodec
{
    /**
     * Length of a printed id.
     */
    public static final int ENCODED_LENGTH = 22;

    private static final byte[] ALPHABET =
        "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".getBytes(
            StandardCharsets.US_ASCII);
    private static final byte[] VALUES = new byte[128];

    static
    {
        Arrays.fill(VALUES, (byte)-1);
        for (int i = 0; i < ALPHABET.length; i++)
        {
            VALUES[ALPHABET[i]] = (byte)i;
        }
    }

    private IdCodec()
    {
    }

    /**
     * Write an id's 22 characters into an array.
     *
     * @param hi     high 64 bits.
     * @param lo     low 64 bits.
     * @param dst    destination array.
     * @param offset where the first character goes.
     */
    public static void encode(final long hi, final long lo, final byte[] dst, final int offset)
    {
        // 128 bits = 2 + 21 * 6; walk from the least significant end.
        long h = hi;
        long l = lo;
        for (int i = ENCODED_LENGTH - 1; i >= 1; i--)
        {
            dst[offset + i] = ALPHABET[(int)(l & 0x3F)];
            l = (l >>> 6) | (h << 58);
            h >>>= 6;
        }
        dst[offset] = ALPHABET[(int)(l & 0x3)];
    }

    /**
     * @param hi high 64 bits.
     * @param lo low 64 bits.
     * @return the printed id (allocates; not for the hot path).
     */
    public static String toString(final long hi, final long lo)
    {
        final byte[] bytes = new byte[ENCODED_LENGTH];
        encode(hi, lo, bytes, 0);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /**
     * @param text  characters to check.
     * @param start first character of the id.
     * @param end   one past its last character.
     * @return true if exactly one well-formed id lies between start and end.
     */
    public static boolean isValid(final CharSequence text, final int start, final int end)
    {
        if (end - start != ENCODED_LENGTH)
        {
            return false;
        }
        final int first = valueOf(text.charAt(start));
        if (first < 0 || first > 3)
        {
            return false;
        }
        for (int i = start + 1; i < end; i++)
        {
            if (valueOf(text.charAt(i)) < 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param text  holding a valid id (see {@link #isValid}).
     * @param start first character of the id.
     * @return the high 64 bits.
     */
    public static long decodeHi(final CharSequence text, final int start)
    {
        long h = 0;
        long l = 0;
        for (int i = 0; i < ENCODED_LENGTH; i++)
        {
            final long v = valueOf(text.charAt(start + i));
            h = (h << 6) | (l >>> 58);
            l = (l << 6) | v;
        }
        return h;
    }

    /**
     * @param text  holding a valid id (see {@link #isValid}).
     * @param start first character of the id.
     * @return the low 64 bits.
     */
    public static long decodeLo(final CharSequence text, final int start)
    {
        long l = 0;
        for (int i = 0; i < ENCODED_LENGTH; i++)
        {
            l = (l << 6) | valueOf(text.charAt(start + i));
        }
        return l;
    }

    private static int valueOf(final char c)
    {
        return c < 128 ? VALUES[c] : -1;
    }
}
