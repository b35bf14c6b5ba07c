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
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conversion fraud flags through the real HTTP APIs of the in-process service on a test clock: a flagged conversion's
 * commission is held, left out of a payout run, listed in finance's review queue, and paid by the next run once
 * finance releases it (or never, once voided); a replay of the journal rebuilds the same ledgers.
 *
 * <p>The program approves at once (holdDays 0), pays any balance, and keeps the default fraud checks (a conversion
 * at least 10 s after its click, no self-referral, refunds at most 30% of revenue). Partners ann and bob (whose email
 * is bob@example.com) each have one link.
 */
class FraudSystemTest
{
    private static final String API_KEY = "fraud-test-program-api-key";
    private static final Instant START = Instant.parse("2026-03-10T10:15:00Z");
    private static final String DAY_1 = "2026-03-10";
    private static final String DAY_2 = "2026-03-11";
    private static final long DAY_MS = 86_400_000L;
    private static final String PROGRAM = "{\"name\":\"Shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
        "\"holdDays\":0,\"minPayout\":0,\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]," +
        "\"secrets\":{\"apiKey\":\"" + API_KEY + "\"}}";

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicLong clock = new AtomicLong(START.toEpochMilli());
    private ServiceFixture service;
    private AdminClient admin;
    private AdminClient finance;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get);
        admin = service.admin;
        finance = service.finance;
        admin.putOk("/v1/programs/shop", PROGRAM);
        admin.putOk("/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"Ann\"}");
        admin.putOk("/v1/partners/bob", "{\"programId\":\"shop\",\"name\":\"Bob\",\"email\":\"bob@example.com\"}");
        admin.putOk("/v1/links/ann-1", "{\"partnerId\":\"ann\",\"destination\":\"https://shop.example.com/a\"}");
        admin.putOk("/v1/links/bob-1", "{\"partnerId\":\"bob\",\"destination\":\"https://shop.example.com/b\"}");
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
    void shouldHoldAFlaggedCommissionOutOfAPayoutRunAndPayItInTheNextRunOnceFinanceReleasesIt() throws Exception
    {
        // Given ann's order-1 reported 2 s after its click (held), and her order-2 two minutes after another (approved)
        final String quickClick = click("ann-1");
        clock.addAndGet(2_000);
        sale("order-1", 10_000, quickClick, null);
        final String click = click("ann-1");
        clock.addAndGet(120_000);
        sale("order-2", 20_000, click, null);

        // When the admin builds today's run and finance approves it
        final JsonNode firstRun = createRun(DAY_1);
        approve(firstRun);

        // Then the run paid only the approved commission, and the held one waits in ann's held balance
        assertEquals(2000, firstRun.get("total").asLong(), firstRun.toString());
        JsonNode ledger = finance.getJson("/v1/partners/ann/ledger");
        assertEquals(1000, ledger.get("held").asLong());
        assertEquals(2000, ledger.get("paid").asLong());

        // And finance's review queue lists it with the flag that held it
        final JsonNode queue = finance.getJson("/v1/programs/shop/held-commissions");
        assertEquals(1000, queue.get("total").asLong());
        assertEquals(1, queue.get("commissions").size(), queue.toString());
        final JsonNode held = queue.get("commissions").get(0);
        assertEquals("ann", held.get("partnerId").asText());
        assertEquals("order-1", held.get("externalId").asText());
        assertEquals(1000, held.get("amount").asLong());
        assertEquals("click_to_conversion", held.get("flags").get(0).get("code").asText());
        assertEquals("conversion 2.0 s after its click; the program's minimum is 10 s",
            held.get("flags").get(0).get("detail").asText());

        // And ann's timeline shows the flag
        final JsonNode heldEvent = event(admin.getJson("/v1/partners/ann/timeline"), "commission.held");
        assertEquals("order-1", heldEvent.get("data").get("externalId").asText());
        assertEquals("click_to_conversion", heldEvent.get("data").get("flags").get(0).get("code").asText());

        // When finance releases it, and the next day's run is built and approved
        final HttpResponse<String> release = review("ann", "order-1", "release", "customer called, genuine order");
        clock.addAndGet(DAY_MS);
        final JsonNode secondRun = createRun(DAY_2);
        approve(secondRun);

        // Then the release made it payable and the second run paid it
        assertEquals(200, release.statusCode(), release.body());
        assertEquals("approved", json.readTree(release.body()).get("state").asText());
        assertEquals(1000, secondRun.get("total").asLong(), secondRun.toString());
        ledger = finance.getJson("/v1/partners/ann/ledger");
        assertEquals(0, ledger.get("held").asLong());
        assertEquals(3000, ledger.get("paid").asLong());
        assertEquals(0, finance.getJson("/v1/programs/shop/held-commissions").get("commissions").size());
        assertBalancesAreTheSumsOfTheEntries(ledger);
    }

    @Test
    void shouldVoidASelfReferralWhenFinanceRejectsItSoThatNoRunPaysIt() throws Exception
    {
        // Given bob's sale through his own link, to the customer bob@example.com, a minute after the click
        final String click = click("bob-1");
        clock.addAndGet(60_000);
        sale("order-3", 50_000, click, "bob@example.com");
        final JsonNode flags = finance.getJson("/v1/programs/shop/held-commissions").get("commissions").get(0)
            .get("flags");

        // When finance voids it, and a run is built
        final HttpResponse<String> rejected = review("bob", "order-3", "void", "self-referral confirmed");
        final JsonNode run = createRun(DAY_1);

        // Then it was held as a self-referral, is void, and the run pays bob nothing
        assertEquals("self_referral", flags.get(0).get("code").asText(), flags.toString());
        assertEquals(200, rejected.statusCode(), rejected.body());
        assertEquals("void", json.readTree(rejected.body()).get("state").asText());
        assertEquals(0, run.get("partners").size(), run.toString());
        final JsonNode ledger = finance.getJson("/v1/partners/bob/ledger");
        assertEquals(List.of("accrual", "void"), entryTypes(ledger));
        assertEquals(0, ledger.get("held").asLong() + ledger.get("approved").asLong() + ledger.get("paid").asLong());
        assertBalancesAreTheSumsOfTheEntries(ledger);
    }

    @Test
    void shouldHoldASelfReferralWhoseCustomerIdIsALookAlikeOfThePartnersEmail() throws Exception
    {
        // Given bob's click, and sales to look-alikes of bob@example.com: a zero-width space, a fullwidth '@', a soft
        // hyphen, capitals and a +tag
        final String click = click("bob-1");
        clock.addAndGet(60_000);
        final String[] lookAlikes = { "bob\\u200B@example.com", "bob\\uFF20example.com", "b\\u00ADob@example.com",
            "BOB+shop@Example.com" };
        for (int i = 0; i < lookAlikes.length; i++)
        {
            // When checkout reports each through the API
            sale("look-" + i, 10_000, click, lookAlikes[i]);
        }

        // Then every one is held as a self-referral
        final JsonNode held = finance.getJson("/v1/programs/shop/held-commissions").get("commissions");
        assertEquals(lookAlikes.length, held.size(), held.toString());
        for (final JsonNode commission : held)
        {
            assertEquals("self_referral", commission.get("flags").get(0).get("code").asText(), held.toString());
        }
    }

    @Test
    void shouldRebuildTheSameLedgersFlagsAndHoldsWhenTheJournalIsReplayed() throws Exception
    {
        // Given flagged, released, voided and paid commissions
        final String quickClick = click("ann-1");
        clock.addAndGet(1_500);
        sale("order-1", 10_000, quickClick, null);
        final String bobClick = click("bob-1");
        clock.addAndGet(60_000);
        sale("order-3", 50_000, bobClick, "bob@example.com");
        sale("order-4", 7_000, bobClick, null);
        approve(createRun(DAY_1));
        assertEquals(200, review("ann", "order-1", "release", "genuine").statusCode());
        assertEquals(200, review("bob", "order-3", "void", "self-referral").statusCode());
        final Map<String, String> answers = answers(admin);
        service.close();
        service = null;

        // When a fresh aggregator replays the journal into a new data directory
        final Path replayDir = dataDir.resolve("replay");
        final Map<String, String> replayed;
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal"))))
        {
            final Aggregator replay = Replays.replay(journal, replayDir, clock::get);
            try
            {
                Await.committed(replay, journal);
                replayed = answers(new AdminClient(replay.adminPort(), ServiceFixture.ADMIN_TOKEN));
            }
            finally
            {
                replay.close();
            }
        }

        // Then the API answers the same, and the ledger, commission and review-queue tables hold the same bytes
        assertTrue(answers.get("ann ledger").contains("click_to_conversion"), answers.get("ann ledger"));
        assertEquals(answers, replayed);
        for (final Table family : List.of(Table.LEDGER, Table.COMMISSIONS, Table.HELD_COMMISSIONS, Table.TIMELINE))
        {
            final Map<String, byte[]> original = Replays.table(dataDir, family);
            final Map<String, byte[]> rebuilt = Replays.table(replayDir, family);
            assertEquals(original.keySet(), rebuilt.keySet(), family + " keys");
            for (final Map.Entry<String, byte[]> entry : original.entrySet())
            {
                assertArrayEquals(entry.getValue(), rebuilt.get(entry.getKey()), family + " at " + entry.getKey());
            }
        }
        assertFalse(Replays.table(dataDir, Table.COMMISSIONS).isEmpty());
    }

    @Test
    void shouldShowTheFraudDefaultsAndAnswer400NamingTheFieldOfAnInvalidFraudSetting() throws Exception
    {
        // When the program is read, written with thresholds out of range, and a partner with an empty customer id
        final JsonNode fraud = admin.getJson("/v1/programs/shop").get("fraud");
        final HttpResponse<String> negative = admin.put("/v1/programs/shop",
            PROGRAM.replace("\"holdDays\"", "\"fraud\":{\"minClickToConversionSeconds\":-1},\"holdDays\""));
        final HttpResponse<String> overHundred = admin.put("/v1/programs/shop",
            PROGRAM.replace("\"holdDays\"", "\"fraud\":{\"maxRefundRatePercent\":101},\"holdDays\""));
        final HttpResponse<String> unknown = admin.put("/v1/programs/shop",
            PROGRAM.replace("\"holdDays\"", "\"fraud\":{\"minSeconds\":5},\"holdDays\""));
        final HttpResponse<String> emptyCustomerId = admin.put("/v1/partners/ann",
            "{\"programId\":\"shop\",\"name\":\"Ann\",\"customerIds\":[\"cus_A1\",\"\"]}");

        // Then the defaults are shown, and each bad value is refused naming its field
        assertEquals(json.readTree("{\"minClickToConversionSeconds\":10,\"selfReferral\":true," +
            "\"maxRefundRatePercent\":30,\"refundRateWindowDays\":30,\"refundRateMinSales\":10," +
            "\"holdPixelReported\":true}"), fraud);
        assertEquals(400, negative.statusCode(), negative.body());
        assertEquals("fraud.minClickToConversionSeconds must be between 0 and 86400", error(negative));
        assertEquals(400, overHundred.statusCode(), overHundred.body());
        assertEquals("fraud.maxRefundRatePercent must be between 0 and 100", error(overHundred));
        assertEquals(400, unknown.statusCode(), unknown.body());
        assertTrue(error(unknown).contains("minSeconds"), unknown.body());
        assertEquals(400, emptyCustomerId.statusCode(), emptyCustomerId.body());
        assertEquals("customerIds[1] must be 1-255 bytes without control characters", error(emptyCustomerId));
    }

    private Map<String, String> answers(final AdminClient client) throws Exception
    {
        final Map<String, String> answers = new TreeMap<>();
        for (final String partner : List.of("ann", "bob"))
        {
            answers.put(partner + " ledger", client.getOk("/v1/partners/" + partner + "/ledger"));
            answers.put(partner + " timeline", client.getOk("/v1/partners/" + partner + "/timeline"));
            answers.put(partner + " conversions", client.getOk("/v1/partners/" + partner + "/conversions"));
        }
        answers.put("held", client.getOk("/v1/programs/shop/held-commissions"));
        return answers;
    }

    private static void assertBalancesAreTheSumsOfTheEntries(final JsonNode ledger)
    {
        for (final String balance : List.of("pending", "approved", "held", "scheduled", "paid"))
        {
            long sum = 0;
            for (final JsonNode entry : ledger.get("entries"))
            {
                sum += (balance.equals(entry.path("to").asText()) ? entry.get("amount").asLong() : 0) -
                    (balance.equals(entry.path("from").asText()) ? entry.get("amount").asLong() : 0);
            }
            assertEquals(ledger.get(balance).asLong(), sum, balance + " = sum of its entries: " + ledger);
        }
    }

    private String click(final String code) throws Exception
    {
        return ServiceFixture.clickId(service.click(code, null));
    }

    private void sale(final String externalId, final long amount, final String clickId, final String customerId)
        throws Exception
    {
        final String body = "{\"programId\":\"shop\",\"externalId\":\"" + externalId + "\",\"kind\":\"sale\"," +
            "\"amount\":" + amount + ",\"currency\":\"USD\",\"clickId\":\"" + clickId + "\"" +
            (null == customerId ? "" : ",\"customerId\":\"" + customerId + "\"") + "}";
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.edge("/v1/conversions"))
            .header("Authorization", "Bearer " + API_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), body + " -> " + response.body());
        service.awaitCommitted();
    }

    private JsonNode createRun(final String periodEnd) throws Exception
    {
        final HttpResponse<String> response = admin.post("/v1/programs/shop/payout-runs",
            "{\"periodEnd\":\"" + periodEnd + "\"}");
        assertEquals(201, response.statusCode(), response.body());
        return json.readTree(response.body());
    }

    private void approve(final JsonNode run) throws Exception
    {
        final HttpResponse<String> response = finance.post("/v1/payout-runs/" + run.get("id").asText() + "/approve",
            "");
        assertEquals(200, response.statusCode(), response.body());
    }

    private HttpResponse<String> review(final String partnerId, final String externalId, final String action,
        final String reason) throws Exception
    {
        return finance.post("/v1/partners/" + partnerId + "/commission-reviews", "{\"externalId\":\"" + externalId +
            "\",\"action\":\"" + action + "\",\"reason\":\"" + reason + "\"}");
    }

    private String error(final HttpResponse<String> response) throws Exception
    {
        return json.readTree(response.body()).get("error").asText();
    }

    private static JsonNode event(final JsonNode timeline, final String type)
    {
        for (final JsonNode event : timeline.get("events"))
        {
            if (type.equals(event.get("type").asText()))
            {
                return event;
            }
        }
        throw new AssertionError("no " + type + " in " + timeline);
    }

    private static List<String> entryTypes(final JsonNode ledger)
    {
        final List<String> types = new ArrayList<>();
        for (final JsonNode entry : ledger.get("entries"))
        {
            types.add(entry.get("type").asText());
        }
        return types;
    }
}
