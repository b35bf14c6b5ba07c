package dev.ricochet.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.aggregator.admin.AdminRoles.Role;
import dev.ricochet.aggregator.admin.AdminRoute;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Program scope (item 7): a token scoped to program "shop" reaches shop's program, partners, links, coupons and payout
 * runs, and none of program "other"'s, on every route, whether it reads or changes them, by path or by body.
 */
class ProgramScopeSystemTest
{
    private static final String PROGRAM = "{\"name\":\"P\",\"currency\":\"USD\"," +
        "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]}";

    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dataDir;

    private ServiceFixture service;
    private AdminClient shopAdmin;
    private AdminClient shopFinance;
    private String shopRun;
    private String otherRun;

    /**
     * One call and the status the scoped token must get.
     */
    private record Call(AdminClient client, String method, String path, String body, int expected)
    {
    }

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        final AdminClient admin = service.admin;
        admin.putOk("/v1/programs/shop", PROGRAM);
        admin.putOk("/v1/programs/other", PROGRAM);
        admin.putOk("/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"Ann\"}");
        admin.putOk("/v1/partners/bob", "{\"programId\":\"other\",\"name\":\"Bob\"}");
        admin.seedLink("ann-1", "ann");
        admin.seedLink("bob-1", "bob");
        admin.putOk("/v1/coupons/ANN10", "{\"partnerId\":\"ann\"}");
        admin.putOk("/v1/coupons/BOB10", "{\"partnerId\":\"bob\"}");
        shopRun = json.readTree(admin.post("/v1/programs/shop/payout-runs", "{}").body()).get("id").asText();
        otherRun = json.readTree(admin.post("/v1/programs/other/payout-runs", "{}").body()).get("id").asText();
        shopAdmin = token("{\"name\":\"shop manager\",\"role\":\"admin\",\"programId\":\"shop\"}");
        shopFinance = token("{\"name\":\"shop finance\",\"role\":\"finance\",\"programId\":\"shop\"}");
    }

    @AfterEach
    void stop()
    {
        service.close();
    }

    private AdminClient token(final String body) throws IOException, InterruptedException
    {
        final HttpResponse<String> created = service.admin.post("/v1/tokens", body);
        assertEquals(201, created.statusCode(), created.body());
        return new AdminClient(service.aggregator.adminPort(), json.readTree(created.body()).get("token").asText());
    }

    @Test
    void shouldLetAProgramScopedTokenReachItsProgramAndNothingOfAnother() throws Exception
    {
        // Given calls on shop's resources (allowed) and on other's (refused), by path and by body
        final String partner = "{\"programId\":\"%s\",\"name\":\"Carl\"}";
        final String link = "{\"partnerId\":\"%s\",\"destination\":\"https://shop.example.com/c\"}";
        final List<Call> calls = List.of(
            new Call(shopAdmin, "GET", "/v1/programs/shop", null, 200),
            new Call(shopAdmin, "GET", "/v1/programs/other", null, 403),
            new Call(shopAdmin, "PUT", "/v1/programs/other", PROGRAM, 403),
            new Call(shopAdmin, "PUT", "/v1/programs/brand-new", PROGRAM, 403),
            new Call(shopAdmin, "GET", "/v1/partners/ann", null, 200),
            new Call(shopAdmin, "GET", "/v1/partners/bob", null, 403),
            new Call(shopAdmin, "PUT", "/v1/partners/bob", String.format(partner, "other"), 403),
            new Call(shopAdmin, "PUT", "/v1/partners/bob", String.format(partner, "shop"), 403),
            new Call(shopAdmin, "PUT", "/v1/partners/ann", String.format(partner, "other"), 403),
            new Call(shopAdmin, "PUT", "/v1/partners/carl", String.format(partner, "other"), 403),
            new Call(shopAdmin, "PUT", "/v1/partners/carl", String.format(partner, "shop"), 200),
            new Call(shopAdmin, "GET", "/v1/partners/bob/stats", null, 403),
            new Call(shopAdmin, "GET", "/v1/partners/bob/conversions", null, 403),
            new Call(shopAdmin, "GET", "/v1/partners/bob/timeline", null, 403),
            new Call(shopAdmin, "GET", "/v1/partners/bob/ledger", null, 403),
            new Call(shopAdmin, "GET", "/v1/partners/bob/token", null, 403),
            new Call(shopAdmin, "GET", "/v1/partners/ann/token", null, 200),
            new Call(shopAdmin, "GET", "/v1/links/ann-1", null, 200),
            new Call(shopAdmin, "GET", "/v1/links/bob-1", null, 403),
            new Call(shopAdmin, "PUT", "/v1/links/bob-1", String.format(link, "ann"), 403),
            new Call(shopAdmin, "PUT", "/v1/links/ann-2", String.format(link, "bob"), 403),
            new Call(shopAdmin, "PUT", "/v1/links/ann-2", String.format(link, "ann"), 200),
            new Call(shopAdmin, "GET", "/v1/coupons/ANN10", null, 200),
            new Call(shopAdmin, "GET", "/v1/coupons/BOB10", null, 403),
            new Call(shopAdmin, "PUT", "/v1/coupons/BOB10", "{\"partnerId\":\"ann\"}", 403),
            new Call(shopAdmin, "PUT", "/v1/coupons/ANN20", "{\"partnerId\":\"bob\"}", 403),
            new Call(shopAdmin, "GET", "/v1/programs/other/at-risk", null, 403),
            new Call(shopAdmin, "POST", "/v1/programs/other/payout-runs", "{}", 403),
            new Call(shopAdmin, "GET", "/v1/payout-runs/" + shopRun, null, 200),
            new Call(shopAdmin, "GET", "/v1/payout-runs/" + otherRun, null, 403),
            new Call(shopAdmin, "GET", "/v1/payout-runs/" + otherRun + "/export.csv", null, 403),
            new Call(shopFinance, "GET", "/v1/programs/other/held-commissions", null, 403),
            new Call(shopFinance, "GET", "/v1/programs/shop/held-commissions", null, 200),
            new Call(shopFinance, "POST", "/v1/payout-runs/" + otherRun + "/approve", "", 403),
            new Call(shopFinance, "POST", "/v1/partners/bob/commission-reviews",
                "{\"externalId\":\"o-1\",\"action\":\"hold\",\"reason\":\"check\"}", 403));

        // When the scoped tokens make each call
        final List<Executable> checks = new ArrayList<>();
        for (final Call call : calls)
        {
            final HttpResponse<String> response = call.client().send(call.client().builder(call.path()).method(
                call.method(), null == call.body() ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofString(call.body())));
            final String what = call.method() + " " + call.path() + " " + call.body() + " -> " +
                response.statusCode() + " " + response.body();

            // Then each gets its program's answer, or 403 saying the token is scoped
            checks.add(() -> assertEquals(call.expected(), response.statusCode(), what));
            if (403 == call.expected())
            {
                checks.add(() -> assertTrue(response.body().contains("scoped to program 'shop'"), what));
            }
        }
        assertAll("program scope", checks);

        // And nothing of other's was changed
        assertEquals("other", service.admin.getJson("/v1/partners/bob").get("programId").asText());
        assertEquals("bob", service.admin.getJson("/v1/links/bob-1").get("partnerId").asText());
        assertEquals(404, service.admin.get("/v1/programs/brand-new").statusCode());
        assertEquals(404, service.admin.get("/v1/coupons/ANN20").statusCode());
    }

    @Test
    void shouldRefuseAScopedTokenEveryRouteOnAnotherProgramsResources() throws Exception
    {
        // Given a token scoped to shop of each staff role, and every route of the table filled in with other's
        // resources (a later sub-resource parameter with any value: its parent is other's)
        final Map<Role, AdminClient> scoped = new EnumMap<>(Role.class);
        scoped.put(Role.ADMIN, shopAdmin);
        scoped.put(Role.FINANCE, shopFinance);
        scoped.put(Role.ANALYST, token("{\"name\":\"shop analyst\",\"role\":\"analyst\",\"programId\":\"shop\"}"));
        final List<Executable> checks = new ArrayList<>();
        for (final AdminRoute route : AdminRoute.values())
        {
            if (route.isPublic() || route.isWithoutToken() || isFilteredCollection(route))
            {
                continue;
            }
            final Map<String, String> parameters = new LinkedHashMap<>();
            for (final String name : parameterNames(route.pattern()))
            {
                parameters.put(name, otherValue(route.pattern(), name, parameters.isEmpty()));
            }
            final String path = route.path(parameters);
            for (final Map.Entry<Role, AdminClient> role : scoped.entrySet())
            {
                if (!route.roles().contains(role.getKey()))
                {
                    continue;
                }
                // When a scoped token whose role the route allows calls it
                final AdminClient client = role.getValue();
                final HttpResponse<String> response = client.send(client.builder(path).method(route.method().name(),
                    HttpRequest.BodyPublishers.ofString("{}")));
                final String what = route + " " + path + " as scoped " + role.getKey() + " -> " +
                    response.statusCode() + " " + response.body();

                // Then it is refused for its scope
                checks.add(() -> assertEquals(403, response.statusCode(), what));
                checks.add(() -> assertTrue(response.body().contains("scoped to program 'shop'"), what));
            }
        }
        assertAll("scoped token x route", checks);
    }

    private static boolean isFilteredCollection(final AdminRoute route)
    {
        final String pattern = route.pattern();
        return "GET".equals(route.method().name()) && ("/v1/programs".equals(pattern) || "/v1/audit".equals(pattern));
    }

    private String otherValue(final String pattern, final String name, final boolean isFirst)
    {
        if (!isFirst)
        {
            return "x";
        }
        switch (name)
        {
            case "programId":
                return "other";
            case "partnerId":
                return "bob";
            case "runId":
                return otherRun;
            case "code":
                return pattern.startsWith("/v1/coupons/") ? "BOB10" : "bob-1";
            default:
                return "x";
        }
    }

    private static List<String> parameterNames(final String pattern)
    {
        final List<String> names = new ArrayList<>();
        final Matcher matcher = Pattern.compile("\\{([^}]+)}").matcher(pattern);
        while (matcher.find())
        {
            names.add(matcher.group(1));
        }
        return names;
    }

    @Test
    void shouldShowAProgramScopedTokenOnlyItsProgramsAuditRecords() throws Exception
    {
        // Given changes to both programs (the setup's), and one more by the scoped token
        shopAdmin.putOk("/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"Ann B.\"}");

        // When the scoped token reads the audit trail, and asks for the other program's records
        final List<String> programs = new ArrayList<>();
        shopAdmin.getJson("/v1/audit").get("items").forEach(r -> programs.add(r.get("programId").asText()));
        final int other = shopAdmin.get("/v1/audit?programId=other").statusCode();

        // Then it sees shop's records only, and is refused other's
        assertTrue(programs.contains("shop"), programs.toString());
        assertEquals(List.of(), programs.stream().filter(p -> !"shop".equals(p)).toList());
        assertEquals(403, other);
    }

    @Test
    void shouldLetAnUnscopedTokenReachEveryProgram() throws Exception
    {
        // Given an unscoped named admin token
        final AdminClient everywhere = token("{\"name\":\"ops\",\"role\":\"admin\"}");

        // When it reads both programs' resources, then it reads them all
        for (final String path : List.of("/v1/programs/shop", "/v1/programs/other", "/v1/partners/bob",
            "/v1/links/bob-1", "/v1/coupons/BOB10", "/v1/payout-runs/" + otherRun))
        {
            assertEquals(200, everywhere.get(path).statusCode(), path);
        }
    }
}
