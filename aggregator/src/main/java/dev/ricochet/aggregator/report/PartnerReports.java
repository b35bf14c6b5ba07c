package dev.ricochet.aggregator.report;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.PartnerStatus;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.health.HealthScore;
import dev.ricochet.aggregator.store.StateStore;
import org.agrona.collections.Int2ObjectHashMap;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The program reports that look at partners one by one: top partners by a metric, new, active and dormant partners,
 * and the distribution of health scores (docs/reports.md gives each one's cost). Committed state only.
 */
public final class PartnerReports
{
    /**
     * Most partners a top-partners report lists.
     */
    public static final int MAX_TOP = 100;

    /**
     * Upper ends of the health bands, each from the previous end + 1 (the first from 0).
     */
    private static final int[] HEALTH_BANDS = { 19, 39, 59, 79, 100 };

    private final Catalog catalog;
    private final StateStore store;
    private final PartnerRangeSums rangeSums;

    /**
     * @param catalog the partners.
     * @param store   committed state.
     */
    public PartnerReports(final Catalog catalog, final StateStore store)
    {
        this.catalog = catalog;
        this.store = store;
        this.rangeSums = new PartnerRangeSums(store);
    }

    /**
     * The partners with the highest value of a metric over a range, highest first, ties by partner id; partners
     * whose metric is undefined (a ratio without clicks or sales) or who have no bucket in the range are left out.
     *
     * @param program the program.
     * @param metric  the figure ranked by.
     * @param fromDay first epoch day.
     * @param toDay   last epoch day.
     * @param limit   most partners listed, 1 to {@link #MAX_TOP}.
     * @return the report.
     */
    public Map<String, Object> topPartners(final CatalogEntry<ProgramSpec> program, final ReportMetric metric,
        final int fromDay, final int toDay, final int limit)
    {
        final Comparator<Ranked> best = Comparator.comparing(Ranked::value).reversed()
            .thenComparing(ranked -> ranked.partner().id());
        final PriorityQueue<Ranked> kept = new PriorityQueue<>(limit + 1, best.reversed());
        rangeSums.sums(program.number(), fromDay, toDay).forEach((partnerNumber, sums) ->
        {
            final ReportFigures figures = ReportFigures.of(sums);
            final BigDecimal value = metric.of(figures);
            final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(partnerNumber);
            if (null != value && null != partner)
            {
                kept.add(new Ranked(partner, value, figures));
                if (kept.size() > limit)
                {
                    kept.poll();
                }
            }
        });
        final List<Ranked> ranked = new ArrayList<>(kept);
        ranked.sort(best);
        final List<Map<String, Object>> items = new ArrayList<>(ranked.size());
        for (int i = 0; i < ranked.size(); i++)
        {
            final Map<String, Object> item = new LinkedHashMap<>();
            item.put("rank", i + 1);
            item.put("partnerId", ranked.get(i).partner().id());
            item.put("name", ranked.get(i).partner().spec().name());
            item.put("value", ReportFigures.number(ranked.get(i).value()));
            item.putAll(ranked.get(i).figures().view());
            items.add(item);
        }
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("programId", program.id());
        view.put("metric", metric.jsonName());
        view.put("from", LocalDate.ofEpochDay(fromDay).toString());
        view.put("to", LocalDate.ofEpochDay(toDay).toString());
        view.put("currency", program.spec().currency());
        view.put("items", items);
        return view;
    }

    /**
     * New, active and dormant partners (definitions in docs/reports.md).
     *
     * @param program     the program.
     * @param fromDay     first epoch day.
     * @param toDay       last epoch day.
     * @param dormantDays length of the window, ending on toDay, with no activity that makes a partner dormant.
     * @return the report.
     */
    public Map<String, Object> activity(final CatalogEntry<ProgramSpec> program, final int fromDay, final int toDay,
        final int dormantDays)
    {
        final int dormantFrom = toDay - dormantDays + 1;
        final Int2ObjectHashMap<long[]> inRange = rangeSums.sums(program.number(), fromDay, toDay);
        final Int2ObjectHashMap<long[]> inWindow = rangeSums.sums(program.number(), dormantFrom, toDay);
        long joined = 0;
        long statusActive = 0;
        long dormant = 0;
        for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(program.id()))
        {
            final int joinedDay = joinedDay(partner.spec());
            if (joinedDay >= fromDay && joinedDay <= toDay)
            {
                joined++;
            }
            if (PartnerStatus.ACTIVE == PartnerStatus.of(partner.spec()))
            {
                statusActive++;
                final long[] window = inWindow.get(partner.number());
                if (joinedDay < dormantFrom && (null == window || !ReportFigures.isActive(window)))
                {
                    dormant++;
                }
            }
        }
        long active = 0;
        for (final long[] sums : inRange.values())
        {
            if (ReportFigures.isActive(sums))
            {
                active++;
            }
        }
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("programId", program.id());
        view.put("from", LocalDate.ofEpochDay(fromDay).toString());
        view.put("to", LocalDate.ofEpochDay(toDay).toString());
        view.put("dormantDays", dormantDays);
        view.put("joined", joined);
        view.put("active", active);
        view.put("statusActive", statusActive);
        view.put("dormant", dormant);
        return view;
    }

    /**
     * The day a partner joined: the UTC day of its joinedAt, or {@link Integer#MIN_VALUE} when it has none (created
     * before partners carried it), so it never counts as new and is never too new to be dormant.
     */
    private static int joinedDay(final PartnerSpec partner)
    {
        if (null == partner.joinedAt())
        {
            return Integer.MIN_VALUE;
        }
        try
        {
            return (int)Math.floorDiv(Instant.parse(partner.joinedAt()).toEpochMilli(), 86_400_000L);
        }
        catch (final DateTimeParseException | ArithmeticException ex)
        {
            return Integer.MIN_VALUE;
        }
    }

    /**
     * The health scores of the program's active partners in bands of 20 points, and how many are at risk.
     *
     * @param program   the program.
     * @param today     the UTC epoch day the scores are computed for.
     * @param threshold score below which a partner is at risk.
     * @return the report.
     */
    public Map<String, Object> health(final CatalogEntry<ProgramSpec> program, final int today, final int threshold)
    {
        final long[] bands = new long[HEALTH_BANDS.length];
        long partners = 0;
        long atRisk = 0;
        for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(program.id()))
        {
            if (PartnerStatus.ACTIVE != PartnerStatus.of(partner.spec()))
            {
                continue;
            }
            final int score = HealthScore.of(store, partner.number(), today).score();
            partners++;
            atRisk += score < threshold ? 1 : 0;
            int band = 0;
            while (score > HEALTH_BANDS[band])
            {
                band++;
            }
            bands[band]++;
        }
        final List<Map<String, Object>> bandViews = new ArrayList<>(bands.length);
        for (int i = 0; i < bands.length; i++)
        {
            final Map<String, Object> band = new LinkedHashMap<>();
            band.put("from", 0 == i ? 0 : HEALTH_BANDS[i - 1] + 1);
            band.put("to", HEALTH_BANDS[i]);
            band.put("partners", bands[i]);
            bandViews.add(band);
        }
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("programId", program.id());
        view.put("asOf", LocalDate.ofEpochDay(today).toString());
        view.put("partners", partners);
        view.put("threshold", threshold);
        view.put("atRisk", atRisk);
        view.put("bands", bandViews);
        return view;
    }

    /**
     * A partner with its value of the metric ranked by.
     */
    private record Ranked(CatalogEntry<PartnerSpec> partner, BigDecimal value, ReportFigures figures)
    {
    }
}
