package dev.ricochet.tracker;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Turns a client address into a keyed SipHash-2-4, so the journal never holds an IP address while fraud and
 * rate checks can still tell two clients apart; without the key, the hash cannot be reversed by enumeration.
 * Not thread-safe: one per channel handler.
 */
final class IpHasher
{
    private final long k0;
    private final long k1;
    private long v0;
    private long v1;
    private long v2;
    private long v3;

    IpHasher(final byte[] key)
    {
        if (key.length != 16)
        {
            throw new IllegalArgumentException("ip hash key must be 16 bytes");
        }
        k0 = readLong(key, 0);
        k1 = readLong(key, 8);
    }

    long hash(final SocketAddress remote)
    {
        if (!(remote instanceof InetSocketAddress))
        {
            return 0;
        }
        final InetAddress address = ((InetSocketAddress)remote).getAddress();
        return null == address ? 0 : sipHash24(address.getAddress());
    }

    long sipHash24(final byte[] data)
    {
        v0 = k0 ^ 0x736f6d6570736575L;
        v1 = k1 ^ 0x646f72616e646f6dL;
        v2 = k0 ^ 0x6c7967656e657261L;
        v3 = k1 ^ 0x7465646279746573L;

        final int length = data.length;
        final int blocks = length & ~7;
        for (int i = 0; i < blocks; i += 8)
        {
            compress(readLong(data, i));
        }
        long last = ((long)length) << 56;
        for (int i = blocks; i < length; i++)
        {
            last |= (data[i] & 0xFFL) << (8 * (i - blocks));
        }
        compress(last);

        v2 ^= 0xff;
        for (int r = 0; r < 4; r++)
        {
            sipRound();
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private void compress(final long m)
    {
        v3 ^= m;
        sipRound();
        sipRound();
        v0 ^= m;
    }

    private void sipRound()
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

    private static long readLong(final byte[] bytes, final int offset)
    {
        long value = 0;
        for (int i = 7; i >= 0; i--)
        {
            value = (value << 8) | (bytes[offset + i] & 0xFFL);
        }
        return value;
    }
}
