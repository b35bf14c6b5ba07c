package dev.ricochet.benchmarks.aggregator;

import dev.ricochet.benchmarks.ChronicleForkedBenchmark;
import dev.ricochet.benchmarks.BenchmarkFiles;
import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.health.HealthScore;
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
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Sliding-window sums of one random partner's day buckets, among {@link #PARTNERS} partners with {@link #DAYS} days of
 * buckets each, on the real read path.
 *
 * <p>{@link #window}: {@link CounterBuckets#window} over the last 7, 30 or 90 days, as the commission engine asks for
 * tier windows (one RocksDB range scan; no uncommitted buckets). {@link #partnerView}: what the partner view does for
 * its 7/30/90-day windows, {@link HealthScore#lastNinetyDays} (one 90-day scan) then the sums. The store is bulk-loaded
 * once per fork (9,000,000 buckets, written through {@link CounterTable#putDay} in batches of 100,000) and then
 * compacted, as months-old history would be; the load's duration is printed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class WindowSumBenchmark extends ChronicleForkedBenchmark
{
    static final int PARTNERS = 100_000;
    static final int DAYS = 90;

    private static final int TODAY = (int)(SyntheticJournal.START_MS / SyntheticJournal.DAY_MS) + DAYS - 1;
    private static final int BATCH_SIZE = 100_000;
    private static final int RANDOM_PARTNERS = 4096;
    private static final int[] VIEW_WINDOWS = { 7, 30, 90 };

    private Path dir;
    private StateStore store;
    private CounterBuckets counters;
    private final int[] partners = new int[RANDOM_PARTNERS];
    private final long[] sums = new long[CounterField.COUNT];
    private int next;

    /**
     * Length of the window asked for.
     */
    @State(Scope.Thread)
    public static class Window
    {
        @Param({ "7", "30", "90" })
        int days;
    }

    /**
     * Bulk-load, compact and reopen the store, then check one partner's sum.
     *
     * @throws RocksDBException if the compaction fails.
     */
    @Setup(Level.Trial)
    public void load() throws RocksDBException
    {
        dir = BenchmarkFiles.newTempDir("ricochet-windows");
        final long startNs = System.nanoTime();
        final long firstPartnerClicks = bulkLoad(dir);
        final long loadedNs = System.nanoTime();
        compact(dir);
        final long compactedNs = System.nanoTime();
        System.out.printf("%nloaded %,d buckets in %.1f s, compacted in %.1f s, %,d bytes%n",
            (long)PARTNERS * DAYS, (loadedNs - startNs) / 1e9, (compactedNs - loadedNs) / 1e9,
            BenchmarkFiles.sizeBytes(dir));

        store = StateStore.open(dir);
        counters = new CounterBuckets(store);
        final long clicks = counters.window(1, TODAY - DAYS + 1, TODAY, sums)[CounterField.CLICKS.ordinal()];
        if (clicks != firstPartnerClicks)
        {
            throw new IllegalStateException("partner 1 has " + clicks + " clicks, loaded " + firstPartnerClicks);
        }
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < partners.length; i++)
        {
            partners[i] = 1 + random.nextInt(PARTNERS);
        }
    }

    /**
     * Close and delete the store.
     */
    @TearDown(Level.Trial)
    public void close()
    {
        store.close();
        BenchmarkFiles.delete(dir);
    }

    /**
     * The commission engine's window sum over the last 7, 30 or 90 days of a random partner.
     *
     * @param window length of the window.
     * @return the sums.
     */
    @Benchmark
    public long[] window(final Window window)
    {
        return counters.window(nextPartner(), TODAY - window.days + 1, TODAY, sums);
    }

    /**
     * The partner view's 7, 30 and 90-day windows of a random partner, from one 90-day scan.
     *
     * @return the 90-day sums (the 7 and 30-day ones are computed on the way).
     */
    @Benchmark
    public long[] partnerView()
    {
        final long[][] days = HealthScore.lastNinetyDays(store, nextPartner(), TODAY);
        // AdminApi.windows: each window sums the newest days of the same array.
        long[] result = null;
        for (final int length : VIEW_WINDOWS)
        {
            final long[] windowSums = new long[CounterField.COUNT];
            for (int i = DAYS - length; i < DAYS; i++)
            {
                if (null != days[i])
                {
                    for (int f = 0; f < windowSums.length; f++)
                    {
                        windowSums[f] += days[i][f];
                    }
                }
            }
            result = windowSums;
        }
        return result;
    }

    private int nextPartner()
    {
        return partners[next++ & (RANDOM_PARTNERS - 1)];
    }

    /**
     * @return the clicks loaded for partner 1, to check the read path's answer.
     */
    private static long bulkLoad(final Path dir)
    {
        final SplittableRandom random = new SplittableRandom(42);
        final long[] values = new long[CounterField.COUNT];
        long firstPartnerClicks = 0;
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            int inBatch = 0;
            for (int partner = 1; partner <= PARTNERS; partner++)
            {
                // Partners differ in size: a few hundred clicks a day for most, a few thousand for some.
                final int scale = 1 + random.nextInt(0 == random.nextInt(10) ? 3_000 : 300);
                for (int day = TODAY - DAYS + 1; day <= TODAY; day++)
                {
                    dayBucket(random, scale, values);
                    new CounterTable(store).putDay(batch, partner, day, values);
                    if (1 == partner)
                    {
                        firstPartnerClicks += values[CounterField.CLICKS.ordinal()];
                    }
                    if (++inBatch == BATCH_SIZE)
                    {
                        store.write(batch);
                        inBatch = 0;
                    }
                }
            }
            store.write(batch);
        }
        return firstPartnerClicks;
    }

    private static void dayBucket(final SplittableRandom random, final int scale, final long[] values)
    {
        final long clicks = random.nextInt(scale + 1);
        final long sales = random.nextInt((int)(clicks / 50 + 1));
        values[CounterField.CLICKS.ordinal()] = clicks;
        values[CounterField.UNIQUE_CLICKS.ordinal()] = clicks * 7 / 10;
        values[CounterField.PREVIEWS.ordinal()] = clicks / 100;
        values[CounterField.BOT_CLICKS.ordinal()] = clicks * 3 / 100;
        values[CounterField.LEADS.ordinal()] = random.nextInt((int)(clicks / 20 + 1));
        values[CounterField.SALES.ordinal()] = sales;
        values[CounterField.REVENUE.ordinal()] = sales * (1_000 + random.nextInt(20_000));
        values[CounterField.COMMISSION.ordinal()] = values[CounterField.REVENUE.ordinal()] / 10;
        values[CounterField.REFUNDED.ordinal()] = 0;
    }

    /**
     * Compact the counters table with plain rocksjava (the store has no compaction call), so reads see settled
     * levels rather than the load's level-0 files.
     */
    private static void compact(final Path dir) throws RocksDBException
    {
        try (Options options = new Options(); DBOptions dbOptions = new DBOptions();
            ColumnFamilyOptions cfOptions = new ColumnFamilyOptions())
        {
            final List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (final byte[] name : RocksDB.listColumnFamilies(options, dir.toString()))
            {
                descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
            }
            final List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles))
            {
                for (int i = 0; i < handles.size(); i++)
                {
                    if ("counters".equals(new String(descriptors.get(i).getName(), StandardCharsets.US_ASCII)))
                    {
                        db.compactRange(handles.get(i));
                    }
                }
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }
}
