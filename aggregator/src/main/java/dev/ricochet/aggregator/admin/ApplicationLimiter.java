package dev.ricochet.aggregator.admin;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bounds the public apply endpoint: token buckets per client address and per program, in bounded memory. Each bucket
 * holds up to {@code burst} requests and refills one every {@code refillMs}; a request that finds its bucket empty
 * is refused with the seconds until the next one is available (429, Retry-After). At most {@code maxKeys} buckets of
 * each kind are kept, the least recently used forgotten first: an attacker cycling through addresses can reset its
 * own buckets (an address never seen again starts full) but never passes the program's, so nothing it does grows
 * memory or passes the program's rate. Thread-safe; time is the API's clock.
 */
final class ApplicationLimiter
{
    /**
     * A refusal: the caller may retry after this many seconds (at least 1).
     *
     * @param retryAfterSeconds for the Retry-After header.
     * @param scope             whose budget ran out ({@code client} or {@code program}).
     */
    record Refusal(long retryAfterSeconds, String scope)
    {
    }

    private final Buckets clients;
    private final Buckets programs;

    /**
     * @param clientBurst   requests one address may make at once.
     * @param clientRefillMs one more request per address every this many ms.
     * @param programBurst  applications one program takes at once.
     * @param programRefillMs one more application per program every this many ms.
     * @param maxKeys       most addresses (and programs) remembered.
     */
    ApplicationLimiter(final int clientBurst, final long clientRefillMs, final int programBurst,
        final long programRefillMs, final int maxKeys)
    {
        this.clients = new Buckets(clientBurst, clientRefillMs, maxKeys);
        this.programs = new Buckets(programBurst, programRefillMs, maxKeys);
    }

    /**
     * Take one request of a client address's budget.
     *
     * @param client the address.
     * @param nowMs  the clock.
     * @return null if it may go on, else the refusal.
     */
    Refusal client(final String client, final long nowMs)
    {
        final long waitMs = clients.take(client, nowMs);
        return waitMs <= 0 ? null : new Refusal(seconds(waitMs), "client");
    }

    /**
     * Take one application of a program's budget.
     *
     * @param programId the program.
     * @param nowMs     the clock.
     * @return null if it may go on, else the refusal.
     */
    Refusal program(final String programId, final long nowMs)
    {
        final long waitMs = programs.take(programId, nowMs);
        return waitMs <= 0 ? null : new Refusal(seconds(waitMs), "program");
    }

    /**
     * @param address a connection's remote address, or null.
     * @return its rate-limit key: an IPv4 address as is, an IPv6 address's /64 (one subscriber holds a whole /64, so
     *         counting addresses inside it would count nothing), "unknown" if none.
     */
    static String clientKey(final InetAddress address)
    {
        if (null == address)
        {
            return "unknown";
        }
        if (address instanceof Inet6Address ipv6)
        {
            return HexFormat.of().formatHex(Arrays.copyOf(ipv6.getAddress(), 8)) + "::/64";
        }
        return address.getHostAddress();
    }

    private static long seconds(final long waitMs)
    {
        return Math.max(1, (waitMs + 999) / 1000);
    }

    /**
     * Buckets by key, least recently used forgotten past the bound. A bucket is (tokens, time of the last refill).
     */
    private static final class Buckets
    {
        private final int burst;
        private final long refillMs;
        private final Map<String, long[]> byKey;

        Buckets(final int burst, final long refillMs, final int maxKeys)
        {
            this.burst = burst;
            this.refillMs = refillMs;
            this.byKey = new LinkedHashMap<>(16, 0.75f, true)
            {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(final Map.Entry<String, long[]> eldest)
                {
                    return size() > maxKeys;
                }
            };
        }

        /**
         * @return 0 if a token was taken, else the ms until one is available.
         */
        synchronized long take(final String key, final long nowMs)
        {
            final long[] bucket = byKey.computeIfAbsent(key, k -> new long[]{ burst, nowMs });
            if (nowMs > bucket[1])
            {
                final long refills = (nowMs - bucket[1]) / refillMs;
                if (refills > 0)
                {
                    bucket[0] = Math.min(burst, bucket[0] + refills);
                    bucket[1] = bucket[0] == burst ? nowMs : bucket[1] + refills * refillMs;
                }
            }
            else if (nowMs < bucket[1])
            {
                bucket[1] = nowMs; // a clock set back: never wait longer because of it
            }
            if (bucket[0] > 0)
            {
                bucket[0]--;
                return 0;
            }
            return Math.max(1, bucket[1] + refillMs - nowMs);
        }
    }
}
