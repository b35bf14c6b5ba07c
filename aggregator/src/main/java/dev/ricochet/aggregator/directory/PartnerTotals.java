package dev.ricochet.aggregator.directory;

import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Money;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Each partner's lifetime counters, the sum of every day bucket it ever had ({@link Table#PARTNER_TOTALS}):
 *
 * <pre>
 *   partner_totals  partnerNumber:i32 (big-endian) -> counters (a bucket's encoding, {@link CounterTable#encode})
 * </pre>
 * Every counter change goes to a partner's day and hour buckets and to its totals, in the same event
 * ({@link CounterBuckets#add} tells its {@link CounterBuckets.Listener}), and a commit writes the totals of each
 * partner changed since the last commit once, in the same batch as its buckets: the totals never disagree with the
 * committed buckets.
 * They saturate at the ends of the range of a long like the buckets (see {@link Money#addSaturated}).
 *
 * <p>All of them are held in memory (one {@code long[]} per partner, about 130 B), restored at start. A state written
 * before the table existed (its day buckets but no totals) gets its totals summed from the day buckets once, at
 * start: the same values a replay of its journal writes.
 *
 * <p>Single writer (the aggregator thread): {@link #add} allocates nothing once a partner has totals.
 */
public final class PartnerTotals implements CounterBuckets.Listener
{
    private static final byte[] EMPTY = new byte[0];

    private final StateStore store;
    private final Int2ObjectHashMap<long[]> totals = new Int2ObjectHashMap<>();
    private final IntHashSet dirty = new IntHashSet();
    private final IntHashSet flushed = new IntHashSet();
    private long saturations;

    private PartnerTotals(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param store the state.
     * @return totals that start empty and that nothing writes: for the buckets used alone.
     */
    public static PartnerTotals detached(final StateStore store)
    {
        return new PartnerTotals(store);
    }

    /**
     * @param store the state: its stored totals are read, or summed from its day buckets if it has none.
     * @return the totals as committed.
     */
    public static PartnerTotals restore(final StateStore store)
    {
        final PartnerTotals restored = new PartnerTotals(store);
        store.scan(Table.PARTNER_TOTALS, null, null, false, (key, value) ->
        {
            final long[] values = new long[CounterField.COUNT];
            CounterTable.decode(value, values);
            restored.totals.put(ByteBuffer.wrap(key).getInt(), values);
            return true;
        });
        if (restored.totals.isEmpty() && !store.isReadOnly())
        {
            restored.sumDayBuckets();
        }
        return restored;
    }

    private void sumDayBuckets()
    {
        new CounterTable(store).forEachDay((partnerNumber, epochDay, values) ->
        {
            final long[] sums = partner(partnerNumber);
            for (int i = 0; i < sums.length; i++)
            {
                sums[i] = Money.addSaturated(sums[i], values[i]);
            }
        });
        if (!totals.isEmpty())
        {
            try (WriteBatch batch = new WriteBatch())
            {
                flush(batch);
                store.write(batch);
            }
            flushed.clear();
        }
    }

    @Override
    public void onAdd(final int partnerNumber, final long timeMs, final CounterField field, final long delta)
    {
        add(partnerNumber, field, delta);
    }

    /**
     * Add to one of a partner's totals (aggregator thread).
     *
     * @param partnerNumber partner.
     * @param field         counter.
     * @param delta         change, negative for reversals.
     */
    public void add(final int partnerNumber, final CounterField field, final long delta)
    {
        final long[] values = partner(partnerNumber);
        final int index = field.ordinal();
        final long sum = Money.addSaturated(values[index], delta);
        if (sum != values[index] + delta)
        {
            saturations++;
        }
        values[index] = sum;
        dirty.add(partnerNumber);
    }

    private long[] partner(final int partnerNumber)
    {
        long[] values = totals.get(partnerNumber);
        if (null == values)
        {
            values = new long[CounterField.COUNT];
            totals.put(partnerNumber, values);
            dirty.add(partnerNumber);
        }
        return values;
    }

    /**
     * @param partnerNumber partner.
     * @param into          receives the partner's totals, indexed by {@link CounterField#ordinal()} (zeros if none).
     * @return into.
     */
    public long[] copy(final int partnerNumber, final long[] into)
    {
        final long[] values = totals.get(partnerNumber);
        if (null == values)
        {
            Arrays.fill(into, 0);
        }
        else
        {
            System.arraycopy(values, 0, into, 0, into.length);
        }
        return into;
    }

    /**
     * @return additions that stopped at the end of the range of a long instead of wrapping, since start.
     */
    public long saturations()
    {
        return saturations;
    }

    /**
     * Write the totals of every partner changed since the last flush into a commit's batch, once each.
     *
     * @param batch the batch being built.
     */
    public void flush(final WriteBatch batch)
    {
        final IntHashSet.IntIterator partners = dirty.iterator();
        while (partners.hasNext())
        {
            final int partnerNumber = partners.nextValue();
            store.put(batch, Table.PARTNER_TOTALS, key(partnerNumber), CounterTable.encode(totals.get(partnerNumber)));
            flushed.add(partnerNumber);
        }
        dirty.clear();
    }

    /**
     * @param into receives the partners whose totals changed since the last flush (aggregator thread).
     */
    public void addChanged(final IntHashSet into)
    {
        into.addAll(dirty);
    }

    /**
     * Hand over the partners whose totals were flushed since the last call (the commit that wrote them is
     * done).
     *
     * @param into receives their numbers.
     */
    public void drainFlushed(final IntHashSet into)
    {
        into.addAll(flushed);
        flushed.clear();
    }

    /**
     * @param store         committed state.
     * @param partnerNumber partner.
     * @return the partner's committed totals, all zero if none were stored (any thread).
     */
    public static long[] committed(final StateStore store, final int partnerNumber)
    {
        final long[] values = new long[CounterField.COUNT];
        final byte[] stored = store.get(Table.PARTNER_TOTALS, key(partnerNumber));
        CounterTable.decode(null == stored ? EMPTY : stored, values);
        return values;
    }

    private static byte[] key(final int partnerNumber)
    {
        return ByteBuffer.allocate(4).putInt(partnerNumber).array();
    }
}
