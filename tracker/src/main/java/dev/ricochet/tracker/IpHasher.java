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
        return SipHash.hash24(k0, k1, scratch, length);
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
}
