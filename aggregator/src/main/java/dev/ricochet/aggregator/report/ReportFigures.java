package dev.ricochet.aggregator.report;

import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.ingest.Money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of a report over a set of day buckets (docs/reports.md, "Figures"): the counters summed, and the ratios
 * computed from the sums, never averaged from smaller ranges.
 *
 * @param clicks            real clicks (bots and previews left out).
 * @param uniqueClicks      unique clicks.
 * @param botClicks         clicks judged to be bots.
 * @param previews          link previews (unfurls).
 * @param leads             leads.
 * @param sales             sales.
 * @param conversions       leads + sales.
 * @param conversionRate    conversions / clicks, 4 decimals half-up; null without clicks.
 * @param revenue           attributed revenue net of refunds and chargebacks, minor units.
 * @param refunded          revenue reversed by refunds and chargebacks, minor units.
 * @param commission        commission earned, net of reversals, minor units.
 * @param epc               earnings per click: commission / clicks, minor units, 2 decimals half-up; null without
 *                          clicks.
 * @param averageOrderValue revenue / sales, minor units, 2 decimals half-up; null without sales.
 */
public record ReportFigures(
    long clicks,
    long uniqueClicks,
    long botClicks,
    long previews,
    long leads,
    long sales,
    long conversions,
    BigDecimal conversionRate,
    long revenue,
    long refunded,
    long commission,
    BigDecimal epc,
    BigDecimal averageOrderValue)
{
    /**
     * @param sums summed counters, indexed by {@link CounterField#ordinal()}.
     * @return the figures.
     */
    public static ReportFigures of(final long[] sums)
    {
        final long clicks = sums[CounterField.CLICKS.ordinal()];
        final long sales = sums[CounterField.SALES.ordinal()];
        final long conversions = Money.addSaturated(sums[CounterField.LEADS.ordinal()], sales);
        final long revenue = sums[CounterField.REVENUE.ordinal()];
        final long commission = sums[CounterField.COMMISSION.ordinal()];
        return new ReportFigures(clicks, sums[CounterField.UNIQUE_CLICKS.ordinal()],
            sums[CounterField.BOT_CLICKS.ordinal()], sums[CounterField.PREVIEWS.ordinal()],
            sums[CounterField.LEADS.ordinal()], sales, conversions, ratio(conversions, clicks, 4), revenue,
            sums[CounterField.REFUNDED.ordinal()], commission, ratio(commission, clicks, 2), ratio(revenue, sales, 2));
    }

    /**
     * @return the figures by their names in the reports, in the order of the record.
     */
    public Map<String, Object> view()
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("clicks", clicks);
        view.put("uniqueClicks", uniqueClicks);
        view.put("botClicks", botClicks);
        view.put("previews", previews);
        view.put("leads", leads);
        view.put("sales", sales);
        view.put("conversions", conversions);
        view.put("conversionRate", number(conversionRate));
        view.put("revenue", revenue);
        view.put("refunded", refunded);
        view.put("commission", commission);
        view.put("epc", number(epc));
        view.put("averageOrderValue", number(averageOrderValue));
        return view;
    }

    /**
     * A rounded ratio as written in a report: a JSON number in plain notation (the answer's projection would
     * otherwise write 500.00 as 5E+2). Exact: the values have at most 4 decimals and are far below 2^53.
     *
     * @param value a rounded ratio, or null.
     * @return the value as a double, or null.
     */
    static Double number(final BigDecimal value)
    {
        return null == value ? null : value.doubleValue();
    }

    /**
     * @param sums summed counters.
     * @return true if the sums hold a real click or a conversion: what makes a partner active in a range.
     */
    public static boolean isActive(final long[] sums)
    {
        return sums[CounterField.CLICKS.ordinal()] > 0 || sums[CounterField.LEADS.ordinal()] > 0 ||
            sums[CounterField.SALES.ordinal()] > 0;
    }

    /**
     * @param numerator   dividend.
     * @param denominator divisor.
     * @param scale       decimals kept.
     * @return numerator / denominator rounded half-up to the scale, or null if the denominator is not positive.
     */
    static BigDecimal ratio(final long numerator, final long denominator, final int scale)
    {
        return denominator <= 0 ? null :
            BigDecimal.valueOf(numerator).divide(BigDecimal.valueOf(denominator), scale, RoundingMode.HALF_UP);
    }

    /**
     * Relative change from a previous value: (current - previous) / |previous|, 4 decimals half-up.
     *
     * @param current  this period's value, or null.
     * @param previous the previous period's value, or null.
     * @return the change, or null if either is null or the previous is zero.
     */
    static BigDecimal change(final BigDecimal current, final BigDecimal previous)
    {
        if (null == current || null == previous || 0 == previous.signum())
        {
            return null;
        }
        return current.subtract(previous).divide(previous.abs(), 4, RoundingMode.HALF_UP);
    }
}
