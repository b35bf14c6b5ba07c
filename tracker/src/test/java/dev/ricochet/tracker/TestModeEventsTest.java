package dev.ricochet.tracker;

import dev.ricochet.ingest.DeadLetterEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.HmacSha256;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import dev.ricochet.ingest.test.StripeEvents;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Money that never moved is never credited: a Stripe test-mode event ({@code livemode: false}) and a Shopify test
 * order or test refund transaction ({@code test: true}) are acknowledged 200 (the sender must not retry) and
 * dead-lettered with the reason, never journaled as conversions (docs/edge.md, "Test-mode events").
 */
class TestModeEventsTest
{
    private static final String STRIPE_SECRET = "whsec_test_mode_0123456789";
    private static final String SHOPIFY_SECRET = "shpss_test_mode_0123456789";

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();
    @AutoClose
    private EdgeFixture edge;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir, new LinkRoute[0],
            new ProgramRoute("shop", 3, "USD", "rcid", null, STRIPE_SECRET, SHOPIFY_SECRET, null));
    }

    @Test
    void deadLettersAStripeTestModeSaleAndCreditsNothing() throws Exception
    {
        final String payload = StripeEvents.event("evt_t1", "checkout.session.completed",
            StripeEvents.checkoutSession("pi_t1", 4999, null, "cus_1"), false);

        final HttpResponse<String> response = stripe(payload);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(List.of("dead:test-mode event (livemode false): no money moved, not credited"), journaled());
    }

    @Test
    void deadLettersAStripeTestModeRefundToo() throws Exception
    {
        final String payload = StripeEvents.event("evt_t2", "charge.refunded",
            StripeEvents.charge("ch_t2", "pi_t2", 1000, 1000), false);

        assertEquals(200, stripe(payload).statusCode());
        assertEquals(1, journaled().size());
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
    }

    @Test
    void creditsTheSameStripeSaleInLiveMode() throws Exception
    {
        final String payload = StripeEvents.event("evt_l1", "checkout.session.completed",
            StripeEvents.checkoutSession("pi_l1", 4999, null, "cus_1"), true);

        assertEquals(200, stripe(payload).statusCode());
        assertEquals(List.of("sale"), journaled());
    }

    @Test
    void deadLettersAShopifyTestOrder() throws Exception
    {
        final String order = "{\"id\":820982911946154508,\"test\":true,\"currency\":\"USD\"," +
            "\"total_price\":\"49.99\"," +
            "\"created_at\":\"2026-01-01T00:00:00Z\"}";

        final HttpResponse<String> response = shopify("orders/create", order);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(List.of("dead:orders/create of a test order (test true): not credited"), journaled());
    }

    @Test
    void deadLettersAShopifyRefundWithATestTransaction() throws Exception
    {
        final String refund = "{\"id\":929361462,\"order_id\":450789469,\"transactions\":[{\"kind\":\"refund\"," +
            "\"status\":\"success\",\"amount\":\"10.00\",\"currency\":\"USD\",\"test\":true}]}";

        assertEquals(200, shopify("refunds/create", refund).statusCode());
        assertEquals(List.of("dead:refunds/create with a test transaction (test true): not credited"), journaled());
    }

    private HttpResponse<String> stripe(final String payload) throws Exception
    {
        return client.send(HttpRequest.newBuilder(uri("/webhooks/stripe/shop"))
            .header("Stripe-Signature", StripeEvents.signatureHeader(STRIPE_SECRET, payload,
                System.currentTimeMillis() / 1000))
            .POST(HttpRequest.BodyPublishers.ofString(payload)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> shopify(final String topic, final String body) throws Exception
    {
        return client.send(HttpRequest.newBuilder(uri("/webhooks/shopify/shop"))
            .header("X-Shopify-Topic", topic)
            .header("X-Shopify-Hmac-Sha256", Base64.getEncoder().encodeToString(
                HmacSha256.of(SHOPIFY_SECRET, body.getBytes(StandardCharsets.UTF_8))))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + edge.server.port() + path);
    }

    private List<String> journaled()
    {
        final List<String> events = new ArrayList<>();
        try (JournalPoller poller = edge.journal.newPoller(Journal.NULL_INDEX))
        {
            poller.poll((buffer, length, index) ->
            {
                final byte type = buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET);
                if (EventHeaderDescriptor.TYPE_CONVERSION == type)
                {
                    events.add("sale");
                }
                else if (EventHeaderDescriptor.TYPE_DEAD_LETTER == type)
                {
                    events.add("dead:" + new DeadLetterEventFlyweight().wrap(buffer, 0).reason());
                }
            }, 10_000);
        }
        return events;
    }
}
