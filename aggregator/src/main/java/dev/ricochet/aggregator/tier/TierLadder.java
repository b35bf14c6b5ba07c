package dev.ricochet.aggregator.tier;

import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.counters.CounterField;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.List;

/**
 * Which tier a partner qualifies for, and when a program reviews its tiers.
 *
 * <p>A partner qualifies for the highest tier whose minConversions or minRevenue (either suffices) it meets over that
 * tier's window. Conversions are the partner's counted leads and sales; revenue is its credited revenue net of
 * refunds and chargebacks (reversals count on the day they happen). The window at an instant covers the day
 * buckets of its last windowDays days, the instant's own UTC day included. Upgrades are evaluated at each credited
 * conversion; a review on day R (downgrades, and any upgrade missed) looks at the windows that ended at midnight
 * starting day R.
 */
public final class TierLadder
{
    /**
     * Sums of a partner's day buckets, committed and not.
     */
    @FunctionalInterface
    public interface WindowSums
    {
        /**
         * @param fromDay first epoch day, inclusive.
         * @param toDay   last epoch day, inclusive.
         * @return sums indexed by {@link CounterField#ordinal()}.
         */
        long[] sum(int fromDay, int toDay);
    }

    private TierLadder()
    {
    }

    /**
     * @param tiers  the program's ladder, lowest first.
     * @param endDay last epoch day of every window.
     * @param sums   the partner's buckets.
     * @return index of the highest tier the partner qualifies for (0 if none above the first or no tiers).
     */
    public static int qualifying(final List<ProgramSpec.Tier> tiers, final int endDay, final WindowSums sums)
    {
        for (int i = tiers.size() - 1; i > 0; i--)
        {
            final ProgramSpec.Tier tier = tiers.get(i);
            final long[] window = sums.sum(endDay - tier.windowDays() + 1, endDay);
            final long conversions = window[CounterField.LEADS.ordinal()] + window[CounterField.SALES.ordinal()];
            final long revenue = window[CounterField.REVENUE.ordinal()];
            if ((null != tier.minConversions() && conversions >= tier.minConversions()) ||
                (null != tier.minRevenue() && revenue >= tier.minRevenue()))
            {
                return i;
            }
        }
        return 0;
    }

    /**
     * @param cadence daily, weekly (Mondays), monthly (the 1st) or quarterly (1 Jan, Apr, Jul, Oct).
     * @param day     a UTC day.
     * @return true if the program reviews tiers at the start of that day.
     */
    public static boolean isReviewDay(final String cadence, final LocalDate day)
    {
        switch (null == cadence ? "monthly" : cadence)
        {
            case "daily":
                return true;
            case "weekly":
                return DayOfWeek.MONDAY == day.getDayOfWeek();
            case "quarterly":
                return 1 == day.getDayOfMonth() && 1 == day.getMonthValue() % 3;
            default:
                return 1 == day.getDayOfMonth();
        }
    }

    /**
     * @param cadence review cadence.
     * @param today   the current UTC day.
     * @return the first review day after today.
     */
    public static LocalDate nextReview(final String cadence, final LocalDate today)
    {
        LocalDate day = today.plusDays(1);
        while (!isReviewDay(cadence, day))
        {
            day = day.plusDays(1);
        }
        return day;
    }
}
