package dev.ricochet.aggregator.counters;

import dev.ricochet.aggregator.store.StateStore;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.rocksdb.WriteBatch;

/**
 * A partner's rolling counters in event-time hour and day buckets, with sliding-window sums answered from the
 * buckets.
 *
 * <p>Single writer (the aggregator thread). Buckets touched since the last commit live in primitive-keyed maps, one
 * {@code long[]} per (partner, bucket), and are written once per commit as absolute values; a window sum reads the
 * committed day buckets with one range scan and lays the uncommitted ones over it, so it costs O(days in the
 * window) whatever the traffic. Nothing per partner stays in memory between commits: 100,000 partners cost only
 * their RocksDB rows (see README, "Counters").
 */
public final class CounterBuckets
{
    private static final long DAY_MS = 86_400_000L;
    private static final long HOUR_MS = 3_600_000L;

    private final StateStore store;
    private final Long2ObjectHashMap<long[]> dirtyDays = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<long[]> dirtyHours = new Long2ObjectHashMap<>();
    private final LongHashSet newHours = new LongHashSet();

    /**
     * @param store committed buckets.
     */
    public CounterBuckets(final StateStore store)
    {
        this.store = store;
    }

    /**
     * Add to a counter in the partner's hour and day buckets of an event.
     *
     * @param partnerNumber partner.
     * @param timeMs        event time.
     * @param field         counter.
     * @param delta         change, negative for reversals.
     */
    public void add(final int partnerNumber, final long timeMs, final CounterField field, final long delta)
    {
        day(partnerNumber, (int)Math.floorDiv(timeMs, DAY_MS))[field.ordinal()] += delta;
        hour(partnerNumber, (int)Math.floorDiv(timeMs, HOUR_MS))[field.ordinal()] += delta;
    }

    /**
     * Sum of the partner's day buckets from fromDay to toDay inclusive, committed and uncommitted.
     *
     * @param partnerNumber partner.
     * @param fromDay       first epoch day.
     * @param toDay         last epoch day.
     * @param sums          receives the sums, indexed by {@link CounterField#ordinal()}.
     * @return sums.
     */
    public long[] window(final int partnerNumber, final int fromDay, final int toDay, final long[] sums)
    {
        java.util.Arrays.fill(sums, 0);
        store.readDayCounters(partnerNumber, fromDay, toDay, (epochDay, values) ->
        {
            if (!dirtyDays.containsKey(key(partnerNumber, epochDay)))
            {
                addTo(sums, values);
            }
        });
        if (!dirtyDays.isEmpty())
        {
            for (int day = fromDay; day <= toDay; day++)
            {
                final long[] dirty = dirtyDays.get(key(partnerNumber, day));
                if (null != dirty)
                {
                    addTo(sums, dirty);
                }
            }
        }
        return sums;
    }

    /**
     * Add every bucket touched since the last flush to the commit batch.
     *
     * @param batch the batch being built.
     */
    public void flush(final WriteBatch batch)
    {
        final Long2ObjectHashMap<long[]>.EntryIterator days = dirtyDays.entrySet().iterator();
        while (days.hasNext())
        {
            days.next();
            final long key = days.getLongKey();
            store.putDayCounters(batch, (int)(key >>> 32), (int)key, days.getValue());
        }
        final Long2ObjectHashMap<long[]>.EntryIterator hours = dirtyHours.entrySet().iterator();
        while (hours.hasNext())
        {
            hours.next();
            final long key = hours.getLongKey();
            store.putHourCounters(batch, (int)(key >>> 32), (int)key, hours.getValue(), newHours.contains(key));
        }
        dirtyDays.clear();
        dirtyHours.clear();
        newHours.clear();
    }

    private long[] day(final int partnerNumber, final int epochDay)
    {
        final long key = key(partnerNumber, epochDay);
        long[] counters = dirtyDays.get(key);
        if (null == counters)
        {
            counters = store.dayCounters(partnerNumber, epochDay);
            dirtyDays.put(key, counters);
        }
        return counters;
    }

    private long[] hour(final int partnerNumber, final int epochHour)
    {
        final long key = key(partnerNumber, epochHour);
        long[] counters = dirtyHours.get(key);
        if (null == counters)
        {
            counters = store.hourCounters(partnerNumber, epochHour);
            if (null == counters)
            {
                counters = new long[CounterField.COUNT];
                newHours.add(key);
            }
            dirtyHours.put(key, counters);
        }
        return counters;
    }

    private static long key(final int partnerNumber, final int bucket)
    {
        return ((long)partnerNumber << 32) | (bucket & 0xFFFF_FFFFL);
    }

    private static void addTo(final long[] sums, final long[] values)
    {
        for (int i = 0; i < sums.length; i++)
        {
            sums[i] += values[i];
        }
    }
}
