package dev.ricochet.aggregator.admin;

import dev.ricochet.ingest.ProcessFailure;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The probes of the admin port: {@code /metrics} (the aggregator's {@link AdminCounter}s and the edge's business
 * volume) and {@code /readyz}.
 */
final class MetricsResource
{
    private final AdminApi.AggregatorView aggregator;
    private final Supplier<String> extraMetrics;

    /**
     * @param aggregator   progress of the aggregator.
     * @param extraMetrics more Prometheus text for {@code /metrics} (the edge's business volume).
     */
    MetricsResource(final AdminApi.AggregatorView aggregator, final Supplier<String> extraMetrics)
    {
        this.aggregator = aggregator;
        this.extraMetrics = extraMetrics;
    }

    /**
     * @return the aggregator's progress in Prometheus text format: events applied, lag behind the edge, failure; and
     * the edge's business volume where the launcher wires it.
     */
    String prometheusText()
    {
        final StringBuilder text = new StringBuilder(2048);
        for (final AdminCounter counter : AdminCounter.values())
        {
            counter.appendTo(aggregator, text);
        }
        return text.append(extraMetrics.get()).toString();
    }

    /**
     * {@code GET /readyz}: ready while the process has not failed and the aggregator applies the journal; otherwise
     * 503 and why.
     *
     * @return the readiness answer.
     */
    ApiResponse readiness()
    {
        if (null != ProcessFailure.reason())
        {
            return ApiResponse.error(503, "not ready: " + ProcessFailure.reason());
        }
        if (aggregator.hasFailed())
        {
            return ApiResponse.error(503, "not ready: the aggregator stopped on a failure; a restart resumes from " +
                "the last commit");
        }
        final String stallReason = aggregator.stallReason();
        if (null != stallReason)
        {
            return ApiResponse.error(503, "not ready: " + stallReason);
        }
        final String progressStall = aggregator.progressStall();
        if (null != progressStall)
        {
            return ApiResponse.error(503, "not ready: " + progressStall);
        }
        return ApiResponse.ok(Map.of("status", "ready", "lagEvents", aggregator.lagEvents()));
    }
}
