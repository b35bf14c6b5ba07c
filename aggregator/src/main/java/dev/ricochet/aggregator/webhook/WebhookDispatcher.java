package dev.ricochet.aggregator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.timeline.OutboxTable;
import dev.ricochet.ingest.HmacSha256;
import dev.ricochet.ingest.StrictJson;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.collections.LongArrayQueue;
import org.agrona.concurrent.EpochClock;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Delivers the outbox ({@link OutboxTable}) to each program's webhook endpoint on its own thread,
 * signed like Stripe's webhooks, at least once and in order per program.
 *
 * <p>The aggregator writes outbox rows in its commit batches; this dispatcher is the only one that deletes them, and
 * only touches RocksDB with reads and single deletes, so a slow or dead receiver never holds up the aggregator.
 *
 * <ul>
 *   <li>Rows are discovered in sequence order and queued in memory per program (8 bytes a row); the scan resumes
 *   after the last row it saw, which is sound because the aggregator allocates sequence numbers from a counter
 *   committed in the same batch as the rows, so a row never appears below one already committed. Resuming also
 *   keeps the scan off the tombstones of delivered rows.</li>
 *   <li>A program's rows are posted one at a time, oldest first; the next is not sent until the head is delivered
 *   or given up, so receivers see each program's events in order.</li>
 *   <li>A program whose endpoint failed is skipped until its next attempt time, so it does not hold up the
 *   others. The delay doubles with each consecutive failure of the endpoint, from {@code initialBackoffMs} to
 *   {@code maxBackoffMs}, and resets on a success; the failure streak survives giving up on a row, so a dead
 *   endpoint stays backed off rather than being hammered once per queued row.</li>
 *   <li>After {@code maxAttempts} failed attempts of one row it is deleted, counted as {@link #dead()} and reported
 *   once to the error handler (event id and URL, never the secret).</li>
 *   <li>A row of a program with no webhook now is deleted and counted as {@link #dropped()}.</li>
 * </ul>
 *
 * <p>Every request carries {@code Ricochet-Event-Id}, which is stable across retries and replays: receivers must
 * deduplicate on it, because a crash between a 2xx and the delete delivers the event again.
 * {@code Ricochet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t." + body>} is Stripe's scheme, so a
 * receiver can reuse a Stripe verifier.
 *
 * <p>Construction does no I/O and starts nothing; {@link #start()} starts the daemon thread
 * {@value #THREAD_NAME} and {@link #close()} stops it.
 */
public final class WebhookDispatcher implements AutoCloseable
{
    /**
     * Name of the delivery thread.
     */
    public static final String THREAD_NAME = "ricochet-webhooks";

    /**
     * Value of the {@code User-Agent} header.
     */
    public static final String USER_AGENT = "Ricochet-Webhooks/1";

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Longest sleep with nothing to deliver; {@link #wake()} cuts it short when the aggregator commits new rows.
     */
    static final long IDLE_MS = 50;

    /**
     * Rows discovered per pass, so that a large backlog found at startup does not delay the first deliveries.
     */
    static final int DISCOVERY_LIMIT = 4096;

    /**
     * Bounds the wait for the thread in {@link #close()}: an in-flight request is interrupted, so this is only hit
     * if the thread is stuck somewhere unexpected.
     */
    static final long CLOSE_TIMEOUT_MS = 10_000;

    private static final long NULL_SEQ = Long.MIN_VALUE;
    private final OutboxTable outbox;
    private final Function<String, Target> targets;
    private final EpochClock clock;
    private final ErrorHandler errorHandler;
    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private final int maxAttempts;
    private final boolean allowPrivateNetworks;
    private final HttpClient httpClient;
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    private byte[] discoverFrom = new byte[0];
    private int discoveredThisPass;
    private volatile boolean running;
    private volatile Thread thread;

    /**
     * Where and how one program's events are posted.
     *
     * @param url    endpoint (http or https).
     * @param secret key of the {@code Ricochet-Signature} HMAC.
     */
    public record Target(String url, String secret)
    {
        /**
         * The secret is left out so that a logged target never leaks it.
         *
         * @return the URL only.
         */
        @Override
        public String toString()
        {
            return "Target[url=" + url + "]";
        }
    }

    /**
     * @param store            the aggregator's store, whose outbox is delivered; must outlive {@link #close()}.
     * @param targets          a program's webhook now, or null if it has none (its rows are then dropped); called
     *                         on the delivery thread, so it must be thread-safe.
     * @param clock            wall clock for backoff and the signature's timestamp.
     * @param errorHandler     receives rows given up on and unexpected errors; the thread carries on after them.
     * @param initialBackoffMs delay after an endpoint's first consecutive failure.
     * @param maxBackoffMs     longest delay between attempts.
     * @param maxAttempts      failed attempts of one row before it is given up.
     * @param allowPrivateNetworks deliver to hosts that resolve to loopback, private, link-local or reserved
     *                             addresses too ({@link WebhookAddresses}); off in production.
     */
    public WebhookDispatcher(
        final StateStore store,
        final Function<String, Target> targets,
        final EpochClock clock,
        final ErrorHandler errorHandler,
        final long initialBackoffMs,
        final long maxBackoffMs,
        final int maxAttempts,
        final boolean allowPrivateNetworks)
    {
        if (initialBackoffMs < 1 || maxBackoffMs < initialBackoffMs || maxAttempts < 1)
        {
            throw new IllegalArgumentException("need 1 <= initialBackoffMs <= maxBackoffMs and maxAttempts >= 1: " +
                initialBackoffMs + ", " + maxBackoffMs + ", " + maxAttempts);
        }
        this.outbox = new OutboxTable(store);
        this.targets = targets;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.initialBackoffMs = initialBackoffMs;
        this.maxBackoffMs = maxBackoffMs;
        this.maxAttempts = maxAttempts;
        this.allowPrivateNetworks = allowPrivateNetworks;
        this.httpClient = HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            // HTTP/1.1 because on plain http the client would otherwise offer an h2c upgrade that some receivers
            // mishandle; webhook volume gains nothing from HTTP/2.
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    }

    /**
     * Start the daemon delivery thread; a dispatcher runs once, so a restart is a new instance.
     *
     * @return this.
     * @throws IllegalStateException if already started.
     */
    public synchronized WebhookDispatcher start()
    {
        if (null != thread)
        {
            throw new IllegalStateException("already started");
        }
        running = true;
        final Thread newThread = new Thread(this::run, THREAD_NAME);
        newThread.setDaemon(true);
        thread = newThread;
        newThread.start();
        return this;
    }

    /**
     * Cut an idle sleep short, for example after the aggregator committed outbox rows; safe from any thread, cheap,
     * and a no-op before {@link #start()}.
     */
    public void wake()
    {
        final Thread current = thread;
        if (null != current)
        {
            LockSupport.unpark(current);
        }
    }

    /**
     * Stop the thread, interrupting an in-flight request (which is then neither delivered nor counted as failed,
     * and is sent again on the next start), and wait for it so that the store can be closed afterwards.
     */
    @Override
    public synchronized void close()
    {
        final Thread current = thread;
        if (null == current || !running)
        {
            return;
        }
        running = false;
        current.interrupt();
        try
        {
            current.join(CLOSE_TIMEOUT_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (current.isAlive())
        {
            report(new IllegalStateException(THREAD_NAME + " did not stop within " + CLOSE_TIMEOUT_MS + " ms"));
        }
    }

    /**
     * @return events delivered (answered 2xx) and deleted.
     */
    public long delivered()
    {
        return delivered.get();
    }

    /**
     * @return attempts that failed: non-2xx answers, timeouts and connection failures.
     */
    public long failedAttempts()
    {
        return failedAttempts.get();
    }

    /**
     * @return events given up on after the last attempt, or unreadable rows.
     */
    public long dead()
    {
        return dead.get();
    }

    /**
     * @return events deleted undelivered because their program had no webhook.
     */
    public long dropped()
    {
        return dropped.get();
    }

    private void run()
    {
        while (running)
        {
            // Only close() should interrupt; a stray interrupt would otherwise fail every request and spin the park.
            Thread.interrupted();
            long parkMs = IDLE_MS;
            try
            {
                final int work = discover() + deliverReady();
                parkMs = 0 == work ? idleMs() : 0;
            }
            catch (final Throwable ex)
            {
                // Most likely RocksDB; the rows stay where they are and are retried after an idle sleep.
                report(ex);
            }
            if (parkMs > 0 && running)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(parkMs));
            }
        }
    }

    private int discover()
    {
        discoveredThisPass = 0;
        outbox.scanFrom(discoverFrom, this::onDiscovered);
        return discoveredThisPass;
    }

    private boolean onDiscovered(final byte[] key, final byte[] value)
    {
        final JsonNode event = parse(key, value);
        if (null != event)
        {
            final String programId = event.path("programId").asText();
            endpoints.computeIfAbsent(programId, Endpoint::new).seqs.offerLong(OutboxTable.seq(key));
        }
        // Advanced only once the row is queued or deleted, so a failure above means it is seen again next pass.
        // The key plus a zero byte is the smallest key after it: the next scan starts just past this row.
        discoverFrom = OutboxTable.after(key);
        discoveredThisPass++;
        return discoveredThisPass < DISCOVERY_LIMIT && running;
    }

    private int deliverReady()
    {
        int work = 0;
        final Iterator<Endpoint> iterator = endpoints.values().iterator();
        while (running && iterator.hasNext())
        {
            final Endpoint endpoint = iterator.next();
            if (endpoint.seqs.isEmpty())
            {
                if (0 == endpoint.consecutiveFailures)
                {
                    iterator.remove();
                }
            }
            else if (endpoint.nextAttemptMs <= clock.time())
            {
                deliverHead(endpoint);
                work++;
            }
        }
        return work;
    }

    private void deliverHead(final Endpoint endpoint)
    {
        final byte[] key = OutboxTable.key(endpoint.seqs.peekLong());
        final byte[] body = outbox.find(key);
        final JsonNode event = null == body ? null : parse(key, body);
        if (null == event)
        {
            // Gone (only an operator could have deleted it) or unreadable (already reported and deleted).
            endpoint.removeHead();
            return;
        }
        final Target target = targets.apply(endpoint.programId);
        if (null == target)
        {
            outbox.deleteNow(key);
            endpoint.removeHead();
            dropped.incrementAndGet();
            return;
        }

        final String eventId = event.path("id").asText();
        final String failure = post(target, eventId, event.path("type").asText(), body);
        if (null == failure)
        {
            outbox.deleteNow(key);
            endpoint.removeHead();
            endpoint.consecutiveFailures = 0;
            endpoint.nextAttemptMs = 0;
            delivered.incrementAndGet();
        }
        else if (running)
        {
            failedAttempts.incrementAndGet();
            endpoint.consecutiveFailures++;
            endpoint.headAttempts++;
            endpoint.nextAttemptMs = clock.time() + backoffMs(endpoint.consecutiveFailures);
            if (endpoint.headAttempts >= maxAttempts)
            {
                outbox.deleteNow(key);
                endpoint.removeHead();
                // Reported before counted, so that whoever sees the count can already see the report.
                report(new IllegalStateException("webhook " + eventId + " to " + origin(target.url()) +
                    " given up after " + maxAttempts + " attempts, last: " + failure));
                dead.incrementAndGet();
            }
        }
    }

    /**
     * Receivers often carry their own secret in the URL (Zapier's and Slack's hooks in the path, others as a
     * {@code ?token=}), so a log names only where the webhook went, never the whole URL.
     *
     * @return scheme, host and port of the URL, with "/…" standing for a path or query.
     */
    static String origin(final String url)
    {
        try
        {
            final URI uri = new URI(url);
            final String rest = (null == uri.getRawPath() || uri.getRawPath().length() <= 1) &&
                null == uri.getRawQuery() ? "" : "/…";
            final String host = null == uri.getHost() ? "(a host that does not parse)" : uri.getHost();
            return uri.getScheme() + "://" + host + (-1 == uri.getPort() ? "" : ":" + uri.getPort()) + rest;
        }
        catch (final URISyntaxException | RuntimeException ex)
        {
            return "(a webhook URL that does not parse)";
        }
    }

    /**
     * @return null if the receiver answered 2xx, else what went wrong (without the secret).
     */
    private String post(final Target target, final String eventId, final String eventType, final byte[] body)
    {
        if (null == target.url() || null == target.secret() || target.secret().isBlank())
        {
            // A failure rather than an exception, so the row ends up given up and reported once, not every pass.
            // A blank secret (a catalog journaled before the admin API refused one) would throw in HMAC.
            return "webhook URL or signing secret missing";
        }
        if (!allowPrivateNetworks)
        {
            // Resolved now, at send time: a name re-pointed at a private address after the admin API took it is
            // caught here. (A resolver answering differently a moment later, to the HTTP client, is not: block
            // private ranges at the egress firewall too.)
            final String refusal = WebhookAddresses.resolvedRefusal(target.url());
            if (null != refusal)
            {
                return "refused: " + refusal;
            }
        }
        final long timestampSeconds = clock.time() / 1000;
        final String signature = "t=" + timestampSeconds + ",v1=" + HexFormat.of().formatHex(HmacSha256.of(
            target.secret(), (timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII), body));
        try
        {
            final HttpRequest request = HttpRequest.newBuilder(URI.create(target.url()))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .header("Ricochet-Event-Id", eventId)
                .header("Ricochet-Event-Type", eventType)
                .header("Ricochet-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
            // The body is never read: closing the stream at once means a receiver that trickles its answer cannot
            // hold the thread, as the request timeout is only promised up to the response headers.
            final HttpResponse<InputStream> response =
                httpClient.send(request, HttpResponse.BodyHandlers.ofInputStream());
            CloseHelper.quietClose(response.body());
            final int status = response.statusCode();
            return status >= 200 && status < 300 ? null : "HTTP " + status;
        }
        catch (final IOException ex)
        {
            // Timeouts, refused connections, TLS failures.
            return ex.getClass().getSimpleName() + (null == ex.getMessage() ? "" : ": " + ex.getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            // Its message quotes the whole URL, token and all.
            return "a URL the HTTP client cannot use";
        }
        catch (final InterruptedException ex)
        {
            // Only close() interrupts: keep the flag so the loop ends, and leave the row for the next start.
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private long backoffMs(final int consecutiveFailures)
    {
        final int doublings = Math.min(consecutiveFailures - 1, 62);
        final long limit = maxBackoffMs >> doublings;
        // Compare before shifting so that a long failure streak saturates instead of overflowing.
        return initialBackoffMs > limit ? maxBackoffMs : Math.min(maxBackoffMs, initialBackoffMs << doublings);
    }

    private long idleMs()
    {
        final long nowMs = clock.time();
        long parkMs = IDLE_MS;
        for (final Endpoint endpoint : endpoints.values())
        {
            if (!endpoint.seqs.isEmpty())
            {
                parkMs = Math.min(parkMs, Math.max(1, endpoint.nextAttemptMs - nowMs));
            }
        }
        return parkMs;
    }

    /**
     * @return the event, or null if the row cannot be delivered, in which case it has been deleted and reported.
     */
    private JsonNode parse(final byte[] key, final byte[] value)
    {
        final JsonNode event = readTree(value);
        if (OutboxTable.isKey(key) && null != event && event.path("id").isTextual() && event.path("type").isTextual() &&
            event.path("programId").isTextual())
        {
            return event;
        }
        // A writer bug: without an id, type and program the row can never be delivered, so keeping it helps nobody.
        outbox.deleteNow(key);
        report(new IllegalStateException("unreadable outbox row " + HexFormat.of().formatHex(key) + " deleted"));
        dead.incrementAndGet();
        return null;
    }

    private static JsonNode readTree(final byte[] value)
    {
        try
        {
            return StrictJson.MAPPER.readTree(value);
        }
        catch (final IOException ex)
        {
            // The caller reports the row by key; the parser's message would add nothing actionable.
            return null;
        }
    }

    private void report(final Throwable ex)
    {
        try
        {
            errorHandler.onError(ex);
        }
        catch (final Throwable ignore)
        {
            // An error handler that throws must not end delivery.
        }
    }

    /**
     * One program's queue of undelivered rows and the health of its endpoint; touched only by the delivery thread.
     */
    private static final class Endpoint
    {
        final String programId;
        final LongArrayQueue seqs = new LongArrayQueue(NULL_SEQ);
        int consecutiveFailures;
        int headAttempts;
        long nextAttemptMs;

        Endpoint(final String programId)
        {
            this.programId = programId;
        }

        void removeHead()
        {
            seqs.pollLong();
            headAttempts = 0;
        }
    }
}
