package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import dev.ricochet.testsupport.StripeSigner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The money side of the admin API, driven over HTTP against the real in-process service on a test clock: who may
 * call what, payout runs and their export, finance's commission reviews, the at-risk list, hourly stats, and signed
 * outbound webhooks delivered to a real receiver.
 *
 * <p>The program pays 10% (bronze) and 15% from 500.00 of revenue in 30 days (silver), approves commissions at once
 * (holdDays 0) and pays any approved balance; partners ann, bob and eve each have one link.
 */
class PayoutApiSystemTest
{
    private static final String PROGRAM = "shop";
    private static final String API_KEY = "payout-api-test-program-key";
    private static final String WEBHOOK_SECRET = "whsec_outbound_test_0123456789";
    private static final Instant START = Instant.parse("2026-03-10T10:15:00Z");
    private static final String TODAY = "2026-03-10";
    private static final String EVE_NAME = "=HYPERLINK(\"https://evil.example\";\"Eve\")";
    private static final long HOUR_MS = 3_600_000L;
    private static final long WEBHOOK_INITIAL_BACKOFF_MS = 1_000L;

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicLong clock = new AtomicLong(START.toEpochMilli());
    private ServiceFixture service;
    private AdminClient admin;
    private AdminClient finance;
    private AdminClient anonymous;
    private HttpServer receiver;

    @BeforeEach
    void start() throws Exception
    {
        // Its webhook receiver listens on loopback.
        service = new ServiceFixture(dataDir, clock::get, true);
        admin = service.admin;
        finance = service.finance;
        anonymous = new AdminClient(service.aggregator.adminPort(), null);
        admin.putOk("/v1/programs/" + PROGRAM, program(""));
        admin.seedPartner("shop", "ann", "Ann Example", "ann-1");
        admin.seedPartner("shop", "bob", "Bob Example", "bob-1");
        admin.putOk("/v1/partners/eve", "{\"programId\":\"shop\",\"name\":" + json.writeValueAsString(EVE_NAME) +
            ",\"email\":\"eve@example.com\",\"payoutAccount\":\"+44 20 7946 0000\"}");
        admin.seedLink("eve-1", "eve");
    }

    @AfterEach
    void stop()
    {
        if (null != receiver)
        {
            receiver.stop(0);
        }
        service.close();
    }

    @Test
    void answersEachTokenOnlyTheMoneyCallsItsRoleAllows() throws Exception
    {
        // Given ann has an approved commission scheduled in today's run, and a newer one still approved
        sale("order-1", 10_000, click("ann-1"));
        final String runId = createRun(TODAY, 201).get("id").asText();
        sale("order-2", 20_000, click("ann-1"));
        service.awaitCommitted();
        final String runPath = "/v1/payout-runs/" + runId;
        final String hold = "{\"externalId\":\"order-2\",\"action\":\"hold\",\"reason\":\"fraud check\"}";
        final String sameRun = "{\"periodEnd\":\"" + TODAY + "\"}";
        final String hijack = "{\"programId\":\"shop\",\"name\":\"Hijacked\"}";

        // When each token makes each call, in this order
        final Call readAfterRefusedApproval = new Call("admin", admin, "GET", runPath, null, 200);
        final Call approval = new Call("finance", finance, "POST", runPath + "/approve", "", 200);
        final List<Call> calls = List.of(
            // reads: any token, never without one
            new Call("anonymous", anonymous, "GET", "/v1/partners/ann/ledger", null, 401),
            new Call("anonymous", anonymous, "GET", runPath + "/export.csv", null, 401),
            new Call("admin", admin, "GET", "/v1/partners/ann/ledger", null, 200),
            new Call("finance", finance, "GET", "/v1/partners/ann/ledger", null, 200),
            new Call("finance", finance, "GET", "/v1/partners/ann/timeline", null, 200),
            new Call("finance", finance, "GET", "/v1/partners/ann/stats?granularity=hour", null, 200),
            new Call("finance", finance, "GET", "/v1/programs/shop/at-risk?threshold=50", null, 200),
            new Call("finance", finance, "GET", runPath, null, 200),
            new Call("finance", finance, "GET", runPath + "/export.csv", null, 200),
            // changes: the admin token only
            new Call("anonymous", anonymous, "POST", "/v1/programs/shop/payout-runs", sameRun, 401),
            new Call("finance", finance, "POST", "/v1/programs/shop/payout-runs", sameRun, 403),
            new Call("admin", admin, "POST", "/v1/programs/shop/payout-runs", sameRun, 200),
            new Call("finance", finance, "PUT", "/v1/partners/bob", hijack, 403),
            // approving a run: the finance token only, and a refused approval leaves the run unpaid
            new Call("anonymous", anonymous, "POST", runPath + "/approve", "", 401),
            new Call("admin", admin, "POST", runPath + "/approve", "", 403),
            readAfterRefusedApproval,
            approval,
            // reviewing a commission: the finance token only
            new Call("anonymous", anonymous, "POST", "/v1/partners/ann/commission-reviews", hold, 401),
            new Call("admin", admin, "POST", "/v1/partners/ann/commission-reviews", hold, 403),
            new Call("finance", finance, "POST", "/v1/partners/ann/commission-reviews", hold, 200));
        final List<HttpResponse<String>> responses = new ArrayList<>();
        for (final Call call : calls)
        {
            responses.add(call.send());
        }

        // Then each got the status of its role
        final List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++)
        {
            final Call call = calls.get(i);
            final HttpResponse<String> response = responses.get(i);
            checks.add(() -> assertEquals(call.expectedStatus(), response.statusCode(),
                call + " -> " + response.body()));
        }
        assertAll("status per token and call", checks);

        // And the refused approval did not pay the run, which finance's approval then did
        assertEquals("pending_approval",
            json.readTree(responses.get(calls.indexOf(readAfterRefusedApproval)).body()).get("status").asText());
        assertEquals("paid", json.readTree(responses.get(calls.indexOf(approval)).body()).get("status").asText());

        // And the refused change did not apply
        assertEquals("Bob Example", admin.getJson("/v1/partners/bob").get("name").asText());
    }

    @Test
    void answers405WithAnAllowHeaderWhenAMoneyEndpointIsCalledWithTheWrongMethod() throws Exception
    {
        // When the run-building endpoint is replaced, the approving one read instead of posted to, and a run deleted
        final HttpResponse<String> getRuns = admin.put("/v1/programs/shop/payout-runs", "{}");
        final HttpResponse<String> getApprove = finance.get("/v1/payout-runs/po_unknown/approve");
        final HttpResponse<String> deleteRun = admin.send(admin.builder("/v1/payout-runs/po_unknown").DELETE());

        // Then each answers 405 naming the method to use, in the body and in Allow
        assertEquals(405, getRuns.statusCode(), getRuns.body());
        // (part 8 item 1, lists: GET lists the program's runs)
        assertEquals("POST, GET", getRuns.headers().firstValue("allow").orElseThrow());
        assertEquals(405, getApprove.statusCode(), getApprove.body());
        assertEquals("POST", getApprove.headers().firstValue("allow").orElseThrow());
        assertEquals(405, deleteRun.statusCode(), deleteRun.body());
        assertEquals("GET", deleteRun.headers().firstValue("allow").orElseThrow());
        assertEquals("method DELETE not allowed; use GET", json.readTree(deleteRun.body()).get("error").asText());
    }

    @Test
    void answers201ForANewPayoutRunAnd200WithTheSameRunForTheSamePeriod() throws Exception
    {
        // Given eve has an approved commission of 12.34 (10% of 123.40)
        sale("order-1", 12_340, click("eve-1"));

        // When the admin builds today's run, then asks again for the same period
        final JsonNode created = createRun(TODAY, 201);
        final JsonNode again = createRun(TODAY, 200);

        // Then the first answer is the new run, pending finance, paying eve her whole approved balance
        assertTrue(created.get("id").asText().startsWith("po_"), created.toString());
        assertEquals(PROGRAM, created.get("programId").asText());
        assertEquals(TODAY, created.get("periodEnd").asText());
        assertEquals("pending_approval", created.get("status").asText());
        assertEquals(TODAY, created.get("createdOn").asText());
        assertTrue(created.get("paidOn").isNull(), created.toString());
        assertEquals("USD", created.get("currency").asText());
        assertEquals(1234, created.get("total").asLong());
        assertEquals(1, created.get("partners").size(), "partners without an approved balance are left out");
        final JsonNode line = created.get("partners").get(0);
        assertEquals("eve", line.get("partnerId").asText());
        assertEquals(EVE_NAME, line.get("name").asText());
        assertEquals("+44 20 7946 0000", line.get("payoutAccount").asText());
        assertEquals(1234, line.get("amount").asLong());

        // And the second is that same run, unchanged
        assertEquals(created, again);

        // And the money sits in eve's scheduled balance
        final JsonNode ledger = admin.getJson("/v1/partners/eve/ledger");
        assertEquals(0, ledger.get("approved").asLong());
        assertEquals(1234, ledger.get("scheduled").asLong());
    }

    @Test
    void answers400WhenAPayoutRunIsAskedForAPeriodEndingInTheFuture() throws Exception
    {
        // When the admin asks for a run up to tomorrow
        final HttpResponse<String> response = admin.post("/v1/programs/shop/payout-runs",
            "{\"periodEnd\":\"2026-03-11\"}");

        // Then it is refused, naming the problem
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("periodEnd 2026-03-11 is in the future", json.readTree(response.body()).get("error").asText());
    }

    @Test
    void paysTheRunWhenFinanceApprovesItAndMovesTheAmountToThePaidBalance() throws Exception
    {
        // Given a run scheduling eve's 12.34
        sale("order-1", 12_340, click("eve-1"));
        final String runId = createRun(TODAY, 201).get("id").asText();

        // When finance approves it
        final HttpResponse<String> approved = finance.post("/v1/payout-runs/" + runId + "/approve", "");

        // Then the run is paid today
        assertEquals(200, approved.statusCode(), approved.body());
        final JsonNode run = json.readTree(approved.body());
        assertEquals("paid", run.get("status").asText());
        assertEquals(TODAY, run.get("paidOn").asText());
        assertEquals(run, admin.getJson("/v1/payout-runs/" + runId), "the run as read back");

        // And eve's paid balance is the run's amount, with nothing left approved or scheduled
        final JsonNode ledger = finance.getJson("/v1/partners/eve/ledger");
        assertEquals(run.get("total").asLong(), ledger.get("paid").asLong());
        assertEquals(1234, ledger.get("paid").asLong());
        assertEquals(0, ledger.get("pending").asLong());
        assertEquals(0, ledger.get("approved").asLong());
        assertEquals(0, ledger.get("scheduled").asLong());
        assertEquals(List.of("accrual", "approval", "payout_scheduled", "payout"), entryTypes(ledger));

        // And her timeline reports the payout
        final JsonNode event = admin.getJson("/v1/partners/eve/timeline").get("events").get(0);
        assertEquals("payout.paid", event.get("type").asText());
        assertEquals(runId, event.get("data").get("runId").asText());
        assertEquals(1234, event.get("data").get("amount").asLong());
    }

    @Test
    void answersThePaidRunUnchangedWhenFinanceApprovesItAgain() throws Exception
    {
        // Given eve's 12.34 was paid by a run
        sale("order-1", 12_340, click("eve-1"));
        final String runId = createRun(TODAY, 201).get("id").asText();
        final HttpResponse<String> approved = finance.post("/v1/payout-runs/" + runId + "/approve", "");
        assertEquals(200, approved.statusCode(), approved.body());

        // When finance approves it a second time (a double click)
        final HttpResponse<String> again = finance.post("/v1/payout-runs/" + runId + "/approve", "");

        // Then the answer is the same paid run, and eve is not paid twice
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(json.readTree(approved.body()), json.readTree(again.body()));
        final JsonNode ledger = admin.getJson("/v1/partners/eve/ledger");
        assertEquals(1234, ledger.get("paid").asLong());
        assertEquals(List.of("accrual", "approval", "payout_scheduled", "payout"), entryTypes(ledger));
    }

    @Test
    void exportsTheRunAsCsvWithFormulaCellsDefusedAndAmountsInMajorUnits() throws Exception
    {
        // Given a paid run for eve, whose name is a spreadsheet formula and payout account starts with '+'
        sale("order-1", 12_340, click("eve-1"));
        final String runId = createRun(TODAY, 201).get("id").asText();
        assertEquals(200, finance.post("/v1/payout-runs/" + runId + "/approve", "").statusCode());

        // When finance downloads the export
        final HttpResponse<String> export = finance.get("/v1/payout-runs/" + runId + "/export.csv");

        // Then it is a CSV attachment with one row per partner paid, formula cells prefixed with an apostrophe
        assertEquals(200, export.statusCode(), export.body());
        assertEquals("text/csv; charset=utf-8", export.headers().firstValue("content-type").orElseThrow());
        assertEquals("attachment; filename=\"" + runId + ".csv\"",
            export.headers().firstValue("content-disposition").orElseThrow());
        assertEquals(
            "run_id,program_id,period_end,status,partner_id,name,email,payout_account,currency,amount_minor," +
            "amount\r\n" +
            runId + ",shop," + TODAY + ",paid,eve,\"'=HYPERLINK(\"\"https://evil.example\"\";\"\"Eve\"\")\"," +
            "eve@example.com,'+44 20 7946 0000,USD,1234,12.34\r\n",
            export.body());
    }

    @Test
    void exportsCellsHoldingASemicolonOrStartingWithAFormulaCharacterAsQuotedText() throws Exception
    {
        // Given a paid run for a partner whose name starts with '-' and holds ';', whose email holds ';' and whose
        // payout account starts with '@' (spreadsheets in ';' locales split on it, and run what starts with - or @)
        admin.putOk("/v1/partners/mal", "{\"programId\":\"shop\",\"name\":\"-1+1;cmd\"," +
            "\"email\":\"mal;x@example.com\",\"payoutAccount\":\"@SUM(1+1)\"}");
        admin.seedLink("mal-1", "mal");
        sale("order-1", 12_340, click("mal-1"));
        final String runId = createRun(TODAY, 201).get("id").asText();
        assertEquals(200, finance.post("/v1/payout-runs/" + runId + "/approve", "").statusCode());

        // When finance downloads the export
        final String export = finance.get("/v1/payout-runs/" + runId + "/export.csv").body();

        // Then each such cell is text: prefixed with an apostrophe, quoted where it holds a ';'
        assertTrue(export.endsWith(runId + ",shop," + TODAY + ",paid,mal,\"'-1+1;cmd\",\"mal;x@example.com\"," +
            "'@SUM(1+1),USD,1234,12.34\r\n"), export);
    }

    @Test
    void exportsAFormulaBehindWhiteSpaceOrInvisibleCharactersOrWithAFullwidthSignAsText() throws Exception
    {
        // Given a partner whose payout account hides a formula behind a non-breaking space, and one whose payout
        // account starts with a fullwidth '=' (names are stripped of white space; payout accounts are not)
        admin.putOk("/v1/partners/mal", "{\"programId\":\"shop\",\"name\":\"Mal\"," +
            "\"payoutAccount\":\"\\u00a0\\u2028=HYPERLINK(1)\"}");
        admin.putOk("/v1/partners/wid", "{\"programId\":\"shop\",\"name\":\"Wid\"," +
            "\"payoutAccount\":\"\\u200b\\uff1dSUM(1)\"}");
        admin.seedLink("mal-1", "mal");
        admin.seedLink("wid-1", "wid");
        sale("order-1", 12_340, click("mal-1"));
        sale("order-2", 12_340, click("wid-1"));
        final String runId = createRun(TODAY, 201).get("id").asText();

        // When finance downloads the export
        final String export = finance.get("/v1/payout-runs/" + runId + "/export.csv").body();

        // Then both cells are text: prefixed with an apostrophe
        assertTrue(export.contains(",'\u00a0\u2028=HYPERLINK(1),"), export);
        assertTrue(export.contains(",'\u200b\uff1dSUM(1),"), export);
    }

    @Test
    void holdsAnApprovedCommissionWhenFinanceAsks() throws Exception
    {
        // Given ann has two approved commissions: 10.00 and 20.00
        final String clickId = click("ann-1");
        sale("order-1", 10_000, clickId);
        sale("order-2", 20_000, clickId);

        // When finance holds the first for review
        final HttpResponse<String> response = review("ann", "order-1", "hold", "fraud check");

        // Then it is held, and its amount moved from approved to held
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(json.readTree("{\"partnerId\":\"ann\",\"externalId\":\"order-1\",\"state\":\"held\"," +
            "\"amount\":1000}"), json.readTree(response.body()));
        final JsonNode ledger = admin.getJson("/v1/partners/ann/ledger");
        assertEquals(1000, ledger.get("held").asLong());
        assertEquals(2000, ledger.get("approved").asLong());
        final JsonNode entry = last(ledger.get("entries"));
        assertEquals("hold", entry.get("type").asText());
        assertEquals("approved", entry.get("from").asText());
        assertEquals("held", entry.get("to").asText());
        assertEquals("fraud check", entry.get("note").asText());

        // And the timeline says so
        final JsonNode event = admin.getJson("/v1/partners/ann/timeline").get("events").get(0);
        assertEquals("commission.held", event.get("type").asText());
        assertEquals("order-1", event.get("data").get("externalId").asText());
    }

    @Test
    void releasesAHeldCommissionBackToApprovedWhenItsHoldPeriodIsOver() throws Exception
    {
        // Given ann's approved 10.00 is held
        sale("order-1", 10_000, click("ann-1"));
        assertEquals(200, review("ann", "order-1", "hold", "fraud check").statusCode());

        // When finance releases it
        final HttpResponse<String> response = review("ann", "order-1", "release", "customer verified");

        // Then it is approved again (holdDays 0), and payable
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("approved", json.readTree(response.body()).get("state").asText());
        final JsonNode ledger = admin.getJson("/v1/partners/ann/ledger");
        assertEquals(0, ledger.get("held").asLong());
        assertEquals(1000, ledger.get("approved").asLong());
        assertEquals("release", last(ledger.get("entries")).get("type").asText());
        assertEquals("commission.released",
            admin.getJson("/v1/partners/ann/timeline").get("events").get(0).get("type").asText());
    }

    @Test
    void voidsAHeldCommissionSoThatItIsNeverPaid() throws Exception
    {
        // Given ann's approved 10.00 is held
        sale("order-1", 10_000, click("ann-1"));
        assertEquals(200, review("ann", "order-1", "hold", "fraud check").statusCode());

        // When finance voids it
        final HttpResponse<String> response = review("ann", "order-1", "void", "stolen card");

        // Then it is void and no balance holds it any more
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("void", json.readTree(response.body()).get("state").asText());
        final JsonNode ledger = admin.getJson("/v1/partners/ann/ledger");
        assertEquals(0, ledger.get("held").asLong());
        assertEquals(0, ledger.get("approved").asLong());
        final JsonNode entry = last(ledger.get("entries"));
        assertEquals("void", entry.get("type").asText());
        assertEquals(-1000, entry.get("amount").asLong());

        // And a run built afterwards pays ann nothing
        assertEquals(0, createRun(TODAY, 201).get("partners").size());

        // And the answer's amount is what the commission is now worth (the API's contract): nothing
        assertEquals(0, json.readTree(response.body()).get("amount").asLong(),
            "a void commission is worth nothing, as the ledger already says: " + response.body());
    }

    @Test
    void answers409WhenReleasingACommissionThatIsNotHeld() throws Exception
    {
        // Given ann's commission is approved, not held
        sale("order-1", 10_000, click("ann-1"));

        // When finance releases it
        final HttpResponse<String> response = review("ann", "order-1", "release", "by mistake");

        // Then it is refused and the commission stays approved
        assertEquals(409, response.statusCode(), response.body());
        assertEquals("cannot release a commission that is approved",
            json.readTree(response.body()).get("error").asText());
        assertEquals(1000, admin.getJson("/v1/partners/ann/ledger").get("approved").asLong());
    }

    @Test
    void answers404WhenReviewingACommissionThePartnerDoesNotHave() throws Exception
    {
        // Given ann has a commission on order-1 and bob none
        sale("order-1", 10_000, click("ann-1"));

        // When finance holds an order that does not exist, and ann's order on bob
        final HttpResponse<String> unknown = review("ann", "order-404", "hold", "fraud check");
        final HttpResponse<String> notBobs = review("bob", "order-1", "hold", "fraud check");

        // Then both are not found
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertEquals("partner 'ann' has no commission on 'order-404'",
            json.readTree(unknown.body()).get("error").asText());
        assertEquals(404, notBobs.statusCode(), notBobs.body());
        assertEquals(1000, admin.getJson("/v1/partners/ann/ledger").get("approved").asLong());
    }

    @Test
    void listsASilentPartnerAsAtRiskButNotOneWithASaleToday() throws Exception
    {
        // Given ann clicked and sold today (health 30 trend + 25 recency + 0.2 activity + 15 refunds + 10 bots = 80)
        // and bob and eve did nothing (health 25: full marks only for no refunds and no bots)
        sale("order-1", 10_000, click("ann-1"));

        // When the program's at-risk list is read with the default threshold of 40
        final JsonNode atRisk = finance.getJson("/v1/programs/shop/at-risk");

        // Then bob and eve are listed with their score and its parts, and ann is not
        assertEquals(40, atRisk.get("threshold").asInt());
        assertEquals(List.of("bob", "eve"), partnerIds(atRisk.get("partners")));
        final JsonNode bob = atRisk.get("partners").get(0);
        assertEquals(25, bob.get("health").asInt());
        assertEquals(json.readTree("{\"trend\":0.0,\"recency\":0.0,\"activity\":0.0,\"refunds\":15.0,\"bots\":10.0}"),
            bob.get("components"));
        assertEquals(80, admin.getJson("/v1/partners/ann").get("health").asInt());
    }

    @Test
    void listsAtRiskPartnersLeastHealthyFirstBelowTheGivenThreshold() throws Exception
    {
        // Given ann (health 80) and bob, eve (25)
        sale("order-1", 10_000, click("ann-1"));

        // When the threshold is raised just above ann's score
        final JsonNode atRisk = admin.getJson("/v1/programs/shop/at-risk?threshold=81");

        // Then all three are listed, least healthy first
        assertEquals(List.of("bob", "eve", "ann"), partnerIds(atRisk.get("partners")));
        assertEquals(80, atRisk.get("partners").get(2).get("health").asInt());
    }

    @Test
    void deliversATierUpgradeAsASignedWebhookRetriedWithTheSameEventIdUntilAccepted() throws Exception
    {
        // Given a receiver that fails its first delivery with 500 and accepts the next, subscribed by the program
        final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        startReceiver(deliveries);
        admin.putOk("/v1/programs/" + PROGRAM, program(",\"webhookUrl\":\"http://127.0.0.1:" +
            receiver.getAddress().getPort() + "/hooks/ricochet\""));
        final long saleTimeMs = clock.get();

        // When ann's sale of 600.00 crosses silver's 500.00 threshold
        sale("order-1", 60_000, click("ann-1"));

        // Then the upgrade is posted, signed with the program's secret at the service's time
        final Delivery first = deliveries.poll(30, TimeUnit.SECONDS);
        assertNotNull(first, "no webhook delivered within 30 s");
        assertEquals("POST", first.method());
        assertEquals("/hooks/ricochet", first.path());
        assertEquals("application/json", first.header("Content-Type"));
        assertEquals("tier.upgraded", first.header("Ricochet-Event-Type"));
        assertSignedBy(WEBHOOK_SECRET, first);
        assertEquals(saleTimeMs / 1000, first.signedAtSeconds());
        final JsonNode event = json.readTree(first.body());
        assertEquals(first.header("Ricochet-Event-Id"), event.get("id").asText());
        assertEquals("tier.upgraded", event.get("type").asText());
        assertEquals(Instant.ofEpochMilli(saleTimeMs).toString(), event.get("time").asText());
        assertEquals(PROGRAM, event.get("programId").asText());
        assertEquals("ann", event.get("partnerId").asText());
        assertEquals(json.readTree("{\"from\":\"bronze\",\"to\":\"silver\",\"reason\":\"threshold crossed\"," +
            "\"windowDays\":30,\"conversions\":1,\"revenue\":60000}"), event.get("data"));

        // And after the initial backoff on the service's clock it is posted again: same event, freshly signed
        final Delivery retry = awaitRetry(deliveries);
        assertEquals(first.header("Ricochet-Event-Id"), retry.header("Ricochet-Event-Id"));
        assertEquals("tier.upgraded", retry.header("Ricochet-Event-Type"));
        assertEquals(first.body(), retry.body());
        assertSignedBy(WEBHOOK_SECRET, retry);
        assertTrue(retry.signedAtSeconds() >= first.signedAtSeconds() + WEBHOOK_INITIAL_BACKOFF_MS / 1000,
            "the retry is signed at its own time: " + retry.header("Ricochet-Signature"));

        // And ann's timeline shows the same event, and her partner record the new tier
        assertEquals(event, admin.getJson("/v1/partners/ann/timeline").get("events").get(0));
        assertEquals("silver", admin.getJson("/v1/partners/ann").get("tier").asText());
    }

    @Test
    void reportsTheClicksOfEachHourWithHourGranularity() throws Exception
    {
        // Given ann's link was clicked once in the previous hour (10:15) and three times in this one (11:15)
        click("ann-1");
        clock.set(START.toEpochMilli() + HOUR_MS);
        click("ann-1");
        click("ann-1");
        click("ann-1");
        service.awaitCommitted();

        // When her stats are read by the hour
        final JsonNode stats = admin.getJson("/v1/partners/ann/stats?granularity=hour");

        // Then the last 24 hours are covered, with one bucket per hour that had traffic
        assertEquals("2026-03-09T12:00:00Z", stats.get("from").asText());
        assertEquals("2026-03-10T11:00:00Z", stats.get("to").asText());
        assertEquals(4, stats.get("clicks").asLong());
        final JsonNode hours = stats.get("hours");
        assertEquals(2, hours.size(), hours.toString());
        assertEquals("2026-03-10T10:00:00Z", hours.get(0).get("hour").asText());
        assertEquals(1, hours.get(0).get("clicks").asLong());
        assertEquals("2026-03-10T11:00:00Z", hours.get(1).get("hour").asText());
        assertEquals(3, hours.get(1).get("clicks").asLong());
    }

    @Test
    void answers400ForAnUnknownStatsGranularity() throws Exception
    {
        // When stats are asked by the minute
        final HttpResponse<String> response = admin.get("/v1/partners/ann/stats?granularity=minute");

        // Then the granularity is refused, naming the valid ones
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("granularity 'minute' is invalid: expected day or hour",
            json.readTree(response.body()).get("error").asText());
    }

    /**
     * The test clock stands still, so a sale here is reported in the instant of its click: the click-to-conversion
     * check is off (FraudSystemTest covers the fraud checks).
     */
    private static String program(final String extra)
    {
        return "{\"name\":\"Shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\",\"holdDays\":0,\"minPayout\":0," +
            "\"fraud\":{\"minClickToConversionSeconds\":0}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
            "{\"name\":\"silver\",\"minRevenue\":50000,\"windowDays\":30,\"commissionPercent\":\"15\"}]," +
            "\"secrets\":{\"apiKey\":\"" + API_KEY + "\",\"webhook\":\"" + WEBHOOK_SECRET + "\"}" + extra + "}";
    }

    private String click(final String code) throws Exception
    {
        return ServiceFixture.clickId(service.click(code, null));
    }

    private void sale(final String externalId, final long amount, final String clickId) throws Exception
    {
        final String body = "{\"programId\":\"" + PROGRAM + "\",\"externalId\":\"" + externalId + "\"," +
            "\"kind\":\"sale\",\"amount\":" + amount + ",\"currency\":\"USD\",\"clickId\":\"" + clickId + "\"}";
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.edge("/v1/conversions"))
            .header("Authorization", "Bearer " + API_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), body + " -> " + response.body());
        assertEquals("{\"status\":\"accepted\",\"duplicate\":false}", response.body());
        service.awaitCommitted();
    }

    private JsonNode createRun(final String periodEnd, final int expectedStatus) throws Exception
    {
        final HttpResponse<String> response = admin.post("/v1/programs/" + PROGRAM + "/payout-runs",
            "{\"periodEnd\":\"" + periodEnd + "\"}");
        assertEquals(expectedStatus, response.statusCode(), response.body());
        return json.readTree(response.body());
    }

    private HttpResponse<String> review(final String partnerId, final String externalId, final String action,
        final String reason) throws Exception
    {
        return finance.post("/v1/partners/" + partnerId + "/commission-reviews", "{\"externalId\":\"" + externalId +
            "\",\"action\":\"" + action + "\",\"reason\":\"" + reason + "\"}");
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

    private static List<String> partnerIds(final JsonNode partners)
    {
        final List<String> ids = new ArrayList<>();
        for (final JsonNode partner : partners)
        {
            ids.add(partner.get("partnerId").asText());
        }
        return ids;
    }

    private static JsonNode last(final JsonNode array)
    {
        assertFalse(array.isEmpty(), "no entries");
        return array.get(array.size() - 1);
    }

    /**
     * The dispatcher's backoff runs on the service's clock, which only the test moves: step it past the backoff
     * until the retry arrives (stepping again is harmless if the dispatcher had not yet scheduled the retry).
     */
    private Delivery awaitRetry(final BlockingQueue<Delivery> deliveries) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadlineNs)
        {
            clock.addAndGet(WEBHOOK_INITIAL_BACKOFF_MS);
            final Delivery retry = deliveries.poll(200, TimeUnit.MILLISECONDS);
            if (null != retry)
            {
                return retry;
            }
        }
        return fail("the webhook was not retried within 30 s");
    }

    private void startReceiver(final BlockingQueue<Delivery> deliveries) throws IOException
    {
        final AtomicInteger requests = new AtomicInteger();
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> receive(exchange, deliveries, requests.incrementAndGet()));
        receiver.start();
    }

    private static void receive(final HttpExchange exchange, final BlockingQueue<Delivery> deliveries,
        final int requestNumber) throws IOException
    {
        try
        {
            final byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(1 == requestNumber ? 500 : 200, -1);
            deliveries.add(new Delivery(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                Map.copyOf(exchange.getRequestHeaders()), new String(body, StandardCharsets.UTF_8)));
        }
        finally
        {
            exchange.close();
        }
    }

    private static void assertSignedBy(final String secret, final Delivery delivery)
        throws GeneralSecurityException
    {
        final String signature = delivery.header("Ricochet-Signature");
        assertNotNull(signature, "Ricochet-Signature is missing");
        final String[] parts = signature.split(",");
        assertEquals(2, parts.length, signature);
        assertTrue(parts[0].startsWith("t=") && parts[1].startsWith("v1="), signature);
        final String expected = new StripeSigner(secret).signature(
            Long.parseLong(parts[0].substring(2)), delivery.body().getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, parts[1].substring(3), "HMAC-SHA256 of t.body with the program's webhook secret");
    }

    /**
     * One request the webhook receiver got.
     */
    private record Delivery(String method, String path, Map<String, List<String>> headers, String body)
    {
        String header(final String name)
        {
            for (final Map.Entry<String, List<String>> entry : headers.entrySet())
            {
                if (entry.getKey().equalsIgnoreCase(name))
                {
                    return entry.getValue().isEmpty() ? null : entry.getValue().get(0);
                }
            }
            return null;
        }

        long signedAtSeconds()
        {
            final String signature = header("Ricochet-Signature");
            return Long.parseLong(signature.substring(2, signature.indexOf(',')));
        }
    }

    /**
     * One row of the role table: who calls what, and the status its role must get.
     */
    private record Call(String who, AdminClient client, String method, String path, String body, int expectedStatus)
    {
        HttpResponse<String> send() throws IOException, InterruptedException
        {
            return client.send(client.builder(path).method(method, null == body ?
                HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
        }

        @Override
        public String toString()
        {
            return method + " " + path + " as " + who;
        }
    }
}
