package dev.ricochet.aggregator.counters;

import dev.ricochet.aggregator.store.StateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A partner's counters over a real RocksDB never wrap: a sum past the range of a long stays at its end, committed
 * and read back as such, and window sums over such buckets do too.
 */
class CounterBucketsTest
{
    private static final long DAY_MS = 86_400_000L;
    private static final int DAY0 = 20_400;

    @TempDir
    Path dir;

    private StateStore store;
    private CounterBuckets counters;

    @BeforeEach
    void open()
    {
        store = StateStore.open(dir);
        counters = new CounterBuckets(store);
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void shouldHoldARevenueCounterAtTheLargestLongRatherThanWrapItToNegative()
    {
        // Given a partner's revenue one sale short of the largest long (9 million sales of the bound, in one day)
        counters.add(1, DAY0 * DAY_MS, CounterField.REVENUE, Long.MAX_VALUE - 10);

        // When two more sales are counted and the buckets committed
        counters.add(1, DAY0 * DAY_MS + 1, CounterField.REVENUE, 1_000_000_000_000L);
        counters.add(1, DAY0 * DAY_MS + 2, CounterField.REVENUE, 5);
        commit();

        // Then the day and hour hold the largest long, never a negative revenue, and both stops are counted
        assertEquals(Long.MAX_VALUE, new CounterTable(store).day(1, DAY0)[CounterField.REVENUE.ordinal()]);
        assertEquals(Long.MAX_VALUE, new CounterTable(store).hour(1, DAY0 * 24)[CounterField.REVENUE.ordinal()]);
        assertEquals(4, counters.saturations(), "two additions, each in the day and the hour bucket");

        // And a reversal counts down from there
        counters.add(1, DAY0 * DAY_MS + 3, CounterField.REVENUE, -100);
        assertEquals(Long.MAX_VALUE - 100, counters.window(1, DAY0, DAY0, new long[CounterField.COUNT])[
            CounterField.REVENUE.ordinal()]);
    }

    @Test
    void shouldHoldAWindowSumOverSeveralFullDaysAtTheLargestLong()
    {
        // Given two committed days each near the largest long, and an uncommitted third
        counters.add(1, DAY0 * DAY_MS, CounterField.REVENUE, Long.MAX_VALUE - 1);
        counters.add(1, (DAY0 + 1) * DAY_MS, CounterField.REVENUE, Long.MAX_VALUE - 1);
        commit();
        counters.add(1, (DAY0 + 2) * DAY_MS, CounterField.REVENUE, 7);

        // When the window over the three days is summed
        final long[] sums = counters.window(1, DAY0, DAY0 + 2, new long[CounterField.COUNT]);

        // Then it is the largest long, not a wrapped negative
        assertEquals(Long.MAX_VALUE, sums[CounterField.REVENUE.ordinal()]);
    }

    private void commit()
    {
        try (WriteBatch batch = new WriteBatch())
        {
            counters.flush(batch);
            store.write(batch);
        }
    }
}
