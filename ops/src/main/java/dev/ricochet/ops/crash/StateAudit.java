package dev.ricochet.ops.crash;

import dev.ricochet.aggregator.attribution.ConversionTable;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.aggregator.store.TableCursor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Reads an aggregator's state ({@link StateStore#openReadOnly}, every {@link Table}) to compare a live state with a
 * fresh replay of the same journal key by key, and to sum what it counted.
 *
 * <p>What legitimately differs and is left out: the {@code meta} key {@code journal.position} (an index into the
 * journal each was built from; the replay's is a copy) and the {@code outbox} family (the webhook thread deletes
 * delivered entries outside the aggregator's batches). Everything else, including catalog numbers, unique-click
 * times, hour and day buckets, conversions and ledgers, must be byte-identical.
 */
final class StateAudit
{
    private static final int SAMPLES = 8;

    /**
     * How two states differ.
     */
    static final class Diff
    {
        long keysCompared;
        long mismatchedKeys;
        /**
         * Counter units the live state has beyond the replay: events applied twice.
         */
        long doubled;
        /**
         * Counter units the replay has beyond the live state: events applied to neither state nor checkpoint.
         */
        long undercounted;
        final List<String> samples = new ArrayList<>();

        boolean isIdentical()
        {
            return 0 == mismatchedKeys;
        }

        @Override
        public String toString()
        {
            return "keys " + keysCompared + ", mismatched " + mismatchedKeys + ", doubled " + doubled +
                ", undercounted " + undercounted + (samples.isEmpty() ? "" : ", e.g. " + samples);
        }
    }

    /**
     * What a state counted.
     */
    static final class Counts
    {
        /**
         * partner number << 32 | epoch day -> day bucket fields in {@link CounterField} order.
         */
        final Map<Long, long[]> dayBuckets = new HashMap<>();
        long conversionRecords;
        long journalPosition = -1;

        long total(final CounterField field)
        {
            long total = 0;
            for (final long[] values : dayBuckets.values())
            {
                total += values[field.ordinal()];
            }
            return total;
        }
    }

    private StateAudit()
    {
    }

    /**
     * @param live   the state directory ({@code <data dir>/state}) of the service, closed.
     * @param replay the state directory a fresh aggregator built from the same journal prefix, closed.
     * @return the differences.
     * @throws IllegalStateException if either cannot be opened.
     */
    static Diff compare(final Path live, final Path replay)
    {
        final Diff diff = new Diff();
        try (StateStore a = StateStore.openReadOnly(live); StateStore b = StateStore.openReadOnly(replay))
        {
            for (final Table table : Table.values())
            {
                if (Table.OUTBOX != table)
                {
                    try (TableCursor x = a.cursor(table); TableCursor y = b.cursor(table))
                    {
                        compareTable(table, x, y, diff);
                    }
                }
            }
        }
        return diff;
    }

    private static void compareTable(final Table table, final TableCursor x, final TableCursor y, final Diff diff)
    {
        while (x.isValid() || y.isValid())
        {
            final byte[] liveKey = x.isValid() ? x.key() : null;
            final byte[] replayKey = y.isValid() ? y.key() : null;
            final int order = null == liveKey ? 1 : null == replayKey ? -1 : Arrays.compareUnsigned(liveKey, replayKey);
            final byte[] key = order <= 0 ? liveKey : replayKey;
            final byte[] liveValue = order <= 0 ? x.value() : null;
            final byte[] replayValue = order >= 0 ? y.value() : null;
            if (!(Table.META == table && StateStore.isJournalPositionKey(key)))
            {
                diff.keysCompared++;
                if (!Arrays.equals(liveValue, replayValue))
                {
                    diff.mismatchedKeys++;
                    if (diff.samples.size() < SAMPLES)
                    {
                        diff.samples.add(table.columnFamily() + "[" + HexFormat.of().formatHex(key) + "] live " +
                            describe(table, liveValue) + " replay " + describe(table, replayValue));
                    }
                    if (Table.COUNTERS == table)
                    {
                        countDifference(liveValue, replayValue, diff);
                    }
                }
            }
            if (order <= 0)
            {
                x.next();
            }
            if (order >= 0)
            {
                y.next();
            }
        }
    }

    private static void countDifference(final byte[] liveValue, final byte[] replayValue, final Diff diff)
    {
        final long[] live = new long[CounterField.COUNT];
        final long[] replay = new long[CounterField.COUNT];
        if (null != liveValue)
        {
            CounterTable.decode(liveValue, live);
        }
        if (null != replayValue)
        {
            CounterTable.decode(replayValue, replay);
        }
        // Event counts only: amounts (revenue, commission) would weigh a doubled sale by its price.
        for (final CounterField field : new CounterField[]{ CounterField.CLICKS, CounterField.PREVIEWS,
            CounterField.BOT_CLICKS, CounterField.LEADS, CounterField.SALES })
        {
            final long delta = live[field.ordinal()] - replay[field.ordinal()];
            diff.doubled += Math.max(0, delta);
            diff.undercounted += Math.max(0, -delta);
        }
    }

    private static String describe(final Table table, final byte[] value)
    {
        if (null == value)
        {
            return "(absent)";
        }
        if (Table.COUNTERS == table)
        {
            final long[] values = new long[CounterField.COUNT];
            CounterTable.decode(value, values);
            return Arrays.toString(values);
        }
        return value.length > 48 ? HexFormat.of().formatHex(value, 0, 48) + "..." : HexFormat.of().formatHex(value);
    }

    /**
     * @param stateDir a state directory, closed.
     * @return its day buckets, conversion records and journal position.
     * @throws IllegalStateException if it cannot be opened.
     */
    static Counts counts(final Path stateDir)
    {
        final Counts counts = new Counts();
        try (StateStore state = StateStore.openReadOnly(stateDir))
        {
            new CounterTable(state).forEachDay((partnerNumber, epochDay, values) ->
                counts.dayBuckets.put(((long)partnerNumber << 32) | epochDay, values));
            counts.conversionRecords = new ConversionTable(state).count();
            counts.journalPosition = state.journalPosition();
        }
        return counts;
    }

    /**
     * @param stateDir a state directory, closed.
     * @return the journal index its state is committed up to, or -1.
     * @throws IllegalStateException if it cannot be opened.
     */
    static long journalPosition(final Path stateDir)
    {
        try (StateStore state = StateStore.openReadOnly(stateDir))
        {
            return state.journalPosition();
        }
    }
}
