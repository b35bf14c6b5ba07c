package dev.ricochet.tracker;

import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.DeadLetterEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import dev.ricochet.ingest.test.StripeEvents;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sender's time is data, never the journal's time: through the real edge, every conversion is journaled at its
 * receive time, the sender's own time ({@code created}, {@code created_at}) is a field clamped into
 * [receive - 30 days, receive + 5 min], and a value that is no time (milliseconds past a long among them) is
 * dead-lettered, never wrapped. The cases are the committed corpus {@code src/test/resources/hostile-times.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SenderTimeTest
{
    private static final Path CORPUS = Path.of("src/test/resources/hostile-times.txt");
    private static final long NOW_MS = 1_795_262_400_000L; // 2026-11-21T12:00:00Z
    private static final long AHEAD_MS = NOW_MS + 300_000L;
    private static final long AGE_MS = NOW_MS - 30L * 86_400_000L;
    private static final String STRIPE_SECRET = "whsec_time_0123456789abcdef";
    private static final String SHOPIFY_SECRET = "shpss_time_0123456789";

    @TempDir
    static Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final HttpClient client = HttpClient.newHttpClient();
    private EdgeFixture edge;
    private int sequence;

    /**
     * What the journal holds for one request: the conversion's header and reported times, or a dead letter's reason.
     */
    private record Journaled(Long headerMs, Long reportedMs, String deadLetter)
    {
    }

    @BeforeAll
    void startEdge() throws InterruptedException
    {
        clock.update(NOW_MS);
        edge = new EdgeFixture(dir, context -> context.epochClock(clock), new LinkRoute[0],
            new ProgramRoute("shop", 3, "USD", "rcid", null, STRIPE_SECRET, SHOPIFY_SECRET, null));
    }

    @AfterAll
    void stopEdge()
    {
        edge.close();
    }

    @TestFactory
    Stream<DynamicTest> journalsEverySenderTimeAtTheReceiveTimeAndKeepsItOnlyInsideItsWindow() throws Exception
    {
        final List<String[]> cases = new ArrayList<>();
        for (final String line : Files.readAllLines(CORPUS, StandardCharsets.UTF_8))
        {
            if (!line.isBlank() && !line.startsWith("#"))
            {
                final String[] fields = line.split(" \\| ", -1);
                assertEquals(3, fields.length, line);
                cases.add(fields);
            }
        }
        assertTrue(cases.size() >= 40, "corpus " + CORPUS.toAbsolutePath() + " has " + cases.size() + " cases");
        return cases.stream().map(fields -> DynamicTest.dynamicTest(String.join(" ", fields), () ->
        {
            // When the sender delivers a signed event with that time
            final String source = fields[0].trim();
            final String value = fields[1].trim();
            final String expected = fields[2].trim();
            final String id = "t" + (++sequence);
            final HttpResponse<String> response = "stripe".equals(source) ? stripe(id, value) : shopify(id, value);
            final Journaled journaled = journaled("stripe".equals(source) ? "pi_" + id : id);

            // Then it is answered without a 5xx, and either dead-lettered with nothing recorded, or recorded at the
            // receive time with its own time clamped into the window
            assertTrue(response.statusCode() < 500, response.statusCode() + " " + response.body());
            if ("dead".equals(expected))
            {
                assertTrue(response.body().contains("dead_letter"), response.body());
                assertNull(journaled.headerMs(), "recorded although its time is no time");
                assertTrue(null != journaled.deadLetter() && journaled.deadLetter().contains("time"),
                    String.valueOf(journaled.deadLetter()));
            }
            else
            {
                assertEquals(200, response.statusCode(), response.body());
                assertEquals(NOW_MS, journaled.headerMs(), "the header time is the receive time");
                assertEquals(switch (expected)
                {
                    case "now" -> NOW_MS;
                    case "ahead" -> AHEAD_MS;
                    case "age" -> AGE_MS;
                    default -> Long.parseLong(expected);
                }, journaled.reportedMs());
            }
        }));
    }

    @Test
    void shouldJournalAStripeSaleDatedTenYearsAheadAtItsReceiveTime() throws Exception
    {
        // Given a signed checkout whose created is ten years ahead of the edge's clock
        final String created = String.valueOf(NOW_MS / 1000 + 10L * 365 * 86_400);

        // When Stripe delivers it
        final HttpResponse<String> response = stripe("future", created);

        // Then the sale is kept, journaled at its receive time, its own time at most 5 minutes ahead
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(new Journaled(NOW_MS, AHEAD_MS, null), journaled("pi_future"));
    }

    @Test
    void shouldDeadLetterAStripeCreatedWhoseMillisecondsOverflowALong() throws Exception
    {
        // Given the review's event: created * 1000 is past a long, and wrapped it moved the ledger 622 million days
        final String created = "9223372036854775807";

        // When Stripe delivers it
        final HttpResponse<String> response = stripe("overflow", created);

        // Then it is kept as a dead letter naming the field, nothing is recorded, and the edge keeps recording
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("created is not a time"), response.body());
        assertEquals(new Journaled(null, null, "checkout.session.completed: created is not a time in Unix seconds"),
            journaled("pi_overflow"));
        assertEquals(200, stripe("after-overflow", String.valueOf(NOW_MS / 1000)).statusCode());
        assertEquals(NOW_MS, journaled("pi_after-overflow").headerMs());
    }

    @Test
    void shouldAnswerAShopifyCreatedAtPastALongWithADeadLetterNotA500() throws Exception
    {
        // Given an order whose created_at parses (years up to 999999999) but whose milliseconds do not fit a long:
        // the edge threw on its event loop and closed the connection unanswered
        final HttpResponse<String> response = shopify("9001", "\"+999999999-12-31T23:59:59Z\"");

        // Then it is a dead letter, answered 200 so that Shopify stops resending a body that cannot improve
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("created_at is not an ISO-8601 time"), response.body());
        assertNull(journaled("9001").headerMs());
    }

    @Test
    void shouldJournalAShopifyOrderDatedFarInThePastAtItsReceiveTime() throws Exception
    {
        // Given an order claiming to be from 1970
        final HttpResponse<String> response = shopify("9002", "\"1970-01-01T00:00:00Z\"");

        // Then it is kept at the receive time, its own time no older than 30 days before it
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(new Journaled(NOW_MS, AGE_MS, null), journaled("9002"));
    }

    private HttpResponse<String> stripe(final String id, final String created) throws Exception
    {
        final String payload = "{\"id\":\"evt_" + id + "\",\"object\":\"event\"," +
            "\"type\":\"checkout.session.completed\"," +
            ("absent".equals(created) ? "" : "\"created\":" + created + ",") +
            "\"data\":{\"object\":{\"id\":\"cs_" + id + "\",\"payment_status\":\"paid\",\"amount_total\":1000," +
            "\"currency\":\"usd\",\"payment_intent\":\"pi_" + id + "\"}}}";
        return client.send(HttpRequest.newBuilder(edgeUri("/webhooks/stripe/shop"))
            .header("Content-Type", "application/json")
            .header("Stripe-Signature", StripeEvents.signatureHeader(STRIPE_SECRET, payload, NOW_MS / 1000))
            .POST(HttpRequest.BodyPublishers.ofString(payload)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> shopify(final String id, final String createdAt) throws Exception
    {
        final String order = "{\"id\":\"" + id + "\",\"total_price\":\"10.00\",\"currency\":\"USD\"" +
            ("absent".equals(createdAt) ? "" : ",\"created_at\":" + createdAt) + "}";
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SHOPIFY_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return client.send(HttpRequest.newBuilder(edgeUri("/webhooks/shopify/shop"))
            .header("X-Shopify-Topic", "orders/create")
            .header("X-Shopify-Hmac-Sha256",
                Base64.getEncoder().encodeToString(mac.doFinal(order.getBytes(StandardCharsets.UTF_8))))
            .POST(HttpRequest.BodyPublishers.ofString(order)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI edgeUri(final String path)
    {
        return URI.create("http://127.0.0.1:" + edge.server.port() + path);
    }

    /**
     * @return the conversion journaled under the external id, or the dead letter whose body names it.
     */
    private Journaled journaled(final String externalId)
    {
        final Journaled[] found = { new Journaled(null, null, null) };
        final ConversionEventFlyweight conversion = new ConversionEventFlyweight();
        final DeadLetterEventFlyweight deadLetter = new DeadLetterEventFlyweight();
        try (JournalPoller poller = edge.journal.newPoller(Journal.NULL_INDEX))
        {
            poller.poll((buffer, length, index) ->
            {
                final byte type = buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET);
                if (EventHeaderDescriptor.TYPE_CONVERSION == type)
                {
                    conversion.wrap(buffer, 0, length);
                    if (externalId.equals(conversion.externalId()))
                    {
                        found[0] = new Journaled(conversion.timestampMs(), conversion.reportedMs(), null);
                    }
                }
                else if (EventHeaderDescriptor.TYPE_DEAD_LETTER == type)
                {
                    deadLetter.wrap(buffer, 0, length);
                    if (new String(deadLetter.body(), StandardCharsets.UTF_8).contains("\"" + externalId + "\""))
                    {
                        found[0] = new Journaled(null, null, deadLetter.reason());
                    }
                }
            }, 100_000);
        }
        return found[0];
    }
}
