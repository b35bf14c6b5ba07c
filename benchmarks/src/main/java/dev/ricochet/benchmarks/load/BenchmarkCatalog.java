package dev.ricochet.benchmarks.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Creates the catalog a load run needs through the admin API, as an operator's script would: one program with a
 * Stripe webhook secret, P partners and L links (up to millions, 32 requests in flight over keep-alive
 * connections), and writes the links file {@link LoadHarness} reads with {@code --links-file}.
 *
 * <p>Prints {@code key=value} lines on stdout ({@code programId}, {@code stripeSecret}, {@code clickParam},
 * {@code linksFile}, counts and the creation rate) and progress on stderr, so {@code eval "$(...)"} works.
 */
public final class BenchmarkCatalog
{
    static final String USAGE = """
        usage: BenchmarkCatalog --admin-url URL --admin-token T [options]
          --admin-url URL       admin API, e.g. http://127.0.0.1:8081
          --admin-token T       admin bearer token (data/admin.token)
          --program ID          program to create or replace (default bench)
          --partners P          partners (default 10)
          --links L             links, spread round-robin over the partners (default 100)
          --concurrency C       admin requests in flight (default 32)
          --links-file F        where to write CODE DESTINATION CLICK_PARAM lines (default <program>-links.txt)
          --stripe-secret S     the program's Stripe webhook secret (default: a new random whsec_...)
          --click-param P       the program's click parameter (default rcid)
          --shop URL            base of the link destinations (default https://shop.example.com/)
        """;

    private static final int MAX_ATTEMPTS = 3;
    private static final long PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(2);

    private final String adminUrl;
    private final String adminToken;
    private String programId = "bench";
    private int partners = 10;
    private int links = 100;
    private int concurrency = 32;
    private Path linksFile;
    private String stripeSecret;
    private String clickParam = "rcid";
    private String shop = "https://shop.example.com/";

    /**
     * @param adminUrl   admin API base URL.
     * @param adminToken admin bearer token.
     */
    BenchmarkCatalog(final String adminUrl, final String adminToken)
    {
        this.adminUrl = adminUrl;
        this.adminToken = adminToken;
    }

    /**
     * The catalog that was created.
     *
     * @param programId    the program.
     * @param stripeSecret its Stripe webhook secret.
     * @param clickParam   its click parameter.
     * @param linksFile    the links file written.
     * @param partners     partners created.
     * @param links        links created.
     * @param linksPerSecond achieved link creation rate.
     */
    record Created(
        String programId, String stripeSecret, String clickParam, Path linksFile, int partners, int links,
        double linksPerSecond)
    {
    }

    /**
     * @param args see {@link #USAGE}.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final BenchmarkCatalog catalog;
        try
        {
            catalog = parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("benchmark catalog: " + ex.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (null == catalog)
        {
            out.print(USAGE);
            return 0;
        }
        try
        {
            final Created created = catalog.create(err);
            out.println("programId=" + created.programId());
            out.println("stripeSecret=" + created.stripeSecret());
            out.println("clickParam=" + created.clickParam());
            out.println("linksFile=" + created.linksFile());
            out.println("partners=" + created.partners());
            out.println("links=" + created.links());
            out.println(String.format(Locale.ROOT, "linksPerSecond=%.1f", created.linksPerSecond()));
            return 0;
        }
        catch (final IOException | IllegalStateException ex)
        {
            err.println("benchmark catalog: " + ex.getMessage());
            return 1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /**
     * @return the catalog to create, or null if help was asked for.
     */
    static BenchmarkCatalog parse(final String... args)
    {
        String adminUrl = null;
        String adminToken = null;
        final String[][] options = new String[args.length][];
        int count = 0;
        for (int i = 0; i < args.length; i++)
        {
            if ("--help".equals(args[i]) || "-h".equals(args[i]))
            {
                return null;
            }
            final int equals = args[i].indexOf('=');
            final String name = equals < 0 ? args[i] : args[i].substring(0, equals);
            if (!name.startsWith("--"))
            {
                throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
            }
            final String value;
            if (equals >= 0)
            {
                value = args[i].substring(equals + 1);
            }
            else if (i + 1 < args.length)
            {
                value = args[++i];
            }
            else
            {
                throw new IllegalArgumentException(name + " needs a value");
            }
            switch (name)
            {
                case "--admin-url" -> adminUrl = value;
                case "--admin-token" -> adminToken = value;
                default -> options[count++] = new String[]{ name, value };
            }
        }
        if (null == adminUrl || null == adminToken)
        {
            throw new IllegalArgumentException("--admin-url and --admin-token are required");
        }
        final BenchmarkCatalog catalog = new BenchmarkCatalog(adminUrl, adminToken);
        for (int i = 0; i < count; i++)
        {
            final String name = options[i][0];
            final String value = options[i][1];
            switch (name)
            {
                case "--program" -> catalog.programId(value);
                case "--partners" -> catalog.partners(positive(name, value));
                case "--links" -> catalog.links(positive(name, value));
                case "--concurrency" -> catalog.concurrency(positive(name, value));
                case "--links-file" -> catalog.linksFile(Path.of(value));
                case "--stripe-secret" -> catalog.stripeSecret(value);
                case "--click-param" -> catalog.clickParam(value);
                case "--shop" -> catalog.shop(value.endsWith("/") ? value : value + "/");
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        return catalog;
    }

    private static int positive(final String name, final String value)
    {
        try
        {
            final int parsed = Integer.parseInt(value);
            if (parsed < 1)
            {
                throw new IllegalArgumentException(name + " must be at least 1");
            }
            return parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " is not a number: '" + value + "'", ex);
        }
    }

    BenchmarkCatalog programId(final String programId)
    {
        if (!programId.matches("[A-Za-z0-9_-]{1,40}"))
        {
            throw new IllegalArgumentException("--program: 1-40 of A-Z a-z 0-9 - _ (link codes are built from it)");
        }
        this.programId = programId;
        return this;
    }

    BenchmarkCatalog partners(final int partners)
    {
        this.partners = partners;
        return this;
    }

    BenchmarkCatalog links(final int links)
    {
        this.links = links;
        return this;
    }

    BenchmarkCatalog concurrency(final int concurrency)
    {
        this.concurrency = concurrency;
        return this;
    }

    BenchmarkCatalog linksFile(final Path linksFile)
    {
        this.linksFile = linksFile;
        return this;
    }

    BenchmarkCatalog stripeSecret(final String stripeSecret)
    {
        this.stripeSecret = stripeSecret;
        return this;
    }

    BenchmarkCatalog clickParam(final String clickParam)
    {
        this.clickParam = clickParam;
        return this;
    }

    BenchmarkCatalog shop(final String shop)
    {
        this.shop = shop;
        return this;
    }

    /**
     * Create (or replace: every call is an upsert) the program, its partners and links, and write the links file.
     *
     * @param progress where progress lines go.
     * @return what was created.
     * @throws IOException          if the admin API refuses a request or the file cannot be written.
     * @throws InterruptedException if interrupted while requests are in flight.
     */
    Created create(final PrintStream progress) throws IOException, InterruptedException
    {
        final String secret = null != stripeSecret ? stripeSecret : newSecret();
        final Path file = null != linksFile ? linksFile : Path.of(programId + "-links.txt");
        final AdminApiClient admin = new AdminApiClient(adminUrl, adminToken);

        try
        {
            send(admin, "/v1/programs/" + programId, programJson(secret), 1).join();
        }
        catch (final CompletionException ex)
        {
            throw ex.getCause() instanceof IOException ? (IOException)ex.getCause() : new IOException(ex.getCause());
        }

        final long startNs = System.nanoTime();
        final Semaphore inFlight = new Semaphore(concurrency);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        // Partners first, all of them: a link's PUT is refused until its partner exists.
        final Pacer partnerPacer = new Pacer("partners", partners, progress);
        for (int p = 0; p < partners && null == failure.get(); p++)
        {
            submit(admin, "/v1/partners/" + partnerId(p), partnerJson(p), inFlight, failure, partnerPacer);
        }
        inFlight.acquire(concurrency);
        inFlight.release(concurrency);
        rethrow(failure);

        final long linksStartNs = System.nanoTime();
        final Pacer linkPacer = new Pacer("links", links, progress);
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
        {
            writer.write("# " + links + " links of program " + programId + ": CODE DESTINATION CLICK_PARAM\n");
            for (int i = 0; i < links && null == failure.get(); i++)
            {
                final String code = linkCode(i);
                final String destination = destination(i);
                submit(admin, "/v1/links/" + code, "{\"partnerId\":\"" + partnerId(i % partners) +
                    "\",\"destination\":\"" + destination + "\"}", inFlight, failure, linkPacer);
                writer.write(code + ' ' + destination + ' ' + clickParam + '\n');
            }
        }
        inFlight.acquire(concurrency);
        inFlight.release(concurrency);
        rethrow(failure);
        final long endNs = System.nanoTime();
        final double linksPerSecond = links * 1e9 / Math.max(1, endNs - linksStartNs);
        progress.printf(Locale.ROOT, "created program %s, %d partners, %d links in %.1f s (%.0f links/s)%n",
            programId, partners, links, (endNs - startNs) / 1e9, linksPerSecond);
        return new Created(programId, secret, clickParam, file, partners, links, linksPerSecond);
    }

    private void submit(
        final AdminApiClient admin,
        final String path,
        final String json,
        final Semaphore inFlight,
        final AtomicReference<Throwable> failure,
        final Pacer pacer) throws InterruptedException
    {
        inFlight.acquire();
        send(admin, path, json, 1).whenComplete((response, ex) ->
        {
            if (null != ex)
            {
                failure.compareAndSet(null, ex instanceof CompletionException ? ex.getCause() : ex);
            }
            else
            {
                pacer.onDone();
            }
            inFlight.release();
        });
    }

    /**
     * PUT with a few retries for what a retry can fix: a dropped connection, or a 503 while the journal is busy.
     */
    private static CompletableFuture<HttpResponse<String>> send(
        final AdminApiClient admin, final String path, final String json, final int attempt)
    {
        return admin.putAsync(path, json).handle((response, ex) ->
        {
            final boolean isRetryable = null != ex || 503 == response.statusCode();
            if (isRetryable && attempt < MAX_ATTEMPTS)
            {
                return send(admin, path, json, attempt + 1);
            }
            if (null != ex)
            {
                throw new CompletionException(new IOException("PUT " + path + " failed: " + ex.getMessage(), ex));
            }
            if (200 != response.statusCode())
            {
                throw new CompletionException(new IOException("PUT " + path + " answered " + response.statusCode() +
                    ": " + response.body()));
            }
            return CompletableFuture.completedFuture(response);
        }).thenCompose(future -> future);
    }

    private static void rethrow(final AtomicReference<Throwable> failure) throws IOException
    {
        final Throwable cause = failure.get();
        if (cause instanceof IOException)
        {
            throw (IOException)cause;
        }
        if (null != cause)
        {
            throw new IOException(cause.getMessage(), cause);
        }
    }

    private String programJson(final String secret)
    {
        return "{\"name\":\"Load benchmark\",\"currency\":\"USD\",\"defaultDestination\":\"" + shop + "\"," +
            "\"clickParam\":\"" + clickParam + "\",\"attribution\":{\"model\":\"last_click\",\"windowDays\":30}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
            "{\"name\":\"silver\",\"minConversions\":20,\"windowDays\":60,\"commissionPercent\":\"15\"}]," +
            "\"holdDays\":30,\"minPayout\":5000,\"secrets\":{\"stripe\":\"" + secret + "\"}}";
    }

    private String partnerJson(final int partner)
    {
        return "{\"programId\":\"" + programId + "\",\"name\":\"Benchmark partner " + partner + "\",\"email\":\"" +
            "partner" + partner + "@bench.example\",\"status\":\"active\"}";
    }

    private String partnerId(final int partner)
    {
        return programId + "-partner-" + partner;
    }

    String linkCode(final int link)
    {
        return programId + "-" + link;
    }

    /**
     * Destinations of four shapes, so the harness's Location check meets a query, a fragment and both.
     */
    String destination(final int link)
    {
        return switch (link % 4)
        {
            case 0 -> shop + "item/" + link;
            case 1 -> shop + "item/" + link + "?utm_source=" + partnerId(link % partners);
            case 2 -> shop + "item/" + link + "#reviews";
            default -> shop + "c/" + (link % 50) + "/item/" + link + "?color=blue&size=m";
        };
    }

    private static String newSecret()
    {
        final byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /**
     * Counts completions and prints progress at most every two seconds, with the rate so far.
     */
    private static final class Pacer
    {
        private final String what;
        private final int total;
        private final PrintStream out;
        private final long startNs = System.nanoTime();
        private long done;
        private long lastPrintNs = startNs;

        Pacer(final String what, final int total, final PrintStream out)
        {
            this.what = what;
            this.total = total;
            this.out = out;
        }

        synchronized void onDone()
        {
            done++;
            final long nowNs = System.nanoTime();
            if (done == total || nowNs - lastPrintNs >= PROGRESS_INTERVAL_NS)
            {
                lastPrintNs = nowNs;
                out.printf(Locale.ROOT, "%s: %d/%d (%.0f%%), %.0f/s%n", what, done, total, 100.0 * done / total,
                    done * 1e9 / Math.max(1, nowNs - startNs));
            }
        }
    }
}
