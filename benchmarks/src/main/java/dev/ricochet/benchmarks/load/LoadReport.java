package dev.ricochet.benchmarks.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.io.PrintStream;
import java.util.Locale;

/**
 * What a run measured, as a human summary and as JSON: counts, statuses, errors by kind, throughput, latency
 * percentiles in microseconds and the full percentile distribution for plotting.
 */
final class LoadReport
{
    static final String NOT_A_RESULT = "NOT A RESULT";
    private static final double[] PERCENTILES = { 50, 75, 90, 99, 99.9 };
    private static final String[] PERCENTILE_NAMES = { "p50", "p75", "p90", "p99", "p99.9" };
    private static final int DISTRIBUTION_TICKS_PER_HALF_DISTANCE = 5;

    private final LoadOptions options;
    private final String transport;
    private final Tally tally;
    private final Histogram latencyNs;
    private final long clientCpuNs;
    private final boolean isDrained;

    /**
     * @param options     the run's options.
     * @param transport   {@code epoll} or {@code nio}.
     * @param tally       merged counts of all event loops.
     * @param clientCpuNs CPU time of this process over the measured window, or -1 if unknown.
     * @param isDrained   false if requests were still outstanding when the harness stopped waiting.
     */
    LoadReport(
        final LoadOptions options,
        final String transport,
        final Tally tally,
        final long clientCpuNs,
        final boolean isDrained)
    {
        this.options = options;
        this.transport = transport;
        this.tally = tally;
        this.latencyNs = tally.latencyNs();
        this.clientCpuNs = clientCpuNs;
        this.isDrained = isDrained;
    }

    /**
     * @return true if every request got the answer the contract promises and there is something to report.
     */
    boolean isResult()
    {
        return 0 == errors() && requests() > 0 && isDrained;
    }

    long requests()
    {
        return tally.requests();
    }

    long requests(final RequestKind kind)
    {
        return tally.requestsByKind[kind.ordinal()];
    }

    long errors()
    {
        return tally.errors();
    }

    long errors(final ErrorKind kind)
    {
        return tally.errorsByKind[kind.ordinal()];
    }

    long responses(final int status)
    {
        return tally.responsesByStatus[status];
    }

    long scheduled()
    {
        return tally.scheduled;
    }

    long notSent()
    {
        return tally.notSent;
    }

    double throughputRps()
    {
        return requests() * 1e9 / options.durationNs();
    }

    /**
     * @return latency at a percentile, in microseconds.
     */
    double latencyUs(final double percentile)
    {
        return latencyNs.getValueAtPercentile(percentile) / 1e3;
    }

    void printSummary(final PrintStream out)
    {
        out.printf(Locale.ROOT, "ricochet load: %s, %s loop, %d connections, %d client thread(s), %s, %s%n",
            options.workload().label(), options.isOpenLoop() ? "open" : "closed", options.connections(),
            options.threads(), transport, options.url());
        out.printf(Locale.ROOT, "  duration      %.1f s measured after %.1f s warm-up (%d warm-up requests)%n",
            options.durationNs() / 1e9, options.warmupNs() / 1e9, tally.warmupRequests);
        final StringBuilder kinds = new StringBuilder();
        for (final RequestKind kind : RequestKind.values())
        {
            if (requests(kind) > 0)
            {
                kinds.append(kinds.length() == 0 ? "" : ", ").append(kind.label()).append(' ').append(requests(kind));
            }
        }
        out.printf(Locale.ROOT, "  requests      %d (%s)%n", requests(), kinds);
        if (options.isOpenLoop())
        {
            out.printf(Locale.ROOT, "  rate          %.1f req/s achieved of %.1f scheduled (%d scheduled, %d not " +
                "sent)%n", throughputRps(), options.rate(), scheduled(), notSent());
            out.printf(Locale.ROOT, "  send lag (us) p50 %.1f  p99 %.1f  max %.1f  (intended to actual send: " +
                "busy connection or late client; part of latency)%n", tally.sendLagNs.getValueAtPercentile(50) / 1e3,
                tally.sendLagNs.getValueAtPercentile(99) / 1e3, tally.sendLagNs.getMaxValue() / 1e3);
        }
        else
        {
            out.printf(Locale.ROOT, "  throughput    %.1f req/s%n", throughputRps());
        }
        final StringBuilder latency = new StringBuilder();
        for (int i = 0; i < PERCENTILES.length; i++)
        {
            latency.append(PERCENTILE_NAMES[i]).append(' ')
                .append(String.format(Locale.ROOT, "%.1f", latencyUs(PERCENTILES[i]))).append("  ");
        }
        latency.append("max ").append(String.format(Locale.ROOT, "%.1f", latencyNs.getMaxValue() / 1e3));
        out.printf(Locale.ROOT, "  latency (us)  %s  [from %s]%n", latency,
            options.isOpenLoop() ? "intended send time" : "send time");
        for (final RequestKind kind : RequestKind.values())
        {
            final Histogram histogram = tally.latencyNsByKind[kind.ordinal()];
            if (requests(kind) > 0 && requests(kind) != requests())
            {
                out.printf(Locale.ROOT, "    %-11s p50 %.1f  p99 %.1f  max %.1f%n", kind.label(),
                    histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
                    histogram.getMaxValue() / 1e3);
            }
        }
        final StringBuilder statuses = new StringBuilder();
        for (int status = 0; status < tally.responsesByStatus.length; status++)
        {
            if (tally.responsesByStatus[status] > 0)
            {
                statuses.append(statuses.length() == 0 ? "" : ", ").append(status).append(": ")
                    .append(tally.responsesByStatus[status]);
            }
        }
        out.printf(Locale.ROOT, "  statuses      %s%n", statuses.length() == 0 ? "none" : statuses);
        if (clientCpuNs >= 0)
        {
            out.printf(Locale.ROOT, "  client CPU    %.2f s (%.0f%% of one core)%n", clientCpuNs / 1e9,
                100.0 * clientCpuNs / options.durationNs());
        }
        out.printf(Locale.ROOT, "  errors        %d%n", errors());
        for (final ErrorKind kind : ErrorKind.values())
        {
            if (errors(kind) > 0)
            {
                out.printf(Locale.ROOT, "    %-19s %d  (%s)%n", kind.label(), errors(kind), kind.description());
            }
        }
        if (!isResult())
        {
            final String why = errors() > 0 ? errors() + " error(s) (counted over warm-up and measurement)" :
                !isDrained ? "requests still outstanding when the harness stopped waiting" : "no responses";
            out.println(NOT_A_RESULT + ": " + why);
        }
    }

    /**
     * Write HdrHistogram's percentile distribution text (values in microseconds), the input of its plotter.
     */
    void printPercentileDistribution(final PrintStream out)
    {
        latencyNs.outputPercentileDistribution(out, DISTRIBUTION_TICKS_PER_HALF_DISTANCE, 1e3);
    }

    String toJson()
    {
        final StringBuilder json = new StringBuilder(8192).append('{');
        field(json, "target").append(quote(options.url())).append(',');
        field(json, "workload").append(quote(options.workload().label())).append(',');
        field(json, "mode").append(quote(options.isOpenLoop() ? "open" : "closed")).append(',');
        field(json, "connections").append(options.connections()).append(',');
        field(json, "threads").append(options.threads()).append(',');
        field(json, "transport").append(quote(transport)).append(',');
        field(json, "durationSeconds").append(number(options.durationNs() / 1e9)).append(',');
        field(json, "warmupSeconds").append(number(options.warmupNs() / 1e9)).append(',');
        if (options.isOpenLoop())
        {
            field(json, "rate").append(number(options.rate())).append(',');
            field(json, "scheduled").append(scheduled()).append(',');
            field(json, "notSent").append(notSent()).append(',');
            field(json, "achievedRateRps").append(number(throughputRps())).append(',');
            field(json, "sendLagUs").append(percentiles(tally.sendLagNs)).append(',');
        }
        field(json, "result").append(isResult()).append(',');
        field(json, "requests").append(requests()).append(',');
        field(json, "requestsByKind").append('{');
        for (final RequestKind kind : RequestKind.values())
        {
            field(json, kind.label()).append(requests(kind)).append(kind.ordinal() + 1 < RequestKind.values().length ?
                "," : "");
        }
        json.append("},");
        field(json, "warmupRequests").append(tally.warmupRequests).append(',');
        field(json, "reconnects").append(tally.reconnects).append(',');
        field(json, "responsesByStatus").append('{');
        boolean isFirst = true;
        for (int status = 0; status < tally.responsesByStatus.length; status++)
        {
            if (tally.responsesByStatus[status] > 0)
            {
                json.append(isFirst ? "" : ",");
                field(json, Integer.toString(status)).append(tally.responsesByStatus[status]);
                isFirst = false;
            }
        }
        json.append("},");
        field(json, "errors").append(errors()).append(',');
        field(json, "errorsByKind").append('{');
        for (final ErrorKind kind : ErrorKind.values())
        {
            field(json, kind.label()).append(errors(kind)).append(kind.ordinal() + 1 < ErrorKind.values().length ?
                "," : "");
        }
        json.append("},");
        field(json, "throughputRps").append(number(throughputRps())).append(',');
        field(json, "latencyMeasuredFrom").append(quote(options.isOpenLoop() ? "intended" : "sent")).append(',');
        field(json, "latencyUs").append(percentiles(latencyNs)).append(',');
        field(json, "latencyUsByKind").append('{');
        isFirst = true;
        for (final RequestKind kind : RequestKind.values())
        {
            if (requests(kind) > 0)
            {
                json.append(isFirst ? "" : ",");
                field(json, kind.label()).append(percentiles(tally.latencyNsByKind[kind.ordinal()]));
                isFirst = false;
            }
        }
        json.append("},");
        if (clientCpuNs >= 0)
        {
            field(json, "clientCpuSeconds").append(number(clientCpuNs / 1e9)).append(',');
            field(json, "clientCpuPercentOfOneCore").append(number(100.0 * clientCpuNs / options.durationNs()))
                .append(',');
        }
        field(json, "distribution").append('[');
        isFirst = true;
        if (latencyNs.getTotalCount() > 0)
        {
            for (final HistogramIterationValue value : latencyNs.percentiles(DISTRIBUTION_TICKS_PER_HALF_DISTANCE))
            {
                json.append(isFirst ? "" : ",").append('[').append(number(value.getPercentileLevelIteratedTo()))
                    .append(',').append(number(value.getValueIteratedTo() / 1e3)).append(']');
                isFirst = false;
            }
        }
        return json.append("]}\n").toString();
    }

    private static String percentiles(final Histogram histogram)
    {
        final StringBuilder json = new StringBuilder(160).append('{');
        field(json, "count").append(histogram.getTotalCount()).append(',');
        for (int i = 0; i < PERCENTILES.length; i++)
        {
            field(json, PERCENTILE_NAMES[i]).append(number(histogram.getValueAtPercentile(PERCENTILES[i]) / 1e3))
                .append(',');
        }
        field(json, "max").append(number(histogram.getMaxValue() / 1e3)).append(',');
        field(json, "mean").append(number(histogram.getTotalCount() > 0 ? histogram.getMean() / 1e3 : 0));
        return json.append('}').toString();
    }

    private static StringBuilder field(final StringBuilder json, final String name)
    {
        return json.append(quote(name)).append(':');
    }

    private static String number(final double value)
    {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static String quote(final String text)
    {
        final StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if ('"' == c || '\\' == c)
            {
                quoted.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                quoted.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
            }
            else
            {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
