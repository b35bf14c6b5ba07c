package dev.ricochet.ops.crash;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ricochet.ingest.CrashPoints;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.Settings;
import net.openhft.chronicle.queue.RollCycle;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The soak, a command rather than a test: the real service under mixed load (95% redirects, 4% pixels, 1%
 * Stripe-signed conversions) from a separate {@link LoadGenerator} process for N minutes at a share of the peak,
 * with an edge kill (SIGKILL at a random moment) and an aggregator kill (halted at one of the aggregator's crash
 * points) in turn every period, then a minute at twice the peak; it ends with a reconciliation printed and written
 * as JSON: sent, acknowledged, journaled, counted, lost (must be 0), double-counted (must be 0), RSS slope, errors.
 *
 * <p>Edge and aggregator are one process ({@code ricochet run}), so an "aggregator kill" kills the edge too; what
 * makes it the aggregator's is the moment: the incarnation is started with the aggregator's crash points armed
 * after the period, so it dies after a read, after building a batch or after writing one.
 *
 * <p>{@code ops/soak [--minutes 30] [--peak P | --rate R] [--share 0.7] [--kill-every 5m] [--overload 60s]
 * [--connections 128] [--generator-threads 1] [--dir DIR]}; exits 0 when nothing was lost or double-counted.
 */
public final class Soak
{
    private static final long RSS_SAMPLE_MS = 5_000;
    private static final long RSS_WARMUP_MS = 60_000;
    private static final long MEASURE_WARMUP_MS = 10_000;
    private static final long MEASURE_MS = 20_000;
    private static final int MEASURE_WINDOW_S = 5;
    private static final int SATURATING_RATE = 1_000_000;

    private final Map<String, String> options;
    private final PrintStream out;
    private final long startMs = System.currentTimeMillis();
    private final RollCycle rollCycle = Journal.rollCycle(Journal.ROLL_CYCLE_DEFAULT);
    private final List<List<long[]>> rssByIncarnation = new ArrayList<>();
    private final Map<String, Integer> aggregatorKillPoints = new TreeMap<>();
    private ServiceSupervisor service;
    private GeneratorProcess generator;
    private boolean isArmed;
    private int edgeKills;
    private int aggregatorKills;
    private long maxLag;

    private Soak(final Map<String, String> options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
    }

    /**
     * @param args {@code --name value} pairs, see the class comment.
     * @throws Exception if the soak could not be carried out.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (args.length % 2 != 0)
        {
            System.err.println("usage: soak [--minutes 30] [--peak P | --rate R] [--share 0.7] [--kill-every 5m] " +
                "[--overload 60s] [--connections 128] [--generator-threads 1] [--dir DIR]");
            System.exit(2);
        }
        final Map<String, Object> reconciliation = new Soak(options, System.out).run();
        System.exit(Boolean.TRUE.equals(reconciliation.get("passed")) ? 0 : 1);
    }

    private Map<String, Object> run() throws Exception
    {
        final Path dir = options.containsKey("dir") ? Path.of(options.get("dir")) :
            Files.createTempDirectory("ricochet-soak-");
        Files.createDirectories(dir);
        final long soakMs = (long)(Double.parseDouble(options.getOrDefault("minutes", "30")) * 60_000);
        final long killEveryMs = durationMs("kill-every", "5m");
        final long overloadMs = durationMs("overload", "60s");
        final int connections = Integer.parseInt(options.getOrDefault("connections", "128"));
        final int generatorThreads = Integer.parseInt(options.getOrDefault("generator-threads", "1"));
        log("soak " + soakMs / 60_000.0 + " min, kills every " + killEveryMs / 1000 + " s, in " + dir);

        service = new ServiceSupervisor(dir.resolve("data"), dir.resolve("service.log"));
        final Map<String, Object> result = new LinkedHashMap<>();
        try
        {
            CrashSuite.requireHealthy(service.start(Map.of()));
            rssByIncarnation.add(new ArrayList<>());
            Seeder.seed(service, Seeder.PARTNERS);

            // Peak, unless given: what gets through when far more is offered than can be answered.
            final boolean measure = !options.containsKey("peak") && !options.containsKey("rate");
            generator = GeneratorProcess.start(LoadOptions.forSeededShop(service.trackerPort,
                dir.resolve("acks"), measure ? SATURATING_RATE : 1, connections, generatorThreads, Seeder.PARTNERS,
                "soak" + Long.toString(startMs, 36), 5_000),
                dir.resolve("generator.log"), out);
            final long peak = measure ? measurePeak() : Long.parseLong(options.getOrDefault("peak", "0"));
            final int rate = options.containsKey("rate") ? Integer.parseInt(options.get("rate")) :
                (int)(peak * Double.parseDouble(options.getOrDefault("share", "0.7")));
            final long overloadRate = 2 * Math.max(peak, rate);
            log("peak " + peak + " req/s" + (measure ? " (measured)" : "") + ", soak at " + rate + " req/s");
            generator.rate(rate);

            final long soakStartMs = System.currentTimeMillis();
            final Map<String, Long> atSoakStart = generator.latest();
            soak(soakStartMs + soakMs, killEveryMs);
            final Map<String, Long> atSoakEnd = generator.latest();

            if (isArmed || !service.isAlive())
            {
                // The minute at twice the peak tests overload, not crashes: an unarmed incarnation.
                if (service.isAlive())
                {
                    service.stop();
                }
                CrashSuite.requireHealthy(service.start(Map.of()));
                rssByIncarnation.add(new ArrayList<>());
                isArmed = false;
            }
            log("overload: " + overloadRate + " req/s for " + overloadMs / 1000 + " s");
            generator.rate((int)overloadRate);
            sampleUntil(System.currentTimeMillis() + overloadMs);
            final Map<String, Long> atOverloadEnd = generator.latest();

            final Map<String, Long> sent = generator.stop();
            final long drainMs = service.awaitLagDrained(600_000);
            final String edgeMetrics = edgeMetrics();
            service.stop();

            result.put("startedAt", Instant.ofEpochMilli(startMs).toString());
            result.put("minutes", soakMs / 60_000.0);
            result.put("peakPerSecond", peak);
            result.put("peakMeasured", measure);
            result.put("soakRatePerSecond", rate);
            result.put("overloadRatePerSecond", overloadRate);
            result.put("achievedSoakAckedPerSecond", perSecond(atSoakStart, atSoakEnd, soakMs));
            result.put("achievedOverloadAckedPerSecond", perSecond(atSoakEnd, atOverloadEnd, overloadMs));
            reconcile(dir, sent, atSoakStart, drainMs, edgeMetrics, result);
        }
        finally
        {
            if (null != generator)
            {
                generator.close();
            }
            service.close();
        }
        final String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result);
        final Path file = options.containsKey("json") ? Path.of(options.get("json")) : dir.resolve("soak.json");
        Files.writeString(file, json);
        out.println(json);
        log("reconciliation written to " + file);
        return result;
    }

    /**
     * @return the best rate answered over {@value #MEASURE_WINDOW_S} consecutive seconds, once warmed up.
     */
    private long measurePeak() throws InterruptedException
    {
        log("measuring the peak: " + SATURATING_RATE + " req/s offered for " + (MEASURE_WARMUP_MS + MEASURE_MS) / 1000 +
            " s");
        Thread.sleep(MEASURE_WARMUP_MS);
        final List<Long> acked = new ArrayList<>();
        final long endMs = System.currentTimeMillis() + MEASURE_MS;
        while (System.currentTimeMillis() < endMs)
        {
            acked.add(acked(generator.latest()));
            Thread.sleep(1000);
        }
        long peak = 0;
        final List<Long> perSecond = new ArrayList<>();
        for (int i = 1; i < acked.size(); i++)
        {
            perSecond.add(acked.get(i) - acked.get(i - 1));
            if (i >= MEASURE_WINDOW_S)
            {
                peak = Math.max(peak, (acked.get(i) - acked.get(i - MEASURE_WINDOW_S)) / MEASURE_WINDOW_S);
            }
        }
        log("answered per second while saturated: " + perSecond);
        return peak;
    }

    private static long perSecond(final Map<String, Long> from, final Map<String, Long> to, final long ms)
    {
        return (acked(to) - acked(from)) * 1000 / Math.max(1, ms);
    }

    private static long acked(final Map<String, Long> counts)
    {
        return counts.getOrDefault("click.acked", 0L) + counts.getOrDefault("pixel.acked", 0L) +
            counts.getOrDefault("conversion.acked", 0L);
    }

    /**
     * Alternate kills each period: a SIGKILL at a random moment of an unarmed incarnation (the edge's kill), then an
     * incarnation whose aggregator crash points arm after the period (the aggregator's).
     */
    private void soak(final long endMs, final long killEveryMs) throws IOException, InterruptedException
    {
        boolean nextIsEdge = true;
        while (System.currentTimeMillis() + killEveryMs <= endMs)
        {
            if (nextIsEdge)
            {
                final long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, killEveryMs / 5));
                sampleUntil(System.currentTimeMillis() + killEveryMs - killEveryMs / 10 + jitter);
                service.kill();
                edgeKills++;
                log("edge kill " + edgeKills + " (SIGKILL)");
                restart(true, killEveryMs);
            }
            else
            {
                final long deadlineMs = System.currentTimeMillis() + killEveryMs + 60_000;
                while (service.isAlive() && System.currentTimeMillis() < deadlineMs)
                {
                    sampleUntil(Math.min(deadlineMs, System.currentTimeMillis() + RSS_SAMPLE_MS));
                }
                final int status = service.awaitExit(1);
                final CrashPoints.Point point = -1 == status ? null : CrashPoints.fromExitStatus(status);
                if (null == point)
                {
                    service.kill();
                    edgeKills++;
                    log("aggregator crash point did not fire (status " + status + "); SIGKILL instead");
                }
                else
                {
                    aggregatorKills++;
                    aggregatorKillPoints.merge(point.label(), 1, Integer::sum);
                    log("aggregator kill " + aggregatorKills + " (" + point.label() + ")");
                }
                restart(false, killEveryMs);
            }
            nextIsEdge = !nextIsEdge;
        }
        sampleUntil(endMs);
    }

    private void restart(final boolean armAggregator, final long armAfterMs) throws IOException, InterruptedException
    {
        final Map<String, String> settings = armAggregator ? Map.of(
            CrashPoints.POINTS_PROP_NAME, String.join(",", CrashPoints.Point.AGGREGATOR_AFTER_READ.label(),
                CrashPoints.Point.AGGREGATOR_AFTER_BATCH.label(), CrashPoints.Point.AGGREGATOR_AFTER_WRITE.label()),
            CrashPoints.ONE_IN_PROP_NAME, "10",
            CrashPoints.DELAY_PROP_NAME, armAfterMs + "ms") : Map.of();
        CrashSuite.requireHealthy(service.start(settings));
        rssByIncarnation.add(new ArrayList<>());
        isArmed = armAggregator;
    }

    /**
     * Sample RSS and the aggregator's lag every few seconds until the time comes or the service dies.
     */
    private void sampleUntil(final long untilMs) throws InterruptedException
    {
        while (System.currentTimeMillis() < untilMs && service.isAlive())
        {
            final long[] rssKb = service.rssKb();
            if (null != rssKb)
            {
                rssByIncarnation.get(rssByIncarnation.size() - 1)
                    .add(new long[]{ System.currentTimeMillis(), rssKb[0], rssKb[1], rssKb[2] });
            }
            maxLag = Math.max(maxLag, service.aggregatorLag());
            Thread.sleep(Math.max(1, Math.min(RSS_SAMPLE_MS, untilMs - System.currentTimeMillis())));
        }
    }

    private void reconcile(final Path dir, final Map<String, Long> sent, final Map<String, Long> atSoakStart,
        final long drainMs, final String edgeMetrics, final Map<String, Object> result) throws Exception
    {
        final JournalAudit journal = JournalAudit.scan(dir.resolve("data").resolve("journal"), rollCycle);
        final AckLog acks = AckLog.check(dir.resolve("acks"), journal);
        final Reconciliation counted = Reconciliation.of(journal, dir.resolve("data"), rollCycle);

        result.put("sent", Map.of("clicks", sent.getOrDefault("click.sent", 0L),
            "pixels", sent.getOrDefault("pixel.sent", 0L), "conversions", sent.getOrDefault("conversion.sent", 0L)));
        result.put("acknowledged", Map.of("clicks", acks.ackedClicks, "pixels", sent.getOrDefault("pixel.acked", 0L),
            "conversions", acks.ackedOrders));
        result.put("journaled", Map.of("clicks", journal.clicks, "pixels", journal.pixels,
            "conversions", journal.conversions, "events", journal.events));
        result.put("journaledNotAcknowledged", Map.of("clicks", journal.clicks - (
            acks.ackedClicks - acks.missingClicks),
            "conversions", journal.orderIds.size() - (acks.ackedOrders - acks.missingOrders)));
        result.put("counted", Map.of("clicks", counted.countedClicks(), "conversionRecords", counted.countedOrders(),
            "sales", counted.countedSales(), "eventsAfterCheckpoint", counted.checkpointBehind()));
        final long lost = acks.lost() + counted.uncounted();
        final long doubled = counted.doubled() + journal.duplicateClicks + journal.duplicateOrders;
        result.put("lost", lost);
        result.put("lostSamples", acks.missingSamples);
        result.put("doubleCounted", doubled);
        result.put("kills", Map.of("edge", edgeKills, "aggregator", aggregatorKills,
            "aggregatorCrashPoints", aggregatorKillPoints));
        final Map<String, Long> errors = new TreeMap<>();
        sent.forEach((name, value) ->
        {
            if (name.startsWith("errors.") || "skipped".equals(name))
            {
                // From the soak's start: the peak measurement offers far too much on purpose.
                errors.put(name, value - atSoakStart.getOrDefault(name, 0L));
            }
        });
        result.put("loadGeneratorErrorsAfterPeakMeasurement", errors);
        result.put("edgeErrorCountersLastIncarnation", edgeErrors(edgeMetrics));
        result.put("serviceLogErrorLines", Files.readAllLines(dir.resolve("service.log")).stream()
            .filter(line -> line.contains("ERROR") || line.contains("Exception")).count());
        result.put("maxAggregatorLagEvents", maxLag);
        result.put("finalLagDrainMs", drainMs);
        result.put("rss", rss());
        result.put("passed", 0 == lost && 0 == doubled && drainMs >= 0);
    }

    private Map<String, Object> rss()
    {
        final String[] parts = {"total", "anonymous", "files"};
        final Map<String, List<Double>> slopes = new LinkedHashMap<>();
        final Map<String, Long> maxKb = new LinkedHashMap<>();
        for (final String part : parts)
        {
            slopes.put(part, new ArrayList<>());
            maxKb.put(part, 0L);
        }
        for (final List<long[]> samples : rssByIncarnation)
        {
            final List<long[]> settled = new ArrayList<>();
            for (final long[] sample : samples)
            {
                for (int i = 0; i < parts.length; i++)
                {
                    maxKb.merge(parts[i], sample[1 + i], Math::max);
                }
                if (sample[0] - samples.get(0)[0] >= RSS_WARMUP_MS)
                {
                    settled.add(sample);
                }
            }
            if (settled.size() >= 3)
            {
                for (int i = 0; i < parts.length; i++)
                {
                    slopes.get(parts[i]).add(Math.round(slopeKbPerMinute(settled, 1 + i) * 10) / 10.0);
                }
            }
        }
        final Map<String, Object> rss = new LinkedHashMap<>();
        rss.put("maxKiB", maxKb);
        rss.put("slopeKiBPerMinuteByIncarnation", slopes);
        rss.put("note", "least-squares slopes of VmRSS and its RssAnon (heap, native) and RssFile (mostly the mapped " +
            "journal, which the kernel can reclaim) parts per incarnation, sampled every 5 s after its first 60 s");
        return rss;
    }

    private static double slopeKbPerMinute(final List<long[]> samples, final int column)
    {
        double meanT = 0;
        double meanR = 0;
        for (final long[] sample : samples)
        {
            meanT += sample[0] / 60_000.0;
            meanR += sample[column];
        }
        meanT /= samples.size();
        meanR /= samples.size();
        double covariance = 0;
        double variance = 0;
        for (final long[] sample : samples)
        {
            final double t = sample[0] / 60_000.0 - meanT;
            covariance += t * (sample[column] - meanR);
            variance += t * t;
        }
        return 0 == variance ? 0 : covariance / variance;
    }

    private String edgeMetrics() throws InterruptedException
    {
        try
        {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + service.trackerPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private static Map<String, Long> edgeErrors(final String metrics)
    {
        final Map<String, Long> errors = new TreeMap<>();
        for (final String line : metrics.split("\n"))
        {
            if (!line.startsWith("#") && (line.contains("error") || line.contains("failure") ||
                line.contains("rejection") || line.contains("unjournaled") || line.contains("bad_requests")))
            {
                final String[] parts = line.trim().split(" ");
                if (2 == parts.length)
                {
                    errors.put(parts[0], (long)Double.parseDouble(parts[1]));
                }
            }
        }
        return errors;
    }

    private long durationMs(final String name, final String defaultValue)
    {
        return Settings.parseDurationMs("--" + name, options.getOrDefault(name, defaultValue));
    }

    private void log(final String line)
    {
        out.printf("soak %7.1fs: %s%n", (System.currentTimeMillis() - startMs) / 1000.0, line);
    }
}
