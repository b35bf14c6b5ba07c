package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.JournalAppender;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.Await;
import dev.ricochet.testsupport.ServiceFixture;
import dev.ricochet.testsupport.ShopifySigner;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Time from outside is data, never a clock (issue 15, item 1), on the real service over HTTP on a test clock: a
 * sender's time moves no clock of the aggregator, no single event in a journal can wedge it, and its {@code /readyz}
 * fails while it makes no progress with events waiting.
 *
 * <p>The program holds commissions 30 days and reviews tiers daily; ann and bob each have one link. Ann's sale is
 * pending (due in 30 days) and her click sits in today's hour bucket when the hostile inputs arrive.
 */
class TimeFromOutsideSystemTest
{
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";
    private static final String API_KEY = "time-test-program-key-0123";
    private static final String STRIPE_SECRET = "whsec_time_test_0123456789";
    private static final String SHOPIFY_SECRET = "shpss_time_test_0123456789";
    private static final Instant START = Instant.parse("2026-03-10T10:15:00Z");
    private static final String TODAY = "2026-03-10";
    private static final long DAY_MS = 86_400_000L;

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicLong clock = new AtomicLong(START.toEpochMilli());
    private ServiceFixture service;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get);
        service.admin.putOk("/v1/programs/shop", "{\"name\":\"Shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"holdDays\":30,\"minPayout\":0,\"tierReview\":\"daily\",\"fraud\":{\"minClickToConversionSeconds\":0}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
            "{\"name\":\"silver\",\"minConversions\":2,\"windowDays\":30,\"commissionPercent\":\"15\"}]," +
            "\"secrets\":{\"apiKey\":\"" + API_KEY + "\",\"stripe\":\"" + STRIPE_SECRET + "\",\"shopify\":\"" +
            SHOPIFY_SECRET + "\"}}");
        service.admin.seedPartner("shop", "ann", "ann", "ann-1");
        service.admin.seedPartner("shop", "bob", "bob", "bob-1");
        // Ann's sale, pending for 30 days, and her click in today's hour bucket
        apiSale("order-ann", 10_000, click("ann-1"));
        service.awaitCommitted();
    }

    @AfterEach
    void stop()
    {
        if (null != service)
        {
            service.close();
        }
    }

    @Test
    void aSignedSaleDatedInTheFutureOrPastMovesNoClockOfTheAggregator() throws Exception
    {
        // Given bob's clicks, and signed events whose own times are ten years ahead, past a long, or in 1970
        final long nowSeconds = clock.get() / 1000;
        final HttpResponse<String> future = stripe("future", click("bob-1"), nowSeconds + 10L * 365 * 86_400);
        final HttpResponse<String> overflow = stripe("overflow", click("bob-1"), Long.MAX_VALUE);
        final HttpResponse<String> shopifyFuture = shopify("7001", click("bob-1"), "\"2100-01-01T00:00:00Z\"");
        final HttpResponse<String> shopifyPast = shopify("7002", click("bob-1"), "\"1970-01-01T00:00:00Z\"");
        final HttpResponse<String> shopifyOverflow = shopify("7003", click("bob-1"), "\"+999999999-12-31T23:59:59Z\"");
        service.awaitCommitted();

        // Then the dated sales are recorded at their receive time, the times that are no time are dead letters
        assertEquals(200, future.statusCode(), future.body());
        assertTrue(future.body().contains("\"duplicate\":false"), future.body());
        assertTrue(overflow.body().contains("dead_letter"), overflow.body());
        assertTrue(shopifyFuture.body().contains("\"duplicate\":false"), shopifyFuture.body());
        assertTrue(shopifyPast.body().contains("\"duplicate\":false"), shopifyPast.body());
        assertTrue(shopifyOverflow.body().contains("dead_letter"), shopifyOverflow.body());
        final JsonNode bobStats = stats("bob", TODAY, TODAY);
        assertEquals(3, bobStats.get("sales").asLong(), bobStats.toString());

        // And no clock moved: the ledger day is today, ann's commission is still pending (not approved early), no
        // tier review downgraded bob's new tier, and ann's hour bucket is still there (no range delete reached it)
        assertUntouched();
        assertEquals("silver", json.readTree(service.admin.get("/v1/partners/bob").body()).get("tier").asText());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void noSingleEventInTheJournalWedgesTheAggregatorOrItsReplay() throws Exception
    {
        // Given events journaled directly with the header times an older edge or a bad clock could have written:
        // the end of a long, the review's 622 million days ahead, before 1970, and ten years ahead
        final String bobClick = click("bob-1");
        final long[] headers =
            { Long.MAX_VALUE, 622_000_000L * DAY_MS, Long.MIN_VALUE, -1, clock.get() + 3650 * DAY_MS };
        final LinkRoute bobLink = service.directory.lookup("bob-1");
        final int program = service.programs.lookup("shop").programNumber();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[EventHeaderDescriptor.MAX_EVENT_LENGTH]);
        try (JournalAppender appender = service.journal.newAppender())
        {
            for (int i = 0; i < headers.length; i++)
            {
                appender.append(buffer, 0, new ConversionEventFlyweight().wrapForEncode(buffer, 0, headers[i],
                    headers[i], ConversionEventFlyweight.KIND_SALE, ConversionEventFlyweight.SOURCE_STRIPE, program,
                    "USD", 1_000).clickId(IdCodec.decodeHi(bobClick, 0), IdCodec.decodeLo(bobClick, 0))
                    .ids("hostile-" + i, null, null, null).encodedLength());
                final ClickEventFlyweight click = appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, headers[i])
                    .clickId(i + 1, 42).visitorId(i + 1, 42)
                    .link(bobLink.linkId(), bobLink.partnerId(), bobLink.programId()).userAgent(BROWSER);
                appender.append(click.encodedLength());
                final byte[] tick = "{}".getBytes(StandardCharsets.US_ASCII);
                appender.append(buffer, 0,
                    CatalogEventFlyweight.encode(buffer, 0, headers[i], CatalogEventFlyweight.KIND_CLOCK_TICK, tick));
            }
        }

        // When the aggregator reads them, and more traffic follows
        apiSale("order-after", 2_000, click("bob-1"));
        service.awaitCommitted();

        // Then it kept applying: the sale after them is counted, admin writes succeed, it says it is ready
        assertEquals(200, service.admin.put("/v1/partners/carol", "{\"programId\":\"shop\",\"name\":\"carol\"}")
            .statusCode());
        assertEquals(200, service.admin.get("/readyz").statusCode());
        // (three hostile sales read as now + 5 min, the sale after them; the two before 1970 are not today's)
        assertEquals(4, stats("bob", TODAY, TODAY).get("sales").asLong());
        // And no clock moved (each hostile header was read as at most the wall clock + 5 minutes), which /metrics
        // counts
        assertUntouched();
        assertTrue(service.admin.get("/metrics").body().contains("ricochet_aggregator_header_times_bounded_total " +
            (3 * headers.length)), service.admin.get("/metrics").body());

        // And a replay of the whole journal into a fresh store completes with the same ledger day
        try (Aggregator replay = Replays.replay(service.journal, dataDir.resolve("replay"), clock::get))
        {
            Await.committed(replay, service.journal);
            final AdminClient replayAdmin = new AdminClient(replay.adminPort(), ServiceFixture.ADMIN_TOKEN);
            assertEquals(TODAY, json.readTree(replayAdmin.get("/v1/partners/ann/ledger").body()).get("asOf").asText());
        }

        // And close completes (the JUnit timeout would fail a hang)
        service.close();
        service = null;
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void readinessFailsWhileTheAggregatorMakesNoProgressAndEventsWait() throws Exception
    {
        // Given a real service whose aggregator thread stops for 8 s at its first duty cycle (a SIGSTOP-like freeze)
        // and whose stall timeout is 1 s
        service.close();
        service = null;
        final Path log = dataDir.resolve("frozen.log");
        try (ServiceProcess frozen = ServiceProcess.start(dataDir.resolve("frozen"), log, Map.of(
            "RICOCHET_CRASH_AGGREGATOR_FREEZE", "8s", "RICOCHET_AGGREGATOR_STALL_TIMEOUT", "1s")))
        {
            final AdminClient admin = frozen.admin();

            // When events wait in the journal while it applies none (the ledger clock's tick of the hour, at least)
            // Then /readyz answers 503 saying so
            final HttpResponse<String> stalled = awaitReadiness(admin, 503);
            assertTrue(stalled.body().contains("applied nothing for"), stalled.body());
            assertTrue(admin.get("/metrics").body().contains("ricochet_aggregator_progress_stalled 1"));

            // And once it moves again, ready
            awaitReadiness(admin, 200);
            frozen.stop();
        }
    }

    private HttpResponse<String> awaitReadiness(final AdminClient admin, final int status) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final HttpResponse<String> readyz = admin.get("/readyz");
            if (status == readyz.statusCode())
            {
                return readyz;
            }
            if (System.nanoTime() > deadlineNs)
            {
                fail("/readyz never answered " + status + ": last " + readyz.statusCode() + " " + readyz.body());
            }
            Thread.sleep(100);
        }
    }

    private void assertUntouched() throws Exception
    {
        final JsonNode annLedger = json.readTree(service.admin.get("/v1/partners/ann/ledger").body());
        assertEquals(TODAY, annLedger.get("asOf").asText(), annLedger.toString());
        assertEquals(1_000, annLedger.get("pending").asLong(), annLedger.toString());
        assertEquals(0, annLedger.get("approved").asLong(), annLedger.toString());
        final HttpResponse<String> hours = service.admin.get("/v1/partners/ann/stats?granularity=hour");
        assertEquals(200, hours.statusCode(), hours.body());
        assertEquals(1, json.readTree(hours.body()).get("clicks").asLong(), hours.body());
        assertEquals(1, stats("ann", TODAY, TODAY).get("sales").asLong());
    }

    private JsonNode stats(final String partner, final String from, final String to) throws Exception
    {
        final HttpResponse<String> response =
            service.admin.get("/v1/partners/" + partner + "/stats?from=" + from + "&to=" + to);
        assertEquals(200, response.statusCode(), response.body());
        return json.readTree(response.body());
    }

    private String click(final String code) throws Exception
    {
        return ServiceFixture.clickId(service.click(code, null));
    }

    private void apiSale(final String externalId, final long amount, final String clickId) throws Exception
    {
        final String body = "{\"programId\":\"shop\",\"externalId\":\"" + externalId + "\",\"kind\":\"sale\"," +
            "\"amount\":" + amount + ",\"currency\":\"USD\",\"clickId\":\"" + clickId + "\"}";
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.edge("/v1/conversions"))
            .header("Authorization", "Bearer " + API_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
    }

    private HttpResponse<String> stripe(final String id, final String clickId, final long created) throws Exception
    {
        final String payload = "{\"id\":\"evt_" + id + "\",\"object\":\"event\"," +
            "\"type\":\"checkout.session.completed\",\"created\":" + created + ",\"data\":{\"object\":{\"id\":\"cs_" +
            id + "\",\"payment_status\":\"paid\",\"amount_total\":5000,\"currency\":\"usd\",\"payment_intent\":\"pi_" +
            id + "\",\"client_reference_id\":\"" + clickId + "\"}}}";
        return service.postStripe("shop", STRIPE_SECRET, payload, clock.get() / 1000);
    }

    private HttpResponse<String> shopify(final String id, final String clickId, final String createdAt)
        throws Exception
    {
        final String order = "{\"id\":" + id + ",\"total_price\":\"50.00\",\"currency\":\"USD\",\"created_at\":" +
            createdAt + ",\"note_attributes\":[{\"name\":\"rcid\",\"value\":\"" + clickId + "\"}]}";
        return http.send(HttpRequest.newBuilder(service.edge("/webhooks/shopify/shop"))
            .header("X-Shopify-Topic", "orders/create")
            .header(ShopifySigner.HEADER, ShopifySigner.header(SHOPIFY_SECRET, order))
            .POST(HttpRequest.BodyPublishers.ofString(order)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
