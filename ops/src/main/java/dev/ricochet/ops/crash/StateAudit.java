package dev.ricochet.ops.crash;

import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.store.StateStore;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads an aggregator's RocksDB files directly (read-only, every column family) to compare a live state with a
 * fresh replay of the same journal key by key, and to sum what it counted.
 *
 * <p>What legitimately differs and is left out: the {@code meta} key {@code journal.position} (an index into the
 * journal each was built from; the replay's is a copy) and the {@code outbox} family (the webhook thread deletes
 * delivered entries outside the aggregator's batches). Everything else, including catalog numbers, unique-click
 * times, hour and day buckets, conversions and ledgers, must be byte-identical.
 */
final class StateAudit
{
    private static final String COUNTERS = "counters";
    private static final String CONVERSIONS = "conversions";
    private static final String OUTBOX = "outbox";
    private static final byte[] POSITION_KEY = "journal.position".getBytes(StandardCharsets.US_ASCII);
    private static final int SAMPLES = 8;

    static
    {
        RocksDB.loadLibrary();
    }

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
     * @param live   the state directory ({@code <data dir>/state}) of the service.
     * @param replay the state directory a fresh aggregator built from the same journal prefix.
     * @return the differences.
     * @throws RocksDBException if either cannot be opened.
     */
    static Diff compare(final Path live, final Path replay) throws RocksDBException
    {
        final Diff diff = new Diff();
        try (ReadOnlyState a = new ReadOnlyState(live); ReadOnlyState b = new ReadOnlyState(replay))
        {
            final TreeSet<String> families = new TreeSet<>(a.families.keySet());
            families.addAll(b.families.keySet());
            families.remove(OUTBOX);
            for (final String family : families)
            {
                compareFamily(family, a.families.get(family), a.db, b.families.get(family), b.db, diff);
            }
        }
        return diff;
    }

    private static void compareFamily(
        final String family,
        final ColumnFamilyHandle liveHandle,
        final RocksDB liveDb,
        final ColumnFamilyHandle replayHandle,
        final RocksDB replayDb,
        final Diff diff)
    {
        try (RocksIterator x = null == liveHandle ? null : liveDb.newIterator(liveHandle);
            RocksIterator y = null == replayHandle ? null : replayDb.newIterator(replayHandle))
        {
            if (null != x)
            {
                x.seekToFirst();
            }
            if (null != y)
            {
                y.seekToFirst();
            }
            while ((null != x && x.isValid()) || (null != y && y.isValid()))
            {
                final byte[] liveKey = null != x && x.isValid() ? x.key() : null;
                final byte[] replayKey = null != y && y.isValid() ? y.key() : null;
                final int order = null == liveKey ? 1 : null == replayKey ? -1 : Arrays.compareUnsigned(liveKey,
                    replayKey);
                final byte[] key = order <= 0 ? liveKey : replayKey;
                final byte[] liveValue = order <= 0 ? x.value() : null;
                final byte[] replayValue = order >= 0 ? y.value() : null;
                if (!("meta".equals(family) && Arrays.equals(POSITION_KEY, key)))
                {
                    diff.keysCompared++;
                    if (!Arrays.equals(liveValue, replayValue))
                    {
                        diff.mismatchedKeys++;
                        if (diff.samples.size() < SAMPLES)
                        {
                            diff.samples.add(family + "[" + HexFormat.of().formatHex(key) + "] live " +
                                describe(family, liveValue) + " replay " + describe(family, replayValue));
                        }
                        if (COUNTERS.equals(family))
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
    }

    private static void countDifference(final byte[] liveValue, final byte[] replayValue, final Diff diff)
    {
        final long[] live = new long[CounterField.COUNT];
        final long[] replay = new long[CounterField.COUNT];
        if (null != liveValue)
        {
            StateStore.decodeCounters(liveValue, live);
        }
        if (null != replayValue)
        {
            StateStore.decodeCounters(replayValue, replay);
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

    private static String describe(final String family, final byte[] value)
    {
        if (null == value)
        {
            return "(absent)";
        }
        if (COUNTERS.equals(family))
        {
            final long[] values = new long[CounterField.COUNT];
            StateStore.decodeCounters(value, values);
            return Arrays.toString(values);
        }
        return value.length > 48 ? HexFormat.of().formatHex(value, 0, 48) + "..." : HexFormat.of().formatHex(value);
    }

    /**
     * @param stateDir a state directory.
     * @return its day buckets, conversion records and journal position.
     * @throws RocksDBException if it cannot be opened.
     */
    static Counts counts(final Path stateDir) throws RocksDBException
    {
        final Counts counts = new Counts();
        try (ReadOnlyState state = new ReadOnlyState(stateDir))
        {
            try (RocksIterator it = state.db.newIterator(state.families.get(COUNTERS)))
            {
                for (it.seekToFirst(); it.isValid(); it.next())
                {
                    final ByteBuffer key = ByteBuffer.wrap(it.key());
                    final long[] values = new long[CounterField.COUNT];
                    StateStore.decodeCounters(it.value(), values);
                    counts.dayBuckets.put(((long)key.getInt(0) << 32) | key.getInt(4), values);
                }
            }
            try (RocksIterator it = state.db.newIterator(state.families.get(CONVERSIONS)))
            {
                for (it.seekToFirst(); it.isValid(); it.next())
                {
                    counts.conversionRecords++;
                }
            }
            counts.journalPosition = state.journalPosition();
        }
        return counts;
    }

    /**
     * @param stateDir a state directory.
     * @return the journal index its state is committed up to, or -1.
     * @throws RocksDBException if it cannot be opened.
     */
    static long journalPosition(final Path stateDir) throws RocksDBException
    {
        try (ReadOnlyState state = new ReadOnlyState(stateDir))
        {
            return state.journalPosition();
        }
    }

    /**
     * A RocksDB opened read-only with every column family it has; reads what the WAL holds too.
     */
    private static final class ReadOnlyState implements AutoCloseable
    {
        final Map<String, ColumnFamilyHandle> families = new HashMap<>();
        final RocksDB db;
        private final DBOptions dbOptions = new DBOptions();
        private final ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
        private final List<ColumnFamilyHandle> handles = new ArrayList<>();

        ReadOnlyState(final Path dir) throws RocksDBException
        {
            final List<byte[]> names;
            try (Options options = new Options())
            {
                names = RocksDB.listColumnFamilies(options, dir.toString());
            }
            final List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (final byte[] name : names)
            {
                descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
            }
            db = RocksDB.openReadOnly(dbOptions, dir.toString(), descriptors, handles);
            for (int i = 0; i < names.size(); i++)
            {
                families.put(new String(names.get(i), StandardCharsets.US_ASCII), handles.get(i));
            }
        }

        long journalPosition() throws RocksDBException
        {
            final byte[] position = db.get(families.get("meta"), POSITION_KEY);
            return null == position ? -1 : ByteBuffer.wrap(position).getLong();
        }

        @Override
        public void close()
        {
            handles.forEach(ColumnFamilyHandle::close);
            db.close();
            cfOptions.close();
            dbOptions.close();
        }
    }
}
