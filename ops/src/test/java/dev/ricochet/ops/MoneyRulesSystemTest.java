package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.testsupport.AdminClient;
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
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The money rules of docs/money.md through the real HTTP API of the in-process service on a test clock: one commission
 * per (conversion, partner) that a refund reverses whole; the attribution window in both directions; what a zero
 * share shows; one open payout run per program; no program or currency change under money.
 *
 * <p>Program shop splits linearly, pays 10%, approves at once (holdDays 0) and pays any balance; ann has links ann-1
 * and ann-2, bob has bob-1. Clicks share one visitor cookie, so they form one touch path.
 */
class MoneyRulesSystemTest
{
    private static final String API_KEY = "money-rules-test-program-key";
    private static final Instant START = Instant.parse("2026-03-10T10:15:00Z");
    private static final String TODAY = "2026-03-10";
    private static final String YESTERDAY = "2026-03-09";

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicLong clock = new AtomicLong(START.toEpochMilli());
    private ServiceFixture service;
    private AdminClient admin;
    private AdminClient finance;
    private String visitorCookie;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get);
        admin = service.admin;
        finance = service.finance;
        admin.putOk("/v1/programs/shop", program("USD"));
        admin.putOk("/v1/programs/eu", program("EUR"));
        admin.seedPartner("shop", "ann", "Ann", "ann-1", "ann-2");
        admin.seedPartner("shop", "bob", "Bob", "bob-1");
    }

    @AfterEach
    void stop()
    {
        service.close();
    }

    @Test
    void aPartnerTwiceOnThePathEarnsOneCommissionThatAFullRefundReversesWhole() throws Exception
    {
        // Given one shopper who clicked ann-1, bob-1, then ann-2, and bought 100.00 through the last click
        click("ann-1");
        click("bob-1");
        sale("order-1", 10_000, click("ann-2"));

        // Then ann's conversion lists the three touches, one credit of 66.66 and one commission of 6.67
        final JsonNode conversion = admin.getJson("/v1/partners/ann/conversions").get("conversions").get(0);
        assertEquals(6_666, conversion.get("credit").asLong(), conversion.toString());
        assertEquals(3, conversion.get("touches").size(), conversion.toString());
        assertEquals(667, conversion.get("commission").get("amount").asLong(), conversion.toString());
        assertEquals(667, finance.getJson("/v1/partners/ann/ledger").get("approved").asLong());

        // When the whole sale is refunded
        refund("refund-1", 10_000, "order-1");

        // Then all of ann's commission is reversed: her balance is 0, as is bob's
        assertEquals(0, finance.getJson("/v1/partners/ann/ledger").get("approved").asLong());
        assertEquals(0, finance.getJson("/v1/partners/bob/ledger").get("approved").asLong());
    }

    @Test
    void aConversionDatedMoreThanFiveMinutesBeforeItsClickIsNotCredited() throws Exception
    {
        // Given a click on ann's link, counted before the clock goes back (the aggregator bounds a header time to its
        // own clock + 5 min, so a click read after the wind-back would be dated 4 min 59 s later: docs/time.md)
        final String clickId = click("ann-1");
        service.awaitCommitted();

        // When a sale naming it is received 5 min 1 s earlier by the clock (another edge's clock behind)
        clock.addAndGet(-1_000 - 301_000); // click() moved the clock on by 1 s
        sale("order-1", 10_000, clickId);

        // Then ann earns nothing and counts no sale
        final JsonNode ledger = finance.getJson("/v1/partners/ann/ledger");
        assertEquals(0, ledger.get("entries").size(), ledger.toString());
        assertEquals(0, admin.getJson("/v1/partners/ann/conversions").get("conversions").size());
    }

    @Test
    void aPartnerWhoseShareRoundsToZeroIsListedCountsTheSaleAndHasNoCommission() throws Exception
    {
        // Given one shopper who clicked ann-1 then bob-1, and a sale of 0.01 through bob's click: shares 0 and 1
        click("ann-1");
        sale("order-1", 1, click("bob-1"));

        // Then ann lists the conversion with credit 0 and commission null, and counts the sale
        final JsonNode conversion = admin.getJson("/v1/partners/ann/conversions").get("conversions").get(0);
        assertEquals(0, conversion.get("credit").asLong(), conversion.toString());
        assertTrue(conversion.get("commission").isNull(), conversion.toString());
        assertEquals(1, admin.getJson("/v1/partners/ann/stats?from=" + TODAY + "&to=" + TODAY).get("sales")
            .asLong());
    }

    @Test
    void aPartnerWhoseCommissionRoundsToZeroHasACommissionOfAmountZero() throws Exception
    {
        // Given a sale of 0.04 through ann's click: 10% is 0.004
        sale("order-1", 4, click("ann-1"));

        // Then her conversion shows a commission worth 0 (not null: she has a share, and a re-rating could raise it)
        final JsonNode conversion = admin.getJson("/v1/partners/ann/conversions").get("conversions").get(0);
        assertEquals(4, conversion.get("credit").asLong(), conversion.toString());
        assertEquals(0, conversion.get("commission").get("amount").asLong(), conversion.toString());
    }

    @Test
    void aSecondPayoutRunIsRefusedWhileTheProgramHasOneAwaitingApproval() throws Exception
    {
        // Given yesterday's run built and not yet approved, and a new approved commission
        sale("order-1", 10_000, click("ann-1"));
        final JsonNode first = createRun(YESTERDAY, 201);
        sale("order-2", 20_000, click("ann-1"));
        // (periodEnd labels the run and filters nothing: today's approved 10.00 is in yesterday's run)
        assertEquals(1_000, first.get("total").asLong(), first.toString());

        // When the admin builds today's run
        final HttpResponse<String> second = admin.post("/v1/programs/shop/payout-runs",
            "{\"periodEnd\":\"" + TODAY + "\"}");

        // Then it is refused with the run to approve first, and asking for yesterday's still answers that run
        assertEquals(409, second.statusCode(), second.body());
        assertEquals("payout run '" + first.get("id").asText() + "' of program 'shop' (periodEnd " + YESTERDAY +
            ") is waiting for finance's approval; approve it before building another (a partner is never in two " +
            "open runs)", json.readTree(second.body()).get("error").asText());
        assertEquals(first.get("id").asText(), createRun(YESTERDAY, 200).get("id").asText());

        // And once finance approved the first, today's run takes the rest of the balance
        assertEquals(200, finance.post("/v1/payout-runs/" + first.get("id").asText() + "/approve", "")
            .statusCode());
        assertEquals(2_000, createRun(TODAY, 201).get("total").asLong());
    }

    @Test
    void aPartnerWithMoneyCannotMoveToAnotherProgram() throws Exception
    {
        // Given ann has a commission in the dollar program
        sale("order-1", 10_000, click("ann-1"));

        // When the admin moves her to the euro program
        final HttpResponse<String> moved = admin.put("/v1/partners/ann", "{\"programId\":\"eu\",\"name\":\"Ann\"}");

        // Then it is refused, saying why, and she stays where her money is
        assertEquals(409, moved.statusCode(), moved.body());
        assertEquals("partner 'ann' has conversions or ledger entries in program 'shop'; its program cannot change " +
            "to 'eu': create a new partner for that program", json.readTree(moved.body()).get("error").asText());
        assertEquals("shop", admin.getJson("/v1/partners/ann").get("programId").asText());
    }

    @Test
    void aPartnerWithoutMoneyMayMoveToAnotherProgram() throws Exception
    {
        // When the admin moves bob, who has no conversion, to the euro program
        final HttpResponse<String> moved = admin.put("/v1/partners/bob", "{\"programId\":\"eu\",\"name\":\"Bob\"}");

        // Then he moves
        assertEquals(200, moved.statusCode(), moved.body());
        assertEquals("eu", admin.getJson("/v1/partners/bob").get("programId").asText());
    }

    @Test
    void aProgramWithMoneyCannotChangeItsCurrency() throws Exception
    {
        // Given ann has a commission in dollars
        sale("order-1", 10_000, click("ann-1"));

        // When the admin changes the program's currency to euros
        final HttpResponse<String> changed = admin.put("/v1/programs/shop", program("EUR"));

        // Then it is refused and the program stays in dollars
        assertEquals(409, changed.statusCode(), changed.body());
        assertTrue(json.readTree(changed.body()).get("error").asText().startsWith(
            "program 'shop' has money in USD (partner 'ann' has conversions or ledger entries)"), changed.body());
        assertEquals("USD", admin.getJson("/v1/programs/shop").get("currency").asText());
    }

    private static String program(final String currency)
    {
        return "{\"name\":\"Shop\",\"currency\":\"" + currency + "\",\"clickParam\":\"rcid\",\"holdDays\":0," +
            "\"minPayout\":0,\"attribution\":{\"model\":\"linear\",\"windowDays\":30}," +
            "\"fraud\":{\"minClickToConversionSeconds\":0,\"maxRefundRatePercent\":0}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]," +
            "\"secrets\":{\"apiKey\":\"" + API_KEY + "-" + currency + "\"}}";
    }

    /**
     * A shopper's click, with the visitor cookie of the shopper's earlier clicks.
     */
    private String click(final String code) throws Exception
    {
        final HttpResponse<Void> response = service.click(code, visitorCookie);
        ServiceFixture.visitorCookie(response).ifPresent(cookie -> visitorCookie = cookie);
        clock.addAndGet(1_000);
        return ServiceFixture.clickId(response);
    }

    private void sale(final String externalId, final long amount, final String clickId) throws Exception
    {
        conversion("{\"programId\":\"shop\",\"externalId\":\"" + externalId + "\",\"kind\":\"sale\",\"amount\":" +
            amount + ",\"currency\":\"USD\",\"clickId\":\"" + clickId + "\"}");
    }

    private void refund(final String externalId, final long amount, final String original) throws Exception
    {
        conversion("{\"programId\":\"shop\",\"externalId\":\"" + externalId + "\",\"kind\":\"refund\",\"amount\":" +
            amount + ",\"currency\":\"USD\",\"originalExternalId\":\"" + original + "\"}");
    }

    private void conversion(final String body) throws Exception
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.edge("/v1/conversions"))
            .header("Authorization", "Bearer " + API_KEY + "-USD")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), body + " -> " + response.body());
        service.awaitCommitted();
    }

    private JsonNode createRun(final String periodEnd, final int expectedStatus) throws Exception
    {
        final HttpResponse<String> response = admin.post("/v1/programs/shop/payout-runs",
            "{\"periodEnd\":\"" + periodEnd + "\"}");
        assertEquals(expectedStatus, response.statusCode(), response.body());
        return json.readTree(response.body());
    }
}
