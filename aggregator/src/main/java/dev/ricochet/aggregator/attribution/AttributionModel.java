package dev.ricochet.aggregator.attribution;

import dev.ricochet.ingest.Money;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a conversion's amount over its touch path; a pure function of the path, the amount and the model.
 *
 * <p>Every model gives each touch an integer weight, and the amount is split by {@link Money#split} (exact, one
 * rounding, cumulative): the credits add up to the amount exactly, whatever the split.
 * <ul>
 *   <li>{@code last_click}: weight 1 to the last touch, 0 to the others (the default).</li>
 *   <li>{@code first_click}: weight 1 to the first touch, 0 to the others.</li>
 *   <li>{@code linear}: weight 1 each.</li>
 *   <li>{@code position_based}: one touch 1; two touches 1 and 1; n &gt;= 3 touches 2(n-2) first, 2(n-2) last and 1
 *       each between (40% / 20% shared / 40%).</li>
 *   <li>{@code time_decay}: max(1, floor(2^(40 - age / half-life))), age = conversion time - click time (0 if
 *       negative), in milliseconds, computed with {@link StrictMath#pow} so every JVM gets the same weights.</li>
 * </ul>
 * A partner that appears more than once in the path (two of its links, or one link clicked twice) gets one credit:
 * the sum of its touches' credits ({@link #byPartner}).
 */
public final class AttributionModel
{
    private AttributionModel()
    {
    }

    /**
     * @param model        one of the model names, null for last_click.
     * @param path         touches in time order, at least one.
     * @param conversionMs conversion time (for time decay).
     * @param halfLifeMs   time-decay half-life.
     * @return one non-negative integer weight per touch, in path order.
     */
    public static long[] weights(final String model, final List<Touch> path, final long conversionMs,
        final long halfLifeMs)
    {
        final int n = path.size();
        final long[] weights = new long[n];
        switch (null == model ? "last_click" : model)
        {
            case "first_click" -> weights[0] = 1;
            case "linear" -> Arrays.fill(weights, 1);
            case "position_based" ->
            {
                if (n <= 2)
                {
                    Arrays.fill(weights, 1);
                }
                else
                {
                    Arrays.fill(weights, 1);
                    weights[0] = 2L * (n - 2);
                    weights[n - 1] = 2L * (n - 2);
                }
            }
            case "time_decay" ->
            {
                for (int i = 0; i < n; i++)
                {
                    final double age = Math.max(0, conversionMs - path.get(i).timeMs());
                    weights[i] = Math.max(1, (long)Math.floor(
                        StrictMath.pow(2.0, 40.0 - age / Math.max(1, halfLifeMs))));
                }
            }
            default -> weights[n - 1] = 1;
        }
        return weights;
    }

    /**
     * @param model        one of the model names.
     * @param path         touches in time order, at least one.
     * @param amount       minor units to split.
     * @param conversionMs conversion time (for time decay).
     * @param halfLifeMs   time-decay half-life.
     * @return one credit per touch, in path order, summing to amount.
     */
    public static List<ConversionRecord.Credit> credit(
        final String model, final List<Touch> path, final long amount, final long conversionMs, final long halfLifeMs)
    {
        return split(path, amount, weights(model, path, conversionMs, halfLifeMs));
    }

    /**
     * @param path    touches in time order.
     * @param amount  minor units to split.
     * @param weights one weight per touch.
     * @return one credit per touch, in path order, summing to amount ({@link Money#split}).
     */
    static List<ConversionRecord.Credit> split(final List<Touch> path, final long amount, final long[] weights)
    {
        return credits(path, Money.split(amount, weights));
    }

    /**
     * A recurring payment split in the proportions of the first sale's credits, by the one money split.
     *
     * @param amount minor units to split.
     * @param shares the first sale's credits, one per partner.
     * @return one credit per share, naming no click.
     */
    static List<ConversionRecord.Credit> resplit(final long amount, final List<ConversionRecord.Credit> shares)
    {
        final long[] weights = new long[shares.size()];
        for (int i = 0; i < weights.length; i++)
        {
            weights[i] = shares.get(i).revenue();
        }
        final long[] parts = Money.split(amount, weights);
        final List<ConversionRecord.Credit> credits = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++)
        {
            credits.add(new ConversionRecord.Credit(shares.get(i).partnerNumber(), parts[i], null, 0));
        }
        return credits;
    }

    /**
     * @param path  touches in time order.
     * @param parts one amount per touch.
     * @return one credit per touch carrying its part.
     */
    static List<ConversionRecord.Credit> credits(final List<Touch> path, final long[] parts)
    {
        final List<ConversionRecord.Credit> credits = new ArrayList<>(path.size());
        for (int i = 0; i < parts.length; i++)
        {
            final Touch touch = path.get(i);
            credits.add(new ConversionRecord.Credit(touch.partnerNumber(), parts[i], touch.clickId(), touch.timeMs()));
        }
        return credits;
    }

    /**
     * One credit per partner: the sum of its touches' credits, in the order of each partner's first touch, naming
     * the partner's latest touch (the one nearest the conversion).
     *
     * @param perTouch credits in path order, possibly several per partner.
     * @return one credit per partner, with the same total.
     */
    public static List<ConversionRecord.Credit> byPartner(final List<ConversionRecord.Credit> perTouch)
    {
        final Map<Integer, ConversionRecord.Credit> merged = new LinkedHashMap<>();
        for (final ConversionRecord.Credit credit : perTouch)
        {
            final ConversionRecord.Credit earlier = merged.get(credit.partnerNumber());
            if (null == earlier)
            {
                merged.put(credit.partnerNumber(), credit);
            }
            else
            {
                final boolean isLater = credit.clickTimeMs() >= earlier.clickTimeMs();
                merged.put(credit.partnerNumber(), new ConversionRecord.Credit(credit.partnerNumber(),
                    Money.add(earlier.revenue(), credit.revenue()), isLater ? credit.clickId() : earlier.clickId(),
                    isLater ? credit.clickTimeMs() : earlier.clickTimeMs()));
            }
        }
        return merged.size() == perTouch.size() ? perTouch : new ArrayList<>(merged.values());
    }
}
