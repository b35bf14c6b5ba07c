package dev.ricochet.tracker;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Turns a client address into a 64-bit pseudonym, so the journal never holds an IP address while fraud and rate
 * checks can still tell two clients apart within a day.
 *
 * <ol>
 *   <li>Truncate: an IPv4 address keeps its /24, an IPv6 address its /48 (the rest is zeroed), so even a salt's holder
 *   learns only the network, as with Google Analytics' IP anonymisation.</li>
 *   <li>Rotate: the key is the salt of the UTC day ({@link IpSalts}): 16 random bytes, kept for the day and then
 *   deleted. The same network hashes alike all day (unique clicks, rate and fraud checks) and differently the next
 *   day, so hashes cannot be joined across days, and once a day's salt is deleted nobody can test networks against
 *   that day's hashes.</li>
 *   <li>MAC: SipHash-2-4 of the truncated bytes under the day's salt. SipHash is a keyed MAC/PRF built for short
 *   inputs; it stands where an HMAC would, at a few nanoseconds and without allocation, which HMAC-SHA256 via
 *   {@code javax.crypto.Mac} is not.</li>
 * </ol>
 *
 * <p>Not thread-safe: one per channel handler.
 */
final class IpHasher
{
    /**
     * Length of a rotation period: one UTC day.
     */
    static final long DAY_MS = 86_400_000L;

    static final int IPV4_PREFIX_BYTES = 3;
    static final int IPV6_PREFIX_BYTES = 6;
    private final IpSalts salts;
    private final byte[] scratch = new byte[16];
    private long day = Long.MIN_VALUE;
    private long k0;
    private long k1;
    private long v0;
    private long v1;
    private long v2;
    private long v3;

    IpHasher(final IpSalts salts)
    {
        this.salts = salts;
    }

    /**
     * @param nowMs epoch time.
     * @return the rotation period {@code nowMs} falls in; a hash is valid for its period only.
     */
    static long day(final long nowMs)
    {
        return Math.floorDiv(nowMs, DAY_MS);
    }

    /**
     * @param remote client address of a connection.
     * @param nowMs  epoch time, which picks the day's key.
     * @return the pseudonym of the client's network for that day, or 0 if the address is not an IP address.
     */
    long hash(final SocketAddress remote, final long nowMs)
    {
        if (!(remote instanceof InetSocketAddress))
        {
            return 0;
        }
        final InetAddress address = ((InetSocketAddress)remote).getAddress();
        // getAddress() copies: callers hash once per connection and day, not per request.
        return null == address ? 0 : hash(address.getAddress(), nowMs);
    }

    /**
     * @param address 4 (IPv4) or 16 (IPv6) bytes, network order; not modified.
     * @param nowMs   epoch time, which picks the day's key.
     * @return the pseudonym of the address's /24 or /48 for that day.
     */
    long hash(final byte[] address, final long nowMs)
    {
        useKeyOfDay(day(nowMs));
        final int length = address.length;
        final int kept = 4 == length ? IPV4_PREFIX_BYTES : IPV6_PREFIX_BYTES;
        for (int i = 0; i < length; i++)
        {
            scratch[i] = i < kept ? address[i] : 0;
        }
        return sipHash24(k0, k1, scratch, length);
    }

    private void useKeyOfDay(final long newDay)
    {
        if (newDay != day)
        {
            final long[] salt = salts.saltOf(newDay);
            day = newDay;
            k0 = salt[0];
            k1 = salt[1];
        }
    }

    private long sipHash24(final long key0, final long key1, final byte[] data, final int length)
    {
        v0 = key0 ^ 0x736f6d6570736575L;
        v1 = key1 ^ 0x646f72616e646f6dL;
        v2 = key0 ^ 0x6c7967656e657261L;
        v3 = key1 ^ 0x7465646279746573L;

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
