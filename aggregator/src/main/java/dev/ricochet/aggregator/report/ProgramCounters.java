package dev.ricochet.aggregator.report;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.PartnerStatus;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.Money;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;

/**
 * Keeps {@link ProgramCounterTable} current as the aggregator counts: every addition to a partner's day bucket is
 * added to its program's day bucket, to its week bucket, and (for conversions and money) to the bucket of the tier the
 * partner holds at that moment; and when the journal's clock enters a new ISO week, the active partners per tier are
 * recorded for that week.
 *
 * <p>Single writer (the aggregator thread). Like {@link CounterBuckets}, buckets stay cached across commits, an
 * addition is a few primitive-keyed map lookups (no allocation once a bucket is cached), and a commit writes each
 * bucket touched since the last one once, as absolute values. Sums saturate at the ends of the range of a long.
 */
public final class ProgramCounters implements CounterBuckets.Listener
{
    /**
     * Meta key of the Monday (epoch day) of the last week whose partners per tier were recorded.
     */
    static final String WEEK_META = "report.week";

    private static final long DAY_MS = 86_400_000L;
    private static final int CACHED_BUCKETS = 1 << 18;
    private static final int DAY_BITS = 20;

    private final ProgramCounterTable table;
    private final Catalog catalog;
    private final IntUnaryOperator tierOf;
    private final StateStore store;
    private final Buckets programDays;
    private final Buckets tierDays;
    private final Buckets partnerWeeks;
    private final List<WeekRow> pendingWeeks = new ArrayList<>();
    private int[] programOf = new int[1024];
    private int recordedMonday;
    private boolean isWeekUnsaved;

    /**
     * @param store   committed state.
     * @param catalog the partners' programs and statuses.
     * @param tierOf  a partner's current tier index, uncommitted changes included.
     */
    public ProgramCounters(final StateStore store, final Catalog catalog, final IntUnaryOperator tierOf)
    {
        this.store = store;
        this.table = new ProgramCounterTable(store);
        this.catalog = catalog;
        this.tierOf = tierOf;
        this.programDays = new Buckets(key -> table.get(
            ProgramCounterTable.key((int)(key >>> 32), ProgramCounterTable.PROGRAM_DAY, (int)key)));
        this.tierDays = new Buckets(key -> table.get(ProgramCounterTable.key((int)(key >>> 32),
            ProgramCounterTable.TIER_DAY, dayOf(key), tierOfKey(key))));
        this.partnerWeeks = new Buckets(key -> table.get(ProgramCounterTable.key(program((int)(key >>> 32)),
            ProgramCounterTable.PARTNER_WEEK, (int)key, (int)(key >>> 32))));
        final byte[] week = store.meta(WEEK_META);
        this.recordedMonday = null == week ? Integer.MIN_VALUE : ByteBuffer.wrap(week).getInt();
    }

    @Override
    public void onAdd(final int partnerNumber, final long timeMs, final CounterField field, final long delta)
    {
        final int program = program(partnerNumber);
        if (0 == program)
        {
            return; // not in the catalog: no program to count it for
        }
        final int day = (int)Math.floorDiv(timeMs, DAY_MS);
        add(programDays.bucket(((long)program << 32) | (day & 0xFFFF_FFFFL)), field, delta);
        add(partnerWeeks.bucket(((long)partnerNumber << 32) | (monday(day) & 0xFFFF_FFFFL)), field, delta);
        if (field.ordinal() > CounterField.BOT_CLICKS.ordinal())
        {
            // Conversions and money only: a click never reads the partner's tier.
            final int tier = tierOf.applyAsInt(partnerNumber);
            add(tierDays.bucket(((long)program << 32) | ((long)tier << DAY_BITS) | day), field, delta);
        }
    }

    /**
     * The journal's clock moved to an event's time: entering a new ISO week records each program's active partners per
     * tier for that week (after the ledger's day has moved, so after that day's tier review).
     *
     * @param timestampMs the event's header time.
     */
    public void onEventTime(final long timestampMs)
    {
        final int monday = monday((int)Math.floorDiv(timestampMs, DAY_MS));
        if (monday > recordedMonday)
        {
            recordedMonday = monday;
            isWeekUnsaved = true; // saved even with no program to count yet, so a restart does not record it again
            recordWeek(monday);
        }
    }

    private void recordWeek(final int monday)
    {
        final TreeMap<Integer, long[]> counts = new TreeMap<>();
        for (final CatalogEntry<ProgramSpec> program : catalog.programs())
        {
            counts.put(program.number(), new long[Math.max(1, program.spec().tiers().size())]);
        }
        for (int number = 1; ; number++)
        {
            final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(number);
            if (null == partner)
            {
                break; // catalog numbers are given one after another and never taken back
            }
            final CatalogEntry<ProgramSpec> program = catalog.program(partner.spec().programId());
            if (null != program && PartnerStatus.ACTIVE == PartnerStatus.of(partner.spec()))
            {
                final long[] tiers = counts.get(program.number());
                // A ladder of one tier needs no account read: with 100,000 partners, that read is the week's cost.
                tiers[1 == tiers.length ? 0 : Math.min(tierOf.applyAsInt(number), tiers.length - 1)]++;
            }
        }
        counts.forEach((program, tiers) -> pendingWeeks.add(new WeekRow(program, monday, tiers)));
    }

    /**
     * Add every bucket touched since the last flush, and the weeks recorded, to the commit batch.
     *
     * @param batch the batch being built.
     */
    public void flush(final WriteBatch batch)
    {
        programDays.flush(key -> table.put(batch,
            ProgramCounterTable.key((int)(key >>> 32), ProgramCounterTable.PROGRAM_DAY, (int)key),
            programDays.cached(key)));
        tierDays.flush(key -> table.put(batch, ProgramCounterTable.key((int)(key >>> 32),
            ProgramCounterTable.TIER_DAY, dayOf(key), tierOfKey(key)), tierDays.cached(key)));
        partnerWeeks.flush(key -> table.put(batch, ProgramCounterTable.key(program((int)(key >>> 32)),
            ProgramCounterTable.PARTNER_WEEK, (int)key, (int)(key >>> 32)), partnerWeeks.cached(key)));
        for (final WeekRow week : pendingWeeks)
        {
            table.putTierPartners(batch, week.program(), week.monday(), week.tiers());
        }
        pendingWeeks.clear();
        if (isWeekUnsaved)
        {
            store.putMeta(batch, WEEK_META, ByteBuffer.allocate(4).putInt(recordedMonday).array());
            isWeekUnsaved = false;
        }
    }

    /**
     * @param epochDay a day.
     * @return the epoch day of the Monday of its ISO week.
     */
    public static int monday(final int epochDay)
    {
        return epochDay - Math.floorMod(epochDay + 3, 7); // epoch day 0, 1970-01-01, was a Thursday
    }

    private int program(final int partnerNumber)
    {
        if (partnerNumber <= 0)
        {
            return 0;
        }
        if (partnerNumber >= programOf.length)
        {
            programOf = Arrays.copyOf(programOf, Math.max(partnerNumber + 1, programOf.length * 2));
        }
        int program = programOf[partnerNumber];
        if (0 == program)
        {
            // A partner never changes program (CatalogResource refuses it): looked up once per partner.
            final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(partnerNumber);
            final CatalogEntry<ProgramSpec> entry = null == partner ? null :
                catalog.program(partner.spec().programId());
            program = null == entry ? 0 : entry.number();
            programOf[partnerNumber] = program;
        }
        return program;
    }

    private static int dayOf(final long key)
    {
        return (int)(key & ((1 << DAY_BITS) - 1));
    }

    private static int tierOfKey(final long key)
    {
        return (int)((key & 0xFFFF_FFFFL) >>> DAY_BITS);
    }

    private static void add(final long[] values, final CounterField field, final long delta)
    {
        values[field.ordinal()] = Money.addSaturated(values[field.ordinal()], delta);
    }

    /**
     * A week's active partners per tier, until the commit writes it.
     */
    private record WeekRow(int program, int monday, long[] tiers)
    {
    }

    /**
     * Reads a committed bucket, or null.
     */
    @FunctionalInterface
    private interface Loader
    {
        long[] load(long key);
    }

    /**
     * Writes a dirty bucket.
     */
    @FunctionalInterface
    private interface Writer
    {
        void write(long key);
    }

    /**
     * One kind of bucket: cached values and the keys written since the last commit.
     */
    private static final class Buckets
    {
        private final Loader loader;
        private final Long2ObjectHashMap<long[]> cached = new Long2ObjectHashMap<>();
        private final LongHashSet dirty = new LongHashSet();

        Buckets(final Loader loader)
        {
            this.loader = loader;
        }

        long[] bucket(final long key)
        {
            long[] values = cached.get(key);
            if (null == values)
            {
                values = loader.load(key);
                if (null == values)
                {
                    values = new long[CounterField.COUNT];
                }
                cached.put(key, values);
            }
            dirty.add(key);
            return values;
        }

        long[] cached(final long key)
        {
            return cached.get(key);
        }

        void flush(final Writer writer)
        {
            final LongHashSet.LongIterator keys = dirty.iterator();
            while (keys.hasNext())
            {
                writer.write(keys.nextValue());
            }
            dirty.clear();
            if (cached.size() > CACHED_BUCKETS)
            {
                cached.clear(); // read back from the store on the next touch
            }
        }
    }
}
