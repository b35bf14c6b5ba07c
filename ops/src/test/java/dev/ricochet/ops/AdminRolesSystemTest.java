package dev.ricochet.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private ServiceFixture service;
    private final Map<String, AdminClient> clients = new LinkedHashMap<>();

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        final AdminClient admin = service.admin;
        admin.putOk("/v1/programs/shop", program());
        admin.putOk("/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"Ann\",\"status\":\"active\"}");
        admin.putOk("/v1/partners/bob", "{\"programId\":\"shop\",\"name\":\"Bob\",\"status\":\"active\"}");
        admin.putOk("/v1/links/ann-1", "{\"partnerId\":\"ann\",\"destination\":\"https://shop.example.com/a\"}");
        admin.putOk("/v1/coupons/ANN10", "{\"partnerId\":\"ann\"}");
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
            new Endpoint("POST", run + "/approve", "", Set.of(FINANCE)));

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

    private String partnerToken(final AdminClient admin, final String partnerId) throws Exception
    {
        return json.readTree(admin.getOk("/v1/partners/" + partnerId + "/token")).get("token").asText();
    }

    private static String program()
    {
        return "{\"name\":\"Shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}],\"holdDays\":0,\"minPayout\":100}";
    }

    /**
     * One endpoint of the admin API and the roles that may call it.
     */
    private record Endpoint(String method, String path, String body, Set<String> allowed)
    {
    }
}
