package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.PartnerStatus;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.health.HealthScore;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.timeline.TimelineEvent;
import dev.ricochet.aggregator.timeline.TimelineTable;
import dev.ricochet.ingest.Money;
import org.agrona.concurrent.EpochClock;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reports: a partner's daily and hourly counters, its timeline, and a program's partners at risk. Reads
 * committed state only.
 */
final class ReportsResource
{
    private final Catalog catalog;
    private final StateStore store;
    private final CounterTable counters;
    private final TimelineTable timeline;
    private final EpochClock epochClock;

    /**
     * @param catalog    catalog in memory.
     * @param store      committed state.
     * @param epochClock today's date for default report ranges.
     */
    ReportsResource(final Catalog catalog, final StateStore store, final EpochClock epochClock)
    {
        this.catalog = catalog;
        this.store = store;
        this.counters = new CounterTable(store);
        this.timeline = new TimelineTable(store);
        this.epochClock = epochClock;
    }

    /**
     * {@code GET /v1/partners/{partnerId}/stats?from=&to=}: totals and one entry per day, inclusive range, UTC.
     *
     * @param partnerId from the path.
     * @param from      first day {@code YYYY-MM-DD}, or null for 29 days before {@code to}.
     * @param to        last day, or null for today.
     * @param granularity day (default) or hour (the last 8 days only: hour buckets are not kept longer).
     * @return the report.
     */
    ApiResponse partnerStats(final String partnerId, final String from, final String to,
        final String granularity)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        if (null == partner)
        {
            return ApiResponse.notFound("partner", partnerId);
        }
        if ("hour".equals(granularity))
        {
            return hourlyStats(partnerId, partner, from, to);
        }
        if (null != granularity && !"day".equals(granularity))
        {
            throw new InvalidSpecException("granularity '" + granularity + "' is invalid: expected day or hour");
        }
        final LocalDate toDate = null == to ? LocalDate.ofEpochDay(Math.floorDiv(epochClock.time(), 86_400_000L)) :
            RequestDates.parseDate("to", to);
        final LocalDate fromDate = null == from ? toDate.minusDays(29) : RequestDates.parseDate("from", from);
        if (fromDate.isAfter(toDate))
        {
            throw new InvalidSpecException("from " + fromDate + " is after to " + toDate);
        }
        if (toDate.toEpochDay() - fromDate.toEpochDay() >= RequestDates.MAX_REPORT_DAYS)
        {
            throw new InvalidSpecException("range is longer than " + RequestDates.MAX_REPORT_DAYS +
                " days: to must be at most " + (RequestDates.MAX_REPORT_DAYS - 1) + " days after from");
        }

        final int fromDay = (int)fromDate.toEpochDay();
        final int toDay = (int)toDate.toEpochDay();
        final long[][] days = new long[toDay - fromDay + 1][];
        counters.readDays(partner.number(), fromDay, toDay, (epochDay, values) -> days[epochDay - fromDay] =
            values.clone());

        final long[] totals = new long[CounterField.COUNT];
        final List<Map<String, Object>> dayViews = new ArrayList<>(days.length);
        for (int i = 0; i < days.length; i++)
        {
            final long[] values = null == days[i] ? new long[CounterField.COUNT] : days[i];
            final Map<String, Object> day = new LinkedHashMap<>();
            day.put("date", LocalDate.ofEpochDay(fromDay + i).toString());
            for (final CounterField field : CounterField.values())
            {
                day.put(field.jsonName(), values[field.ordinal()]);
                totals[field.ordinal()] = Money.addSaturated(totals[field.ordinal()], values[field.ordinal()]);
            }
            dayViews.add(day);
        }

        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("partnerId", partnerId);
        view.put("from", fromDate.toString());
        view.put("to", toDate.toString());
        for (final CounterField field : CounterField.values())
        {
            view.put(field.jsonName(), totals[field.ordinal()]);
        }
        view.put("currency", catalog.program(partner.spec().programId()).spec().currency());
        view.put("days", dayViews);
        return ApiResponse.ok(view);
    }

    private ApiResponse hourlyStats(final String partnerId, final CatalogEntry<PartnerSpec> partner,
        final String from, final String to)
    {
        final long nowHour = Math.floorDiv(epochClock.time(), 3_600_000L);
        final long toHour = null == to ? nowHour : RequestDates.parseHour("to", to);
        final long fromHour = null == from ? toHour - 23 : RequestDates.parseHour("from", from);
        if (fromHour > toHour)
        {
            throw new InvalidSpecException("from is after to");
        }
        // Both ends are bounded: the hours between them are read one key each.
        if (toHour - fromHour >= CounterTable.HOUR_BUCKET_RETENTION_HOURS)
        {
            throw new InvalidSpecException("range is longer than " + CounterTable.HOUR_BUCKET_RETENTION_HOURS +
                " hours: to must be at most " + (CounterTable.HOUR_BUCKET_RETENTION_HOURS - 1) + " hours after from");
        }
        if (fromHour < nowHour - CounterTable.HOUR_BUCKET_RETENTION_HOURS + 1)
        {
            throw new InvalidSpecException("hour buckets are kept for " + CounterTable.HOUR_BUCKET_RETENTION_HOURS +
                " hours; use granularity=day for older data");
        }
        final List<Map<String, Object>> hours = new ArrayList<>();
        final long[] totals = new long[CounterField.COUNT];
        counters.readHours(partner.number(), (int)fromHour, (int)toHour, (hour, values) ->
        {
            final Map<String, Object> view = new LinkedHashMap<>();
            view.put("hour", Instant.ofEpochMilli(hour * 3_600_000L).toString());
            view.putAll(counterView(values));
            hours.add(view);
            for (int i = 0; i < totals.length; i++)
            {
                totals[i] = Money.addSaturated(totals[i], values[i]);
            }
        });
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("partnerId", partnerId);
        view.put("from", Instant.ofEpochMilli(fromHour * 3_600_000L).toString());
        view.put("to", Instant.ofEpochMilli(toHour * 3_600_000L).toString());
        view.putAll(counterView(totals));
        view.put("currency", catalog.program(partner.spec().programId()).spec().currency());
        view.put("hours", hours);
        return ApiResponse.ok(view);
    }

    static Map<String, Object> counterView(final long[] values)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        for (final CounterField field : CounterField.values())
        {
            view.put(field.jsonName(), values[field.ordinal()]);
        }
        return view;
    }

    /**
     * {@code GET /v1/partners/{partnerId}/timeline}: the partner's activity, newest first.
     *
     * @param partnerId from the path.
     * @param limit     most events to return.
     * @return the timeline.
     */
    ApiResponse partnerTimeline(final String partnerId, final int limit)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        if (null == partner)
        {
            return ApiResponse.notFound("partner", partnerId);
        }
        final List<Object> events = new ArrayList<>();
        timeline.forEachNewestFirst(partner.number(), json ->
        {
            events.add(CatalogJson.read(json, TimelineEvent.class));
            return events.size() < limit;
        });
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("partnerId", partnerId);
        view.put("events", events);
        return ApiResponse.ok(view);
    }

    /**
     * {@code GET /v1/programs/{programId}/at-risk?threshold=40}: active partners whose health is below the
     * threshold, least healthy first.
     *
     * @param programId from the path.
     * @param threshold score below which a partner is listed.
     * @return the list.
     */
    ApiResponse atRisk(final String programId, final int threshold)
    {
        if (null == catalog.program(programId))
        {
            return ApiResponse.error(404, "unknown program '" + programId + "'");
        }
        final int today = RequestDates.today(epochClock);
        final List<Map<String, Object>> partners = new ArrayList<>();
        for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(programId))
        {
            if (PartnerStatus.ACTIVE != PartnerStatus.of(partner.spec()))
            {
                continue;
            }
            final HealthScore health = HealthScore.of(store, partner.number(), today);
            if (health.score() < threshold)
            {
                final Map<String, Object> view = new LinkedHashMap<>();
                view.put("partnerId", partner.id());
                view.put("name", partner.spec().name());
                view.put("health", health.score());
                view.put("components", health.components());
                partners.add(view);
            }
        }
        partners.sort(Comparator.comparingInt(p -> (Integer)p.get("health")));
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("programId", programId);
        view.put("threshold", threshold);
        view.put("partners", partners);
        return ApiResponse.ok(view);
    }
}
