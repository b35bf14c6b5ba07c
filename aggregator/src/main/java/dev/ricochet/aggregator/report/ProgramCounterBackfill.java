package dev.ricochet.aggregator.report;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.ledger.LedgerTable;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.Money;
import org.agrona.collections.Long2ObjectHashMap;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds {@link ProgramCounterTable} once from the partners' day buckets of a state directory written before the
 * program reports existed (docs/reports.md, "Existing state"). A new state directory has no buckets: it only gets the
 * marker, so a replay from scratch and a live state write the same bytes.
 *
 * <p>What a backfill cannot know: the tier a partner held on each past day (its history counts under its current
 * tier), and the partners per tier of past weeks (none recorded; tier cohorts show them from the first week the
 * aggregator enters after the upgrade).
 */
public final class ProgramCounterBackfill
{
    /**
     * Meta key marking the program counters as built (value: the layout version).
     */
    public static final String VERSION_META = "report.version";

    private static final int PUTS_PER_WRITE = 100_000;

    private ProgramCounterBackfill()
    {
    }

    /**
     * Build the program counters from the partners' day buckets, unless done before; runs before the aggregator
     * applies any event.
     *
     * @param store   the state.
     * @param catalog the restored catalog, for each partner's program.
     */
    public static void runOnce(final StateStore store, final Catalog catalog)
    {
        if (null != store.meta(VERSION_META))
        {
            return;
        }
        final ProgramCounterTable table = new ProgramCounterTable(store);
        final LedgerTable ledger = new LedgerTable(store);
        final Long2ObjectHashMap<long[]> programDays = new Long2ObjectHashMap<>();
        final Long2ObjectHashMap<long[]> tierDays = new Long2ObjectHashMap<>();
        try (WriteBatch batch = new WriteBatch())
        {
            final Week week = new Week();
            new CounterTable(store).forEachDay((partnerNumber, epochDay, values) ->
            {
                if (partnerNumber != week.partner)
                {
                    week.write(table, batch);
                    week.start(partnerNumber, program(catalog, partnerNumber), tier(ledger, partnerNumber));
                }
                if (0 == week.program)
                {
                    return;
                }
                final int monday = ProgramCounters.monday(epochDay);
                if (monday != week.monday)
                {
                    week.write(table, batch);
                    week.monday = monday;
                }
                addAll(week.values, values, 0);
                addAll(programDays.computeIfAbsent(((long)week.program << 32) | epochDay,
                    key -> new long[CounterField.COUNT]), values, 0);
                addAll(tierDays.computeIfAbsent(((long)week.program << 32) | ((long)week.tier << 20) | epochDay,
                    key -> new long[CounterField.COUNT]), values, CounterField.BOT_CLICKS.ordinal() + 1);
                if (batch.count() >= PUTS_PER_WRITE)
                {
                    store.write(batch);
                }
            });
            week.write(table, batch);
            programDays.forEach((key, values) -> table.put(batch,
                ProgramCounterTable.key((int)(key >>> 32), ProgramCounterTable.PROGRAM_DAY, (int)(long)key), values));
            tierDays.forEach((key, values) -> table.put(batch, ProgramCounterTable.key((int)(key >>> 32),
                ProgramCounterTable.TIER_DAY, (int)(key & 0xFFFFF), (int)((key & 0xFFFF_FFFFL) >>> 20)), values));
            store.putMeta(batch, VERSION_META, "1".getBytes(StandardCharsets.US_ASCII));
            store.write(batch);
        }
    }

    private static int program(final Catalog catalog, final int partnerNumber)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(partnerNumber);
        final CatalogEntry<ProgramSpec> program = null == partner ? null : catalog.program(partner.spec().programId());
        return null == program ? 0 : program.number();
    }

    private static int tier(final LedgerTable ledger, final int partnerNumber)
    {
        final PartnerAccount account = ledger.account(partnerNumber);
        return null == account ? 0 : account.tier();
    }

    private static void addAll(final long[] sums, final long[] values, final int fromField)
    {
        for (int i = fromField; i < sums.length; i++)
        {
            sums[i] = Money.addSaturated(sums[i], values[i]);
        }
    }

    /**
     * The week bucket being summed: a partner's days arrive in order, so each week is written once, when it ends.
     */
    private static final class Week
    {
        private final long[] values = new long[CounterField.COUNT];
        private int partner = -1;
        private int program;
        private int tier;
        private int monday = Integer.MIN_VALUE;

        void start(final int partnerNumber, final int programNumber, final int tierIndex)
        {
            partner = partnerNumber;
            program = programNumber;
            tier = tierIndex;
            monday = Integer.MIN_VALUE;
        }

        void write(final ProgramCounterTable table, final WriteBatch batch)
        {
            if (0 != program && Integer.MIN_VALUE != monday)
            {
                table.put(batch, ProgramCounterTable.key(program, ProgramCounterTable.PARTNER_WEEK, monday, partner),
                    values);
            }
            Arrays.fill(values, 0);
        }
    }
}
