package dev.ricochet.ingest;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Money#addSaturated}, the sum counters and report totals use: the exact sum while it fits a long, else the
 * end of the range it passed, never a wrapped value.
 */
class MoneyAddSaturatedTest
{
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);

    @Test
    void shouldBeTheExactSumClampedToTheRangeOfALongForEdgesAndRandomOperands()
    {
        final long[] edges = { 0, 1, -1, Money.MAX_AMOUNT, -Money.MAX_AMOUNT, Long.MAX_VALUE, Long.MIN_VALUE,
            Long.MAX_VALUE - 1, Long.MIN_VALUE + 1, 5_000_000_000_000_000_000L, -5_000_000_000_000_000_000L };
        for (final long a : edges)
        {
            for (final long b : edges)
            {
                assertEquals(expected(a, b), Money.addSaturated(a, b), a + " + " + b);
            }
        }
        final SplittableRandom random = new SplittableRandom(15);
        for (int i = 0; i < 100_000; i++)
        {
            final long a = random.nextLong();
            final long b = random.nextLong();
            assertEquals(expected(a, b), Money.addSaturated(a, b), a + " + " + b);
        }
    }

    private static long expected(final long a, final long b)
    {
        return BigInteger.valueOf(a).add(BigInteger.valueOf(b)).max(MIN).min(MAX).longValueExact();
    }
}
