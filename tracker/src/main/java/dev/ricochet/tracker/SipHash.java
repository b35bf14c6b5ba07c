package dev.ricochet.tracker;

/**
 * SipHash-2-4 (Aumasson and Bernstein): the keyed MAC/PRF that tags visitor cookies ({@link VisitorCookie}) and
 * hashes IP addresses ({@link IpHasher}). Stateless and allocation-free: safe from any thread on the hot path.
 */
final class SipHash
{
    private SipHash()
    {
    }

    /**
     * SipHash-2-4 of a 16-byte message given as two little-endian 64-bit words.
     */
    static long hash24(final long key0, final long key1, final long m0, final long m1)
    {
        return hash24(key0, key1, null, 16, m0, m1);
    }

    /**
     * SipHash-2-4 of {@code data[0, length)}.
     */
    static long hash24(final long key0, final long key1, final byte[] data, final int length)
    {
        return hash24(key0, key1, data, length, 0, 0);
    }

    /**
     * @param data the message, or null for the 16-byte message {@code m0, m1} (then {@code length} is 16).
     */
    private static long hash24(
        final long key0, final long key1, final byte[] data, final int length, final long m0, final long m1)
    {
        long v0 = 0x736f6d6570736575L ^ key0;
        long v1 = 0x646f72616e646f6dL ^ key1;
        long v2 = 0x6c7967656e657261L ^ key0;
        long v3 = 0x7465646279746573L ^ key1;
        final int words = length >>> 3;
        for (int block = 0; block <= words + 1; block++)
        {
            // The message's whole words, then the last block (its tail and length), then finalisation.
            final boolean finalisation = block == words + 1;
            final long m = block < words ? word(data, block, m0, m1) : lastBlock(data, length);
            final int rounds = finalisation ? 4 : 2;
            if (finalisation)
            {
                v2 ^= 0xFF;
            }
            else
            {
                v3 ^= m;
            }
            for (int r = 0; r < rounds; r++)
            {
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13);
                v1 ^= v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16);
                v3 ^= v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21);
                v3 ^= v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17);
                v1 ^= v2;
                v2 = Long.rotateLeft(v2, 32);
            }
            if (!finalisation)
            {
                v0 ^= m;
            }
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static long word(final byte[] data, final int index, final long m0, final long m1)
    {
        if (null == data)
        {
            return 0 == index ? m0 : m1;
        }
        long value = 0;
        for (int i = 7; i >= 0; i--)
        {
            value = (value << 8) | (data[(index << 3) + i] & 0xFFL);
        }
        return value;
    }

    private static long lastBlock(final byte[] data, final int length)
    {
        long last = ((long)length) << 56;
        if (null != data)
        {
            for (int i = length & ~7; i < length; i++)
            {
                last |= (data[i] & 0xFFL) << (8 * (i & 7));
            }
        }
        return last;
    }
}
