package dev.ricochet.aggregator.counters;

import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.Money;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.rocksdb.WriteBatch;

import java.util.Arrays;

/**
 * A partner's rolling counters in event-time hour and day buckets, with sliding-window sums answered from the
 * buckets.
 *
 * <p>Single writer (the aggregator thread). Buckets live in primitive-keyed maps, one {@code long[]} per (partner,
 * bucket), and stay there across commits, so the stream of events for a partner's current hour and day costs no
 * RocksDB read after the first: a profile of the replay put 93% of the aggregator's time in reading back buckets a
 * commit had just written. A commit writes each bucket touched since the last one once, as absolute values. Between
 * commits the cache keeps at most {@link #CACHED_BUCKETS} buckets per granularity: past that, buckets older than the
 * newest one are dropped first (late events for them read the committed value back), then everything.
 *
 * <p>Counters and window sums saturate at the ends of the range of a long instead of wrapping (see
 * {@link Money#addSaturated}).
 *
 * <p>A window sum reads the committed day buckets with one range scan and lays the uncommitted ones over it, so it
 * costs O(days in the window) whatever the traffic.
 */
public final class CounterBuckets
{
    /**
     * Buckets per granularity kept between commits: a current hour and day for each of 100,000 active partners
     * stays cached, at about 150 B a bucket (the array and its map entry).
     */
    public static final int CACHED_BUCKETS = 1 << 18;

    private static final long DAY_MS = 86_400_000L;
    private static final long HOUR_MS = 3_600_000L;

    private final CounterTable table;
    private final Listener listener; // part 8 item 6: the program reports' buckets
    private final Buckets days;
    private final Buckets hours;
    private int hoursExpiredBefore = Integer.MIN_VALUE;
    private volatile long saturations;

    /**
     * @param store committed buckets.
     */
    public CounterBuckets(final StateStore store)
    {
        this(store, (partnerNumber, timeMs, field, delta) ->
        {
        });
    }

    /**
     * @param store    committed buckets.
     * @param listener told of every addition, in the order they are made (part 8 item 6: the program reports).
     */
    public CounterBuckets(final StateStore store, final Listener listener)
    {
        this.table = new CounterTable(store);
        this.listener = listener;
        this.days = new Buckets(table::day);
        this.hours = new Buckets(table::hour);
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
        addTo(days.bucket(partnerNumber, (int)Math.floorDiv(timeMs, DAY_MS)), field.ordinal(), delta);
        addTo(hours.bucket(partnerNumber, (int)Math.floorDiv(timeMs, HOUR_MS)), field.ordinal(), delta);
        listener.onAdd(partnerNumber, timeMs, field, delta);
    }

    /**
     * Told of every addition to a partner's buckets (part 8 item 6: the program reports keep theirs with it).
     */
    @FunctionalInterface
    public interface Listener
    {
        /**
         * @param partnerNumber partner.
         * @param timeMs        event time.
         * @param field         counter.
         * @param delta         change, negative for reversals.
         */
        void onAdd(int partnerNumber, long timeMs, CounterField field, long delta);
    }

    /**
     * @return additions since start that stopped at the end of the range of a long instead of wrapping.
     */
    public long saturations()
    {
        return saturations;
    }

    /**
     * A counter never wraps, and an event never stops the aggregator for a counter: past the range of a long it
     * stays at the end it reached (counted in {@link #saturations()}). Every amount is at most
     * {@link Money#MAX_AMOUNT}, so that takes more than 9 million amounts of the bound in one bucket.
     */
    private void addTo(final long[] values, final int index, final long delta)
    {
        final long sum = Money.addSaturated(values[index], delta);
        if (sum != values[index] + delta)
        {
            saturations = saturations + 1; // single writer; volatile only to be read by the metrics
        }
        values[index] = sum;
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
        Arrays.fill(sums, 0);
        table.readDays(partnerNumber, fromDay, toDay, (epochDay, values) ->
        {
            if (!days.isDirty(key(partnerNumber, epochDay)))
            {
                addTo(sums, values);
            }
        });
        if (days.hasDirty())
        {
            for (int day = fromDay; day <= toDay; day++)
            {
                final long key = key(partnerNumber, day);
                if (days.isDirty(key))
                {
                    addTo(sums, days.cached(key));
                }
            }
        }
        return sums;
    }

    /**
     * Add every bucket touched since the last flush to the commit batch, and drop hour buckets past their retention
     * with one range delete each time the newest hour moves on.
     *
     * @param batch the batch being built.
     */
    public void flush(final WriteBatch batch)
    {
        days.flush((partner, day, values) -> table.putDay(batch, partner, day, values));
        hours.flush((partner, hour, values) -> table.putHour(batch, partner, hour, values));
        if (Integer.MIN_VALUE != hours.newest)
        {
            final int expireBefore = hours.newest - CounterTable.HOUR_BUCKET_RETENTION_HOURS;
            if (expireBefore > hoursExpiredBefore)
            {
                table.expireHoursBefore(batch, expireBefore);
                hoursExpiredBefore = expireBefore;
            }
        }
    }

    private static long key(final int partnerNumber, final int bucket)
    {
        return ((long)partnerNumber << 32) | (bucket & 0xFFFF_FFFFL);
    }

    private static void addTo(final long[] sums, final long[] values)
    {
        for (int i = 0; i < sums.length; i++)
        {
            sums[i] = Money.addSaturated(sums[i], values[i]);
        }
    }

    /**
     * Reads a committed bucket: null or zeros when none was stored.
     */
    @FunctionalInterface
    private interface BucketLoader
    {
        long[] load(int partnerNumber, int bucket);
    }

    /**
     * Receives a bucket to write.
     */
    @FunctionalInterface
    private interface BucketWriter
    {
        void write(int partnerNumber, int bucket, long[] values);
    }

    /**
     * One granularity's cached buckets and the keys written since the last commit.
     */
    private static final class Buckets
    {
        private final BucketLoader loader;
        private final Long2ObjectHashMap<long[]> cached = new Long2ObjectHashMap<>();
        private final LongHashSet dirty = new LongHashSet();
        private int newest = Integer.MIN_VALUE;

        Buckets(final BucketLoader loader)
        {
            this.loader = loader;
        }

        long[] bucket(final int partnerNumber, final int bucket)
        {
            final long key = key(partnerNumber, bucket);
            long[] counters = cached.get(key);
            if (null == counters)
            {
                counters = loader.load(partnerNumber, bucket);
                if (null == counters)
                {
                    counters = new long[CounterField.COUNT];
                }
                cached.put(key, counters);
                newest = Math.max(newest, bucket);
            }
            dirty.add(key);
            return counters;
        }

        boolean isDirty(final long key)
        {
            return dirty.contains(key);
        }

        boolean hasDirty()
        {
            return !dirty.isEmpty();
        }

        long[] cached(final long key)
        {
            return cached.get(key);
        }

        void flush(final BucketWriter writer)
        {
            final LongHashSet.LongIterator keys = dirty.iterator();
            while (keys.hasNext())
            {
                final long key = keys.nextValue();
                writer.write((int)(key >>> 32), (int)key, cached.get(key));
            }
            dirty.clear();
            if (cached.size() > CACHED_BUCKETS)
            {
                final Long2ObjectHashMap<long[]>.KeyIterator entries = cached.keySet().iterator();
                while (entries.hasNext())
                {
                    if ((int)entries.nextLong() < newest)
                    {
                        entries.remove();
                    }
                }
                if (cached.size() > CACHED_BUCKETS)
                {
                    cached.clear();
                }
            }
        }
    }
}
