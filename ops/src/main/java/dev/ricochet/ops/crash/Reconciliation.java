package dev.ricochet.ops.crash;

import dev.ricochet.aggregator.counters.CounterField;
import net.openhft.chronicle.queue.RollCycle;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * What the aggregator counted against a plain count of the journal it read, independent of the aggregator's code:
 * per partner and day its click, bot-click and preview counters against the click events, its conversion records
 * and sales against the distinct order ids.
 *
 * @param journaledClicks  click events in the journal up to the state's checkpoint.
 * @param countedClicks    clicks + bot clicks + previews in the day buckets.
 * @param journaledOrders  distinct order ids journaled up to the checkpoint.
 * @param countedOrders    conversion records in the state.
 * @param countedSales     sales in the day buckets (each of these conversions is attributed to one partner).
 * @param doubled          counter units beyond the journal, summed over partner-days, plus sales beyond the orders.
 * @param uncounted        journaled events missing from the counters, plus orders without a record.
 * @param checkpointBehind events in the journal after the state's checkpoint (not yet applied; 0 after a drain).
 */
record Reconciliation(long journaledClicks, long countedClicks, long journaledOrders, long countedOrders,
    long countedSales, long doubled, long uncounted, long checkpointBehind)
{
    /**
     * @param journal   the whole journal, as read.
     * @param dataDir   the service's data directory (its state closed).
     * @param rollCycle the journal's roll cycle.
     * @return the comparison, over the journal prefix the state's checkpoint covers.
     * @throws IllegalStateException if the state cannot be opened.
     */
    static Reconciliation of(final JournalAudit journal, final Path dataDir, final RollCycle rollCycle)
    {
        final StateAudit.Counts counts = StateAudit.counts(dataDir.resolve("state"));
        final JournalAudit covered = counts.journalPosition == journal.lastIndex ? journal :
            JournalAudit.scan(dataDir.resolve("journal"), rollCycle, counts.journalPosition);
        long doubled = 0;
        long uncounted = 0;
        final Set<Long> keys = new HashSet<>(covered.clicksByPartnerDay.keySet());
        keys.addAll(counts.dayBuckets.keySet());
        final CounterField[] fields = { CounterField.CLICKS, CounterField.BOT_CLICKS, CounterField.PREVIEWS };
        for (final Long key : keys)
        {
            final long[] journaled = covered.clicksByPartnerDay.getOrDefault(key, new long[3]);
            final long[] bucket = counts.dayBuckets.get(key);
            for (int i = 0; i < fields.length; i++)
            {
                final long delta = (null == bucket ? 0 : bucket[fields[i].ordinal()]) - journaled[i];
                doubled += Math.max(0, delta);
                uncounted += Math.max(0, -delta);
            }
        }
        final long orders = covered.orderIds.size();
        final long sales = counts.total(CounterField.SALES);
        doubled += Math.max(0, sales - orders) + Math.max(0, counts.conversionRecords - orders);
        uncounted += Math.max(0, orders - counts.conversionRecords);
        final long countedClicks = counts.total(CounterField.CLICKS) + counts.total(CounterField.BOT_CLICKS) +
            counts.total(CounterField.PREVIEWS);
        return new Reconciliation(covered.clicks, countedClicks, orders, counts.conversionRecords, sales, doubled,
            uncounted, journal.events - covered.events);
    }
}
