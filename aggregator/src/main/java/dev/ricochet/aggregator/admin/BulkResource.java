package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.audit.AuditRecord;
import dev.ricochet.aggregator.bulk.BulkChanges;
import dev.ricochet.aggregator.bulk.BulkPlanner;
import dev.ricochet.aggregator.bulk.BulkRequest;
import dev.ricochet.aggregator.bulk.BulkResults;
import dev.ricochet.aggregator.bulk.BulkSummary;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.StrictJson;
import org.agrona.concurrent.EpochClock;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/programs/{programId}/partners/bulk} (part 8, item 4): plans the change over the catalog as it
 * stands (a dry run stops there), journals it as one command and answers the summary the aggregator recorded in the
 * audit trail when it applied it (docs/catalog.md, "Bulk changes").
 */
final class BulkResource
{
    private final Catalog catalog;
    private final JournalWrites writes;
    private final BulkPlanner planner;
    private final EpochClock epochClock;

    /**
     * @param catalog catalog in memory.
     * @param writes  journals changes and waits for them.
     * @param records committed partner accounts, for their tiers.
     * @param epochClock today's date, for a new tier pin's end.
     */
    BulkResource(final Catalog catalog, final JournalWrites writes, final StoredRecords records,
        final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        this.catalog = catalog;
        this.writes = writes;
        this.planner = new BulkPlanner(catalog, (partner, program) ->
            BulkChanges.tierName(program, records.account(partner.number()).tier()));
    }

    /**
     * @param call the request.
     * @return 200 and the summary, 422 and every failure (nothing changed), 400 naming a field, 404 unknown program.
     */
    ApiResponse post(final RouteCall call)
    {
        final String programId = call.param("programId");
        if (null == catalog.program(programId))
        {
            return ApiResponse.notFound("program", programId);
        }
        final BulkRequest request = CatalogJson.parseRequest(call.body(), BulkRequest.class);
        if (null != request.programId())
        {
            throw new InvalidSpecException("programId is taken from the path, not the body");
        }
        final boolean isDryRun = Boolean.TRUE.equals(request.dryRun());
        final BulkRequest command = request.journaled(programId);
        final BulkSummary planned = planner.plan(command, isDryRun,
            LocalDate.ofEpochDay(RequestDates.today(epochClock))).summary();
        if (isDryRun || !planned.isApplicable())
        {
            return answer(planned, call.requestId());
        }
        final AuditRecord recorded;
        try
        {
            recorded = writes.change(call, CatalogEventFlyweight.KIND_BULK, command);
        }
        catch (final JournalWrites.NotApplied ex)
        {
            return ex.response();
        }
        if (null == recorded || !recorded.applied())
        {
            return ApiResponse.error(409, "the partners or the segment changed between the check and the change; " +
                "nothing was changed: read and retry");
        }
        return answer(BulkResults.summary(recorded.after()), call.requestId());
    }

    private static ApiResponse answer(final BulkSummary summary, final String requestId)
    {
        // A dry run is a preview: 200 with whatever would fail listed.
        final boolean isRefused = !summary.isApplicable() && !summary.dryRun();
        final Map<String, Object> body = new LinkedHashMap<>();
        if (isRefused)
        {
            body.put("error", summary.failed().size() + " of the partners selected cannot take the change; " +
                "nothing was changed");
        }
        body.putAll(StrictJson.MAPPER.convertValue(summary, BulkResults.FIELDS));
        body.put("requestId", requestId);
        return isRefused ? new ApiResponse(422, body) : ApiResponse.ok(body);
    }
}
