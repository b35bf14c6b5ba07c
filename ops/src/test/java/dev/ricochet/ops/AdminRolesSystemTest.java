package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The role × endpoint matrix of the admin API: every endpoint of the contract, called by every role, gets 401 without
 * a valid token, 403 where the role may not, and the endpoint's own answer where it may.
 */
class AdminRolesSystemTest
{
    private static final String ANONYMOUS = "anonymous";
    private static final String ADMIN = "admin";
    private static final String FINANCE = "finance";
    private static final String ANALYST = "analyst";
    private static final String PARTNER_SELF = "partner ann";
    private static final String PARTNER_OTHER = "partner bob";
    private static final Set<String> EVERYONE = Set.of(ADMIN, FINANCE, ANALYST, PARTNER_SELF);
    private static final Set<String> STAFF = Set.of(ADMIN, FINANCE, ANALYST);
    private static final Set<String> MONEY_READERS = Set.of(ADMIN, FINANCE, PARTNER_SELF);
    private static final Set<String> DESCEND = Set.of("conversions", "conversions[].touches",
        "conversions[].commission", "events",
        // Part 8 item 1 (lists).
        "items", "items[].credits", "items[].credits[].commission");
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";
    private static final String API_KEY = "roles-test-program-api-key";
    private static final String ANN = "{\"programId\":\"shop\",\"name\":\"Ann\",\"status\":\"active\"," +
        "\"email\":\"ann@example.com\",\"payoutAccount\":\"DE89370400440532013000\",\"customerIds\":[\"cus_ann\"]}";

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private ServiceFixture service;
    private final Map<String, AdminClient> clients = new LinkedHashMap<>();

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        final AdminClient admin = service.admin;
        admin.putOk("/v1/programs/shop", program());
        admin.putOk("/v1/partners/ann", ANN);
        admin.putOk("/v1/partners/bob", "{\"programId\":\"shop\",\"name\":\"Bob\",\"status\":\"active\"," +
            "\"payoutAccount\":\"DE02120300000000202051\"}");
        admin.putOk("/v1/partners/sue", "{\"programId\":\"shop\",\"name\":\"Sue\",\"status\":\"suspended\"}");
        admin.putOk("/v1/links/ann-1", "{\"partnerId\":\"ann\",\"destination\":\"https://shop.example.com/a\"}");
        admin.putOk("/v1/links/bob-1", "{\"partnerId\":\"bob\",\"destination\":\"https://shop.example.com/b\"}");
        admin.putOk("/v1/coupons/ANN10", "{\"partnerId\":\"ann\"}");
        // One shopper clicks ann's link, then bob's, and buys through bob's click: the touch path holds both partners
        final HttpResponse<Void> annClick = click("/r/ann-1", null);
        final String visitor = annClick.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
        final String bobClickId = clickId(click("/r/bob-1", visitor));
        sale("order-1", bobClickId);
        final int port = service.aggregator.adminPort();
        clients.put(ANONYMOUS, new AdminClient(port, null));
        clients.put(ADMIN, admin);
        clients.put(FINANCE, new AdminClient(port, ServiceFixture.FINANCE_TOKEN));
        clients.put(ANALYST, new AdminClient(port, ServiceFixture.ANALYST_TOKEN));
        clients.put(PARTNER_SELF, new AdminClient(port, partnerToken(admin, "ann")));
        clients.put(PARTNER_OTHER, new AdminClient(port, partnerToken(admin, "bob")));
    }

    @AfterEach
    void stop()
    {
        service.close();
    }

    @Test
    void shouldLetEachRoleCallExactlyTheEndpointsItsRoleAllows() throws Exception
    {
        // Given a payout run to read, approve and export
        final String run = "/v1/payout-runs/" + json.readTree(service.admin.post("/v1/programs/shop/payout-runs",
            "{}").body()).get("id").asText();

        // And every endpoint of the admin API with the roles that may call it (ann's resources throughout)
        final List<Endpoint> endpoints = List.of(
            new Endpoint("GET", "/v1/programs/shop", null, STAFF),
            new Endpoint("PUT", "/v1/programs/shop", program(), Set.of(ADMIN)),
            new Endpoint("GET", "/v1/partners/ann", null, EVERYONE),
            new Endpoint("PUT", "/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"Ann\",\"status\":\"active\"}",
                Set.of(ADMIN)),
            new Endpoint("GET", "/v1/partners/ann/stats", null, EVERYONE),
            new Endpoint("GET", "/v1/partners/ann/conversions", null, EVERYONE),
            new Endpoint("GET", "/v1/partners/ann/timeline", null, EVERYONE),
            new Endpoint("GET", "/v1/partners/ann/ledger", null, MONEY_READERS),
            new Endpoint("GET", "/v1/partners/ann/token", null, Set.of(ADMIN)),
            new Endpoint("POST", "/v1/partners/ann/commission-reviews",
                "{\"externalId\":\"order-1\",\"action\":\"hold\",\"reason\":\"check\"}", Set.of(FINANCE)),
            new Endpoint("GET", "/v1/links/ann-1", null, STAFF),
            new Endpoint("PUT", "/v1/links/ann-1",
                "{\"partnerId\":\"ann\",\"destination\":\"https://shop.example.com/a\"}", Set.of(ADMIN)),
            new Endpoint("GET", "/v1/coupons/ANN10", null, STAFF),
            new Endpoint("PUT", "/v1/coupons/ANN10", "{\"partnerId\":\"ann\"}", Set.of(ADMIN)),
            new Endpoint("GET", "/v1/programs/shop/at-risk", null, STAFF),
            new Endpoint("GET", "/v1/programs/shop/held-commissions", null, Set.of(ADMIN, FINANCE)),
            new Endpoint("POST", "/v1/programs/shop/payout-runs", "{}", Set.of(ADMIN)),
            new Endpoint("GET", run, null, Set.of(ADMIN, FINANCE)),
            new Endpoint("GET", run + "/export.csv", null, Set.of(ADMIN, FINANCE)),
            new Endpoint("POST", run + "/approve", "", Set.of(FINANCE)),
            // Part 8 item 1 (lists).
            new Endpoint("GET", "/v1/programs/shop/links", null, STAFF),
            new Endpoint("GET", "/v1/programs/shop/coupons", null, STAFF),
            new Endpoint("GET", "/v1/programs/shop/conversions", null, STAFF),
            new Endpoint("GET", "/v1/programs/shop/payout-runs", null, Set.of(ADMIN, FINANCE)));

        // When every role calls every endpoint
        final List<Executable> checks = new ArrayList<>();
        for (final Endpoint endpoint : endpoints)
        {
            for (final Map.Entry<String, AdminClient> role : clients.entrySet())
            {
                final String who = role.getKey();
                final AdminClient client = role.getValue();
                final HttpResponse<String> response = client.send(client.builder(endpoint.path()).method(
                    endpoint.method(), null == endpoint.body() ? HttpRequest.BodyPublishers.noBody() :
                    HttpRequest.BodyPublishers.ofString(endpoint.body())));
                final String call = endpoint.method() + " " + endpoint.path() + " as " + who + " -> " +
                    response.statusCode() + " " + response.body();

                // Then the anonymous caller gets 401, a role that may not gets 403, and one that may gets past both
                if (ANONYMOUS.equals(who))
                {
                    checks.add(() -> assertEquals(401, response.statusCode(), call));
                }
                else if (endpoint.allowed().contains(who))
                {
                    checks.add(() -> assertTrue(response.statusCode() < 500 && 401 != response.statusCode() &&
                        403 != response.statusCode(), call));
                }
                else
                {
                    checks.add(() -> assertEquals(403, response.statusCode(), call));
                }
            }
        }
        assertAll("role x endpoint", checks);
    }

    @Test
    void shouldRefuseAForgedPartnerTokenAndLetNoPartnerReadAnotherPartner() throws Exception
    {
        // Given ann's genuine token, and one forged by swapping in bob's id
        final String annToken = partnerToken(service.admin, "ann");
        final String forged = annToken.replace("rp_ann.", "rp_bob.");
        final AdminClient forger = new AdminClient(service.aggregator.adminPort(), forged);

        // When the forged token reads bob, and ann's token reads bob
        final int forgedStatus = forger.get("/v1/partners/bob").statusCode();
        final int crossStatus = clients.get(PARTNER_SELF).get("/v1/partners/bob/stats").statusCode();

        // Then the forgery is no token at all, and ann's token does not reach bob
        assertEquals(401, forgedStatus);
        assertEquals(403, crossStatus);
        assertEquals(200, clients.get(PARTNER_SELF).get("/v1/partners/ann/stats").statusCode());
    }

    @Test
    void shouldShowEachRoleExactlyTheFieldsItOwnsOnEveryEndpoint() throws Exception
    {
        // Given a payout run, and every endpoint of the admin API with every field its answer has for the admin, and
        // the fields each other role does not own (ann's resources throughout; ann's conversion has bob's touch too)
        final String run = "/v1/payout-runs/" + json.readTree(service.admin.post("/v1/programs/shop/payout-runs",
            "{}").body()).get("id").asText();
        final Set<String> partnerFields = Set.of("id", "programId", "name", "email", "status", "tier", "tierSince",
            "nextTierReview", "health", "healthComponents", "commissionPercent", "leadCommission", "monthlyCap",
            "payoutAccount", "customerIds", "windows",
            // part 8, items 3, 4 and 5
            "statusReason", "tierPin", "joinedAt", "tags", "attributes");
        final Set<String> programFields = Set.of("id", "name", "currency", "defaultDestination", "clickParam",
            "attribution", "tiers", "holdDays", "minPayout", "recurringMonths", "pixelConversions", "tierMode",
            "tierReview", "retroactive", "monthlyCap", "webhookUrl", "fraud", "secretsSet",
            "attributes"); // part 8, item 4
        final Set<String> runFields = Set.of("id", "programId", "periodEnd", "status", "createdOn", "paidOn",
            "currency", "total", "partners");
        final Map<String, Set<String>> programHidden = Map.of(FINANCE, Set.of("webhookUrl"),
            ANALYST, Set.of("webhookUrl"));
        final List<FieldCheck> checks = new ArrayList<>(List.of(
            new FieldCheck("GET", "/v1/programs/shop", null, programFields, programHidden),
            new FieldCheck("PUT", "/v1/programs/shop", program(), programFields, Map.of()),
            new FieldCheck("GET", "/v1/partners/ann", null, partnerFields, Map.of(
                ANALYST, Set.of("payoutAccount", "customerIds"),
                PARTNER_SELF, Set.of("health", "healthComponents", "customerIds", "tags", "attributes"))),
            new FieldCheck("PUT", "/v1/partners/ann", ANN, partnerFields, Map.of()),
            new FieldCheck("GET", "/v1/partners/ann/stats", null, Set.of("partnerId", "from", "to", "clicks",
                "uniqueClicks", "previews", "botClicks", "leads", "sales", "revenue", "commission", "refunded",
                "currency", "days"), Map.of()),
            new FieldCheck("GET", "/v1/partners/ann/conversions", null, Set.of("partnerId", "conversions",
                "conversions[].programId", "conversions[].externalId", "conversions[].kind", "conversions[].time",
                "conversions[].amount", "conversions[].currency", "conversions[].credit",
                "conversions[].reversedAmount", "conversions[].attributedBy", "conversions[].coupon",
                "conversions[].customerId", "conversions[].touches", "conversions[].touches[].partnerId",
                "conversions[].touches[].clickId", "conversions[].touches[].clickTime",
                "conversions[].touches[].credit", "conversions[].commission", "conversions[].commission.kind",
                "conversions[].commission.state", "conversions[].commission.revenue",
                "conversions[].commission.amount", "conversions[].commission.flags"), Map.of(
                ANALYST, Set.of("conversions[].customerId", "conversions[].commission",
                    "conversions[].commission.kind", "conversions[].commission.state",
                    "conversions[].commission.revenue", "conversions[].commission.amount",
                    "conversions[].commission.flags"),
                PARTNER_SELF, Set.of("conversions[].customerId", "conversions[].commission.flags"))),
            new FieldCheck("GET", "/v1/partners/ann/timeline", null, Set.of("partnerId", "events", "events[].id",
                "events[].type", "events[].time", "events[].programId", "events[].partnerId", "events[].data"),
                Map.of(ANALYST, Set.of("events[].data"))),
            new FieldCheck("GET", "/v1/partners/ann/ledger", null, Set.of("partnerId", "currency", "pending",
                "approved", "held", "scheduled", "paid", "asOf", "entries"), Map.of()),
            new FieldCheck("GET", "/v1/partners/ann/token", null, Set.of("partnerId", "token"), Map.of()),
            new FieldCheck("GET", "/v1/links/ann-1", null, Set.of("code", "partnerId", "programId", "destination"),
                Map.of()),
            new FieldCheck("PUT", "/v1/links/ann-1",
                "{\"partnerId\":\"ann\",\"destination\":\"https://shop.example.com/a\"}",
                Set.of("code", "partnerId", "programId", "destination"), Map.of()),
            new FieldCheck("GET", "/v1/coupons/ANN10", null, Set.of("code", "partnerId"), Map.of()),
            new FieldCheck("PUT", "/v1/coupons/ANN10", "{\"partnerId\":\"ann\"}", Set.of("code", "partnerId"),
                Map.of()),
            new FieldCheck("GET", "/v1/programs/shop/at-risk", null, Set.of("programId", "threshold", "partners"),
                Map.of()),
            new FieldCheck("GET", "/v1/programs/shop/held-commissions", null, Set.of("programId", "currency",
                "total", "commissions"), Map.of()),
            new FieldCheck("POST", "/v1/partners/ann/commission-reviews",
                "{\"externalId\":\"order-1\",\"action\":\"release\",\"reason\":\"checked\"}",
                Set.of("partnerId", "externalId", "state", "amount"), Map.of()),
            new FieldCheck("POST", "/v1/programs/shop/payout-runs", "{}", runFields, Map.of()),
            new FieldCheck("GET", run, null, runFields, Map.of()),
            new FieldCheck("POST", run + "/approve", "", runFields, Map.of())));
        checks.addAll(listFieldChecks()); // part 8 item 1 (lists)

        // When every role that may call an endpoint calls it
        final List<Executable> assertions = new ArrayList<>();
        for (final FieldCheck check : checks)
        {
            for (final String who : List.of(ADMIN, FINANCE, ANALYST, PARTNER_SELF))
            {
                final AdminClient client = clients.get(who);
                final HttpResponse<String> response = client.send(client.builder(check.path()).method(
                    check.method(), null == check.body() ? HttpRequest.BodyPublishers.noBody() :
                    HttpRequest.BodyPublishers.ofString(check.body())));
                if (403 == response.statusCode())
                {
                    continue; // the role × endpoint test covers who may call what
                }
                final String call = check.method() + " " + check.path() + " as " + who + " -> " +
                    response.statusCode() + " " + response.body();
                final Set<String> seen = new TreeSet<>();
                fieldPaths(json.readTree(response.body()), "", seen);
                final Set<String> expected = new TreeSet<>(check.fields());
                expected.removeAll(check.hidden().getOrDefault(who, Set.of()));

                // Then it answers, with exactly the fields the role owns
                assertions.add(() -> assertEquals(200, response.statusCode(), call));
                assertions.add(() -> assertEquals(expected, seen, call));
            }
        }
        assertAll("role x endpoint x field", assertions);
    }

    @Test
    void shouldShowAPartnerOnlyItsOwnTouchesAndNeverTheCustomerOnItsConversions() throws Exception
    {
        // Given ann's conversion, whose path also holds bob's touch, as the admin sees it
        final JsonNode asAdmin = json.readTree(service.admin.getOk("/v1/partners/ann/conversions"))
            .get("conversions").get(0);
        assertEquals(List.of("ann", "bob"), partnerIds(asAdmin.get("touches")));
        assertEquals("shopper@example.com", asAdmin.get("customerId").asText());

        // When ann reads it
        final String asAnn = clients.get(PARTNER_SELF).getOk("/v1/partners/ann/conversions");
        final JsonNode conversion = json.readTree(asAnn).get("conversions").get(0);

        // Then ann sees her own touch only, and neither bob, his click, nor the customer
        assertEquals(List.of("ann"), partnerIds(conversion.get("touches")));
        assertTrue(!asAnn.contains("bob") && !asAnn.contains(asAdmin.get("touches").get(1).get("clickId").asText()) &&
            !asAnn.contains("shopper@example.com"), asAnn);
    }

    @Test
    void shouldNeverShowAPartnerWhyItsCommissionIsHeldOrReviewedInItsTimelineOrLedger() throws Exception
    {
        // Given ann's commission on order-1 is held by a fraud check (bought 0 s after the click), then finance
        // holds it again after a release, writing its own reason
        final String reason = "finance: same device as bob, ask the network";
        final AdminClient finance = clients.get(FINANCE);
        for (final String action : List.of("release", "hold"))
        {
            assertEquals(200, finance.post("/v1/partners/ann/commission-reviews", "{\"externalId\":\"order-1\"," +
                "\"action\":\"" + action + "\",\"reason\":\"" + reason + "\"}").statusCode(), action);
        }
        final String adminTimeline = service.admin.getOk("/v1/partners/ann/timeline");
        final String adminLedger = service.admin.getOk("/v1/partners/ann/ledger");
        assertTrue(adminTimeline.contains("click_to_conversion") && adminTimeline.contains(reason), adminTimeline);
        assertTrue(adminLedger.contains("click_to_conversion") && adminLedger.contains(reason), adminLedger);

        // When ann reads her timeline and her ledger
        final String timeline = clients.get(PARTNER_SELF).getOk("/v1/partners/ann/timeline");
        final String ledger = clients.get(PARTNER_SELF).getOk("/v1/partners/ann/ledger");

        // Then she sees that the commission was held and released, and its amounts, but not the flag nor the reason
        for (final String answer : List.of(timeline, ledger))
        {
            assertTrue(answer.contains("order-1") && !answer.contains("click_to_conversion") &&
                !answer.contains("after its click") && !answer.contains(reason), answer);
        }
        assertTrue(timeline.contains("commission.held") && timeline.contains("commission.released"), timeline);
        assertTrue(ledger.contains("\"note\":\"10% of 5000, tier bronze\""), ledger);
    }

    @Test
    void shouldRefuseEveryReadWithTheTokenOfASuspendedPartner() throws Exception
    {
        // Given sue is suspended, and ann is suspended after her token was issued
        final AdminClient sue = new AdminClient(service.aggregator.adminPort(), partnerToken(service.admin, "sue"));
        service.admin.putOk("/v1/partners/ann", ANN.replace("\"active\"", "\"suspended\""));

        // When their tokens read their own records and reports
        // Then every read is refused
        for (final String path : List.of("/v1/partners/sue", "/v1/partners/sue/stats", "/v1/partners/sue/conversions",
            "/v1/partners/sue/ledger", "/v1/partners/sue/timeline"))
        {
            assertEquals(403, sue.get(path).statusCode(), path);
            assertEquals(403, clients.get(PARTNER_SELF).get(path.replace("sue", "ann")).statusCode(), path);
        }

        // And ann's token reads again once she is active
        service.admin.putOk("/v1/partners/ann", ANN);
        assertEquals(200, clients.get(PARTNER_SELF).get("/v1/partners/ann").statusCode());
    }

    private static List<String> partnerIds(final JsonNode touches)
    {
        final List<String> ids = new ArrayList<>();
        touches.forEach(touch -> ids.add(touch.get("partnerId").asText()));
        return ids;
    }

    /**
     * Collects the field paths of an answer, descending into the objects whose fields are owned one by one.
     */
    /**
     * Part 8 item 1 (lists): the program's lists, with the same owners as the single-item and partner-level views.
     */
    private static List<FieldCheck> listFieldChecks()
    {
        return List.of(
            new FieldCheck("GET", "/v1/programs/shop/links", null, Set.of("items", "next", "items[].code",
                "items[].partnerId", "items[].destination"), Map.of()),
            new FieldCheck("GET", "/v1/programs/shop/coupons", null, Set.of("items", "next", "items[].code",
                "items[].partnerId"), Map.of()),
            new FieldCheck("GET", "/v1/programs/shop/conversions", null, Set.of("items", "next",
                "items[].externalId", "items[].kind", "items[].source", "items[].time", "items[].amount",
                "items[].currency", "items[].reversedAmount", "items[].originalExternalId", "items[].attributedBy",
                "items[].unattributedReason", "items[].coupon", "items[].customerId", "items[].credits",
                "items[].credits[].partnerId", "items[].credits[].credit", "items[].credits[].commission",
                "items[].credits[].commission.kind", "items[].credits[].commission.state",
                "items[].credits[].commission.revenue", "items[].credits[].commission.amount",
                "items[].credits[].commission.flags"), Map.of(ANALYST, Set.of("items[].customerId",
                "items[].credits[].commission", "items[].credits[].commission.kind",
                "items[].credits[].commission.state", "items[].credits[].commission.revenue",
                "items[].credits[].commission.amount", "items[].credits[].commission.flags"))),
            new FieldCheck("GET", "/v1/programs/shop/payout-runs", null, Set.of("items", "next", "items[].id",
                "items[].periodEnd", "items[].status", "items[].createdOn", "items[].paidOn", "items[].currency",
                "items[].total", "items[].partnerCount"), Map.of()));
    }

    private static void fieldPaths(final JsonNode node, final String prefix, final Set<String> out)
    {
        if (node.isArray())
        {
            node.forEach(element -> fieldPaths(element, prefix + "[]", out));
            return;
        }
        node.properties().forEach(field ->
        {
            final String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            out.add(path);
            if (DESCEND.contains(path))
            {
                fieldPaths(field.getValue(), path, out);
            }
        });
    }

    private HttpResponse<Void> click(final String path, final String cookie) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
            service.tracker.port() + path)).header("User-Agent", BROWSER);
        if (null != cookie)
        {
            request.header("Cookie", cookie);
        }
        final HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(302, response.statusCode(), path);
        return response;
    }

    private static String clickId(final HttpResponse<Void> response)
    {
        final String location = response.headers().firstValue("location").orElseThrow();
        final int at = location.indexOf("rcid=");
        final int end = location.indexOf('&', at);
        return location.substring(at + 5, end < 0 ? location.length() : end);
    }

    private void sale(final String externalId, final String clickId) throws Exception
    {
        final String body = "{\"programId\":\"shop\",\"externalId\":\"" + externalId + "\",\"kind\":\"sale\"," +
            "\"amount\":10000,\"currency\":\"USD\",\"clickId\":\"" + clickId + "\"," +
            "\"customerId\":\"shopper@example.com\"}";
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
            service.tracker.port() + "/v1/conversions")).header("Authorization", "Bearer " + API_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        while (service.aggregator.committedIndex() < service.journal.lastIndex() && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(1);
        }
    }

    private String partnerToken(final AdminClient admin, final String partnerId) throws Exception
    {
        return json.readTree(admin.getOk("/v1/partners/" + partnerId + "/token")).get("token").asText();
    }

    private static String program()
    {
        return "{\"name\":\"Shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"attribution\":{\"model\":\"linear\",\"windowDays\":30}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}],\"holdDays\":0,\"minPayout\":100," +
            "\"webhookUrl\":\"https://hooks.ricochet.invalid/in?token=receiver-secret-1\"," +
            "\"secrets\":{\"apiKey\":\"" + API_KEY + "\",\"webhook\":\"whsec_roles_0123456789\"}}";
    }

    /**
     * One endpoint, every field of its answer as the admin sees it, and the fields each other role does not own.
     */
    private record FieldCheck(String method, String path, String body, Set<String> fields,
        Map<String, Set<String>> hidden)
    {
    }

    /**
     * One endpoint of the admin API and the roles that may call it.
     */
    private record Endpoint(String method, String path, String body, Set<String> allowed)
    {
    }
}
