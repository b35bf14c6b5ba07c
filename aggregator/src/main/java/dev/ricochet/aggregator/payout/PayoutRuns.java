package dev.ricochet.aggregator.payout;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.PartnerStatus;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.timeline.Timeline;
import dev.ricochet.ingest.Money;
import org.rocksdb.WriteBatch;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds and pays payout runs. Each run is one journaled command applied in one atomic commit, so a crash leaves a
 * run either fully built (or paid) or not started; one run per (program, periodEnd) makes a repeated request a
 * no-op, and moving each balance into the run as it is built makes paying anyone twice impossible.
 */
public final class PayoutRuns
{
    private static final long DAY_MS = 86_400_000L;

    private final StateStore store;
    private final PayoutRunTable table;
    private final Catalog catalog;
    private final Ledger ledger;
    private final Timeline timeline;
    private final List<byte[][]> pending = new ArrayList<>();

    /**
     * @param store    committed state.
     * @param catalog  programs and partners.
     * @param ledger   balances and commissions.
     * @param timeline where payouts are reported.
     */
    public PayoutRuns(final StateStore store, final Catalog catalog, final Ledger ledger, final Timeline timeline)
    {
        this.store = store;
        this.table = new PayoutRunTable(store);
        this.catalog = catalog;
        this.ledger = ledger;
        this.timeline = timeline;
    }

    /**
     * Build a run: every partner of the program whose status is paid ({@link PartnerStatus#isPaid()}: active or
     * paused; not pending, suspended or rejected) and whose approved balance is at least the program's minPayout
     * (and above zero) has that whole balance, as it is when the run is built, moved into the run; periodEnd labels
     * the run and is its idempotency key, it does not filter commissions. While a run of the program waits for
     * finance's approval no other run is built (the command is ignored, the API answers 409), so no partner is ever
     * in two open runs. Reads committed state: the caller commits first.
     *
     * @param runId     id chosen by the API.
     * @param programId the program.
     * @param periodEnd UTC day, the idempotency key with the program.
     * @param timeMs    time of the request, from the journal.
     */
    public void build(final String runId, final String programId, final String periodEnd, final long timeMs)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program || null != runForPeriod(program.number(), periodEnd) || null != run(runId) ||
            null != openRun(store, programId))
        {
            return;
        }
        final long minPayout = null == program.spec().minPayout() ? 1 : Math.max(1, program.spec().minPayout());
        final List<PayoutRun.Line> lines = new ArrayList<>();
        long total = 0;
        for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(programId))
        {
            final long approved = ledger.account(partner.number()).approved();
            if (!PartnerStatus.of(partner.spec()).isPaid() || approved < minPayout || !Money.canAdd(total, approved))
            {
                // The last test keeps the run's total within a long (balances are bounded per partner, not per
                // program): that partner's balance waits, whole, for the next run.
                continue;
            }
            final long amount = ledger.schedule(partner.number(), runId, timeMs, programId);
            lines.add(new PayoutRun.Line(partner.id(), partner.number(), partner.spec().name(), partner.spec().email(),
                partner.spec().payoutAccount(), amount));
            total = Money.add(total, amount);
        }
        final PayoutRun run = new PayoutRun(runId, programId, periodEnd, PayoutRun.PENDING_APPROVAL, day(timeMs),
            null, program.spec().currency(), total, lines);
        pending.add(PayoutRunTable.runEntry(runId, run));
        pending.add(PayoutRunTable.periodEntry(program.number(), periodEnd, runId));
    }

    /**
     * Pay a run: finance approved it. Approving a paid run changes nothing. Reads committed state: the caller
     * commits first.
     *
     * @param runId  the run.
     * @param timeMs time of the approval, from the journal.
     */
    public void approve(final String runId, final long timeMs)
    {
        final PayoutRun run = run(runId);
        final CatalogEntry<ProgramSpec> program = null == run ? null : catalog.program(run.programId());
        if (null == program || !PayoutRun.PENDING_APPROVAL.equals(run.status()))
        {
            return;
        }
        for (final PayoutRun.Line line : run.lines())
        {
            ledger.pay(line.partnerNumber(), runId, line.amount(), timeMs, run.programId());
            final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(line.partnerNumber());
            if (null != partner)
            {
                final Map<String, Object> data = new LinkedHashMap<>();
                data.put("runId", runId);
                data.put("amount", line.amount());
                data.put("currency", run.currency());
                timeline.record(line.partnerNumber(), partner, program, timeMs, "payout.paid", data);
            }
        }
        pending.add(PayoutRunTable.runEntry(runId, run.paid(day(timeMs))));
    }

    /**
     * @param runId a run id.
     * @return the committed run, or null.
     */
    public PayoutRun run(final String runId)
    {
        return table.find(runId);
    }

    /**
     * @param store     committed state.
     * @param programId a program.
     * @return the program's committed run waiting for finance's approval, or null (there is at most one).
     */
    public static PayoutRun openRun(final StateStore store, final String programId)
    {
        final PayoutRun[] open = new PayoutRun[1];
        new PayoutRunTable(store).forEachRun(run ->
        {
            if (programId.equals(run.programId()) && PayoutRun.PENDING_APPROVAL.equals(run.status()))
            {
                open[0] = run;
                return false;
            }
            return true;
        });
        return open[0];
    }

    /**
     * @param programNumber program.
     * @param periodEnd     UTC day.
     * @return the committed run id for that period, or null.
     */
    public String runForPeriod(final int programNumber, final String periodEnd)
    {
        return table.runForPeriod(programNumber, periodEnd);
    }

    /**
     * Add the runs built or paid since the last flush to the commit batch.
     *
     * @param batch the batch being built.
     */
    public void flush(final WriteBatch batch)
    {
        for (final byte[][] entry : pending)
        {
            table.put(batch, entry[0], entry[1]);
        }
        pending.clear();
    }

    private static String day(final long timeMs)
    {
        return LocalDate.ofEpochDay(Math.floorDiv(timeMs, DAY_MS)).toString();
    }
}
