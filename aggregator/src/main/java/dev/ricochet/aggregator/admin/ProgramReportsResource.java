package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.report.PartnerReports;
import dev.ricochet.aggregator.report.ProgramReports;
import dev.ricochet.aggregator.report.ReportMetric;
import dev.ricochet.aggregator.store.StateStore;
import org.agrona.concurrent.EpochClock;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The program reports (part 8 item 6, docs/reports.md): reads the request's range and bounds, then answers from
 * {@link ProgramReports} and {@link PartnerReports}. Committed state only.
 */
final class ProgramReportsResource
{
    /**
     * Default length of a report range ending today, in days (as the partner stats).
     */
    static final int DEFAULT_DAYS = 30;

    private final Catalog catalog;
    private final ProgramReports programReports;
    private final PartnerReports partnerReports;
    private final EpochClock epochClock;

    /**
     * @param catalog    catalog in memory.
     * @param store      committed state.
     * @param epochClock today's date for default ranges and health scores.
     */
    ProgramReportsResource(final Catalog catalog, final StateStore store, final EpochClock epochClock)
    {
        this.catalog = catalog;
        this.programReports = new ProgramReports(store);
        this.partnerReports = new PartnerReports(catalog, store);
        this.epochClock = epochClock;
    }

    /**
     * Answer one of the report routes, for a caller allowed on the program.
     *
     * @param call the request.
     * @return the report, 403 if the caller's token is scoped to another program.
     */
    ApiResponse answer(final RouteCall call)
    {
        final String programId = call.param("programId");
        final String scope = call.caller().programId();
        if (null != scope && !scope.equals(programId))
        {
            return ApiResponse.error(403, "this token reads only the reports of program '" + scope + "'");
        }
        return switch (call.route())
        {
            case REPORT_OVERVIEW -> overview(programId, call.text("from"), call.text("to"));
            case REPORT_TOP_PARTNERS -> topPartners(programId, call.text("metric"), call.text("from"),
                call.text("to"), (int)call.number("limit"));
            case REPORT_TIER_COHORTS -> tierCohorts(programId, call.text("to"), (int)call.number("weeks"));
            case REPORT_HEALTH -> health(programId, (int)call.number("threshold"));
            case REPORT_PARTNERS_ACTIVITY -> partnersActivity(programId, call.text("from"), call.text("to"),
                (int)call.number("dormantDays"));
            default -> throw new IllegalArgumentException("not a report route: " + call.route());
        };
    }

    /**
     * {@code GET /v1/programs/{programId}/reports/overview?from=&to=}.
     *
     * @param programId from the path.
     * @param from      first day, or null for {@value #DEFAULT_DAYS} days ending on to.
     * @param to        last day, or null for today.
     * @return the overview.
     */
    ApiResponse overview(final String programId, final String from, final String to)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.notFound("program", programId);
        }
        final DayRange range = DayRange.of(from, to, RequestDates.today(epochClock));
        return ApiResponse.ok(programReports.overview(program, range.fromDay(), range.toDay()));
    }

    /**
     * {@code GET /v1/programs/{programId}/reports/top-partners?metric=&from=&to=&limit=}.
     *
     * @param programId from the path.
     * @param metric    a figure's name (default revenue).
     * @param from      first day, or null.
     * @param to        last day, or null.
     * @param limit     most partners, bounded by the route.
     * @return the ranking.
     */
    ApiResponse topPartners(final String programId, final String metric, final String from, final String to,
        final int limit)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.notFound("program", programId);
        }
        final ReportMetric ranked = null == metric ? ReportMetric.REVENUE : ReportMetric.named(metric);
        if (null == ranked)
        {
            throw new InvalidSpecException("metric '" + metric + "' is invalid: expected one of " +
                Arrays.stream(ReportMetric.values()).map(ReportMetric::jsonName).collect(Collectors.joining(", ")));
        }
        final DayRange range = DayRange.of(from, to, RequestDates.today(epochClock));
        return ApiResponse.ok(partnerReports.topPartners(program, ranked, range.fromDay(), range.toDay(), limit));
    }

    /**
     * {@code GET /v1/programs/{programId}/reports/tier-cohorts?weeks=&to=}.
     *
     * @param programId from the path.
     * @param to        a day of the last week, or null for today.
     * @param weeks     number of weeks, bounded by the route.
     * @return the cohorts.
     */
    ApiResponse tierCohorts(final String programId, final String to, final int weeks)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.notFound("program", programId);
        }
        final int toDay = null == to ? RequestDates.today(epochClock) :
            (int)RequestDates.parseDate("to", to).toEpochDay();
        return ApiResponse.ok(programReports.tierCohorts(program, toDay, weeks));
    }

    /**
     * {@code GET /v1/programs/{programId}/reports/health?threshold=}.
     *
     * @param programId from the path.
     * @param threshold at-risk threshold, bounded by the route.
     * @return the distribution.
     */
    ApiResponse health(final String programId, final int threshold)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.notFound("program", programId);
        }
        return ApiResponse.ok(partnerReports.health(program, RequestDates.today(epochClock), threshold));
    }

    /**
     * {@code GET /v1/programs/{programId}/reports/partners-activity?from=&to=&dormantDays=}.
     *
     * @param programId   from the path.
     * @param from        first day, or null.
     * @param to          last day, or null.
     * @param dormantDays the dormancy window, bounded by the route.
     * @return the counts.
     */
    ApiResponse partnersActivity(final String programId, final String from, final String to, final int dormantDays)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.notFound("program", programId);
        }
        final DayRange range = DayRange.of(from, to, RequestDates.today(epochClock));
        return ApiResponse.ok(partnerReports.activity(program, range.fromDay(), range.toDay(), dormantDays));
    }

    /**
     * A report's range of days, both ends inclusive, at most {@link RequestDates#MAX_REPORT_DAYS} long.
     *
     * @param fromDay first epoch day.
     * @param toDay   last epoch day.
     */
    record DayRange(int fromDay, int toDay)
    {
        /**
         * @param from  {@code YYYY-MM-DD} or null for {@value #DEFAULT_DAYS} days ending on to.
         * @param to    {@code YYYY-MM-DD} or null for today.
         * @param today today's epoch day.
         * @return the range.
         * @throws InvalidSpecException naming the parameter if a date is malformed or the range inverted or too long.
         */
        static DayRange of(final String from, final String to, final int today)
        {
            final LocalDate toDate = null == to ? LocalDate.ofEpochDay(today) : RequestDates.parseDate("to", to);
            final LocalDate fromDate = null == from ? toDate.minusDays(DEFAULT_DAYS - 1) :
                RequestDates.parseDate("from", from);
            if (fromDate.isAfter(toDate))
            {
                throw new InvalidSpecException("from " + fromDate + " is after to " + toDate);
            }
            if (toDate.toEpochDay() - fromDate.toEpochDay() >= RequestDates.MAX_REPORT_DAYS)
            {
                throw new InvalidSpecException("from: the range is longer than " + RequestDates.MAX_REPORT_DAYS +
                    " days: to must be at most " + (RequestDates.MAX_REPORT_DAYS - 1) + " days after from");
            }
            return new DayRange((int)fromDate.toEpochDay(), (int)toDate.toEpochDay());
        }
    }
}
