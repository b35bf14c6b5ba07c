package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.attribution.ConversionRecord;
import dev.ricochet.aggregator.attribution.ConversionTable;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.ledger.Commission;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.ledger.CommissionTable;
import dev.ricochet.aggregator.ledger.LedgerCommand;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.Money;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversions and their commissions: a partner's credited conversions, finance's commission reviews and a program's
 * queue of held commissions. A review goes through the journal ({@link JournalWrites}).
 */
final class CommissionsResource
{
    private final Catalog catalog;
    private final ConversionTable conversions;
    private final CommissionTable commissions;
    private final JournalWrites writes;
    private final StoredRecords records;

    /**
     * @param catalog catalog in memory.
     * @param store   committed state.
     * @param writes  journals commands and waits for them.
     * @param records committed records shared between resources.
     */
    CommissionsResource(
        final Catalog catalog,
        final StateStore store,
        final JournalWrites writes,
        final StoredRecords records)
    {
        this.catalog = catalog;
        this.conversions = new ConversionTable(store);
        this.commissions = new CommissionTable(store);
        this.writes = writes;
        this.records = records;
    }

    /**
     * {@code GET /v1/partners/{partnerId}/conversions}: the partner's credited conversions, newest first, each with
     * its attribution and what has been reversed.
     *
     * @param partnerId from the path.
     * @param limit     most to return.
     * @return the list.
     */
    ApiResponse partnerConversions(final String partnerId, final int limit)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        if (null == partner)
        {
            return ApiResponse.notFound("partner", partnerId);
        }
        final List<Map<String, Object>> views = new ArrayList<>();
        conversions.forEachOfPartner(partner.number(), limit, (programNumber, externalId) ->
        {
            if (!(conversions.find(programNumber, externalId) instanceof ConversionRecord record))
            {
                return; // gone, or the id is now another order's alias (a verified report named it)
            }
            final CatalogEntry<ProgramSpec> program = catalog.programByNumber(programNumber);
            long credit = 0;
            final List<Map<String, Object>> touches = new ArrayList<>();
            // The touch path, a partner possibly more than once (one commission per partner, its credit the sum).
            for (final ConversionRecord.Credit c : null != record.path() ? record.path() : record.credits())
            {
                final CatalogEntry<PartnerSpec> credited = catalog.partnerByNumber(c.partnerNumber());
                if (c.partnerNumber() == partner.number())
                {
                    credit = Money.addSaturated(credit, c.revenue());
                }
                final Map<String, Object> touch = new LinkedHashMap<>();
                touch.put("partnerId", null == credited ? null : credited.id());
                touch.put("clickId", c.clickId());
                touch.put("clickTime", 0 == c.clickTimeMs() ? null :
                    Instant.ofEpochMilli(c.clickTimeMs()).toString());
                touch.put("credit", c.revenue());
                touches.add(touch);
            }
            final Map<String, Object> view = new LinkedHashMap<>();
            view.put("programId", null == program ? null : program.id());
            view.put("externalId", record.externalId());
            view.put("kind", record.kind());
            view.put("time", Instant.ofEpochMilli(record.timeMs()).toString());
            view.put("amount", record.amount());
            view.put("currency", record.currency());
            view.put("credit", credit);
            view.put("reversedAmount", record.reversedAmount());
            view.put("attributedBy", record.attributedBy());
            view.put("coupon", record.coupon());
            view.put("customerId", record.customerId());
            view.put("touches", touches);
            final Commission commission = null == program ? null : records.committedCommission(
                new CommissionKey(partner.number(), record.timeMs(), program.number(), record.externalId()));
            view.put("commission", null == commission ? null : commissionView(commission));
            views.add(view);
        });
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("partnerId", partnerId);
        body.put("conversions", views);
        return ApiResponse.ok(body);
    }

    /**
     * {@code POST /v1/partners/{partnerId}/commission-reviews} (finance):
     * {@code {"externalId","action":"hold|release|void","reason"}}.
     *
     * @param call the request: the id of its path and its JSON body.
     * @return the commission after the decision.
     */
    ApiResponse reviewCommission(final RouteCall call)
    {
        final String partnerId = call.id();
        final byte[] body = call.body();
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        if (null == partner)
        {
            return ApiResponse.notFound("partner", partnerId);
        }
        final CommissionReviewRequest request = CatalogJson.parseRequest(body, CommissionReviewRequest.class);
        if (null == request.externalId() || null == request.action())
        {
            throw new InvalidSpecException("externalId and action are required");
        }
        if (!List.of("hold", "release", "void").contains(request.action()))
        {
            throw new InvalidSpecException("action '" + request.action() +
                "' is invalid: expected hold, release or void");
        }
        if (null != request.reason() && request.reason().length() > 500)
        {
            throw new InvalidSpecException("reason is longer than 500 characters");
        }
        final CatalogEntry<ProgramSpec> program = catalog.program(partner.spec().programId());
        final CommissionKey key = records.commissionKey(partner, program, request.externalId());
        final Commission commission = null == key ? null : records.committedCommission(key);
        if (null == commission)
        {
            return ApiResponse.error(404, "partner '" + partnerId + "' has no commission on '" +
                request.externalId() + "'");
        }
        final boolean isAllowed = "hold".equals(request.action()) ?
            Commission.PENDING.equals(commission.state()) || Commission.APPROVED.equals(commission.state()) :
            Commission.HELD.equals(commission.state());
        if (!isAllowed)
        {
            return ApiResponse.error(409, "cannot " + request.action() + " a commission that is " +
                commission.state());
        }
        final ApiResponse failure = writes.command(call, CatalogEventFlyweight.KIND_COMMISSION_REVIEW, new LedgerCommand
            .CommissionReview(partnerId, request.externalId(), key.timeMs(), request.action(), request.reason()));
        if (null != failure)
        {
            return failure;
        }
        final Commission after = records.committedCommission(key);
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("partnerId", partnerId);
        view.put("externalId", request.externalId());
        view.put("state", after.state());
        view.put("amount", after.net());
        return ApiResponse.ok(view);
    }

    /**
     * Body of a commission review.
     *
     * @param externalId the conversion.
     * @param action     hold, release or void.
     * @param reason     note for the ledger, optional.
     */
    public record CommissionReviewRequest(String externalId, String action, String reason)
    {
    }

    /**
     * {@code GET /v1/programs/{programId}/held-commissions}: finance's review queue, the program's commissions held
     * for review (failed fraud checks, a suspended partner's, or held by finance), by partner then conversion time.
     *
     * @param programId from the path.
     * @param limit     most to return.
     * @return the queue.
     */
    ApiResponse heldCommissions(final String programId, final int limit)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.error(404, "unknown program '" + programId + "'");
        }
        final List<Map<String, Object>> held = new ArrayList<>();
        final long[] total = new long[1];
        commissions.forEachHeld(program.number(), key ->
        {
            final Commission commission = records.committedCommission(key);
            final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(key.partnerNumber());
            if (null == commission || !Commission.HELD.equals(commission.state()))
            {
                return true;
            }
            total[0] = Money.addSaturated(total[0], commission.net());
            if (held.size() < limit)
            {
                final Map<String, Object> view = new LinkedHashMap<>();
                view.put("partnerId", null == partner ? null : partner.id());
                view.put("partnerStatus", null == partner ? null : partner.spec().status());
                view.put("externalId", key.externalId());
                view.put("conversionTime", Instant.ofEpochMilli(key.timeMs()).toString());
                view.putAll(commissionView(commission));
                held.add(view);
            }
            return true;
        });
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("programId", programId);
        view.put("currency", program.spec().currency());
        view.put("total", total[0]);
        view.put("commissions", held);
        return ApiResponse.ok(view);
    }

    private static Map<String, Object> commissionView(final Commission commission)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("kind", commission.kind());
        view.put("state", commission.state());
        view.put("revenue", commission.revenue());
        view.put("amount", commission.net());
        view.put("flags", null == commission.flags() ? List.of() : commission.flags());
        return view;
    }
}
