package dev.ricochet.aggregator.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ricochet.aggregator.audit.AuditRecord;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.csv.CsvFormatException;
import dev.ricochet.aggregator.csv.ImportCommand;
import dev.ricochet.aggregator.csv.ImportPlan;
import dev.ricochet.aggregator.csv.ImportTooLargeException;
import dev.ricochet.aggregator.csv.LinkImport;
import dev.ricochet.aggregator.csv.PartnerImport;
import dev.ricochet.ingest.CatalogEventFlyweight;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.agrona.concurrent.EpochClock;

import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CSV imports of a program's partners and links (item 9 of part 8; docs/import-export.md):
 * {@code POST /v1/programs/{programId}/partners/import?dryRun=} and {@code .../links/import?dryRun=}. The file is read
 * row by row from the body and each row checked as a single write would be; a dry run answers the report (every bad
 * row with its line and field, and what the import would create, update and leave unchanged); an import with any bad
 * row applies nothing and answers the same report with 400; otherwise it is one journaled command, applied in one
 * commit, answered with its summary as the audit trail recorded it.
 */
final class ImportResource
{
    private final Catalog catalog;
    private final JournalWrites writes;
    private final EpochClock epochClock;

    /**
     * @param catalog    catalog in memory.
     * @param writes     journals changes and waits for them.
     * @param epochClock now, for a new partner's join time.
     */
    ImportResource(final Catalog catalog, final JournalWrites writes, final EpochClock epochClock)
    {
        this.catalog = catalog;
        this.writes = writes;
        this.epochClock = epochClock;
    }

    /**
     * {@code POST /v1/programs/{programId}/partners/import?dryRun=true|false}.
     *
     * @param call the request, its body the CSV file.
     * @return the report or the summary.
     */
    ApiResponse partners(final RouteCall call)
    {
        final String programId = call.param("programId");
        final ApiResponse refusal = refusal(call, programId);
        if (null != refusal)
        {
            return refusal;
        }
        final boolean isDryRun = dryRun(call);
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        try
        {
            final ImportPlan<PartnerSpec> plan = PartnerImport.plan(program, catalog, epochClock.time(),
                new ByteArrayInputStream(call.body()));
            return answer(call, programId, isDryRun, plan,
                new ImportCommand(programId, plan.changes(), List.of(), plan.unchanged()));
        }
        catch (final CsvFormatException ex)
        {
            throw new InvalidSpecException(ex.getMessage());
        }
        catch (final ImportTooLargeException ex)
        {
            return ApiResponse.error(413, ex.getMessage());
        }
    }

    /**
     * {@code POST /v1/programs/{programId}/links/import?dryRun=true|false}.
     *
     * @param call the request, its body the CSV file.
     * @return the report or the summary.
     */
    ApiResponse links(final RouteCall call)
    {
        final String programId = call.param("programId");
        final ApiResponse refusal = refusal(call, programId);
        if (null != refusal)
        {
            return refusal;
        }
        final boolean isDryRun = dryRun(call);
        try
        {
            final ImportPlan<LinkSpec> plan = LinkImport.plan(programId, catalog,
                new ByteArrayInputStream(call.body()));
            return answer(call, programId, isDryRun, plan,
                new ImportCommand(programId, List.of(), plan.changes(), plan.unchanged()));
        }
        catch (final CsvFormatException ex)
        {
            throw new InvalidSpecException(ex.getMessage());
        }
        catch (final ImportTooLargeException ex)
        {
            return ApiResponse.error(413, ex.getMessage());
        }
    }

    /**
     * The checks before the file is read: the caller's program scope, the program, the media type.
     */
    private ApiResponse refusal(final RouteCall call, final String programId)
    {
        final String scope = call.caller().programId();
        if (null != scope && !scope.equals(programId))
        {
            return ApiResponse.error(403, "this token is scoped to program '" + scope + "'");
        }
        if (null == catalog.program(programId))
        {
            return ApiResponse.notFound("program", programId);
        }
        final String contentType = call.header(HttpHeaderNames.CONTENT_TYPE);
        if (!isCsv(contentType))
        {
            return ApiResponse.error(415, "Content-Type must be text/csv (UTF-8), not " +
                (null == contentType ? "absent" : "'" + contentType + "'"));
        }
        return null;
    }

    /**
     * {@code text/csv}, with no parameter but a UTF-8 charset (and the {@code header} parameter of RFC 4180, which
     * must say present).
     */
    static boolean isCsv(final String contentType)
    {
        if (null == contentType)
        {
            return false;
        }
        final String[] parts = contentType.split(";", -1);
        if (!"text/csv".equals(parts[0].strip().toLowerCase(Locale.ROOT)))
        {
            return false;
        }
        for (int i = 1; i < parts.length; i++)
        {
            final String parameter = parts[i].strip().toLowerCase(Locale.ROOT).replace("\"", "");
            if (!parameter.equals("charset=utf-8") && !parameter.equals("header=present"))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean dryRun(final RouteCall call)
    {
        final String dryRun = call.text("dryRun");
        if (null == dryRun || "false".equals(dryRun))
        {
            return false;
        }
        if ("true".equals(dryRun))
        {
            return true;
        }
        throw new InvalidSpecException("dryRun '" + dryRun + "' is invalid: expected true or false");
    }

    private <T> ApiResponse answer(final RouteCall call, final String programId, final boolean isDryRun,
        final ImportPlan<T> plan, final ImportCommand command)
    {
        if (isDryRun || !plan.isValid())
        {
            final Map<String, Object> report = report(programId, isDryRun, plan);
            if (isDryRun)
            {
                return ApiResponse.ok(report);
            }
            final Map<String, Object> refused = new LinkedHashMap<>();
            refused.put("error", plan.errors().size() + " error(s) in the file; nothing was imported");
            refused.putAll(report);
            return new ApiResponse(400, refused);
        }
        if (plan.changes().isEmpty())
        {
            return ApiResponse.ok(report(programId, false, plan)); // nothing to change: nothing journaled
        }
        final AuditRecord record;
        try
        {
            record = writes.change(call, CatalogEventFlyweight.KIND_IMPORT, command);
        }
        catch (final JournalWrites.NotApplied ex)
        {
            return ex.response();
        }
        if (null == record || !record.applied())
        {
            return ApiResponse.error(409, "the import conflicted with a change made since the file was checked; " +
                "nothing was imported: run it again");
        }
        return ApiResponse.ok(summary(programId, plan.rows(), record.after()));
    }

    private static Map<String, Object> report(final String programId, final boolean isDryRun,
        final ImportPlan<?> plan)
    {
        final Map<String, Object> report = new LinkedHashMap<>();
        report.put("programId", programId);
        report.put("dryRun", isDryRun);
        report.put("valid", plan.isValid());
        report.put("rows", plan.rows());
        report.put("created", plan.created());
        report.put("updated", plan.updated());
        report.put("unchanged", plan.unchanged());
        report.put("errors", plan.errors());
        return report;
    }

    private static Map<String, Object> summary(final String programId, final int rows, final JsonNode after)
    {
        final Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("programId", programId);
        summary.put("dryRun", false);
        summary.put("valid", true);
        summary.put("rows", rows);
        summary.put("created", after.path("created").asInt());
        summary.put("updated", after.path("updated").asInt());
        summary.put("unchanged", after.path("unchanged").asInt());
        summary.put("refused", after.path("refused"));
        summary.put("errors", List.of());
        return summary;
    }
}
