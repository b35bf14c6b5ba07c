package dev.ricochet.tracker;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.SecureRandom;

/**
 * The edge's two rate limits, per client address and per link, and what a hit over either gets.
 *
 * <p>Browser hits (clicks, previews, pixel hits) take a token from their address's bucket; clicks and previews also
 * from their link's. Conversions and webhooks are not limited here: they are authenticated, their senders retry, and
 * overload shedding covers them. An IPv4 client is its address; an IPv6 client its /64, since one subscriber is
 * given a whole /64 and could otherwise rotate through it. Addresses are hashed with a random per-process seed and
 * live only in memory; the journal keeps only {@link IpHasher}'s truncated keyed hash.
 */
final class RateLimits
{
    /**
     * The address key of a connection the per-address limit does not apply to (exempt, not IP, or limit off).
     */
    static final long UNLIMITED = 0;

    private final RateLimiter byAddress;
    private final RateLimiter byLink;
    private final AddressBlocks exempt;
    private final boolean rejects;
    private final long addressSeed;
    private final long linkSeed;

    /**
     * @param addressIntervalUs microseconds between a client address's tokens, 0 for no limit.
     * @param addressBurst      bucket size per client address.
     * @param linkIntervalUs    microseconds between a link's tokens, 0 for no limit.
     * @param linkBurst         bucket size per link.
     * @param exempt            addresses the per-address limit skips.
     * @param rejects           true to answer 429, false to serve the hit without journaling it.
     * @param slots             buckets per limiter, a power of two.
     */
    RateLimits(
        final long addressIntervalUs,
        final int addressBurst,
        final long linkIntervalUs,
        final int linkBurst,
        final AddressBlocks exempt,
        final boolean rejects,
        final int slots)
    {
        final long originNs = System.nanoTime();
        this.byAddress = 0 == addressIntervalUs ? null :
            new RateLimiter(addressIntervalUs, addressBurst, slots, originNs);
        this.byLink = 0 == linkIntervalUs ? null : new RateLimiter(linkIntervalUs, linkBurst, slots, originNs);
        this.exempt = exempt;
        this.rejects = rejects;
        final SecureRandom random = new SecureRandom();
        this.addressSeed = random.nextLong();
        this.linkSeed = random.nextLong();
    }

    /**
     * @param key   the setting's name, for messages.
     * @param value {@code 0} (no limit) or {@code N/s}, {@code N/m}, {@code N/h} with N from 1 to 1,000,000.
     * @return microseconds between tokens, 0 for no limit.
     * @throws IllegalArgumentException naming the key if the value is malformed.
     */
    static long parseIntervalUs(final String key, final String value)
    {
        final String rate = value.trim();
        if ("0".equals(rate))
        {
            return 0;
        }
        final int slash = rate.indexOf('/');
        final long periodUs = slash < 0 ? -1 : switch (rate.substring(slash + 1))
        {
            case "s" -> 1_000_000L;
            case "m" -> 60_000_000L;
            case "h" -> 3_600_000_000L;
            default -> -1;
        };
        long count = -1;
        if (periodUs > 0 && rate.substring(0, slash).matches("[0-9]{1,7}"))
        {
            count = Long.parseLong(rate.substring(0, slash));
        }
        if (count < 1 || count > 1_000_000 || periodUs / count < 1)
        {
            throw new IllegalArgumentException(
                key + "=" + value +
                    ": expected 0 (no limit) or a rate such as 20/s, 600/m or 1000/h (at most 1000000/s)");
        }
        return periodUs / count;
    }

    /**
     * @return true if hits over a limit get 429, false if they are served without a journal entry.
     */
    boolean rejects()
    {
        return rejects;
    }

    /**
     * The key of a connection's client for the per-address limit; computed once per connection (it allocates).
     *
     * @param remote the connection's peer.
     * @return the key, or {@link #UNLIMITED}.
     */
    long addressKey(final SocketAddress remote)
    {
        if (null == byAddress || !(remote instanceof InetSocketAddress))
        {
            return UNLIMITED;
        }
        final InetAddress address = ((InetSocketAddress)remote).getAddress();
        if (null == address || exempt.contains(address))
        {
            return UNLIMITED;
        }
        final byte[] bytes = AddressBlocks.unmapped(address.getAddress());
        long bits = 0;
        // IPv4: all 32 bits; IPv6: the first 64, the subscriber's network. (An IPv4 client seen through a dual-stack
        // socket as ::ffff:a.b.c.d is an IPv4 client: its /64 would hold every IPv4 client.)
        final int length = 4 == bytes.length ? 4 : 8;
        for (int i = 0; i < length; i++)
        {
            bits = (bits << 8) | (bytes[i] & 0xFF);
        }
        final long key = RateLimiter.hash(addressSeed, bits ^ ((long)length << 60));
        return UNLIMITED == key ? 1 : key;
    }

    /**
     * @param addressKey from {@link #addressKey}.
     * @param nowNs      {@link System#nanoTime()} now.
     * @return 0 if allowed, otherwise the microseconds until the address may hit again.
     */
    long acquireForAddress(final long addressKey, final long nowNs)
    {
        return UNLIMITED == addressKey ? 0 : byAddress.tryAcquire(addressKey, nowNs);
    }

    /**
     * @param linkId catalog number of the link.
     * @param nowNs  {@link System#nanoTime()} now.
     * @return 0 if allowed, otherwise the microseconds until the link may take a click again.
     */
    long acquireForLink(final int linkId, final long nowNs)
    {
        return null == byLink ? 0 : byLink.tryAcquire(RateLimiter.hash(linkSeed, linkId), nowNs);
    }

    /**
     * @param waitUs from an acquire.
     * @return whole seconds for Retry-After, at least 1.
     */
    static long retryAfterSeconds(final long waitUs)
    {
        return Math.max(1, (waitUs + 999_999) / 1_000_000);
    }
}
