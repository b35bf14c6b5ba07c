package dev.ricochet.testsupport;

import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.tracker.TrackerServer;
import org.agrona.concurrent.EpochClock;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The all-in-one service wired in-process on ephemeral loopback ports, with real journal and RocksDB in a temp dir.
 */
public final class ServiceFixture implements AutoCloseable
{
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    public static final String FINANCE_TOKEN = "test-finance-token-0123456789";
    public static final String ANALYST_TOKEN = "test-analyst-token-0123456789";
    public static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";

    public final Journal journal;
    public final LinkDirectory directory = new LinkDirectory();
    public final ProgramDirectory programs = new ProgramDirectory();
    public final Aggregator aggregator;
    public final TrackerServer tracker;
    public final AdminClient admin;
    public final AdminClient finance;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    /**
     * Every error the aggregator (and its admin API) reported as unexpected.
     */
    public final Queue<Throwable> aggregatorErrors = new ConcurrentLinkedQueue<>();

    public ServiceFixture(final Path dataDir, final EpochClock edgeClock) throws InterruptedException
    {
        this(dataDir, edgeClock, false);
    }

    /**
     * @param allowPrivateWebhooks let programs post webhooks to a receiver on loopback.
     */
    public ServiceFixture(final Path dataDir, final EpochClock edgeClock, final boolean allowPrivateWebhooks)
        throws InterruptedException
    {
        this(dataDir, edgeClock, allowPrivateWebhooks, edge ->
        {
        });
    }

    /**
     * @param allowPrivateWebhooks let programs post webhooks to a receiver on loopback.
     * @param edgeSettings         more settings for the edge (rate limits, ...), applied before it starts.
     */
    public ServiceFixture(final Path dataDir, final EpochClock edgeClock, final boolean allowPrivateWebhooks,
        final Consumer<TrackerServer.Context> edgeSettings) throws InterruptedException
    {
        this(dataDir, edgeClock, edgeClock, allowPrivateWebhooks, edgeSettings);
    }

    /**
     * @param aggregatorClock the aggregator's own clock (its clock ticks, the bound on header times), when it is not
     *                        the edge's: an edge whose clock is behind the aggregator's.
     * @param allowPrivateWebhooks let programs post webhooks to a receiver on loopback.
     * @param edgeSettings         more settings for the edge (rate limits, ...), applied before it starts.
     */
    public ServiceFixture(final Path dataDir, final EpochClock edgeClock, final EpochClock aggregatorClock,
        final boolean allowPrivateWebhooks, final Consumer<TrackerServer.Context> edgeSettings)
        throws InterruptedException
    {
        journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal")));
        final Aggregator.Context aggregatorContext = new Aggregator.Context()
            .dataDir(dataDir).journal(journal).linkDirectory(directory).programDirectory(programs)
            .adminPort(0).adminToken(ADMIN_TOKEN).financeToken(FINANCE_TOKEN)
            .analystToken(ANALYST_TOKEN).webhookAllowPrivateNetworks(allowPrivateWebhooks)
            .errorHandler(error ->
            {
                aggregatorErrors.add(error);
                System.err.println("aggregator error: " + error);
            });
        if (null != aggregatorClock)
        {
            // Journal time drives approvals and tier reviews: the aggregator ticks often on the test's clock.
            aggregatorContext.epochClock(aggregatorClock).clockTickIntervalMs(10);
        }
        aggregator = Aggregator.launch(aggregatorContext);
        final TrackerServer.Context trackerContext = new TrackerServer.Context()
            .port(0).bindAddress("127.0.0.1").journal(journal).linkDirectory(directory).programDirectory(programs);
        if (null != edgeClock)
        {
            trackerContext.epochClock(edgeClock);
        }
        edgeSettings.accept(trackerContext);
        tracker = TrackerServer.launch(trackerContext);
        admin = new AdminClient(aggregator.adminPort(), ADMIN_TOKEN);
        finance = new AdminClient(aggregator.adminPort(), FINANCE_TOKEN);
    }

    /**
     * @return the edge's address for this path.
     */
    public URI edge(final String path)
    {
        return URI.create("http://127.0.0.1:" + tracker.port() + path);
    }

    /**
     * A shopper's browser clicks a link: the edge must answer with its redirect.
     *
     * @param code   of the link.
     * @param cookie the visitor cookie (name=value) the browser sends, or null for none.
     * @return the 302 redirect.
     */
    public HttpResponse<Void> click(final String code, final String cookie) throws IOException, InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(edge("/r/" + code)).header("User-Agent", BROWSER);
        if (null != cookie)
        {
            request.header("Cookie", cookie);
        }
        final HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        if (302 != response.statusCode())
        {
            throw new AssertionError("click on " + code + ": expected 302, got " + response.statusCode());
        }
        return response;
    }

    /**
     * Stripe posts an event to the program's webhook endpoint, signed with the secret at the given time.
     *
     * @return the edge's answer.
     */
    public HttpResponse<String> postStripe(final String programId, final String secret, final String payload,
        final long signedAtSeconds) throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(edge("/webhooks/stripe/" + programId))
            .header("Content-Type", "application/json")
            .header(StripeSigner.HEADER, StripeSigner.header(secret, payload, signedAtSeconds))
            .POST(HttpRequest.BodyPublishers.ofString(payload)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * @return the click id a click's redirect hands to the shop (its rcid parameter).
     */
    public static String clickId(final HttpResponse<?> redirect)
    {
        final String location = redirect.headers().firstValue("location").orElseThrow();
        final int at = location.indexOf("rcid=");
        if (at <= 0)
        {
            throw new AssertionError("no rcid in " + location);
        }
        final int end = location.indexOf('&', at);
        return location.substring(at + 5, end < 0 ? location.length() : end);
    }

    /**
     * @return the visitor cookie (name=value) a click's redirect sets, if it sets one.
     */
    public static Optional<String> visitorCookie(final HttpResponse<?> redirect)
    {
        return redirect.headers().firstValue("set-cookie")
            .map(cookie -> cookie.substring(0, cookie.indexOf(';') < 0 ? cookie.length() : cookie.indexOf(';')));
    }

    /**
     * Wait (up to 30 s) until the aggregator has committed everything in the journal.
     */
    public void awaitCommitted() throws InterruptedException
    {
        Await.committed(aggregator, journal);
    }

    @Override
    public void close()
    {
        tracker.close();
        aggregator.close();
        journal.close();
    }
}
