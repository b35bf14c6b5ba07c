package dev.ricochet.aggregator.directory;

import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A partner's lifetime totals are the sum of its day buckets: written with them, restored at start, and summed from
 * them once for a state written before the totals existed.
 */
class PartnerTotalsTest
{
    private static final long DAY_MS = 86_400_000L;

    @TempDir
    Path dir;

    @Test
    void shouldCommitTotalsWithTheBucketsAndRestoreThem()
    {
        try (StateStore store = StateStore.open(dir))
        {
            // Given clicks and a refund over two days, committed
            final PartnerTotals totals = PartnerTotals.restore(store);
            final CounterBuckets counters = new CounterBuckets(store, totals);
            counters.add(7, 20_000 * DAY_MS, CounterField.CLICKS, 3);
            counters.add(7, 20_001 * DAY_MS, CounterField.REVENUE, 5_000);
            counters.add(7, 20_001 * DAY_MS, CounterField.REVENUE, -1_000);
            commit(store, counters, totals);

            // Then the restored totals are their sums
            final long[] restored = PartnerTotals.restore(store).copy(7, new long[CounterField.COUNT]);
            assertEquals(3, restored[CounterField.CLICKS.ordinal()]);
            assertEquals(4_000, restored[CounterField.REVENUE.ordinal()]);
            assertArrayEquals(restored, PartnerTotals.committed(store, 7));
        }
    }

    @Test
    void shouldSumTheDayBucketsOfAStateWithoutTotalsOnce()
    {
        try (StateStore store = StateStore.open(dir))
        {
            // Given day buckets written without totals (a state from before part 8)
            final CounterBuckets counters = new CounterBuckets(store);
            counters.add(1, 20_000 * DAY_MS, CounterField.SALES, 2);
            counters.add(1, 20_003 * DAY_MS, CounterField.SALES, 1);
            counters.add(2, 20_003 * DAY_MS, CounterField.CLICKS, 9);
            try (WriteBatch batch = new WriteBatch())
            {
                counters.flush(batch);
                store.write(batch);
            }
            final long[] none = new long[1];
            store.scan(Table.PARTNER_TOTALS, null, null, false, (key, value) ->
            {
                none[0]++;
                return true;
            });
            assertEquals(0, none[0]);

            // When the totals are restored
            PartnerTotals.restore(store);

            // Then they are the buckets' sums, stored
            assertEquals(3, PartnerTotals.committed(store, 1)[CounterField.SALES.ordinal()]);
            assertEquals(9, PartnerTotals.committed(store, 2)[CounterField.CLICKS.ordinal()]);
        }
    }

    private static void commit(final StateStore store, final CounterBuckets counters, final PartnerTotals totals)
    {
        try (WriteBatch batch = new WriteBatch())
        {
            counters.flush(batch);
            totals.flush(batch);
            store.write(batch);
        }
    }
}
