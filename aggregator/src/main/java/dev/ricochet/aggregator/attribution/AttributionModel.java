package dev.ricochet.aggregator.attribution;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a conversion's amount over its touch path; a pure function of the path, the amount and the model.
 *
 * <p>Every model produces integer credits that add up to the amount exactly: weights are turned into credits by
 * cumulative rounding (touch i gets round(A * W_i) - round(A * W_(i-1)) of the running weight sum W), so no cent is
 * created or lost whatever the split.
 * <ul>
 *   <li>{@code last_click}: all to the last touch (the default).</li>
 *   <li>{@code first_click}: all to the first touch.</li>
 *   <li>{@code linear}: equal shares.</li>
 *   <li>{@code position_based}: 40% first, 40% last, 20% shared by the touches between; two touches get 50/50.</li>
 *   <li>{@code time_decay}: weight 2^(-age / half-life), age measured from the conversion.</li>
 * </ul>
 */
public final class AttributionModel
{
    private AttributionModel()
    {
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
        final int n = path.size();
        final double[] weights = new double[n];
        switch (null == model ? "last_click" : model)
        {
            case "first_click" -> weights[0] = 1;
            case "linear" -> java.util.Arrays.fill(weights, 1.0 / n);
            case "position_based" ->
            {
                if (n == 1)
                {
                    weights[0] = 1;
                }
                else if (n == 2)
                {
                    weights[0] = 0.5;
                    weights[1] = 0.5;
                }
                else
                {
                    weights[0] = 0.4;
                    weights[n - 1] = 0.4;
                    for (int i = 1; i < n - 1; i++)
                    {
                        weights[i] = 0.2 / (n - 2);
                    }
                }
            }
            case "time_decay" ->
            {
                double total = 0;
                for (int i = 0; i < n; i++)
                {
                    final double age = Math.max(0, conversionMs - path.get(i).timeMs());
                    weights[i] = Math.pow(2, -age / Math.max(1, halfLifeMs));
                    total += weights[i];
                }
                for (int i = 0; i < n; i++)
                {
                    weights[i] /= total;
                }
            }
            default -> weights[n - 1] = 1;
        }

        final List<ConversionRecord.Credit> credits = new ArrayList<>(n);
        double cumulativeWeight = 0;
        long assigned = 0;
        for (int i = 0; i < n; i++)
        {
            cumulativeWeight += weights[i];
            final long upTo = i == n - 1 ? amount : Math.round(amount * Math.min(1.0, cumulativeWeight));
            final Touch touch = path.get(i);
            credits.add(new ConversionRecord.Credit(touch.partnerNumber(), upTo - assigned, touch.clickId(),
                touch.timeMs()));
            assigned = upTo;
        }
        return credits;
    }
}
