package dev.ricochet.tracker;

import dev.ricochet.ingest.JournalSpaceMonitor;
import dev.ricochet.ingest.ProcessFailure;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The operators' endpoints: {@code /health} (the process answers), {@code /ready} (it can take traffic: no fatal
 * failure, journal disk not low) and {@code /metrics} (Prometheus text). Shared by every channel; they answer even
 * while a loop sheds load.
 */
final class StatusEndpoints
{
    private final TrackerCounters counters;
    private final JournalSpaceMonitor journalSpace;
    private final EdgeOverload overload;
    private final UserAgentVerdicts userAgentVerdicts;

    /**
     * @param userAgentVerdicts the yauaa verdicts, or null when the token list judges alone.
     */
    StatusEndpoints(
        final TrackerCounters counters,
        final JournalSpaceMonitor journalSpace,
        final EdgeOverload overload,
        final UserAgentVerdicts userAgentVerdicts)
    {
        this.counters = counters;
        this.journalSpace = journalSpace;
        this.overload = overload;
        this.userAgentVerdicts = userAgentVerdicts;
    }

    /**
     * @return true for the routes answered here.
     */
    static boolean isStatusRoute(final int route)
    {
        return RequestPath.HEALTH == route || RequestPath.READY == route || RequestPath.METRICS == route;
    }

    /**
     * Answer a GET or HEAD of one of {@link #isStatusRoute(int)}.
     */
    void answer(final ChannelHandlerContext ctx, final int route)
    {
        switch (route)
        {
            case RequestPath.HEALTH -> ctx.write(Responses.text(HttpResponseStatus.OK, "ok\n"), ctx.voidPromise());
            case RequestPath.READY -> ctx.write(ready(), ctx.voidPromise());
            default -> ctx.write(Responses.text(HttpResponseStatus.OK, counters.toPrometheusText() +
                journalSpace.toPrometheusText() + overload.toPrometheusText() +
                (null == userAgentVerdicts ? "" : userAgentVerdicts.toPrometheusText())), ctx.voidPromise());
        }
    }

    private FullHttpResponse ready()
    {
        if (null != ProcessFailure.reason())
        {
            return Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                "not ready: " + ProcessFailure.reason() + "\n");
        }
        if (journalSpace.isLow())
        {
            return Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: " + journalSpace.reason() + "\n");
        }
        return Responses.text(HttpResponseStatus.OK, "ready\n");
    }
}
