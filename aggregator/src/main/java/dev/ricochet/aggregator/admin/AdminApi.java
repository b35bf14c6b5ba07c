package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.directory.PartnerDirectory;
import dev.ricochet.aggregator.store.StateStore;
import org.agrona.concurrent.EpochClock;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin and reporting API independent of HTTP, composed of its resources: the catalog, reports, commissions,
 * payouts and the probes. Changes go through the journal and are answered once the aggregator has applied them
 * ({@link JournalWrites}); reports read committed RocksDB state. {@link AdminRoute} says who may call what;
 * {@link #answer} hands each route to its resource.
 */
public final class AdminApi
{
    /**
     * What the API needs from the aggregator, read without calling into its thread.
     */
    public interface AggregatorView
    {
        /**
         * @return index of the last journal event applied to the catalog.
         */
        long appliedIndex();

        /**
         * @return index of the last journal event whose effects are committed (visible to reads of RocksDB).
         */
        long committedIndex();

        /**
         * @return true if the aggregator stopped on a failure.
         */
        boolean hasFailed();

        /**
         * @return journal events applied since start.
         */
        long eventsApplied();

        /**
         * @return journal events not yet applied: how far the aggregator is behind the edge.
         */
        long lagEvents();

        /**
         * @return why the aggregator is not applying events while it waits for its state store, or null.
         */
        String stallReason();

        /**
         * @return why the aggregator is making no progress although the journal holds events it has not applied
         *         (one event holding it longer than the stall timeout), or null.
         */
        default String progressStall()
        {
            return null;
        }

        /**
         * @return events applied with their header time bounded (ahead of the wall clock, or before 1970) since start.
         */
        default long headerTimesBounded()
        {
            return 0;
        }

        /**
         * @return failed attempts to commit since start: writes the state store refused and failed reopens.
         */
        long storeFailures();

        /**
         * @return stalls that ended with the refused commit written.
         */
        long storeRecoveries();

        /**
         * @return conversions left out because their amount is outside the bound.
         */
        long amountsRefused();

        /**
         * @return counter additions that stopped at the end of the range of a long instead of wrapping.
         */
        long counterSaturations();

        /**
         * @param journalIndex the journal index of an admin change.
         * @return the sequence number of its audit record if it is the last change applied, else -1.
         */
        default long auditSeqOf(final long journalIndex)
        {
            return -1;
        }
    }

    private final CatalogResource catalog;
    private final ReportsResource reports;
    private final CommissionsResource commissions;
    private final PayoutsResource payouts;
    private final MetricsResource metrics;
    private final AuditResource audit;
    private final DirectoryResource directory; // part 8, item 1
    private final SegmentsResource segments; // part 8, item 4
    private final BulkResource bulk; // part 8, item 4
    private final TokensResource tokens;
    private final ProgramScope scope;
    private final ListsResource lists; // part 8 item 1
    // Part 8, item 9: CSV import and export.
    private final ImportResource imports;
    private final ExportResource exports;
    private final ProgramReportsResource programReports; // part 8 item 6
    private final ApplicationsResource applications;

    /**
     * @param catalog    catalog in memory.
     * @param store      committed state.
     * @param writer     appends catalog changes.
     * @param aggregator progress of the aggregator.
     * @param epochClock today's date for default report ranges.
     * @param allowPrivateWebhooks accept a {@code webhookUrl} on a loopback, private or link-local address.
     * @param extraMetrics         more Prometheus text for {@code /metrics} (the edge's business volume).
     * @param roles                the tokens; the catalog entities' ETags are keyed from the admin token's.
     * @param partnerDirectory     the partner directory the aggregator maintains (part 8, item 1).
     */
    public AdminApi(
        final Catalog catalog,
        final StateStore store,
        final CatalogWriter writer,
        final AggregatorView aggregator,
        final EpochClock epochClock,
        final boolean allowPrivateWebhooks,
        final Supplier<String> extraMetrics,
        final AdminRoles roles,
        final PartnerDirectory partnerDirectory)
    {
        final JournalWrites writes = new JournalWrites(writer, aggregator, store);
        final StoredRecords records = new StoredRecords(store);
        this.catalog = new CatalogResource(catalog, store, writes, records, epochClock, allowPrivateWebhooks,
            new EntityTag(roles.entityTagKey()));
        this.reports = new ReportsResource(catalog, store, epochClock);
        this.commissions = new CommissionsResource(catalog, store, writes, records);
        this.payouts = new PayoutsResource(catalog, store, writes, records, epochClock);
        this.metrics = new MetricsResource(aggregator, extraMetrics);
        this.audit = new AuditResource(store, epochClock);
        this.directory = new DirectoryResource(catalog, partnerDirectory, epochClock);
        this.segments = new SegmentsResource(catalog, writes);
        this.bulk = new BulkResource(catalog, writes, records, epochClock);
        this.tokens = new TokensResource(catalog, writes);
        this.scope = new ProgramScope(catalog, store);
        this.lists = new ListsResource(catalog, store, records); // part 8 item 1
        // Part 8, item 9: CSV import and export.
        this.imports = new ImportResource(catalog, writes, epochClock);
        this.exports = new ExportResource(catalog, store, records, epochClock);
        this.programReports = new ProgramReportsResource(catalog, store, epochClock); // part 8 item 6
        // Part 8, items 3 and 5. An address: 10 at once, then one every 6 s; a program: 50 at once, then one every 2 s.
        this.applications = new ApplicationsResource(catalog, writes, epochClock,
            new ApplicationLimiter(10, 6_000, 50, 2_000, 10_000), this.catalog::partnerView);
    }

    /**
     * @return the aggregator's progress in Prometheus text format: events applied, lag behind the edge, failure; and
     * the edge's business volume where the launcher wires it.
     */
    public String prometheusText()
    {
        return metrics.prometheusText();
    }

    /**
     * @param partnerId the partner a partner token speaks for.
     * @return true if the partner exists and is not suspended: only then does its token read anything.
     */
    public boolean isPartnerActiveEnoughToRead(final String partnerId)
    {
        return catalog.isPartnerActiveEnoughToRead(partnerId);
    }

    /**
     * @param caller     who asks, its role already allowed by the route.
     * @param route      the route matched.
     * @param parameters the request's path parameters by name.
     * @param body       reads the request body (only for a scoped caller's change).
     * @return why a program-scoped caller may not reach this resource (a 403), or null ({@link ProgramScope}).
     */
    String outOfScope(final AdminRoles.Caller caller, final AdminRoute route, final Map<String, String> parameters,
        final Supplier<byte[]> body)
    {
        // A partner token is confined to its own partner by the route table: a narrower reach than its program.
        return null == caller.programId() || AdminRoles.Role.PARTNER == caller.role() ? null :
            scope.refusal(caller.programId(), route, parameters::get, body);
    }

    /**
     * @param call  a request matched to its route, its caller already allowed by the route.
     * @param roles issues partner tokens.
     * @return the resource's answer, before it is projected onto the caller's fields.
     */
    ApiResponse answer(final RouteCall call, final AdminRoles roles)
    {
        final String id = call.id();
        final byte[] body = call.body();
        return switch (call.route())
        {
            // Like the edge's /metrics: unauthenticated, for a scraper on the operator's network.
            case METRICS -> ApiResponse.file("text/plain; version=0.0.4; charset=utf-8", null,
                metrics.prometheusText().getBytes(StandardCharsets.UTF_8));
            case HEALTHZ -> ApiResponse.ok(Map.of("status", "ok"));
            case READYZ -> metrics.readiness();
            case GET_PROGRAM -> catalog.getProgram(id);
            case PUT_PROGRAM -> catalog.putProgram(call);
            case GET_PARTNER -> catalog.getPartner(id);
            case PUT_PARTNER -> catalog.putPartner(call);
            case GET_LINK -> catalog.getLink(id);
            case PUT_LINK -> catalog.putLink(call);
            case GET_COUPON -> catalog.getCoupon(id);
            case PUT_COUPON -> catalog.putCoupon(call);
            // Part 8 item 2: partial updates.
            case PATCH_PROGRAM -> catalog.patchProgram(call);
            case PATCH_PARTNER -> catalog.patchPartner(call);
            case PATCH_LINK -> catalog.patchLink(call);
            case PATCH_COUPON -> catalog.patchCoupon(call);
            case PARTNER_TOKEN -> catalog.partnerToken(id, roles);
            case PARTNER_STATS ->
                reports.partnerStats(id, call.text("from"), call.text("to"), call.text("granularity"));
            case PARTNER_TIMELINE -> reports.partnerTimeline(id, (int)call.number("limit"));
            case AT_RISK -> reports.atRisk(id, (int)call.number("threshold"));
            case PARTNER_CONVERSIONS -> commissions.partnerConversions(id, (int)call.number("limit"));
            case REVIEW_COMMISSION -> commissions.reviewCommission(call);
            case HELD_COMMISSIONS -> commissions.heldCommissions(id, (int)call.number("limit"));
            case PARTNER_LEDGER -> payouts.partnerLedger(id, call.number("after"), (int)call.number("limit"));
            case CREATE_PAYOUT_RUN -> payouts.createPayoutRun(call);
            case GET_PAYOUT_RUN -> payouts.getPayoutRun(id);
            case APPROVE_PAYOUT_RUN -> payouts.approvePayoutRun(call);
            case EXPORT_PAYOUT_RUN -> payouts.exportPayoutRun(id);
            case AUDIT -> audit.list(call);
            // Part 8, item 1: the directory.
            case LIST_PROGRAMS -> directory.programs(call.caller().programId(), (int)call.number("limit"),
                call.text("cursor"));
            case LIST_PARTNERS -> directory.partners(call.param("programId"), call.caller().programId(),
                call.parameters(), (int)call.number("limit"));
            // Part 8, item 4
            case LIST_SEGMENTS -> segments.list(call);
            case GET_SEGMENT -> segments.get(call);
            case PUT_SEGMENT -> segments.put(call);
            case DELETE_SEGMENT -> segments.delete(call);
            case BULK_PARTNERS -> bulk.post(call);
            // part 8, item 7
            case CREATE_TOKEN -> tokens.create(call, roles.tokens());
            case LIST_TOKENS -> tokens.list((int)call.number("limit"), call.text("cursor"), roles.tokens());
            case REVOKE_TOKEN -> tokens.revoke(call, roles.tokens());
            // Part 8 item 1 (lists).
            case LIST_LINKS -> lists.links(call);
            case LIST_COUPONS -> lists.coupons(call);
            case LIST_CONVERSIONS -> lists.conversions(call);
            case LIST_PAYOUT_RUNS -> lists.payoutRuns(call);
            // Part 8, item 9: CSV import and export.
            case IMPORT_PARTNERS -> imports.partners(call);
            case IMPORT_LINKS -> imports.links(call);
            case EXPORT_PARTNERS -> exports.partners(call);
            case EXPORT_LINKS -> exports.links(call);
            case EXPORT_CONVERSIONS -> exports.conversions(call);
            case EXPORT_LEDGER -> exports.ledger(call);
            // Part 8 item 6: program reports
            case REPORT_OVERVIEW, REPORT_TOP_PARTNERS, REPORT_TIER_COHORTS, REPORT_HEALTH, REPORT_PARTNERS_ACTIVITY ->
                programReports.answer(call);
            // Part 8, items 3 and 5.
            case APPLY -> applications.apply(call);
            case APPROVE_PARTNER -> applications.approve(call);
            case REJECT_PARTNER -> applications.reject(call);
            case PIN_TIER -> applications.pin(call);
            case UNPIN_TIER -> applications.unpin(call);
        };
    }
}
