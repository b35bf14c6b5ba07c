package dev.ricochet.aggregator.report;

import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.Money;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A program's overview and tier cohorts, from the program's own buckets ({@link ProgramCounterTable}): the cost of a
 * report depends on the days it covers, never on the number of partners (docs/reports.md). Committed state only.
 */
public final class ProgramReports
{
    /**
     * Most weeks a tier cohort report covers.
     */
    public static final int MAX_COHORT_WEEKS = 104;

    private final ProgramCounterTable table;

    /**
     * @param store committed state.
     */
    public ProgramReports(final StateStore store)
    {
        this.table = new ProgramCounterTable(store);
    }

    /**
     * The overview of a range: totals, the same for the previous period of equal length, their relative change, one
     * entry per day and one per ISO week (Monday start) the range touches.
     *
     * @param program the program.
     * @param fromDay first epoch day, inclusive.
     * @param toDay   last epoch day, inclusive, at most {@code 400} days after fromDay (bounded by the caller).
     * @return the report.
     */
    public Map<String, Object> overview(final CatalogEntry<ProgramSpec> program, final int fromDay, final int toDay)
    {
        final int length = toDay - fromDay + 1;
        final int previousFrom = fromDay - length;
        final long[][] days = new long[2 * length][];
        table.readDays(program.number(), previousFrom, toDay, (day, number, values) ->
            days[day - previousFrom] = values.clone());
        final long[] previous = sum(days, 0, length);
        final long[] totals = sum(days, length, 2 * length);
        final ReportFigures current = ReportFigures.of(totals);
        final ReportFigures before = ReportFigures.of(previous);

        final List<Map<String, Object>> daySeries = new ArrayList<>(length);
        for (int day = fromDay; day <= toDay; day++)
        {
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("date", LocalDate.ofEpochDay(day).toString());
            entry.putAll(ReportFigures.of(sum(days, day - previousFrom, day - previousFrom + 1)).view());
            daySeries.add(entry);
        }
        final List<Map<String, Object>> weekSeries = new ArrayList<>();
        for (int monday = ProgramCounters.monday(fromDay); monday <= toDay; monday += 7)
        {
            final int first = Math.max(monday, fromDay);
            final int last = Math.min(monday + 6, toDay);
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("weekStart", LocalDate.ofEpochDay(monday).toString());
            entry.put("from", LocalDate.ofEpochDay(first).toString());
            entry.put("to", LocalDate.ofEpochDay(last).toString());
            entry.put("days", last - first + 1);
            entry.putAll(ReportFigures.of(sum(days, first - previousFrom, last - previousFrom + 1)).view());
            weekSeries.add(entry);
        }

        final Map<String, Object> previousView = new LinkedHashMap<>();
        previousView.put("from", LocalDate.ofEpochDay(previousFrom).toString());
        previousView.put("to", LocalDate.ofEpochDay(fromDay - 1).toString());
        previousView.putAll(before.view());

        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("programId", program.id());
        view.put("from", LocalDate.ofEpochDay(fromDay).toString());
        view.put("to", LocalDate.ofEpochDay(toDay).toString());
        view.put("days", length);
        view.put("currency", program.spec().currency());
        view.put("totals", current.view());
        view.put("previous", previousView);
        view.put("change", change(current, before));
        view.put("daySeries", daySeries);
        view.put("weekSeries", weekSeries);
        return view;
    }

    private static Map<String, Double> change(final ReportFigures current, final ReportFigures previous)
    {
        final Map<String, Double> change = new LinkedHashMap<>();
        for (final ReportMetric metric : ReportMetric.values())
        {
            change.put(metric.jsonName(),
                ReportFigures.number(ReportFigures.change(metric.of(current), metric.of(previous))));
        }
        return change;
    }

    /**
     * Tier cohorts: for each of the last {@code weeks} ISO weeks up to the one holding {@code toDay}, per tier of the
     * program's ladder, the active partners holding it when the week began and what was counted while partners held
     * it (conversions and money).
     *
     * @param program the program.
     * @param toDay   a day of the last week.
     * @param weeks   number of weeks, 1 to {@link #MAX_COHORT_WEEKS} (bounded by the caller).
     * @return the report.
     */
    public Map<String, Object> tierCohorts(final CatalogEntry<ProgramSpec> program, final int toDay, final int weeks)
    {
        final List<ProgramSpec.Tier> ladder = program.spec().tiers();
        final int tierCount = Math.max(1, ladder.size());
        final int lastMonday = ProgramCounters.monday(toDay);
        final int firstMonday = lastMonday - 7 * (weeks - 1);
        final long[][][] sums = new long[weeks][tierCount][CounterField.COUNT];
        table.readTierDays(program.number(), firstMonday, lastMonday + 6, (day, tier, values) ->
        {
            final long[] into = sums[(day - firstMonday) / 7][Math.min(tier, tierCount - 1)];
            for (int i = 0; i < into.length; i++)
            {
                into[i] = Money.addSaturated(into[i], values[i]);
            }
        });
        final List<Map<String, Object>> weekViews = new ArrayList<>(weeks);
        for (int w = 0; w < weeks; w++)
        {
            final int monday = firstMonday + 7 * w;
            final long[] partners = table.tierPartners(program.number(), monday);
            final long[] clamped = new long[tierCount];
            for (int t = 0; t < partners.length; t++)
            {
                clamped[Math.min(t, tierCount - 1)] += partners[t];
            }
            final List<Map<String, Object>> tiers = new ArrayList<>(tierCount);
            for (int t = 0; t < tierCount; t++)
            {
                final Map<String, Object> tier = new LinkedHashMap<>();
                tier.put("tier", ladder.isEmpty() ? null : ladder.get(t).name());
                tier.put("partners", clamped[t]);
                tier.put("leads", sums[w][t][CounterField.LEADS.ordinal()]);
                tier.put("sales", sums[w][t][CounterField.SALES.ordinal()]);
                tier.put("revenue", sums[w][t][CounterField.REVENUE.ordinal()]);
                tier.put("refunded", sums[w][t][CounterField.REFUNDED.ordinal()]);
                tier.put("commission", sums[w][t][CounterField.COMMISSION.ordinal()]);
                tiers.add(tier);
            }
            final Map<String, Object> week = new LinkedHashMap<>();
            week.put("weekStart", LocalDate.ofEpochDay(monday).toString());
            week.put("partnersRecorded", partners.length > 0);
            week.put("tiers", tiers);
            weekViews.add(week);
        }
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("programId", program.id());
        view.put("currency", program.spec().currency());
        view.put("weeks", weekViews);
        return view;
    }

    private static long[] sum(final long[][] days, final int from, final int to)
    {
        final long[] sums = new long[CounterField.COUNT];
        for (int i = from; i < to; i++)
        {
            if (null != days[i])
            {
                for (int f = 0; f < sums.length; f++)
                {
                    sums[f] = Money.addSaturated(sums[f], days[i][f]);
                }
            }
        }
        return sums;
    }
}
