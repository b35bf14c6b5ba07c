package dev.ricochet.tracker;

import com.google.gson.JsonObject;
import com.stripe.net.Webhook;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.DeadLetterEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import dev.ricochet.ingest.test.StripeEvents;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StripeWebhookTest
{
    private static final String SECRET = "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH";
    private static final String CLICK_ID = "-0cUpCA8VobNMR3l0Rz5ln";

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
        edge = new EdgeFixture(dir, new LinkRoute[0], new ProgramRoute("shop", 3, "USD", "rcid", null, SECRET, null,
            null),
            new ProgramRoute("nostripe", 4, "USD", "rcid", null, null, null, null));
        journal = edge.journal;
        server = edge.server;
    }

    @Test
    void shouldRecordAPaidCheckoutSessionAsASaleWithItsClickId() throws Exception
    {
        // Given a checkout.session.completed built and signed with stripe-java
        final String payload = event("evt_1", "checkout.session.completed", checkoutSession("pi_1", 4999));
        final String header = signatureHeader(payload, nowSeconds());
        Webhook.constructEvent(payload, header, SECRET); // Stripe's own verifier accepts what the test sends

        // When Stripe delivers it
        final HttpResponse<String> response = post("shop", payload, header);

        // Then it is durable before the 200, as a sale of the payment intent with the click id and customer
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(List.of("2|3|4999|USD|pi_1||cus_42|" + CLICK_ID + "|false"), journaled());
    }

    @Test
    void shouldRejectATamperedBodyAndRecordNothing() throws Exception
    {
        final String payload = event("evt_2", "checkout.session.completed", checkoutSession("pi_2", 1000));
        final String header = signatureHeader(payload, nowSeconds());
        final HttpResponse<String> response = post("shop", payload.replace("1000", "100000"), header);
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("no valid Stripe signature"), response.body());
        assertEquals(List.of(), journaled());
    }

    @Test
    void shouldRejectTimestampsOutsideTheToleranceInBothDirections() throws Exception
    {
        final String payload = event("evt_3", "checkout.session.completed", checkoutSession("pi_3", 1000));
        final HttpResponse<String> old = post("shop", payload, signatureHeader(payload, nowSeconds() - 600));
        final HttpResponse<String> future = post("shop", payload, signatureHeader(payload, nowSeconds() + 600));
        assertEquals(400, old.statusCode());
        assertEquals(400, future.statusCode());
        assertTrue(future.body().contains("outside the 300 s tolerance"), future.body());
        assertEquals(List.of(), journaled());
    }

    @Test
    void shouldRefuseAnAcceptedDeliveryReplayedAfterTheToleranceWindow() throws Exception
    {
        // Given an edge whose clock the test moves, and a delivery it accepted
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(System.currentTimeMillis());
        try (EdgeFixture replayEdge = new EdgeFixture(dir.resolve("replay"), context -> context.epochClock(clock),
            new LinkRoute[0], new ProgramRoute("shop", 3, "USD", "rcid", null, SECRET, null, null)))
        {
            final String payload = event("evt_r", "checkout.session.completed", checkoutSession("pi_r", 700));
            final String header = signatureHeader(payload, clock.time() / 1000);
            assertEquals(200, post(replayEdge.server, "shop", payload, header).statusCode());

            // When the same bytes are sent again inside the window, and once more after it
            final HttpResponse<String> inside = post(replayEdge.server, "shop", payload, header);
            clock.advance(301_000);
            final HttpResponse<String> outside = post(replayEdge.server, "shop", payload, header);

            // Then inside it is the same delivery (a duplicate, counted once); outside it is refused
            assertTrue(inside.body().contains("\"duplicate\":true"), inside.body());
            assertEquals(400, outside.statusCode(), outside.body());
            assertTrue(outside.body().contains("outside the 300 s tolerance"), outside.body());
            assertEquals(1, EdgeFixture.journaledCount(replayEdge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
        }
    }

    @Test
    void shouldAcceptAnyOneOfSeveralV1SignaturesDuringSecretRotation() throws Exception
    {
        final String payload = event("evt_4", "checkout.session.completed", checkoutSession("pi_4", 1000));
        final long t = nowSeconds();
        final String header = "t=" + t + ",v1=" + "0".repeat(64) + ",v1=" +
            Webhook.Util.computeHmacSha256(SECRET, t + "." + payload) + ",v0=ignored";
        assertEquals(200, post("shop", payload, header).statusCode());
    }

    @Test
    void shouldAnswer400NeverA500ToMalformedSignatureHeaders() throws Exception
    {
        final String payload = event("evt_5", "checkout.session.completed", checkoutSession("pi_5", 1000));
        final long now = nowSeconds();
        for (final String header : new String[]{ "", "garbage", "t=abc,v1=00", "v1=00", "t=1", "t=,v1=", "=,=,=",
            // a timestamp past a long, negative, far in the future, at the extremes of a long, signed twice
            "t=99999999999999999999,v1=00", "t=-1,v1=00", "t=" + (now + 86_400 * 365) + ",v1=00",
            "t=9223372036854775807,v1=00", "t=-9223372036854775808,v1=00", "t=" + now + ",t=1,v1=00",
            // signatures that are not hex, empty, or only other schemes; separators only; non-ASCII
            "t=" + now + ",v1=zz", "t=" + now + ",v1=", "t=" + now + ",v0=00,v2=00", ",,,,",
            "t=" + now + "," + "v1=00,".repeat(500) })
        {
            final HttpResponse<String> response = post("shop", payload, header);
            assertEquals(400, response.statusCode(), header + " -> " + response.body());
        }
        assertEquals(List.of(), journaled());
    }

    @Test
    void shouldKeepAndAnswer400AVerifiedBodyThatIsNotJson() throws Exception
    {
        // Given signed bodies no JSON parser reads: nested past the bound, a number past the bound, a duplicate key
        final String deep = "[".repeat(5_000) + "]".repeat(5_000);
        final String longNumber = event("evt_n", "checkout.session.completed", checkoutSession("pi_n", 1))
            .replace("\"amount_total\":1", "\"amount_total\":" + "9".repeat(100));
        final String duplicate = "{\"id\":\"evt_d\",\"type\":\"charge.refunded\",\"type\":\"invoice.paid\"}";
        for (final String body : new String[]{ deep, longNumber, duplicate })
        {
            // When Stripe delivers each, Then it sees a 400 naming the problem
            final HttpResponse<String> response = post("shop", body, signatureHeader(body, nowSeconds()));
            assertEquals(400, response.statusCode(), response.body());
            assertTrue(response.body().contains("body is not JSON"), response.body());
        }
        // And each is kept as a dead letter, nothing is recorded
        assertEquals(3, journaled().stream().filter(event -> event.startsWith("dead:body is not JSON")).count());
        assertEquals(3, journaled().size());
    }

    @Test
    void shouldDeadLetterAnAmountBeyondALongRatherThanWrapIt() throws Exception
    {
        // Given a paid session whose amount_total is 2^64 + 4999: read as a long it would wrap to 4999
        final String payload = event("evt_w", "checkout.session.completed", checkoutSession("pi_w", 4999))
            .replace("\"amount_total\":4999", "\"amount_total\":18446744073709556615");

        // When Stripe delivers it
        final HttpResponse<String> response = post("shop", payload, signatureHeader(payload, nowSeconds()));

        // Then no sale of 49.99 is recorded: it is kept as unusable
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(List.of("dead:checkout.session.completed without a usable amount"), journaled());
    }

    @Test
    void shouldDeadLetterASaleOrRefundAmountAboveTheBound() throws Exception
    {
        // Given a paid session of 10^12 + 1 minor units and a charge whose cumulative refund is as much
        final String sale = event("evt_b1", "checkout.session.completed", checkoutSession("pi_b", 1_000_000_000_001L));
        final String refund = event("evt_b2", "charge.refunded",
            charge("ch_b", "pi_b", 1_000_000_000_001L, 1_000_000_000_001L));

        // When Stripe delivers them
        final HttpResponse<String> saleAnswer = post("shop", sale, signatureHeader(sale, nowSeconds()));
        final HttpResponse<String> refundAnswer = post("shop", refund, signatureHeader(refund, nowSeconds()));

        // Then each is kept as a dead letter naming the bound (Stripe resending cannot help: 200), nothing counted
        assertEquals(200, saleAnswer.statusCode(), saleAnswer.body());
        assertEquals(200, refundAnswer.statusCode(), refundAnswer.body());
        assertEquals(List.of(
            "dead:checkout.session.completed: amount must be an integer number of minor units from 0 to " +
            "1000000000000, not 1000000000001",
            "dead:charge.refunded: amount must be an integer number of minor units from 0 to 1000000000000, not " +
            "1000000000001"), journaled());
    }

    @Test
    void shouldAcknowledgeAndIgnoreEventTypesItDoesNotUse() throws Exception
    {
        final String payload = event("evt_6", "customer.created", checkoutSession("pi_6", 1));
        final HttpResponse<String> response = post("shop", payload, signatureHeader(payload, nowSeconds()));
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("ignored"), response.body());
        assertEquals(List.of(), journaled());
        assertEquals(1, server.context().counters().get(TrackerCounter.WEBHOOKS_IGNORED));
    }

    @Test
    void shouldRecordAChargeRefundWithStripesCumulativeRefundedAmount() throws Exception
    {
        final String payload = event("evt_7", "charge.refunded", charge("ch_7", "pi_7", 5000, 1500));
        assertEquals(200, post("shop", payload, signatureHeader(payload, nowSeconds())).statusCode());
        assertEquals(List.of("4|3|1500|USD|refund:ch_7:1500|pi_7|||true"), journaled());
    }

    @Test
    void shouldDeadLetterAVerifiedBodyItCannotUse() throws Exception
    {
        final String payload = "{\"id\":\"evt_8\",\"type\":\"checkout.session.completed\",\"data\":{}}";
        final HttpResponse<String> response = post("shop", payload, signatureHeader(payload, nowSeconds()));
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("dead_letter"), response.body());
        assertEquals(List.of("dead:not a Stripe event: no type or data.object"), journaled());
    }

    @Test
    void shouldAnswer404ForAProgramWithoutAStripeSecret() throws Exception
    {
        final String payload = event("evt_9", "checkout.session.completed", checkoutSession("pi_9", 1));
        assertEquals(404, post("nostripe", payload, signatureHeader(payload, nowSeconds())).statusCode());
        assertEquals(404, post("unknown", payload, signatureHeader(payload, nowSeconds())).statusCode());
    }

    private static JsonObject checkoutSession(final String paymentIntent, final long amount)
    {
        return StripeEvents.checkoutSession(paymentIntent, amount, CLICK_ID, "cus_42");
    }

    private static JsonObject charge(final String id, final String paymentIntent, final long amount,
        final long refunded)
    {
        return StripeEvents.charge(id, paymentIntent, amount, refunded);
    }

    private static String event(final String id, final String type, final JsonObject object)
    {
        return StripeEvents.event(id, type, object);
    }

    private static String signatureHeader(final String payload, final long timestamp)
    {
        return StripeEvents.signatureHeader(SECRET, payload, timestamp);
    }

    private static long nowSeconds()
    {
        return System.currentTimeMillis() / 1000;
    }

    private HttpResponse<String> post(final String program, final String payload, final String signature)
        throws Exception
    {
        return post(server, program, payload, signature);
    }

    private HttpResponse<String> post(
        final TrackerServer edgeServer, final String program, final String payload, final String signature)
        throws Exception
    {
        return client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + edgeServer.port() + "/webhooks/stripe/" + program))
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Stripe-Signature", signature)
            .POST(HttpRequest.BodyPublishers.ofString(payload)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> journaled()
    {
        final List<String> events = new ArrayList<>();
        final ConversionEventFlyweight conversion = new ConversionEventFlyweight();
        try (JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            poller.poll((buffer, length, index) ->
            {
                final byte type = buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET);
                if (EventHeaderDescriptor.TYPE_CONVERSION == type)
                {
                    conversion.wrap(buffer, 0);
                    events.add(conversion.kind() + "|" + conversion.source() + "|" + conversion.amountMinor() + "|" +
                        conversion.currency() + "|" + conversion.externalId() + "|" +
                        conversion.originalExternalId() + "|" + conversion.customerId() + "|" +
                        (conversion.hasFlag(ConversionEventFlyweight.FLAG_HAS_CLICK_ID) ?
                        IdCodec.toString(conversion.clickIdHi(), conversion.clickIdLo()) : "") + "|" +
                        conversion.hasFlag(ConversionEventFlyweight.FLAG_CUMULATIVE_REVERSAL));
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
