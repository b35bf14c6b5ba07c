package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.ledger.LedgerCommand;
import dev.ricochet.aggregator.ledger.LedgerTable;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.payout.PayoutRun;
import dev.ricochet.aggregator.payout.PayoutRunTable;
import dev.ricochet.aggregator.payout.PayoutRuns;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.IdGenerator;
import org.agrona.concurrent.EpochClock;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The money owed and paid: a partner's ledger, and payout runs (built by the admin, approved by finance, exported
 * for the bank). Runs are built and approved through the journal ({@link JournalWrites}).
 */
final class PayoutsResource
{
    private final Catalog catalog;
    private final StateStore store;
    private final LedgerTable ledger;
    private final PayoutRunTable runs;
    private final JournalWrites writes;
    private final StoredRecords records;
    private final EpochClock epochClock;
    private final IdGenerator runIds = new IdGenerator();

    /**
     * @param catalog    catalog in memory.
     * @param store      committed state.
     * @param writes     journals commands and waits for them.
     * @param records    committed records shared between resources.
     * @param epochClock today's date for a run's default period and its id.
     */
    PayoutsResource(
        final Catalog catalog,
        final StateStore store,
        final JournalWrites writes,
        final StoredRecords records,
        final EpochClock epochClock)
    {
        this.catalog = catalog;
        this.store = store;
        this.ledger = new LedgerTable(store);
        this.runs = new PayoutRunTable(store);
        this.writes = writes;
        this.records = records;
        this.epochClock = epochClock;
    }

    /**
     * {@code GET /v1/partners/{partnerId}/ledger}: balances and entries, oldest first.
     *
     * @param partnerId from the path.
     * @param after     only entries with a larger sequence number (paging).
     * @param limit     most entries to return.
     * @return the ledger.
     */
    ApiResponse partnerLedger(final String partnerId, final long after, final int limit)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        if (null == partner)
        {
            return ApiResponse.notFound("partner", partnerId);
        }
        final PartnerAccount account = records.account(partner.number());
        final List<Object> entries = new ArrayList<>();
        ledger.forEachEntry(partner.number(), after, entry ->
        {
            entries.add(entry);
            return entries.size() < limit;
        });
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("partnerId", partnerId);
        view.put("currency", catalog.program(partner.spec().programId()).spec().currency());
        view.put("pending", account.pending());
        view.put("approved", account.approved());
        view.put("held", account.held());
        view.put("scheduled", account.scheduled());
        view.put("paid", account.paid());
        final int day = ledger.ledgerDay();
        view.put("asOf", Integer.MIN_VALUE == day ? null : LocalDate.ofEpochDay(day).toString());
        view.put("entries", entries);
        return ApiResponse.ok(view);
    }

    /**
     * {@code POST /v1/programs/{programId}/payout-runs}: {@code {"periodEnd":"YYYY-MM-DD"}} (default today). One
     * run per program and period: asking again answers the same run.
     *
     * @param call the request: the id of its path and its JSON body.
     * @return 201 and the run, or 200 and the existing run of the period.
     */
    ApiResponse createPayoutRun(final RouteCall call)
    {
        final String programId = call.id();
        final byte[] body = call.body();
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.error(404, "unknown program '" + programId + "'");
        }
        final PayoutRunRequest request = 0 == body.length ? new PayoutRunRequest(null) :
            CatalogJson.parseRequest(body, PayoutRunRequest.class);
        final LocalDate today = LocalDate.ofEpochDay(RequestDates.today(epochClock));
        final LocalDate periodEnd = null == request.periodEnd() ? today :
            RequestDates.parseDate("periodEnd", request.periodEnd());
        if (periodEnd.isAfter(today))
        {
            throw new InvalidSpecException("periodEnd " + periodEnd + " is in the future");
        }
        final String existing = runs.runForPeriod(program.number(), periodEnd.toString());
        if (null != existing)
        {
            return ApiResponse.ok(runView(runs.find(existing)));
        }
        final ApiResponse open = openRunConflict(programId);
        if (null != open)
        {
            return open;
        }
        final String runId;
        synchronized (runIds)
        {
            runIds.next(epochClock.time());
            runId = "po_" + IdCodec.toString(runIds.hi(), runIds.lo());
        }
        final ApiResponse failure = writes.command(call, CatalogEventFlyweight.KIND_PAYOUT_RUN,
            new LedgerCommand.PayoutRun(runId, programId, periodEnd.toString()));
        if (null != failure)
        {
            return failure;
        }
        final String applied = runs.runForPeriod(program.number(), periodEnd.toString());
        if (null == applied)
        {
            // A run built concurrently for another period was applied first: this one was refused.
            final ApiResponse conflict = openRunConflict(programId);
            return null != conflict ? conflict : ApiResponse.error(409, "the payout run was not built; retry");
        }
        final PayoutRun run = runs.find(applied);
        return new ApiResponse(runId.equals(applied) ? 201 : 200, runView(run));
    }

    private ApiResponse openRunConflict(final String programId)
    {
        final PayoutRun open = PayoutRuns.openRun(store, programId);
        return null == open ? null : ApiResponse.error(409, "payout run '" + open.id() + "' of program '" +
            programId + "' (periodEnd " + open.periodEnd() + ") is waiting for finance's approval; approve it " +
            "before building another (a partner is never in two open runs)");
    }

    /**
     * Body of a payout run request.
     *
     * @param periodEnd UTC day the run covers up to.
     */
    public record PayoutRunRequest(String periodEnd)
    {
    }

    /**
     * {@code GET /v1/payout-runs/{runId}}.
     *
     * @param runId from the path.
     * @return the run.
     */
    ApiResponse getPayoutRun(final String runId)
    {
        final PayoutRun run = runs.find(runId);
        return null == run ? unknownRun(runId) : ApiResponse.ok(runView(run));
    }

    /**
     * {@code POST /v1/payout-runs/{runId}/approve} (finance): the run is paid. Approving a paid run again answers
     * it unchanged.
     *
     * @param call the request: the run id of its path.
     * @return the run.
     */
    ApiResponse approvePayoutRun(final RouteCall call)
    {
        final String runId = call.id();
        final PayoutRun run = runs.find(runId);
        if (null == run)
        {
            return unknownRun(runId);
        }
        if (PayoutRun.PENDING_APPROVAL.equals(run.status()))
        {
            final ApiResponse failure = writes.command(call, CatalogEventFlyweight.KIND_PAYOUT_APPROVAL,
                new LedgerCommand.PayoutApproval(runId));
            if (null != failure)
            {
                return failure;
            }
        }
        return ApiResponse.ok(runView(runs.find(runId)));
    }

    /**
     * {@code GET /v1/payout-runs/{runId}/export.csv}: one row per partner, for a bank, PayPal or Stripe Connect
     * upload. Cells that a spreadsheet would run as a formula are prefixed with an apostrophe.
     *
     * @param runId from the path.
     * @return the CSV.
     */
    ApiResponse exportPayoutRun(final String runId)
    {
        final PayoutRun run = runs.find(runId);
        if (null == run)
        {
            return unknownRun(runId);
        }
        final int digits = Currency.getInstance(run.currency()).getDefaultFractionDigits();
        final StringBuilder csv = new StringBuilder("run_id,program_id,period_end,status,partner_id,name,email," +
            "payout_account,currency,amount_minor,amount\r\n");
        for (final PayoutRun.Line line : run.lines())
        {
            csv.append(String.join(",", cell(run.id()), cell(run.programId()), cell(run.periodEnd()),
                cell(run.status()), cell(line.partnerId()), cell(line.name()), cell(line.email()),
                cell(line.payoutAccount()), cell(run.currency()), Long.toString(line.amount()),
                BigDecimal.valueOf(line.amount(), Math.max(0, digits)).toPlainString())).append("\r\n");
        }
        return ApiResponse.file("text/csv; charset=utf-8", runId + ".csv",
            csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String cell(final String value)
    {
        if (null == value)
        {
            return "";
        }
        String text = value;
        // CSV injection (OWASP): a cell a spreadsheet would run as a formula, or whose leading control character it
        // would strip before doing so, is shown as text.
        if (!text.isEmpty() && ("=+-@\t\r\n\0".indexOf(text.charAt(0)) >= 0 || startsFormulaAfterBlanks(text)))
        {
            text = "'" + text;
        }
        // Quoted when it holds a separator of any locale (',' or ';'), a quote or a line break.
        if (text.indexOf(',') >= 0 || text.indexOf(';') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 ||
            text.indexOf('\r') >= 0)
        {
            text = "\"" + text.replace("\"", "\"\"") + "\"";
        }
        return text;
    }

    /**
     * A formula behind white space or invisible characters (' =1+1', NBSP, U+2028, a zero-width space) or written
     * with a fullwidth sign ('＝1+1'): spreadsheets that trim a cell on import, or fold fullwidth forms, run it too.
     */
    private static boolean startsFormulaAfterBlanks(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.getType(c) == Character.FORMAT)
            {
                continue;
            }
            return "=+-@\uFF1D\uFF0B\uFF0D\uFF20".indexOf(c) >= 0;
        }
        return false;
    }

    private static Map<String, Object> runView(final PayoutRun run)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", run.id());
        view.put("programId", run.programId());
        view.put("periodEnd", run.periodEnd());
        view.put("status", run.status());
        view.put("createdOn", run.createdOn());
        view.put("paidOn", run.paidOn());
        view.put("currency", run.currency());
        view.put("total", run.total());
        final List<Map<String, Object>> lines = new ArrayList<>();
        for (final PayoutRun.Line line : run.lines())
        {
            final Map<String, Object> item = new LinkedHashMap<>();
            item.put("partnerId", line.partnerId());
            item.put("name", line.name());
            item.put("payoutAccount", line.payoutAccount());
            item.put("amount", line.amount());
            lines.add(item);
        }
        view.put("partners", lines);
        return view;
    }

    private static ApiResponse unknownRun(final String runId)
    {
        return ApiResponse.error(404, "unknown payout run '" + runId + "'");
    }
}
