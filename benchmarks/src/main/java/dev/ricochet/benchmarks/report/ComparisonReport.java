package dev.ricochet.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the raw outputs of one {@code benchmarks/compare} run into {@code latest.json}, {@code latest.md} and a
 * latency plot: every figure beside its anchor, with the ratio and the target it is held to.
 *
 * <p>{@code ComparisonReport --raw DIR --out DIR}. A figure whose input is missing is reported as missing, never
 * guessed.
 */
public final class ComparisonReport
{
    /**
     * A JMH benchmark and the anchor it runs beside; the ratio is ours / anchor on throughput.
     */
    private record MicroPair(String title, String ours, String anchor, double minRatio)
    {
    }

    private static final List<MicroPair> MICRO_PAIRS = List.of(
        new MicroPair("Redirect through the real pipeline vs the same pipeline answering a static 302",
            "RedirectPipelineBenchmark.redirect", "RedirectPipelineBenchmark.staticResponse", 0.85),
        new MicroPair("Click encode + journal append vs raw Chronicle append, 1 thread",
            "ClickAppendBenchmark.encodeAndAppendT1", "ClickAppendBenchmark.rawChronicleAppendT1", 0.8),
        new MicroPair("Click encode + journal append vs raw Chronicle append, 2 threads",
            "ClickAppendBenchmark.encodeAndAppendT2", "ClickAppendBenchmark.rawChronicleAppendT2", 0.8),
        new MicroPair("Click encode + journal append vs raw Chronicle append, 4 threads",
            "ClickAppendBenchmark.encodeAndAppendT4", "ClickAppendBenchmark.rawChronicleAppendT4", 0.8),
        new MicroPair("Journal tail + decode + attribution/counters vs bare tail",
            "AttributionTailBenchmark.aggregate", "AttributionTailBenchmark.tail", 0.3),
        new MicroPair("Counter flush (WriteBatch + checkpoint) vs plain rocksjava batched put",
            "CounterFlushBenchmark.flush", "CounterFlushBenchmark.plainBatch", 0.9));

    private final ObjectMapper json = new ObjectMapper();
    private final Path raw;
    private final ObjectNode report;
    private final ArrayNode figures;
    private final ObjectNode rawInputs;
    private final StringBuilder md = new StringBuilder(16_384);

    private ComparisonReport(final Path raw)
    {
        this.raw = raw;
        this.report = json.createObjectNode();
        this.figures = report.putArray("figures");
        this.rawInputs = report.putObject("raw");
    }

    /**
     * @param args {@code --raw DIR --out DIR}.
     * @throws IOException if the inputs cannot be read or the outputs written.
     */
    public static void main(final String[] args) throws IOException
    {
        Path raw = null;
        Path out = null;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--raw" -> raw = Path.of(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown flag " + args[i] + "; use --raw DIR --out DIR");
            }
        }
        if (null == raw || null == out)
        {
            throw new IllegalArgumentException("usage: ComparisonReport --raw DIR --out DIR");
        }
        new ComparisonReport(raw).write(out);
    }

    private void write(final Path out) throws IOException
    {
        final JsonNode machine = read("machine.json");
        report.set("machine", machine);
        report.set("steps", steps());
        header(machine);
        edgeSection();
        latencySection();
        pipelineSection();
        startupSection();
        microSection();
        summarySection();

        Files.createDirectories(out);
        Files.writeString(out.resolve("latest.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        Files.writeString(out.resolve("latest.md"), md.toString());
        Files.writeString(out.resolve("latency.svg"), LatencyPlot.svg(e3Series()));
    }

    private void header(final JsonNode machine)
    {
        md.append("# Ricochet performance: latest comparison\n\n");
        md.append("Written by `benchmarks/compare` in one run on one machine; reproduce with that one command.\n");
        if (machine.path("quick").asBoolean(false))
        {
            md.append("\n**Quick run (`--quick`): steps too short to be results.**\n");
        }
        md.append("\n| Machine | |\n|---|---|\n");
        row("CPU", machine.path("cpu").asText() + " (" + machine.path("cores").asInt() + " cores)");
        row("Memory", String.format(Locale.ROOT, "%.1f GiB", machine.path("memKiB").asLong() / 1048576.0));
        row("Kernel", machine.path("kernel").asText());
        row("JDK", machine.path("jdk").asText());
        row("nginx", machine.path("nginx").asText());
        final JsonNode versions = machine.path("versions");
        row("Libraries", "Netty " + versions.path("netty").asText() + ", Chronicle Queue " +
            versions.path("chronicleQueue").asText() + ", RocksDB " + versions.path("rocksdb").asText() + ", Agrona " +
            versions.path("agrona").asText() + ", HdrHistogram " + versions.path("hdrHistogram").asText() + ", JMH " +
            versions.path("jmh").asText());
        row("Commit", machine.path("commit").asText());
        row("Load", machine.path("connections").asInt() + " keep-alive connections, " +
            machine.path("stepSeconds").asInt() + " s per step after " + machine.path("warmupSeconds").asInt() +
            " s warm-up; Ricochet and nginx both with " + machine.path("eventLoops").asInt() +
            " event loops / workers; the load generator runs on the same cores");
        md.append('\n');
    }

    private void edgeSection()
    {
        md.append("## E1, E1b, E4: peak rate (closed loop)\n\n");
        md.append("| Run | Requests/s | p50 µs | p99 µs | errors | load avg before |\n|---|---:|---:|---:|---:|---|\n");
        for (final String name : List.of("e1-ricochet-redirect", "e1b-ricochet-redirect-journal-off",
            "e4-ricochet-redirect-power-safe", "e1-nginx-redirect", "e1-ricochet-pixel", "e1-nginx-pixel"))
        {
            final JsonNode run = read(name + ".json");
            md.append("| ").append(name).append(" | ").append(num(run.path("throughputRps").asDouble(), 0))
                .append(" | ").append(num(run.path("latencyUs").path("p50").asDouble(), 0))
                .append(" | ").append(num(run.path("latencyUs").path("p99").asDouble(), 0))
                .append(" | ").append(run.path("errors").asText("missing"))
                .append(" | ").append(loadBefore(name)).append(" |\n");
        }
        md.append('\n');
        final double redirect = rps("e1-ricochet-redirect");
        figure("E1", "Redirect peak: Ricochet (journal on) vs nginx return 302 (moonshot: 1.0)", redirect, "req/s",
            rps("e1-nginx-redirect"), 1.0, true);
        figure("E1", "Pixel peak: Ricochet (journal on) vs nginx empty_gif", rps("e1-ricochet-pixel"), "req/s",
            rps("e1-nginx-pixel"), 1.0, true);
        figure("E1b", "Journal on vs journal off (journaling costs at most 10%)", redirect, "req/s",
            rps("e1b-ricochet-redirect-journal-off"), 0.9, true);
        figure("E4", "Power-safe clicks vs E1 (grouped sync before each 302)", rps("e4-ricochet-redirect-power-safe"),
            "req/s", redirect, 0.8, true);
    }

    private void latencySection()
    {
        md.append("## E3: latency at a constant rate (open loop, coordinated omission corrected)\n\n");
        md.append("Latency counts from each request's intended send time. Rates are shares of Ricochet's E1 peak; ")
            .append("nginx gets the same absolute rates. Plot: [latency.svg](latency.svg). The load generator ")
            .append("shares the cores and runs at a higher priority (nice -5), so that it sends on time; its own ")
            .append("send lag (p99, from intended to actual send) is shown beside each server, since it counts in ")
            .append("the latency.\n\n");
        md.append("| Load | Rate/s | Ricochet p50 / p99 / p99.9 / max µs | nginx p50 / p99 / p99.9 / max µs |")
            .append(" p99 ratio | send lag p99 µs | errors |\n|---|---:|---|---|---:|---|---:|\n");
        for (final int pct : new int[]{50, 75, 90})
        {
            final JsonNode ours = read("e3-ricochet-" + pct + ".json");
            final JsonNode nginx = read("e3-nginx-" + pct + ".json");
            final double oursP99 = ours.path("latencyUs").path("p99").asDouble(Double.NaN);
            final double nginxP99 = nginx.path("latencyUs").path("p99").asDouble(Double.NaN);
            md.append("| ").append(pct).append("% | ").append(num(ours.path("rate").asDouble(), 0)).append(" | ")
                .append(latencies(ours)).append(" | ").append(latencies(nginx)).append(" | ")
                .append(num(oursP99 / nginxP99, 2)).append(" | ")
                .append(num(ours.path("sendLagUs").path("p99").asDouble(Double.NaN), 0)).append(" / ")
                .append(num(nginx.path("sendLagUs").path("p99").asDouble(Double.NaN), 0)).append(" | ")
                .append(ours.path("errors").asText("missing")).append(" / ").append(nginx.path("errors").asText(
                    "missing"))
                .append(" |\n");
            if (pct <= 75)
            {
                // Held to at most 1.5x nginx's p99: expressed as nginx / ours >= 1/1.5.
                figure("E3", "p99 at " + pct + "% of peak: nginx / Ricochet (Ricochet p99 <= 1.5x nginx)", nginxP99,
                    "µs", oursP99, 1 / 1.5, true);
            }
            if (50 == pct)
            {
                figure("E3", "max latency at 50% of peak, under 10 ms", ours.path("latencyUs").path("max")
                    .asDouble(Double.NaN), "µs", 10_000, Double.NaN, false);
                final JsonNode last = figures.get(figures.size() - 1);
                ((ObjectNode)last).put("pass", ours.path("latencyUs").path("max").asDouble(Double.MAX_VALUE) <= 10_000);
            }
        }
        md.append('\n');
    }

    private void pipelineSection()
    {
        final JsonNode load = read("e5-mixed.json");
        final JsonNode aggregator = read("e5-aggregator.json");
        final JsonNode replay = read("replay.json");
        md.append("## E5: the full pipeline, and replay\n\n");
        md.append("Mixed load (95% redirects, 4% pixels, 1% signed Stripe conversions) at the edge's full rate ")
            .append("(closed loop) for ").append(num(aggregator.path("seconds").asDouble(), 0))
            .append(" s, with the aggregator in the same process on the same cores.\n\n");
        md.append("| | |\n|---|---|\n");
        row("Edge rate", num(load.path("throughputRps").asDouble(), 0) + " req/s, " + load.path("errors").asText() +
            " errors, p99 " + num(load.path("latencyUs").path("p99").asDouble(), 0) + " µs");
        row("Aggregator CPU", num(aggregator.path("aggregatorCpuSeconds").asDouble(), 1) + " s = " +
            num(100 * aggregator.path("aggregatorCoreShare").asDouble(), 1) + "% of one core");
        row("Lag (events behind the edge)", "max " + aggregator.path("maxLagEvents").asText() + ", mean " +
            aggregator.path("meanLagEvents").asText() + " over " + aggregator.path("lagSamples").asText() +
            " samples; drained " + aggregator.path("drainSeconds").asText() + " s after the load stopped");
        row("Events applied", aggregator.path("eventsApplied").asText());
        row("Replay (one core, taskset)", num(replay.path("eventsPerSecond").asDouble(), 0) + " events/s over " +
            replay.path("events").asText() + " events (" + num(replay.path("seconds").asDouble(), 2) + " s)");
        md.append('\n');
        figure("E5", "Aggregator share of one core at the edge's full rate (at most 25%)",
            aggregator.path("aggregatorCoreShare").asDouble(Double.NaN) * 100, "% of a core", 25, Double.NaN, false);
        ((ObjectNode)figures.get(figures.size() - 1)).put("pass",
            aggregator.path("aggregatorCoreShare").asDouble(1) <= 0.25);
        figure("E5", "Standalone replay, one core (at least 1,000,000 events/s)",
            replay.path("eventsPerSecond").asDouble(Double.NaN), "events/s", 1_000_000, 1.0, true);
    }

    private void startupSection()
    {
        md.append("## E7: start-up and memory\n\n");
        final List<Long> startups = new ArrayList<>();
        try
        {
            for (final String line : Files.readAllLines(raw.resolve("e7-startup.txt")))
            {
                if (!line.isBlank())
                {
                    startups.add(Long.parseLong(line.trim()));
                }
            }
        }
        catch (final IOException ex)
        {
            // reported as missing below
        }
        startups.sort(Long::compare);
        final double median = startups.isEmpty() ? Double.NaN : startups.get(startups.size() / 2);
        final JsonNode rss = read("e7-rss.json");
        final JsonNode rssLoad = read("e7-rss-load.json");
        md.append("| | |\n|---|---|\n");
        row("Start-up to first 302 (`ops/ricochet run`, restart with a catalog)", startups + " ms, median " +
            num(median, 0) + " ms");
        row("Resident memory with " + rss.path("links").asText() + " links", num(rss.path("vmRssKiB").asDouble() /
            1024, 0) + " MiB (peak " + num(rss.path("vmHwmKiB").asDouble() / 1024, 0) + " MiB; " +
            num(rss.path("rssAnonKiB").asDouble() / 1024, 0) + " MiB anonymous, " +
            num(rss.path("rssFileKiB").asDouble() / 1024, 0) + " MiB mapped files such as the journal) after " +
            num(rssLoad.path("requests").asDouble(), 0) + " redirects over those links, " +
            rssLoad.path("errors").asText() + " errors");
        md.append('\n');
        figure("E7", "Start-up to first 302 (at most 1,500 ms)", median, "ms", 1500, Double.NaN, false);
        ((ObjectNode)figures.get(figures.size() - 1)).put("pass", median <= 1500);
        figure("E7", "RSS with " + rss.path("links").asText() + " links (at most 512 MiB)",
            rss.path("vmRssKiB").asDouble(Double.NaN) / 1024, "MiB", 512, Double.NaN, false);
        ((ObjectNode)figures.get(figures.size() - 1)).put("pass",
            rss.path("vmRssKiB").asDouble(Double.MAX_VALUE) / 1024 <= 512);
    }

    private void microSection()
    {
        final JsonNode jmh = read("jmh.json");
        md.append("## JMH micro-benchmarks\n\n");
        final JsonNode source = read("jmh-source.json");
        if (!source.isMissingNode())
        {
            md.append("JMH results reused from an earlier run of the same commit on this machine: `")
                .append(source.path("jmhReusedFrom").asText()).append("`.\n\n");
        }
        md.append(
            "| Benchmark | Mode | Score | Error | Unit | alloc B/op | p99 |\n|---|---|---:|---:|---|---:|---:|\n");
        for (final JsonNode result : jmh)
        {
            final JsonNode primary = result.path("primaryMetric");
            final JsonNode alloc = result.path("secondaryMetrics").path("gc.alloc.rate.norm");
            final JsonNode p99 = primary.path("scorePercentiles").path("99.0");
            md.append("| ").append(shortName(result)).append(" | ").append(result.path("mode").asText())
                .append(" | ").append(num(primary.path("score").asDouble(), 3))
                .append(" | ").append(num(primary.path("scoreError").asDouble(), 3))
                .append(" | ").append(primary.path("scoreUnit").asText())
                .append(" | ").append(alloc.isMissingNode() ? "" : num(alloc.path("score").asDouble(), 1))
                .append(" | ").append("sample".equals(result.path("mode").asText()) && !p99.isMissingNode() ?
                    num(p99.asDouble(), 3) + " " + primary.path("scoreUnit").asText() : "")
                .append(" |\n");
        }
        md.append('\n');
        for (final MicroPair pair : MICRO_PAIRS)
        {
            figure("micro", pair.title(), throughput(jmh, pair.ours()), "ops/s", throughput(jmh, pair.anchor()),
                pair.minRatio(), true);
        }
        final double ours = allocation(jmh, "RedirectPipelineBenchmark.redirect");
        final double anchor = allocation(jmh, "RedirectPipelineBenchmark.staticResponse");
        figure("micro", "Bytes allocated per redirect by our code (redirect minus static pipeline, target 0)",
            ours - anchor, "B/op", 0, Double.NaN, false);
        ((ObjectNode)figures.get(figures.size() - 1)).put("pass", ours - anchor <= 0.5);
    }

    private void summarySection()
    {
        final StringBuilder summary = new StringBuilder(4096);
        summary.append("## Summary: every figure beside its anchor\n\n");
        summary.append("| Step | Figure | Value | Anchor | Ratio | Target | Met |\n|---|---|---:|---:|---:|---|---|\n");
        for (final JsonNode figure : figures)
        {
            final double minRatio = figure.path("minRatio").asDouble(Double.NaN);
            summary.append("| ").append(figure.path("step").asText()).append(" | ").append(figure.path("title").asText(
                ))
                .append(" | ").append(num(figure.path("value").asDouble(Double.NaN), 2)).append(' ')
                .append(figure.path("unit").asText())
                .append(" | ").append(num(figure.path("anchor").asDouble(Double.NaN), 2))
                .append(" | ").append(num(figure.path("ratio").asDouble(Double.NaN), 3))
                .append(" | ").append(Double.isNaN(minRatio) ? "see figure" : "ratio >= " + num(minRatio, 2))
                .append(" | ").append(figure.path("pass").isMissingNode() ? "missing" :
                    figure.path("pass").asBoolean() ? "yes" : "**no**")
                .append(" |\n");
        }
        summary.append('\n');
        final int afterHeader = md.indexOf("\n## ");
        md.insert(afterHeader + 1, summary);
    }

    private void figure(
        final String step,
        final String title,
        final double value,
        final String unit,
        final double anchor,
        final double minRatio,
        final boolean isRatioTarget)
    {
        final ObjectNode figure = figures.addObject();
        figure.put("step", step).put("title", title).put("unit", unit);
        putNumber(figure, "value", value);
        putNumber(figure, "anchor", anchor);
        final double ratio = value / anchor;
        putNumber(figure, "ratio", ratio);
        putNumber(figure, "minRatio", minRatio);
        if (isRatioTarget && !Double.isNaN(ratio))
        {
            figure.put("pass", ratio >= minRatio);
        }
    }

    private static void putNumber(final ObjectNode node, final String name, final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            node.putNull(name);
        }
        else
        {
            node.put(name, value);
        }
    }

    private List<LatencyPlot.Series> e3Series()
    {
        final List<LatencyPlot.Series> series = new ArrayList<>();
        for (final String server : List.of("ricochet", "nginx"))
        {
            for (final int pct : new int[]{50, 75, 90})
            {
                final JsonNode run = read("e3-" + server + "-" + pct + ".json");
                final List<double[]> points = new ArrayList<>();
                for (final JsonNode point : run.path("distribution"))
                {
                    points.add(new double[]{point.get(0).asDouble(), point.get(1).asDouble()});
                }
                series.add(new LatencyPlot.Series(server + " at " + pct + "% (" +
                    num(run.path("rate").asDouble(), 0) + "/s)", "ricochet".equals(server), pct, points));
            }
        }
        return series;
    }

    private ArrayNode steps()
    {
        final ArrayNode steps = json.createArrayNode();
        try
        {
            for (final String line : Files.readAllLines(raw.resolve("steps.jsonl")))
            {
                if (!line.isBlank())
                {
                    steps.add(json.readTree(line));
                }
            }
        }
        catch (final IOException ex)
        {
            // no steps recorded
        }
        return steps;
    }

    private String loadBefore(final String step)
    {
        for (final JsonNode entry : report.path("steps"))
        {
            if (step.equals(entry.path("step").asText()))
            {
                return entry.path("loadavg").asText();
            }
        }
        return "";
    }

    private JsonNode read(final String name)
    {
        final Path file = raw.resolve(name);
        try
        {
            final JsonNode node = json.readTree(Files.readString(file, StandardCharsets.UTF_8));
            rawInputs.set(name.replace(".json", ""), name.startsWith("e3-") || name.startsWith("e1") ||
                name.startsWith("e4") || name.startsWith("e5-mixed") ? withoutDistribution(node) : node);
            return node;
        }
        catch (final IOException ex)
        {
            return json.missingNode();
        }
    }

    private static JsonNode withoutDistribution(final JsonNode node)
    {
        final ObjectNode copy = node.deepCopy();
        copy.remove("distribution");
        return copy;
    }

    private double rps(final String name)
    {
        final JsonNode run = read(name + ".json");
        return run.path("result").asBoolean(false) ? run.path("throughputRps").asDouble(Double.NaN) : Double.NaN;
    }

    /**
     * Operations per second of a benchmark whatever its mode: throughput as is, time per operation inverted.
     */
    private static double throughput(final JsonNode jmh, final String benchmark)
    {
        for (final String mode : List.of("thrpt", "avgt", "ss"))
        {
            for (final JsonNode result : jmh)
            {
                if (result.path("benchmark").asText().endsWith(benchmark) && mode.equals(result.path("mode").asText()))
                {
                    final double score = result.path("primaryMetric").path("score").asDouble();
                    final String unit = result.path("primaryMetric").path("scoreUnit").asText();
                    final String[] parts = unit.split("/");
                    return "thrpt".equals(mode) ? score / seconds(parts[1]) : 1 / (score * seconds(parts[0]));
                }
            }
        }
        return Double.NaN;
    }

    private static double seconds(final String unit)
    {
        return switch (unit)
        {
            case "ns" -> 1e-9;
            case "us" -> 1e-6;
            case "ms" -> 1e-3;
            case "min" -> 60;
            default -> 1;
        };
    }

    private static double allocation(final JsonNode jmh, final String benchmark)
    {
        for (final JsonNode result : jmh)
        {
            if (result.path("benchmark").asText().endsWith(benchmark) && "thrpt".equals(result.path("mode").asText()))
            {
                return result.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score").asDouble(Double.NaN);
            }
        }
        return Double.NaN;
    }

    private static String shortName(final JsonNode result)
    {
        final String name = result.path("benchmark").asText();
        final int method = name.lastIndexOf('.');
        final int type = name.lastIndexOf('.', method - 1);
        final StringBuilder label = new StringBuilder(name.substring(type + 1));
        result.path("params").properties().forEach(param ->
            label.append(' ').append(param.getKey()).append('=').append(param.getValue().asText()));
        if (result.path("threads").asInt(1) > 1)
        {
            label.append(" (").append(result.path("threads").asInt()).append(" threads)");
        }
        return label.toString();
    }

    private String latencies(final JsonNode run)
    {
        final JsonNode latency = run.path("latencyUs");
        return num(latency.path("p50").asDouble(Double.NaN), 0) + " / " + num(latency.path("p99").asDouble(Double.NaN),
            0) +
            " / " + num(latency.path("p99.9").asDouble(Double.NaN), 0) + " / " +
            num(latency.path("max").asDouble(Double.NaN), 0);
    }

    private void row(final String name, final String value)
    {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    static String num(final double value, final int decimals)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return "missing";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }
}
