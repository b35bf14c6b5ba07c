package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Journal;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.Await;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Partner statuses and manual tiers (issue 17, items 3 and 5), on the real service over HTTP on a test clock: what each
 * status does to a partner's links, credit, payouts and token, the partner's timeline of status changes, and tier pins
 * that hold through reviews and end on the day after their last.
 *
 * <p>The program pays 10% (bronze), 15% from 500.00 of revenue in 30 days (silver) and 20% from 1,000.00 (gold),
 * reviews tiers daily, approves commissions at once (holdDays 0) and pays any approved balance; ann is active with
 * link ann-1.
 */
class PartnerLifecycleSystemTest
{
    private static final String PROGRAM = "club";
    private static final String API_KEY = "lifecycle-test-program-key";
    private static final Instant START = Instant.parse("2026-03-10T10:15:00Z");
    private static final long DAY_MS = 86_400_000L;
    private static final long HOUR_MS = 3_600_000L;

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicLong clock = new AtomicLong(START.toEpochMilli());
    private final Set<String> links = new HashSet<>();
    private ServiceFixture service;
    private AdminClient admin;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get);
        admin = service.admin;
        admin.putOk("/v1/programs/" + PROGRAM, "{\"name\":\"Club\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"holdDays\":0,\"minPayout\":0,\"tierReview\":\"daily\",\"fraud\":{\"minClickToConversionSeconds\":0}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
            "{\"name\":\"silver\",\"minRevenue\":50000,\"windowDays\":30,\"commissionPercent\":\"15\"}," +
            "{\"name\":\"gold\",\"minRevenue\":100000,\"windowDays\":30,\"commissionPercent\":\"20\"}]," +
            "\"secrets\":{\"apiKey\":\"" + API_KEY + "\"}}");
        partner("ann", "active", "");
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
    void shouldRedirectAPendingPartnersLinkButCreditItNothing() throws Exception
    {
        // Given pen has applied and is pending
        partner("pen", "pending", "");

        // When a shopper clicks pen's link (the fixture asserts the 302) and buys
        sale("order-1", 10_000, click("pen-1"));

        // Then pen earned nothing and counts no sale
        final JsonNode ledger = ledger("pen");
        assertAll(
            () -> assertEquals(0, ledger.get("entries").size(), ledger.toString()),
            () -> assertEquals(0, admin.getJson("/v1/partners/pen/conversions").get("conversions").size()));
    }

    @Test
    void shouldCreditTheActivePartnerOnThePathWhenTheLastClickIsAPausedPartners() throws Exception
    {
        // Given pau is paused, and a shopper clicked ann's link and then pau's
        partner("pau", "paused", "");
        final HttpResponse<Void> first = service.click("ann-1", null);
        final String cookie = ServiceFixture.visitorCookie(first).orElseThrow();
        final String lastClick = ServiceFixture.clickId(service.click("pau-1", cookie));

        // When the shopper buys through pau's click (last click wins)
        sale("order-1", 10_000, lastClick);

        // Then ann, the only partner on the path that may earn, has the whole credit, and pau nothing
        assertAll(
            () -> assertEquals(1_000, ledger("ann").get("pending").asLong() + ledger("ann").get("approved").asLong()),
            () -> assertEquals(0, ledger("pau").get("entries").size()));
    }

    @Test
    void shouldAttributeNothingThroughARejectedPartnersCoupon() throws Exception
    {
        // Given rex's coupon, and rex was rejected; ann's coupon as a control
        partner("rex", "rejected", "");
        admin.putOk("/v1/coupons/REX10", "{\"partnerId\":\"rex\"}");
        admin.putOk("/v1/coupons/ANN10", "{\"partnerId\":\"ann\"}");

        // When an order comes with each coupon and no click
        couponSale("order-1", "REX10");
        couponSale("order-2", "ANN10");

        // Then only ann's coupon credited its partner
        assertAll(
            () -> assertEquals(0, ledger("rex").get("entries").size(), ledger("rex").toString()),
            () -> assertEquals(1, admin.getJson("/v1/partners/ann/conversions").get("conversions").size()));
    }

    @Test
    void shouldStillPayAPausedPartnerWhatItEarnedBeforeThePause() throws Exception
    {
        // Given ann earned 10.00 and was then paused
        sale("order-1", 10_000, click("ann-1"));
        partner("ann", "paused", "");

        // When she sends another sale, and a payout run is built
        sale("order-2", 50_000, click("ann-1"));
        final JsonNode run = createRun();

        // Then the second sale earned nothing, and the run pays her the 10.00 earned before the pause
        assertAll(
            () -> assertEquals(1, admin.getJson("/v1/partners/ann/conversions").get("conversions").size()),
            () -> assertEquals(1_000, run.get("total").asLong(), run.toString()),
            () -> assertEquals("ann", run.get("partners").get(0).get("partnerId").asText()));
    }

    @Test
    void shouldNeitherCreditNorPayARejectedPartner() throws Exception
    {
        // Given ann earned 10.00 and was then rejected
        sale("order-1", 10_000, click("ann-1"));
        partner("ann", "rejected", ",\"statusReason\":\"fake traffic\"");

        // When she sends another sale, and a payout run is built
        sale("order-2", 50_000, click("ann-1"));
        final JsonNode run = createRun();

        // Then nothing more was credited, and the run leaves her balance where it is
        final JsonNode ledger = ledger("ann");
        assertAll(
            () -> assertEquals(1_000, ledger.get("approved").asLong(), ledger.toString()),
            () -> assertEquals(0, ledger.get("scheduled").asLong()),
            () -> assertEquals(0, run.get("partners").size(), run.toString()));
    }

    @Test
    void shouldRefuseARejectedPartnersTokenEverything() throws Exception
    {
        // Given ann's token, issued while she was active, and then ann is rejected
        final AdminClient annToken = new AdminClient(service.aggregator.adminPort(),
            admin.getJson("/v1/partners/ann/token").get("token").asText());
        assertEquals(200, annToken.get("/v1/partners/ann").statusCode());
        partner("ann", "rejected", "");

        // When her token reads her own record
        final HttpResponse<String> read = annToken.get("/v1/partners/ann");

        // Then it reads nothing
        assertEquals(403, read.statusCode(), read.body());
    }

    @Test
    void shouldRecordAnApplicationAndEachStatusChangeInThePartnersTimeline() throws Exception
    {
        // Given pen applied, was approved with a reason, and later paused without one
        partner("pen", "pending", "");
        partner("pen", "active", ",\"statusReason\":\"great content\"");
        partner("pen", "paused", ",\"statusReason\":\"great content\"");

        // When the timeline is read (newest first)
        final JsonNode events = admin.getJson("/v1/partners/pen/timeline").get("events");

        // Then it tells the story, each status change with the reason given with it
        assertAll(
            () -> assertEquals(3, events.size(), events.toString()),
            () -> assertEquals("partner.applied", events.get(2).get("type").asText()),
            () -> assertEquals("{\"from\":\"pending\",\"to\":\"active\",\"reason\":\"great content\"}",
                events.get(1).get("data").toString()),
            () -> assertEquals("partner.status_changed", events.get(0).get("type").asText()),
            () -> assertEquals("{\"from\":\"active\",\"to\":\"paused\",\"reason\":null}",
                events.get(0).get("data").toString()));
    }

    @Test
    void shouldKeepAPinnedGoldPartnerWithoutSalesInGoldThroughAReview() throws Exception
    {
        // Given ann is pinned to gold for today and tomorrow
        final int today = (int)Math.floorDiv(clock.get(), DAY_MS);
        pin("ann", "gold", "launch partner", LocalDate.ofEpochDay(today + 1).toString());

        // When the next day's daily review runs
        enterDay(today + 1);

        // Then she is still gold, and her view shows the pin
        final JsonNode partner = admin.getJson("/v1/partners/ann");
        assertAll(
            () -> assertEquals("gold", partner.get("tier").asText(), partner.toString()),
            () -> assertEquals("launch partner", partner.get("tierPin").get("reason").asText()));
    }

    @Test
    void shouldEndAPinOnTheDayAfterItsLastAndReEvaluateTheTier() throws Exception
    {
        // Given ann, with no sales, is pinned to gold for today only
        final int today = (int)Math.floorDiv(clock.get(), DAY_MS);
        pin("ann", "gold", "launch partner", LocalDate.ofEpochDay(today).toString());

        // When the ledger's clock enters the next day
        enterDay(today + 1);

        // Then the pin has ended, she is back in bronze, and the timeline tells both
        final JsonNode partner = admin.getJson("/v1/partners/ann");
        final JsonNode events = admin.getJson("/v1/partners/ann/timeline").get("events");
        assertAll(
            () -> assertEquals("bronze", partner.get("tier").asText(), partner.toString()),
            () -> assertTrue(partner.get("tierPin").isNull()),
            () -> assertEquals(List.of("tier.unpinned", "tier.pinned"), types(events)),
            () -> assertEquals("{\"from\":\"gold\",\"to\":\"bronze\",\"reason\":\"pin ended\",\"until\":\"" +
                LocalDate.ofEpochDay(today) + "\"}", events.get(0).get("data").toString()));
    }

    @Test
    void shouldNotUpgradeAPartnerPinnedToBronze() throws Exception
    {
        // Given ann is pinned to bronze with no end
        pin("ann", "bronze", "probation", null);

        // When she sells enough for silver in one sale
        sale("order-1", 60_000, click("ann-1"));

        // Then she stays bronze and earns bronze's 10%
        assertAll(
            () -> assertEquals("bronze", admin.getJson("/v1/partners/ann").get("tier").asText()),
            () -> assertEquals(6_000, ledger("ann").get("approved").asLong()));
    }

    @Test
    void shouldRefuseATierPinThatNamesNoTierHasNoReasonEndedAlreadyOrEndsPastTenYears() throws Exception
    {
        // When pins of each kind of wrong are written
        final String yesterday = LocalDate.ofEpochDay(Math.floorDiv(clock.get(), DAY_MS) - 1).toString();
        final HttpResponse<String> noTier = pinResponse("ann", "platinum", "vip", null);
        final HttpResponse<String> noReason = pinResponse("ann", "gold", null, null);
        final HttpResponse<String> longReason = pinResponse("ann", "gold", "x".repeat(501), null);
        final HttpResponse<String> ended = pinResponse("ann", "gold", "vip", yesterday);
        final HttpResponse<String> notADate = pinResponse("ann", "gold", "vip", "next week");
        final HttpResponse<String> farAhead = pinResponse("ann", "gold", "vip", "+999999999-12-31");

        // Then each is a 400 naming the field
        assertAll(
            () -> assertBadRequest(noTier, "tierPin.tier 'platinum'"),
            () -> assertBadRequest(noReason, "tierPin.reason is required"),
            () -> assertBadRequest(longReason, "tierPin.reason must be 1-500 characters"),
            () -> assertBadRequest(ended, "tierPin.until " + yesterday + " is in the past"),
            () -> assertBadRequest(notADate, "tierPin.until 'next week' is not a date"),
            () -> assertBadRequest(farAhead, "tierPin.until +999999999-12-31 is more than 10 years ahead"));
    }

    @Test
    void shouldMakeTheSameStatusAndPinDecisionsOnReplay() throws Exception
    {
        // Given a history of status changes, pins and sales over three days
        final int today = (int)Math.floorDiv(clock.get(), DAY_MS);
        partner("pen", "pending", "");
        sale("order-1", 10_000, click("pen-1"));
        partner("pen", "active", ",\"statusReason\":\"approved\"");
        sale("order-2", 20_000, click("pen-1"));
        pin("ann", "gold", "launch", LocalDate.ofEpochDay(today + 1).toString());
        sale("order-3", 30_000, click("ann-1"));
        enterDay(today + 1);
        partner("pen", "paused", "");
        sale("order-4", 40_000, click("pen-1"));
        enterDay(today + 2);
        sale("order-5", 50_000, click("ann-1"));
        createRun();
        service.close();
        service = null;

        // When a fresh aggregator replays the journal
        final Path replayDir = dataDir.resolve("replay");
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal"))))
        {
            try (Aggregator replay = Replays.replay(journal, replayDir, clock::get))
            {
                Await.committed(replay, journal);
            }
        }

        // Then the timelines, partner states, ledgers and conversions are the same bytes
        final List<Executable> checks = new ArrayList<>();
        for (final Table table : List.of(Table.TIMELINE, Table.PARTNER_STATE, Table.LEDGER, Table.CONVERSIONS,
            Table.PAYOUT_RUNS))
        {
            final Map<String, byte[]> original = Replays.table(dataDir, table);
            final Map<String, byte[]> replayed = Replays.table(replayDir, table);
            checks.add(() -> assertFalse(original.isEmpty(), table + " is empty"));
            checks.add(() -> assertEquals(original.keySet(), replayed.keySet(), table + " keys"));
            for (final Map.Entry<String, byte[]> entry : original.entrySet())
            {
                checks.add(() -> assertArrayEquals(entry.getValue(), replayed.get(entry.getKey()),
                    table + " at " + entry.getKey()));
            }
        }
        assertAll(checks);
    }

    private void partner(final String id, final String status, final String extra) throws Exception
    {
        admin.putOk("/v1/partners/" + id, "{\"programId\":\"" + PROGRAM + "\",\"name\":\"Partner " + id +
            "\",\"status\":\"" + status + "\"" + extra + "}");
        if (links.add(id + "-1"))
        {
            admin.seedLink(id + "-1", id);
        }
    }

    private void pin(final String id, final String tier, final String reason, final String until) throws Exception
    {
        final HttpResponse<String> response = pinResponse(id, tier, reason, until);
        assertEquals(200, response.statusCode(), response.body());
        service.awaitCommitted();
    }

    private HttpResponse<String> pinResponse(final String id, final String tier, final String reason,
        final String until) throws Exception
    {
        return admin.put("/v1/partners/" + id, "{\"programId\":\"" + PROGRAM + "\",\"name\":\"Partner " + id +
            "\",\"tierPin\":{\"tier\":\"" + tier + "\",\"reason\":" + json.writeValueAsString(reason) +
            ",\"until\":" + json.writeValueAsString(until) + "}}");
    }

    private static void assertBadRequest(final HttpResponse<String> response, final String message)
    {
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.body().contains(message), response.body());
    }

    private static List<String> types(final JsonNode events)
    {
        final List<String> types = new ArrayList<>();
        events.forEach(event -> types.add(event.get("type").asText()));
        return types;
    }

    private JsonNode ledger(final String id) throws Exception
    {
        service.awaitCommitted();
        return json.readTree(service.finance.getOk("/v1/partners/" + id + "/ledger"));
    }

    private JsonNode createRun() throws Exception
    {
        final HttpResponse<String> response = admin.post("/v1/programs/" + PROGRAM + "/payout-runs", "");
        assertEquals(201, response.statusCode(), response.body());
        return json.readTree(response.body());
    }

    private void enterDay(final int day) throws Exception
    {
        clock.set(day * DAY_MS + HOUR_MS);
        final String date = LocalDate.ofEpochDay(day).toString();
        Await.until("the ledger reaches " + date, () ->
        {
            try
            {
                return date.equals(ledger("ann").path("asOf").asText(null));
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        service.awaitCommitted();
    }

    private String click(final String code) throws Exception
    {
        return ServiceFixture.clickId(service.click(code, null));
    }

    private void couponSale(final String externalId, final String coupon) throws Exception
    {
        send("{\"programId\":\"" + PROGRAM + "\",\"externalId\":\"" + externalId + "\",\"kind\":\"sale\"," +
            "\"amount\":10000,\"currency\":\"USD\",\"coupon\":\"" + coupon + "\"}");
    }

    private void sale(final String externalId, final long amount, final String clickId) throws Exception
    {
        send("{\"programId\":\"" + PROGRAM + "\",\"externalId\":\"" + externalId + "\"," +
            "\"kind\":\"sale\",\"amount\":" + amount + ",\"currency\":\"USD\",\"clickId\":\"" + clickId + "\"}");
    }

    private void send(final String body) throws Exception
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.edge("/v1/conversions"))
            .header("Authorization", "Bearer " + API_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), body + " -> " + response.body());
        service.awaitCommitted();
    }
}
