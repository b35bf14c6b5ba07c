package dev.ricochet.benchmarks.aggregator;

import dev.ricochet.benchmarks.ChronicleForkedBenchmark;
import dev.ricochet.benchmarks.BenchmarkFiles;
import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.store.StateStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The aggregator's counter flush (every dirty partner bucket into one RocksDB WriteBatch with the journal position,
 * then one write) against plain rocksjava writing a batch of the same number of same-size puts.
 *
 * <p>One operation is one flush. {@code partners} partners are dirty, each with one day bucket and one hour bucket
 * (one hour of traffic since the last commit), so a flush puts 2 x partners counter rows plus the position record.
 * {@link #flush}: the real {@link CounterBuckets#flush}, {@link StateStore#putJournalPosition} and
 * {@link StateStore#write} on the real store, either within an hour (the hour buckets exist) or on the first commit of
 * a new hour (every hour bucket is new and also drops the partner's expired hours with a range delete). The partners
 * are made dirty with {@link CounterBuckets#add} before each invocation, outside the measurement.
 * {@link #plainBatch} is the anchor: default-options RocksDB in its own directory, one WriteBatch of 2 x partners puts
 * of 8-byte keys and 11-byte values (what a bucket of a few hundred clicks encodes to) plus a 16-byte position key
 * with an 8-byte value, then db.write; keys are prebuilt.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CounterFlushBenchmark extends ChronicleForkedBenchmark
{
    private static final long HOUR_MS = 3_600_000L;
    private static final long START_MS = SyntheticJournal.START_MS + 9 * HOUR_MS;
    private static final int VALUE_LENGTH = 11;

    static
    {
        RocksDB.loadLibrary();
    }

    /**
     * The real store and counters; dirty partners are added before each flush.
     */
    @State(Scope.Thread)
    public static class Ours
    {
        @Param({ "1000", "10000" })
        int partners;

        /**
         * {@code sameHour}: the hour buckets exist already (most commits); {@code newHour}: each flush is the first
         * of a new hour, so every hour bucket is new and also deletes the partner's expired hours.
         */
        @Param({ "sameHour", "newHour" })
        String hour;

        Path dir;
        StateStore store;
        CounterBuckets counters;
        WriteBatch batch;
        long position;
        long timeMs = START_MS;

        /**
         * Open the real store in a fresh directory.
         */
        @Setup(Level.Trial)
        public void open()
        {
            dir = BenchmarkFiles.newTempDir("ricochet-flush");
            store = StateStore.open(dir);
            counters = new CounterBuckets(store);
            batch = new WriteBatch();
        }

        /**
         * Make every partner dirty, as a click each would (an hour later each time for {@code newHour}).
         */
        @Setup(Level.Invocation)
        public void dirty()
        {
            if ("newHour".equals(hour))
            {
                timeMs += HOUR_MS;
            }
            for (int partner = 1; partner <= partners; partner++)
            {
                counters.add(partner, timeMs, CounterField.CLICKS, 1);
                counters.add(partner, timeMs, CounterField.UNIQUE_CLICKS, 1);
            }
        }

        /**
         * Check the answer (the last flush is committed), then close and delete the store.
         */
        @TearDown(Level.Trial)
        public void close()
        {
            try
            {
                final long clicks = new CounterTable(store).day(partners, (int)(timeMs / SyntheticJournal.DAY_MS))
                    [CounterField.CLICKS.ordinal()];
                if (store.journalPosition() != position || 0 == clicks)
                {
                    throw new IllegalStateException("flush not committed: position " + store.journalPosition());
                }
            }
            finally
            {
                batch.close();
                store.close();
                BenchmarkFiles.delete(dir);
            }
        }
    }

    /**
     * Plain rocksjava with default options and prebuilt keys of the same sizes.
     */
    @State(Scope.Thread)
    public static class Plain
    {
        @Param({ "1000", "10000" })
        int partners;

        Path dir;
        Options options;
        WriteOptions writeOptions;
        RocksDB db;
        WriteBatch batch;
        byte[][] keys;
        byte[][] values;
        final byte[] positionKey = new byte[16];
        final byte[] positionValue = new byte[8];

        /**
         * Open RocksDB with default options in a fresh directory and build the keys.
         *
         * @throws RocksDBException if RocksDB cannot open.
         */
        @Setup(Level.Trial)
        public void open() throws RocksDBException
        {
            dir = BenchmarkFiles.newTempDir("ricochet-flush-plain");
            options = new Options().setCreateIfMissing(true);
            writeOptions = new WriteOptions();
            db = RocksDB.open(options, dir.toString());
            batch = new WriteBatch();
            keys = new byte[2 * partners][];
            values = new byte[2 * partners][];
            final int day = (int)(START_MS / SyntheticJournal.DAY_MS);
            final int hour = (int)(START_MS / HOUR_MS);
            for (int i = 0; i < partners; i++)
            {
                // Day and hour buckets' keys as the store lays them out (partner, bucket), in one key space here.
                keys[2 * i] = ByteBuffer.allocate(8).putInt(i + 1).putInt(day).array();
                keys[2 * i + 1] = ByteBuffer.allocate(8).putInt(i + 1).putInt(hour).array();
                values[2 * i] = value(i);
                values[2 * i + 1] = value(i + partners);
            }
        }

        /**
         * Close and delete the database.
         */
        @TearDown(Level.Trial)
        public void close()
        {
            batch.close();
            db.close();
            writeOptions.close();
            options.close();
            BenchmarkFiles.delete(dir);
        }

        private static byte[] value(final int seed)
        {
            final byte[] value = new byte[VALUE_LENGTH];
            for (int i = 0; i < VALUE_LENGTH; i++)
            {
                value[i] = (byte)(seed + i);
            }
            return value;
        }
    }

    /**
     * Flush the dirty buckets and the position in one batch and write it, as the agent's commit does.
     *
     * @param ours the store and counters.
     * @return the committed position.
     */
    @Benchmark
    public long flush(final Ours ours)
    {
        ours.counters.flush(ours.batch);
        ours.store.putJournalPosition(ours.batch, ++ours.position);
        ours.store.write(ours.batch);
        return ours.position;
    }

    /**
     * Anchor: the same number of puts of the same sizes in one batch, then one write.
     *
     * @param plain the database and keys.
     * @return the batch's size, so the work cannot be eliminated.
     * @throws RocksDBException if the write fails.
     */
    @Benchmark
    public int plainBatch(final Plain plain) throws RocksDBException
    {
        final WriteBatch batch = plain.batch;
        final byte[][] keys = plain.keys;
        final byte[][] values = plain.values;
        for (int i = 0; i < keys.length; i++)
        {
            batch.put(keys[i], values[i]);
        }
        batch.put(plain.positionKey, plain.positionValue);
        final int count = batch.count();
        plain.db.write(plain.writeOptions, batch);
        batch.clear();
        return count;
    }
}
