package dev.ricochet.tracker;

import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import org.agrona.concurrent.CachedEpochClock;
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
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShopifyWebhookTest
{
    private static final String SECRET = "shpss_test_secret_42";
    private static final String CLICK_ID = "-0cUpCA8VobNMR3l0Rz5ln";
    private static final long NOW_MS = 1_795_262_400_000L; // 2026-11-21T12:00:00Z

    private final CachedEpochClock clock = new CachedEpochClock();

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();
    @AutoClose
    private EdgeFixture edge;
    private Journal journal;
    private TrackerServer server;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        // A fixed receive time, so that the orders' created_at (2026-11-20, 2026-11-21) stay inside the window
        clock.update(NOW_MS);
        edge = new EdgeFixture(dir, context -> context.epochClock(clock), new LinkRoute[0],
            new ProgramRoute("shop", 3, "USD", "ref", null, null, SECRET, null));
        journal = edge.journal;
        server = edge.server;
    }

    @Test
    void shouldRecordAnOrderWithTheClickIdFromItsNoteAttributes() throws Exception
    {
        final String order = "{\"id\":820982911946154508,\"total_price\":\"25.99\",\"currency\":\"USD\"," +
            "\"created_at\":\"2026-11-20T10:00:00-05:00\",\"customer\":{\"id\":115310627314723954}," +
            "\"note_attributes\":[{\"name\":\"gift\",\"value\":\"yes\"},{\"name\":\"ref\",\"value\":\"" + CLICK_ID +
                "\"}]," +
            "\"discount_codes\":[{\"code\":\"SPRING10\",\"amount\":\"2.60\",\"type\":\"percentage\"}]}";

        final HttpResponse<String> response = post("orders/create", "wh-1", order, sign(order));

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(List.of("2|2599|820982911946154508||115310627314723954|SPRING10|" + CLICK_ID + "|1795186800000"),
            journaled());
    }

    @Test
    void shouldFindTheClickIdInTheLandingSite() throws Exception
    {
        final String order = "{\"id\":1001,\"total_price\":\"10.00\",\"currency\":\"USD\"," +
            "\"landing_site\":\"/products/tent?utm_source=x&ref=" + CLICK_ID + "\"}";
        assertEquals(200, post("orders/create", "wh-2", order, sign(order)).statusCode());
        assertTrue(journaled().get(0).contains("|" + CLICK_ID + "|"), journaled().toString());
    }

    @Test
    void shouldRejectAWrongHmacWith401AndRecordNothing() throws Exception
    {
        final String order = "{\"id\":1002,\"total_price\":\"10.00\",\"currency\":\"USD\"}";
        assertEquals(401, post("orders/create", "wh-3", order, sign(order.replace("10.00", "1.00"))).statusCode());
        assertEquals(401, post("orders/create", "wh-3", order, null).statusCode());
        assertEquals(List.of(), journaled());
    }

    @Test
    void shouldAnswerARedeliveryAsADuplicateWithoutJournalingAgain() throws Exception
    {
        final String order = "{\"id\":1003,\"total_price\":\"10.00\",\"currency\":\"USD\"}";
        assertTrue(post("orders/create", "wh-4", order, sign(order)).body().contains("\"duplicate\":false"));
        assertTrue(post("orders/create", "wh-4", order, sign(order)).body().contains("\"duplicate\":true"));
        assertEquals(1, journaled().size());
    }

    @Test
    void shouldRecordARefundOfItsSuccessfulRefundTransactions() throws Exception
    {
        final String refund = "{\"id\":509562969,\"order_id\":1003,\"created_at\":\"2026-11-21T08:00:00Z\"," +
            "\"transactions\":[{\"kind\":\"refund\",\"status\":\"success\",\"amount\":\"4.50\"}," +
            "{\"kind\":\"refund\",\"status\":\"failure\",\"amount\":\"99.00\"}," +
            "{\"kind\":\"refund\",\"status\":\"success\",\"amount\":\"0.50\"}]}";
        assertEquals(200, post("refunds/create", "wh-5", refund, sign(refund)).statusCode());
        assertEquals(List.of("4|500|refund:509562969|1003|||false|1795248000000"), journaled());
    }

    @Test
    void shouldDeadLetterARefundWhoseTransactionsWouldWrapAroundALong() throws Exception
    {
        // Given a refund of three transactions summing to 2^64 + 1 cents: added as longs they wrap to a 1-cent refund
        final String refund = "{\"id\":601,\"order_id\":1003,\"transactions\":[" +
            "{\"kind\":\"refund\",\"status\":\"success\",\"amount\":\"61489146912365172.05\"}," +
            "{\"kind\":\"refund\",\"status\":\"success\",\"amount\":\"61489146912365172.06\"}," +
            "{\"kind\":\"refund\",\"status\":\"success\",\"amount\":\"61489146912365172.06\"}]}";

        // When Shopify delivers it
        final HttpResponse<String> response = post("refunds/create", "wh-9", refund, sign(refund));

        // Then it is kept as a dead letter naming the bound, and no refund is recorded
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"dead_letter\"") && response.body().contains(
            "transactions[].amount must be an integer number of minor units from 0 to 1000000000000"), response.body());
        assertEquals(List.of(), journaled());
    }

    @Test
    void shouldDeadLetterARefundWhoseTransactionsSumPastTheBound() throws Exception
    {
        // Given two transactions of 6x10^11 cents each: each within the bound, their sum past it
        final String refund = "{\"id\":602,\"order_id\":1003,\"transactions\":[" +
            "{\"kind\":\"refund\",\"status\":\"success\",\"amount\":\"6000000000.00\"}," +
            "{\"kind\":\"refund\",\"status\":\"success\",\"amount\":\"6000000000.00\"}]}";

        // When Shopify delivers it, Then it is a dead letter and nothing is recorded
        final HttpResponse<String> response = post("refunds/create", "wh-10", refund, sign(refund));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("the sum of the transactions' amount must be an integer number of " +
            "minor units from 0 to 1000000000000"), response.body());
        assertEquals(List.of(), journaled());
    }

    @Test
    void shouldDeadLetterARefundMixingCurrenciesRatherThanSumThemAsOne() throws Exception
    {
        // Given a refund of 500 JPY and 4.50 USD to a USD program: summed, it was a refund of 504.50 USD
        final String refund = "{\"id\":603,\"order_id\":1003,\"transactions\":[" +
            "{\"kind\":\"refund\",\"status\":\"success\",\"amount\":\"500\",\"currency\":\"JPY\"}," +
            "{\"kind\":\"refund\",\"status\":\"success\",\"amount\":\"4.50\",\"currency\":\"USD\"}]}";

        // When Shopify delivers it
        final HttpResponse<String> response = post("refunds/create", "wh-11", refund, sign(refund));

        // Then it is kept as a dead letter saying so, and no refund is recorded
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("refunds/create mixes transactions in JPY and USD"), response.body());
        assertEquals(List.of(), journaled());
    }

    @Test
    void shouldDeadLetterAnOrderWhoseTotalIsAboveTheBound() throws Exception
    {
        // Given an order of 10^10 dollars and a cent: 10^12 + 1 cents
        final String order = "{\"id\":1004,\"total_price\":\"10000000000.01\",\"currency\":\"USD\"}";

        // When Shopify delivers it, Then it is a dead letter naming the bound and no sale is recorded
        final HttpResponse<String> response = post("orders/create", "wh-12", order, sign(order));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("orders/create: amount must be an integer number of minor units from 0 " +
            "to 1000000000000, not 1000000000001"), response.body());
        assertEquals(List.of(), journaled());
    }

    @Test
    void shouldDeadLetterAnOrderWhosePriceIsNotWrittenInPlainAsciiDigits() throws Exception
    {
        // Given totals BigDecimal reads but Shopify never writes: fullwidth and Arabic-Indic digits, a sign, an
        // exponent
        int id = 1100;
        for (final String price : new String[]{ "\uFF11\uFF12.\uFF13\uFF14", "\u0661\u0662.34", "+12.34", "1.234e1",
            "012.34", ".5" })
        {
            final String order = "{\"id\":" + id + ",\"total_price\":\"" + price + "\",\"currency\":\"USD\"}";

            // When Shopify delivers it, Then it is a dead letter and no sale is recorded
            final HttpResponse<String> response = post("orders/create", "wh-p" + id++, order, sign(order));
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().contains("exact total_price"), price + ": " + response.body());
        }
        assertEquals(List.of(), journaled());
    }

    @Test
    void shouldFindTheClickIdInALandingSiteWithAStrayPercentSign() throws Exception
    {
        // Given an order whose landing site has a '%' that is no escape (found by WebhookIntakeFuzzTest: Netty's
        // query decoder threw, the connection closed unanswered, and every retry of the order did the same)
        final String order = "{\"id\":1002,\"total_price\":\"10.00\",\"currency\":\"USD\"," +
            "\"landing_site\":\"/products/tent?utm_campaign=50%off&ref=" + CLICK_ID + "\"}";

        // When Shopify delivers it
        final HttpResponse<String> response = post("orders/create", "wh-7", order, sign(order));

        // Then it is recorded with its click id
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(journaled().get(0).contains("|" + CLICK_ID + "|"), journaled().toString());
    }

    @Test
    void shouldKeepAndAnswer400AVerifiedBodyThatIsNotJson() throws Exception
    {
        // Given signed bodies no JSON parser reads: nested past the bound, not UTF-8, a duplicate key
        for (final String body : new String[]{ "[".repeat(5_000) + "]".repeat(5_000),
            "{\"id\":1,\"id\":2,\"total_price\":\"1.00\",\"currency\":\"USD\"}", "{\"id\":" })
        {
            // When Shopify delivers each, Then the sender sees a 400 naming the problem
            final HttpResponse<String> response = post("orders/create", null, body, sign(body));
            assertEquals(400, response.statusCode(), response.body());
            assertTrue(response.body().contains("body is not JSON"), response.body());
        }
        // And each is kept as a dead letter, nothing recorded, and the edge keeps serving
        assertEquals(List.of(), journaled());
        assertEquals(3, server.context().counters().get(TrackerCounter.DEAD_LETTERS));
        final String order = "{\"id\":1003,\"total_price\":\"10.00\",\"currency\":\"USD\"}";
        assertEquals(200, post("orders/create", "wh-8", order, sign(order)).statusCode());
    }

    @Test
    void shouldIgnoreTopicsItDoesNotUse() throws Exception
    {
        final String product = "{\"id\":1,\"title\":\"Tent\"}";
        final HttpResponse<String> response = post("products/update", "wh-6", product, sign(product));
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("ignored"), response.body());
        assertEquals(List.of(), journaled());
    }

    private static String sign(final String body) throws Exception
    {
        // Shopify's documented scheme, computed independently of the code under test.
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    private HttpResponse<String> post(final String topic, final String webhookId, final String body, final String hmac)
        throws Exception
    {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/webhooks/shopify/shop"))
            .header("X-Shopify-Topic", topic)
            .POST(HttpRequest.BodyPublishers.ofString(body));
        if (null != webhookId)
        {
            builder.header("X-Shopify-Webhook-Id", webhookId);
        }
        if (null != hmac)
        {
            builder.header("X-Shopify-Hmac-Sha256", hmac);
        }
        return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> journaled()
    {
        final List<String> events = new ArrayList<>();
        final ConversionEventFlyweight c = new ConversionEventFlyweight();
        try (JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            poller.poll((buffer, length, index) ->
            {
                if (EventHeaderDescriptor.TYPE_CONVERSION == buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET))
                {
                    c.wrap(buffer, 0);
                    // The header time is always the receive time; the last field is the order's own (bounded) time.
                    assertEquals(NOW_MS, c.timestampMs());
                    events.add(c.kind() + "|" + c.amountMinor() + "|" + c.externalId() + "|" + c.originalExternalId() +
                        "|" + c.customerId() + "|" + c.coupon() + "|" +
                        (c.hasFlag(ConversionEventFlyweight.FLAG_HAS_CLICK_ID) ?
                        IdCodec.toString(c.clickIdHi(), c.clickIdLo()) : "false") + "|" + c.reportedMs());
                }
            }, 10_000);
        }
        return events;
    }
}
