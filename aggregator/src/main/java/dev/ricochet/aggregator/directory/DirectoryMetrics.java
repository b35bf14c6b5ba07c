package dev.ricochet.aggregator.directory;

import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.ingest.Money;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The directory's derived metrics, from a partner's lifetime totals (docs/directory.md):
 *
 * <pre>
 *   conversions     leads + sales
 *   epc             commission / clicks, minor units per real click, rounded half-up to 4 decimals; 0 without clicks
 *   conversionRate  conversions / clicks, a fraction (0.25 = 25%), rounded half-up to 6 decimals; 0 without clicks
 * </pre>
 * Both ratios are kept as integers scaled by 10^4 and 10^6, which is what a list sorts on and its cursor holds, so that
 * the order is exactly the order of the figures shown.
 */
public final class DirectoryMetrics
{
    /**
     * Decimals of {@link #epc}.
     */
    public static final int EPC_SCALE = 4;

    /**
     * Decimals of {@link #conversionRate}.
     */
    public static final int RATE_SCALE = 6;

    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);

    private DirectoryMetrics()
    {
    }

    /**
     * @param totals lifetime counters.
     * @return leads + sales.
     */
    public static long conversions(final long[] totals)
    {
        return Money.addSaturated(totals[CounterField.LEADS.ordinal()], totals[CounterField.SALES.ordinal()]);
    }

    /**
     * @param totals lifetime counters.
     * @return earnings per click scaled by 10^{@value #EPC_SCALE}.
     */
    public static long epc(final long[] totals)
    {
        return ratio(totals[CounterField.COMMISSION.ordinal()], totals[CounterField.CLICKS.ordinal()], EPC_SCALE);
    }

    /**
     * @param totals lifetime counters.
     * @return conversion rate scaled by 10^{@value #RATE_SCALE}.
     */
    public static long conversionRate(final long[] totals)
    {
        return ratio(conversions(totals), totals[CounterField.CLICKS.ordinal()], RATE_SCALE);
    }

    /**
     * @param scaled a ratio as {@link #epc} or {@link #conversionRate} keep it.
     * @param scale  its decimals.
     * @return the figure shown.
     */
    public static BigDecimal decimal(final long scaled, final int scale)
    {
        return BigDecimal.valueOf(scaled, scale);
    }

    private static long ratio(final long numerator, final long clicks, final int scale)
    {
        if (clicks <= 0)
        {
            return 0;
        }
        final BigInteger scaled = BigDecimal.valueOf(numerator).movePointRight(scale)
            .divide(BigDecimal.valueOf(clicks), 0, RoundingMode.HALF_UP).toBigIntegerExact();
        return scaled.max(MIN).min(MAX).longValue();
    }
}
