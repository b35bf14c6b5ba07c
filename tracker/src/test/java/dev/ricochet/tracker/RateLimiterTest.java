package dev.ricochet.tracker;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token bucket arithmetic and the bounded table, with time given by the test.
 */
class RateLimiterTest
{
    private static final long START_NS = 1_000_000_000L;
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long KEY = RateLimiter.hash(42, 7);

    @Test
    void shouldAllowTheBurstAtOnceThenRefuse()
    {
        // Given 10 per second (a token every 100,000 us) with a burst of 5
        final RateLimiter limiter = new RateLimiter(100_000, 5, 1024, START_NS);

        // When 6 hits come at the same instant
        int allowed = 0;
        for (int i = 0; i < 6; i++)
        {
            allowed += 0 == limiter.tryAcquire(KEY, START_NS) ? 1 : 0;
        }

        // Then the burst passes and the sixth is refused
        assertEquals(5, allowed);
    }

    @Test
    void shouldSayHowLongUntilTheNextToken()
    {
        // Given a spent bucket of 10 per second (a token every 100 ms)
        final RateLimiter limiter = new RateLimiter(100_000, 1, 1024, START_NS);
        limiter.tryAcquire(KEY, START_NS);

        // When the next hit comes 30 ms later
        final long waitUs = limiter.tryAcquire(KEY, START_NS + 30_000_000L);

        // Then it is told the remaining 70 ms
        assertEquals(70_000, waitUs);
        assertEquals(1, RateLimits.retryAfterSeconds(waitUs));
    }

    @Test
    void shouldRefillAtTheSustainedRate()
    {
        // Given a spent bucket of 10 per second, burst 5
        final RateLimiter limiter = new RateLimiter(100_000, 5, 1024, START_NS);
        for (int i = 0; i < 5; i++)
        {
            limiter.tryAcquire(KEY, START_NS);
        }

        // When hits come every 10 ms for 10 seconds
        int allowed = 0;
        for (long t = START_NS + 10_000_000L; t <= START_NS + 10 * SECOND_NS; t += 10_000_000L)
        {
            allowed += 0 == limiter.tryAcquire(KEY, t) ? 1 : 0;
        }

        // Then exactly the sustained rate passes: 100 in 10 s
        assertEquals(100, allowed);
    }

    @Test
    void shouldKeepEachKeysBucketApart()
    {
        // Given one key has spent its bucket
        final RateLimiter limiter = new RateLimiter(1_000_000, 2, 1024, START_NS);
        limiter.tryAcquire(KEY, START_NS);
        limiter.tryAcquire(KEY, START_NS);

        // When another key hits at the same instant
        final long otherWaitUs = limiter.tryAcquire(RateLimiter.hash(42, 8), START_NS);

        // Then it has its own full bucket, and the first key is still limited
        assertEquals(0, otherWaitUs);
        assertTrue(limiter.tryAcquire(KEY, START_NS) > 0);
    }

    @Test
    void shouldNeverLimitAKeyForOtherKeysHitsWhenTheTableOverflows()
    {
        // Given a table of 1,024 buckets, one token a second and a burst of 2 (two keys that meet in a slot share a
        // bucket when their 16-bit tags match, one pair in 65,536: a burst of 2 absorbs that)
        final RateLimiter limiter = new RateLimiter(1_000_000, 2, 1024, START_NS);

        // When 100,000 distinct keys each hit once at the same instant
        int refused = 0;
        for (int key = 0; key < 100_000; key++)
        {
            refused += 0 == limiter.tryAcquire(RateLimiter.hash(42, key), START_NS) ? 0 : 1;
        }

        // Then none is refused: evicted buckets start full, no key is charged for other keys' hits
        assertEquals(0, refused);
    }

    @Test
    void shouldAllocateNothingPerHitOnTheRedirectPath()
    {
        // Given both limits and the verdict table, warmed up
        final RateLimits limits = new RateLimits(1, 1_000_000, 1, 1_000_000, new AddressBlocks("key", ""), false, 1024);
        final UserAgentVerdicts verdicts = UserAgentVerdicts.shared();
        final ThreadMXBean threads =
            (ThreadMXBean)ManagementFactory.getThreadMXBean();
        long sink = hits(limits, verdicts, 100_000);

        // When 100,000 hits take their tokens and look their user agent's verdict up
        final long before = threads.getCurrentThreadAllocatedBytes();
        sink += hits(limits, verdicts, 100_000);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        // Then nothing is allocated per hit: the smallest object is 16 bytes, so one per hit would be 1.6 MB; a few
        // hundred bytes of the runtime's own one-off work (compilation) may show
        assertTrue(allocated < 10_000, allocated + " bytes allocated by 100,000 hits (sink " + sink + ")");
    }

    private static long hits(final RateLimits limits, final UserAgentVerdicts verdicts, final int count)
    {
        long sink = 0;
        for (int i = 0; i < count; i++)
        {
            final long nowNs = System.nanoTime();
            sink += limits.acquireForAddress(0x5DEECE66DL + (i & 255), nowNs) + limits.acquireForLink(i & 1023, nowNs) +
                verdicts.verdict(UserAgentVerdicts.hash(EdgeFixture.BROWSER));
        }
        return sink;
    }

    @Test
    void shouldKeyAnIpv6ClientByItsSlash64AndAnIpv4ClientByItsAddressHoweverTheSocketReportsIt() throws Exception
    {
        final RateLimits limits = new RateLimits(1, 1, 0, 1, new AddressBlocks("key", ""), false, 1024);

        // An IPv6 subscriber rotating through its /64 is one client; the next /64 is another
        assertEquals(key(limits, "2001:db8:1:2::1"), key(limits, "2001:db8:1:2:ffff:ffff:ffff:fffe"));
        assertNotEquals(key(limits, "2001:db8:1:2::1"), key(limits, "2001:db8:1:3::1"));
        // IPv4 clients are told apart by their whole address, also as a dual-stack socket reports them
        assertNotEquals(key(limits, "203.0.113.7"), key(limits, "203.0.113.8"));
        final InetAddress mapped = Inet6Address.getByAddress(
            null, new byte[]{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)0xFF, (byte)0xFF, (byte)203, 0, 113, 7}, -1);
        assertEquals(key(limits, "203.0.113.7"), limits.addressKey(new InetSocketAddress(mapped, 443)));
    }

    @Test
    void shouldExemptTheListedBlocksOnly()
    {
        final RateLimits limits = new RateLimits(1, 1, 0, 1,
            new AddressBlocks("key", "127.0.0.0/8, ::1/128, 10.1.2.0/23"), false, 1024);

        assertEquals(RateLimits.UNLIMITED, key(limits, "127.9.9.9"));
        assertEquals(RateLimits.UNLIMITED, key(limits, "::1"));
        assertEquals(RateLimits.UNLIMITED, key(limits, "10.1.3.255"));
        assertNotEquals(RateLimits.UNLIMITED, key(limits, "10.1.4.0"));
        assertNotEquals(RateLimits.UNLIMITED, key(limits, "128.0.0.1"));
    }

    private static long key(final RateLimits limits, final String address)
    {
        return limits.addressKey(new InetSocketAddress(address, 443));
    }

    @Test
    void shouldParseRatesPerSecondMinuteAndHourAndRefuseOthersNamingTheSetting()
    {
        assertEquals(50_000, RateLimits.parseIntervalUs("key", "20/s"));
        assertEquals(60_000_000, RateLimits.parseIntervalUs("key", "1/m"));
        assertEquals(3_600_000, RateLimits.parseIntervalUs("key", "1000/h"));
        assertEquals(0, RateLimits.parseIntervalUs("key", "0"));
        for (final String bad : new String[]{"20", "20/d", "/s", "-1/s", "0/s", "2000000/s", "lots"})
        {
            final IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> RateLimits.parseIntervalUs("key", bad));
            assertTrue(error.getMessage().startsWith("key=" + bad + ": "), error.getMessage());
        }
    }

    @Test
    void shouldStillLimitAHeavyKeyAmongManyLightOnes()
    {
        // Given a heavy key that spent its bucket, and 2,000 light keys passing through a 1,024-slot table
        final RateLimiter limiter = new RateLimiter(1_000_000, 3, 1024, START_NS);
        for (int i = 0; i < 3; i++)
        {
            limiter.tryAcquire(KEY, START_NS);
        }
        for (int key = 0; key < 2_000; key++)
        {
            limiter.tryAcquire(RateLimiter.hash(42, 1_000_000 + key), START_NS + 500_000_000L);
        }

        // When the heavy key hits again within its second
        final long waitUs = limiter.tryAcquire(KEY, START_NS + 600_000_000L);

        // Then it is refused: a new key evicts the fuller of its two slots' buckets, not the emptied one
        assertTrue(waitUs > 0, "a light key evicted the heavy key's bucket");
    }
}
