package dev.ricochet.benchmarks.admin;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.CatalogTable;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.benchmarks.BenchmarkFiles;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.testsupport.ServiceFixture;
import org.HdrHistogram.Histogram;
import org.rocksdb.WriteBatch;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The program manager's two heaviest reads at scale, over HTTP against the real service (issue 17 item 6; not JMH, not
 * a timed test): a program of {@code --partners} partners (100,000) with {@code --days} (365) days of history ending
 * today, each partner with a bucket on a random {@code --activeShare} (0.25) of the days (a partner has no bucket on
 * a day without events; 1 writes every day of every partner, four times the seeding and opening time), is written into a fresh state directory through the aggregator's public types ({@link CatalogTable},
 * {@link CounterTable}), as a state directory from before the program reports would hold it; the service then opens it
 * (building the program counters from the partners' buckets once, timed and printed) and the run measures, one request
 * at a time on a keep-alive connection, p50/p99/max of:
 * <ul>
 *   <li>{@code overview}: {@code GET /v1/programs/bench/reports/overview?from=&to=} over 90 days, a random window of
 *   the seeded year each time;</li>
 *   <li>{@code directory}: {@code GET /v1/programs/bench/partners?status=active&sort=revenue&limit=50} (the directory
 *   of item 1; reported as unavailable while that route answers anything but 200).</li>
 * </ul>
 * Prints one JSON line; the target is p99 &lt; 50 ms for each. Then, for their documented cost, a few requests of the
 * reports that read per-partner data (top partners over 90 days, health) are timed and printed on stderr.
 *
 * <pre>
 * java &lt;BenchmarkJvm flags&gt; -cp benchmarks.jar dev.ricochet.benchmarks.admin.ProgramReportsRun \
 *     [--dir DIR] [--partners 100000] [--days 365] [--activeShare 0.25] [--requests 2000] [--warmup 300]
 * </pre>
 */
public final class ProgramReportsRun
{
    private static final String PROGRAM = "bench";
    private static final int BATCH_SIZE = 100_000;
    private static final String[] STATUSES = { "active", "active", "active", "active", "active", "active", "active",
        "paused", "pending", "suspended" };

    private ProgramReportsRun()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception if the service cannot start or a request fails.
     */
    public static void main(final String[] args) throws Exception
    {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        Path dir = null;
        int partners = 100_000;
        int days = 365;
        int requests = 2000;
        int warmup = 300;
        double activeShare = 0.25;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--partners" -> partners = Integer.parseInt(args[i + 1]);
                case "--days" -> days = Integer.parseInt(args[i + 1]);
                case "--requests" -> requests = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--activeShare" -> activeShare = Double.parseDouble(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final boolean ownDir = null == dir;
        final Path dataDir = ownDir ? BenchmarkFiles.newTempDir("ricochet-reports") : dir;
        try
        {
            run(dataDir, partners, days, activeShare, requests, warmup);
        }
        finally
        {
            if (ownDir)
            {
                BenchmarkFiles.delete(dataDir);
            }
        }
    }

    private static void run(final Path dataDir, final int partners, final int days, final double activeShare,
        final int requests, final int warmup) throws Exception
    {
        final int today = (int)Math.floorDiv(System.currentTimeMillis(), 86_400_000L);
        long startNs = System.nanoTime();
        final long buckets = seed(dataDir.resolve("state"), partners, today - days + 1, today, activeShare);
        final double seedSeconds = (System.nanoTime() - startNs) / 1e9;
        System.err.printf(Locale.ROOT, "seeded %,d partners, %,d day buckets in %.1f s, %,d bytes%n", partners,
            buckets, seedSeconds, BenchmarkFiles.sizeBytes(dataDir));
        startNs = System.nanoTime();
        try (ServiceFixture service = new ServiceFixture(dataDir, null))
        {
            final double openSeconds = (System.nanoTime() - startNs) / 1e9;
            System.err.printf(Locale.ROOT, "service open (program counters built) in %.1f s%n", openSeconds);
            final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            final String base = "http://127.0.0.1:" + service.aggregator.adminPort();
            final SplittableRandom random = new SplittableRandom(11);
            final int span = Math.max(1, days - 90);
            final Histogram overview = measure(http, warmup, requests, () ->
            {
                final int to = today - random.nextInt(span);
                return base + "/v1/programs/" + PROGRAM + "/reports/overview?from=" +
                    LocalDate.ofEpochDay(to - 89) + "&to=" + LocalDate.ofEpochDay(to);
            });
            final String directoryUrl = base + "/v1/programs/" + PROGRAM +
                "/partners?status=active&sort=revenue&limit=50";
            final int directoryStatus = send(http, directoryUrl).statusCode();
            final Histogram directory = 200 == directoryStatus ?
                measure(http, warmup, requests, () -> directoryUrl) : null;
            // The reports that read per-partner data, for their documented cost: a few requests each.
            final int few = Math.max(5, requests / 100);
            final Histogram top = measure(http, 2, few, () ->
            {
                final int to = today - random.nextInt(span);
                return base + "/v1/programs/" + PROGRAM + "/reports/top-partners?metric=revenue&from=" +
                    LocalDate.ofEpochDay(to - 89) + "&to=" + LocalDate.ofEpochDay(to);
            });
            final Histogram health = measure(http, 1, few, () -> base + "/v1/programs/" + PROGRAM +
                "/reports/health");
            System.err.println("top-partners (90 days) " + json(top) + ", health " + json(health));
            System.out.println(String.format(Locale.ROOT,
                "{\"partners\":%d,\"days\":%d,\"activeShare\":%.2f,\"buckets\":%d,\"seedSeconds\":%.1f," +
                "\"openSeconds\":%.1f,\"requests\":%d,\"overview\":%s,\"directory\":%s}", partners, days,
                activeShare, buckets, seedSeconds, openSeconds, requests, json(overview), null == directory ?
                "{\"unavailable\":\"GET .../partners answered " + directoryStatus + "\"}" : json(directory)));
        }
    }

    private static Histogram measure(final HttpClient http, final int warmup, final int requests,
        final UrlSupplier urls) throws IOException, InterruptedException
    {
        final Histogram histogram = new Histogram(60_000_000_000L, 3);
        for (int i = 0; i < warmup + requests; i++)
        {
            final String url = urls.next();
            final long startNs = System.nanoTime();
            final HttpResponse<byte[]> response = send(http, url);
            final long tookNs = System.nanoTime() - startNs;
            if (200 != response.statusCode())
            {
                throw new IllegalStateException(url + " answered " + response.statusCode() + ": " +
                    new String(response.body(), StandardCharsets.UTF_8));
            }
            if (i >= warmup)
            {
                histogram.recordValue(tookNs);
            }
        }
        return histogram;
    }

    private static HttpResponse<byte[]> send(final HttpClient http, final String url)
        throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + ServiceFixture.ANALYST_TOKEN).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String json(final Histogram histogram)
    {
        return String.format(Locale.ROOT, "{\"p50Ms\":%.2f,\"p99Ms\":%.2f,\"maxMs\":%.2f,\"meanMs\":%.2f}",
            histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(99) / 1e6,
            histogram.getMaxValue() / 1e6, histogram.getMean() / 1e6);
    }

    /**
     * The program, its partners (seven in ten active) and their day buckets, written as the aggregator would have.
     *
     * @return buckets written.
     */
    private static long seed(final Path stateDir, final int partners, final int firstDay, final int lastDay,
        final double activeShare) throws IOException
    {
        Files.createDirectories(stateDir);
        final SplittableRandom random = new SplittableRandom(42);
        final long[] values = new long[CounterField.COUNT];
        long buckets = 0;
        try (StateStore store = StateStore.open(stateDir); WriteBatch batch = new WriteBatch())
        {
            final CatalogTable catalog = new CatalogTable(store);
            final CounterTable counters = new CounterTable(store);
            catalog.put(batch, CatalogEventFlyweight.KIND_PROGRAM, CatalogJson.read(("{\"id\":\"" + PROGRAM +
                "\",\"number\":1,\"spec\":{\"name\":\"Bench\",\"currency\":\"USD\"," +
                "\"defaultDestination\":\"https://shop.example.com/\",\"clickParam\":\"rcid\"," +
                "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
                "{\"name\":\"silver\",\"minConversions\":20,\"windowDays\":60,\"commissionPercent\":\"15\"}]}}")
                .getBytes(StandardCharsets.UTF_8), CatalogJson.PROGRAM));
            for (int partner = 1; partner <= partners; partner++)
            {
                catalog.put(batch, CatalogEventFlyweight.KIND_PARTNER, CatalogJson.read(("{\"id\":\"p" + partner +
                    "\",\"number\":" + partner + ",\"spec\":{\"programId\":\"" + PROGRAM + "\",\"name\":\"Partner " +
                    partner + "\",\"email\":\"p" + partner + "@example.com\",\"status\":\"" +
                    STATUSES[random.nextInt(STATUSES.length)] + "\",\"joinedAt\":\"" +
                    LocalDate.ofEpochDay(firstDay - random.nextInt(30)) + "T10:00:00Z\"}}")
                    .getBytes(StandardCharsets.UTF_8), CatalogJson.PARTNER));
                // Partners differ in size: tens of clicks a day for most, hundreds for one in ten.
                final int scale = 1 + random.nextInt(0 == random.nextInt(10) ? 600 : 60);
                for (int day = firstDay; day <= lastDay; day++)
                {
                    if (random.nextDouble() >= activeShare)
                    {
                        continue; // no event that day: no bucket, as the aggregator writes none
                    }
                    dayBucket(random, scale, values);
                    counters.putDay(batch, partner, day, values);
                    buckets++;
                    if (batch.count() >= BATCH_SIZE)
                    {
                        store.write(batch);
                    }
                }
            }
            store.write(batch);
        }
        return buckets;
    }

    private static void dayBucket(final SplittableRandom random, final int scale, final long[] values)
    {
        final long clicks = random.nextInt(scale);
        final long sales = clicks / 40 + (random.nextInt(40) < clicks % 40 ? 1 : 0);
        final long revenue = sales * (2_000 + random.nextInt(18_000));
        values[CounterField.CLICKS.ordinal()] = clicks;
        values[CounterField.UNIQUE_CLICKS.ordinal()] = clicks - clicks / 5;
        values[CounterField.PREVIEWS.ordinal()] = 0;
        values[CounterField.BOT_CLICKS.ordinal()] = clicks / 20;
        values[CounterField.LEADS.ordinal()] = clicks / 25;
        values[CounterField.SALES.ordinal()] = sales;
        values[CounterField.REVENUE.ordinal()] = revenue;
        values[CounterField.COMMISSION.ordinal()] = revenue / 10;
        values[CounterField.REFUNDED.ordinal()] = 0;
    }

    /**
     * The next URL to ask.
     */
    @FunctionalInterface
    private interface UrlSupplier
    {
        String next();
    }
}
