package dev.ricochet.aggregator.health;

import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.ingest.Money;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.store.StateStore;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A partner's health, 0-100, from its last 90 day buckets (one range scan):
 *
 * <pre>
 *   trend     30  conversions in the last 30 days vs the 30 before: 30 x min(1, last / max(1, prior)),
 *                 0 if there were none in either
 *   recency   25  days since the last conversion d: 25 up to 7 days, falling linearly to 0 at 60 (and 0 if none
 *                 in 90 days)
 *   activity  20  real clicks in the last 30 days: 20 x min(1, clicks / 100)
 *   refunds   15  refunded / gross revenue over 90 days r: 15 x (1 - min(1, 2r)); full marks without revenue
 *   bots      10  bot share of clicks over 30 days b: 10 x (1 - min(1, 2b)); full marks without clicks
 * </pre>
 * The sum is rounded half-up. A partner with no activity at all scores 25 (it has nothing refunded and no bots),
 * which is below the default at-risk threshold of 40: a silent partner is one a program manager should call.
 *
 * @param score      0-100.
 * @param components each part's points, by name.
 */
public record HealthScore(int score, Map<String, Double> components)
{
    private static final int DAYS = 90;

    /**
     * @param store         committed buckets.
     * @param partnerNumber partner.
     * @param today         the current UTC epoch day.
     * @return the score.
     */
    public static HealthScore of(final StateStore store, final int partnerNumber, final int today)
    {
        return of(lastNinetyDays(store, partnerNumber, today));
    }

    /**
     * @param store         committed buckets.
     * @param partnerNumber partner.
     * @param today         the current UTC epoch day.
     * @return the partner's day buckets from today - 89 to today (index 89), null where nothing happened.
     */
    public static long[][] lastNinetyDays(final StateStore store, final int partnerNumber, final int today)
    {
        final long[][] days = new long[DAYS][];
        new CounterTable(store).readDays(partnerNumber, today - DAYS + 1, today, (epochDay, values) ->
            days[epochDay - (today - DAYS + 1)] = values.clone());
        return days;
    }

    /**
     * @param days the partner's last 90 day buckets, as {@link #lastNinetyDays} reads them.
     * @return the score.
     */
    public static HealthScore of(final long[][] days)
    {
        long last30 = 0;
        long prior30 = 0;
        long clicks30 = 0;
        long bots30 = 0;
        long net90 = 0;
        long refunded90 = 0;
        int daysSinceConversion = -1;
        for (int age = 0; age < DAYS; age++)
        {
            final long[] day = days[DAYS - 1 - age];
            if (null == day)
            {
                continue;
            }
            final long conversions = day[CounterField.LEADS.ordinal()] + day[CounterField.SALES.ordinal()];
            if (conversions > 0 && daysSinceConversion < 0)
            {
                daysSinceConversion = age;
            }
            if (age < 30)
            {
                last30 += conversions;
                clicks30 += day[CounterField.CLICKS.ordinal()];
                bots30 += day[CounterField.BOT_CLICKS.ordinal()];
            }
            else if (age < 60)
            {
                prior30 += conversions;
            }
            // Money sums saturate, never wrap (Money.addSaturated): a wrapped gross would score refunds backwards.
            net90 = Money.addSaturated(net90, day[CounterField.REVENUE.ordinal()]);
            refunded90 = Money.addSaturated(refunded90, day[CounterField.REFUNDED.ordinal()]);
        }
        final double trend = 0 == last30 + prior30 ? 0 : 30 * Math.min(1, (double)last30 / Math.max(1, prior30));
        final double recency = daysSinceConversion < 0 ? 0 :
            25 * Math.max(0, 1 - Math.max(0, daysSinceConversion - 7) / 53.0);
        final double activity = 20 * Math.min(1, clicks30 / 100.0);
        final long gross = Money.addSaturated(net90, refunded90);
        final double refunds = gross <= 0 ? 15 : 15 * (1 - Math.min(1, 2.0 * refunded90 / gross));
        final double bots = 0 == clicks30 + bots30 ? 10 : 10 * (1 - Math.min(1, 2.0 * bots30 / (clicks30 + bots30)));
        final Map<String, Double> components = new LinkedHashMap<>();
        components.put("trend", round1(trend));
        components.put("recency", round1(recency));
        components.put("activity", round1(activity));
        components.put("refunds", round1(refunds));
        components.put("bots", round1(bots));
        return new HealthScore((int)Math.min(100, Math.round(trend + recency + activity + refunds + bots)),
            components);
    }

    private static double round1(final double value)
    {
        return Math.round(value * 10) / 10.0;
    }
}
