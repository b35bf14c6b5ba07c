package dev.ricochet.aggregator.admin;

import java.util.function.ToLongFunction;

/**
 * The aggregator's metrics on the admin port's {@code /metrics}, in the order they are written: Prometheus name,
 * type, help and where the value comes from.
 */
enum AdminCounter
{
    EVENTS_APPLIED("ricochet_aggregator_events_applied_total", Type.COUNTER,
        "Journal events applied since start",
        AdminApi.AggregatorView::eventsApplied),
    LAG_EVENTS("ricochet_aggregator_lag_events", Type.GAUGE,
        "Journal events not yet applied (behind the edge)",
        AdminApi.AggregatorView::lagEvents),
    FAILED("ricochet_aggregator_failed", Type.GAUGE,
        "1 if the aggregator stopped on a failure",
        aggregator -> aggregator.hasFailed() ? 1 : 0),
    STORE_STALLED("ricochet_aggregator_store_stalled", Type.GAUGE,
        "1 while the state store refuses commits (disk full, I/O error)",
        aggregator -> null == aggregator.stallReason() ? 0 : 1),
    STORE_FAILURES("ricochet_aggregator_store_failures_total", Type.COUNTER,
        "Failed commit attempts: refused writes, failed reopens",
        AdminApi.AggregatorView::storeFailures),
    STORE_RECOVERIES("ricochet_aggregator_store_recoveries_total", Type.COUNTER,
        "Stalls ended by writing the refused commit",
        AdminApi.AggregatorView::storeRecoveries),
    AMOUNTS_REFUSED("ricochet_aggregator_amounts_refused_total", Type.COUNTER,
        "Conversions and pixel reports left out: amount past the bound",
        AdminApi.AggregatorView::amountsRefused),
    COUNTER_SATURATIONS("ricochet_aggregator_counter_saturations_total", Type.COUNTER,
        "Counter sums held at the end of a long",
        AdminApi.AggregatorView::counterSaturations),
    PROGRESS_STALLED("ricochet_aggregator_progress_stalled", Type.GAUGE,
        "1 while events wait and none is applied (see /readyz)",
        aggregator -> null == aggregator.progressStall() ? 0 : 1),
    HEADER_TIMES_BOUNDED("ricochet_aggregator_header_times_bounded_total", Type.COUNTER,
        "Events read with a header time ahead of the wall clock (or before 1970), applied as wall clock + " +
        "5 min (or 1970)",
        AdminApi.AggregatorView::headerTimesBounded);

    /**
     * Prometheus metric types.
     */
    enum Type
    {
        COUNTER("counter"), GAUGE("gauge");

        private final String text;

        Type(final String text)
        {
            this.text = text;
        }
    }

    private final String metricName;
    private final Type type;
    private final String help;
    private final ToLongFunction<AdminApi.AggregatorView> value;

    AdminCounter(final String metricName, final Type type, final String help,
        final ToLongFunction<AdminApi.AggregatorView> value)
    {
        this.metricName = metricName;
        this.type = type;
        this.help = help;
        this.value = value;
    }

    /**
     * @param aggregator where the value is read.
     * @param out        receives its HELP and TYPE lines, then its sample, in Prometheus text format.
     */
    void appendTo(final AdminApi.AggregatorView aggregator, final StringBuilder out)
    {
        out.append("# HELP ").append(metricName).append(' ').append(help)
            .append("\n# TYPE ").append(metricName).append(' ').append(type.text)
            .append('\n').append(metricName).append(' ').append(value.applyAsLong(aggregator)).append('\n');
    }
}
