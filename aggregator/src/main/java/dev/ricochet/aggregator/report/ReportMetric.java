package dev.ricochet.aggregator.report;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.function.Function;

/**
 * A figure partners can be ranked by ({@code top-partners?metric=}); named as in the report.
 */
public enum ReportMetric
{
    CLICKS("clicks", f -> BigDecimal.valueOf(f.clicks())),
    UNIQUE_CLICKS("uniqueClicks", f -> BigDecimal.valueOf(f.uniqueClicks())),
    LEADS("leads", f -> BigDecimal.valueOf(f.leads())),
    SALES("sales", f -> BigDecimal.valueOf(f.sales())),
    CONVERSIONS("conversions", f -> BigDecimal.valueOf(f.conversions())),
    CONVERSION_RATE("conversionRate", ReportFigures::conversionRate),
    REVENUE("revenue", f -> BigDecimal.valueOf(f.revenue())),
    REFUNDED("refunded", f -> BigDecimal.valueOf(f.refunded())),
    COMMISSION("commission", f -> BigDecimal.valueOf(f.commission())),
    EPC("epc", ReportFigures::epc),
    AVERAGE_ORDER_VALUE("averageOrderValue", ReportFigures::averageOrderValue);

    private final String jsonName;
    private final Function<ReportFigures, BigDecimal> value;

    ReportMetric(final String jsonName, final Function<ReportFigures, BigDecimal> value)
    {
        this.jsonName = jsonName;
        this.value = value;
    }

    /**
     * @return the metric's name in requests and answers.
     */
    public String jsonName()
    {
        return jsonName;
    }

    /**
     * @param figures a partner's figures.
     * @return the metric's value, or null where it is undefined (a ratio without its divisor).
     */
    public BigDecimal of(final ReportFigures figures)
    {
        return value.apply(figures);
    }

    /**
     * @param name a metric's name as in the report (case-insensitive).
     * @return the metric, or null if there is none by that name.
     */
    public static ReportMetric named(final String name)
    {
        for (final ReportMetric metric : values())
        {
            if (metric.jsonName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
            {
                return metric;
            }
        }
        return null;
    }
}
