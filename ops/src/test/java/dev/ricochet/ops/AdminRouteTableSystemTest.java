package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import dev.ricochet.aggregator.admin.AdminRoles.Role;
import dev.ricochet.aggregator.admin.AdminRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The route table ({@link AdminRoute}) is the single source of who may call what: every route, called over HTTP by
 * every role, answers 403 exactly to the roles outside its entry; a path the table does not hold is a 404, a method
 * it does not hold at a known path a 405 naming the table's methods; and ops/openapi.yaml documents the same routes,
 * roles and query parameters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminRouteTableSystemTest
{
    private static final List<String> METHODS = List.of("GET", "PUT", "POST", "DELETE", "PATCH");
    // A body no endpoint accepts: a caller let through gets a 400 or 404, and nothing changes.
    private static final String INVALID_BODY = "{";
    private static final Map<String, Role> OPENAPI_TOKENS = Map.of("adminToken", Role.ADMIN, "financeToken",
        Role.FINANCE, "analystToken", Role.ANALYST, "partnerToken", Role.PARTNER);

    @TempDir
    static Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private ServiceFixture service;
    private AdminClient anonymous;
    private final Map<Role, AdminClient> clients = new LinkedHashMap<>();
    private AdminClient otherPartner;

    @BeforeAll
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        final AdminClient admin = service.admin;
        admin.putOk("/v1/programs/shop", "{\"name\":\"Shop\",\"currency\":\"USD\"}");
        admin.putOk("/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"Ann\",\"status\":\"active\"}");
        admin.putOk("/v1/partners/bob", "{\"programId\":\"shop\",\"name\":\"Bob\",\"status\":\"active\"}");
        final int port = service.aggregator.adminPort();
        anonymous = new AdminClient(port, null);
        clients.put(Role.ADMIN, admin);
        clients.put(Role.FINANCE, new AdminClient(port, ServiceFixture.FINANCE_TOKEN));
        clients.put(Role.ANALYST, new AdminClient(port, ServiceFixture.ANALYST_TOKEN));
        clients.put(Role.PARTNER, new AdminClient(port, partnerToken("ann")));
        otherPartner = new AdminClient(port, partnerToken("bob"));
    }

    @AfterAll
    void stop()
    {
        service.close();
    }

    @Test
    void shouldRefuseExactlyTheRolesOutsideEachRouteWith403() throws Exception
    {
        final List<Executable> checks = new ArrayList<>();
        for (final AdminRoute route : AdminRoute.values())
        {
            if (route.isPublic() || route.isWithoutToken())
            {
                continue;
            }
            // When every role calls the route on partner ann's resources (a partner token is ann's, then bob's)
            final String path = route.path(ids(route));
            for (final Map.Entry<Role, AdminClient> role : clients.entrySet())
            {
                final HttpResponse<String> response = call(role.getValue(), route.method().name(), path);
                final String call = route + " as " + role.getKey() + " -> " + response.statusCode() + " " +
                    response.body();
                // Then a role in the route's entry gets past the check and one outside it gets 403
                if (route.roles().contains(role.getKey()))
                {
                    checks.add(() -> assertTrue(response.statusCode() < 500 && 401 != response.statusCode() &&
                        403 != response.statusCode(), call));
                }
                else
                {
                    checks.add(() -> assertEquals(403, response.statusCode(), call));
                }
            }
            final HttpResponse<String> other = call(otherPartner, route.method().name(), path);
            checks.add(() -> assertEquals(403, other.statusCode(), route + " as another partner"));
            final HttpResponse<String> nobody = call(anonymous, route.method().name(), path);
            checks.add(() -> assertEquals(401, nobody.statusCode(), route + " without a token"));
        }
        assertAll("route x role", checks);
    }

    @Test
    void shouldAnswer405WithTheTableMethodsForAMethodTheTableDoesNotHoldAtAPath() throws Exception
    {
        // Given each path of the table and the methods its routes have
        final Map<String, List<String>> methodsByPath = new LinkedHashMap<>();
        final Map<String, AdminRoute> routeByPath = new LinkedHashMap<>();
        for (final AdminRoute route : AdminRoute.values())
        {
            if (!route.isPublic())
            {
                methodsByPath.computeIfAbsent(route.pattern(), p -> new ArrayList<>()).add(route.method().name());
                routeByPath.putIfAbsent(route.pattern(), route);
            }
        }
        final List<Executable> checks = new ArrayList<>();
        for (final Map.Entry<String, List<String>> path : methodsByPath.entrySet())
        {
            final String allow = String.join(", ", path.getValue());
            for (final String method : METHODS)
            {
                if (path.getValue().contains(method))
                {
                    continue;
                }
                // When the admin calls it with another method
                final HttpResponse<String> response = call(clients.get(Role.ADMIN), method,
                    routeByPath.get(path.getKey()).path(ids(routeByPath.get(path.getKey()))));
                final String call = method + " " + path.getKey() + " -> " + response.statusCode();
                // Then it answers 405 and Allow names the table's methods
                checks.add(() -> assertEquals(405, response.statusCode(), call));
                checks.add(() -> assertEquals(allow, response.headers().firstValue("allow").orElse(null), call));
            }
        }
        assertAll("path x method", checks);
    }

    @Test
    void shouldAnswer404ForAPathTheTableDoesNotHold() throws Exception
    {
        for (final String path : List.of("/v1/nothing/x", "/v1/partners/ann/nothing", "/v1/partners/ann/stats/x",
            "/v1/partners/", "/v2/partners/ann", "/nothing"))
        {
            for (final String method : List.of("GET", "POST"))
            {
                final HttpResponse<String> response = call(clients.get(Role.ADMIN), method, path);

                assertEquals(404, response.statusCode(), method + " " + path + " " + response.body());
                assertEquals("no such resource: " + path, json.readTree(response.body()).get("error").asText());
            }
        }
    }

    @Test
    void shouldAnswerTheProbesForAnyMethodWithoutAToken() throws Exception
    {
        for (final AdminRoute route : AdminRoute.values())
        {
            if (route.isPublic())
            {
                for (final String method : List.of("GET", "POST"))
                {
                    final HttpResponse<String> response = call(anonymous, method, route.pattern());

                    assertEquals(200, response.statusCode(), method + " " + route + " " + response.body());
                }
            }
        }
    }

    @Test
    void shouldRefuseAQueryParameterARouteDoesNotAcceptAndANumberOutsideItsBounds() throws Exception
    {
        final List<Executable> checks = new ArrayList<>();
        for (final AdminRoute route : AdminRoute.values())
        {
            if (route.isPublic() || !"GET".equals(route.method().name()) || route.queryParameterNames().isEmpty())
            {
                continue;
            }
            final String path = route.path(ids(route));
            final HttpResponse<String> unknown = call(clients.get(Role.ADMIN), "GET", path + "?bogus=1");
            checks.add(() -> assertEquals(400, unknown.statusCode(), route + " " + unknown.body()));
            checks.add(() -> assertEquals("unknown query parameter 'bogus'",
                json.readTree(unknown.body()).get("error").asText(), route.toString()));
            for (final String name : route.queryParameterNames())
            {
                final HttpResponse<String> twice = call(clients.get(Role.ADMIN), "GET",
                    path + "?" + name + "=1&" + name + "=2");
                checks.add(() -> assertEquals(400, twice.statusCode(), route + " " + name + " " + twice.body()));
            }
        }
        final HttpResponse<String> tooMany = call(clients.get(Role.ADMIN), "GET",
            "/v1/partners/ann/ledger?limit=10001");
        checks.add(() -> assertEquals("limit must be between 1 and 10000",
            json.readTree(tooMany.body()).get("error").asText()));
        assertFalse(checks.isEmpty());
        assertAll("route x query", checks);
    }

    @Test
    void shouldKeepTheOpenApiFileValidYamlWhoseEveryReferenceIsDefined() throws Exception
    {
        // Given ops/openapi.yaml read as YAML (a line-by-line merge once cut one operation into another)
        final JsonNode document = new ObjectMapper(new YAMLFactory()).readTree(Path.of("openapi.yaml").toFile());

        // Then every $ref names a component the file defines
        final List<String> dangling = new ArrayList<>();
        final Matcher reference = Pattern.compile("\"\\$ref\":\"#/components/(\\w+)/([^\"]+)\"")
            .matcher(document.toString());
        while (reference.find())
        {
            if (document.path("components").path(reference.group(1)).path(reference.group(2)).isMissingNode())
            {
                dangling.add(reference.group(1) + "/" + reference.group(2));
            }
        }
        assertTrue(document.path("paths").size() > 40, "paths: " + document.path("paths").size());
        assertEquals(List.of(), dangling);
    }

    @Test
    void shouldDocumentInOpenApiExactlyTheRoutesRolesAndQueryParametersOfTheTable() throws Exception
    {
        // Given the admin operations that ops/openapi.yaml documents with a token
        final Map<String, String> documented = openApiAdminOperations(
            Files.readString(Path.of("openapi.yaml"), StandardCharsets.UTF_8));

        // When the table's routes are written the same way
        final Map<String, String> table = new TreeMap<>();
        for (final AdminRoute route : AdminRoute.values())
        {
            if (!route.isPublic())
            {
                table.put(route.method().name() + " " + route.pattern(),
                    route.roles() + " " + new TreeSet<>(route.queryParameterNames()));
            }
        }

        // Then both hold the same routes with the same roles and query parameters
        assertNotEquals(0, table.size());
        assertEquals(table, documented);
    }

    /**
     * "METHOD /path" to "[ROLES] [query parameters]" for every operation of a path served on the admin port whose
     * security names a token, or is explicitly none ({@code security: []}, roles []).
     */
    private static Map<String, String> openApiAdminOperations(final String yaml)
    {
        final Pattern pathLine = Pattern.compile("^  (/\\S*):\\s*$");
        final Pattern methodLine = Pattern.compile("^    (get|put|post|delete|patch|head):\\s*$");
        final Pattern tokenLine = Pattern.compile("^        - (\\w+Token): \\[]\\s*$");
        final Pattern queryName = Pattern.compile("^        - name: (\\S+)\\s*$");
        final Map<String, String> operations = new TreeMap<>();
        String path = null;
        boolean isAdmin = false;
        String method = null;
        Set<Role> roles = EnumSet.noneOf(Role.class);
        Set<String> query = new TreeSet<>();
        boolean isOpen = false;
        String pendingName = null;
        final String[] lines = yaml.split("\n");
        for (int i = 0; i <= lines.length; i++)
        {
            final String line = i < lines.length ? lines[i] : "  /end:";
            final Matcher newPath = pathLine.matcher(line);
            final Matcher newMethod = methodLine.matcher(line);
            if (newPath.matches() || newMethod.matches() || line.startsWith("components:"))
            {
                if (null != method && isAdmin && (!roles.isEmpty() || isOpen && path.startsWith("/v1/")))
                {
                    operations.put(method.toUpperCase() + " " + path, roles + " " + query);
                }
                method = newMethod.matches() ? newMethod.group(1) : null;
                roles = EnumSet.noneOf(Role.class);
                query = new TreeSet<>();
                isOpen = false;
                if (newPath.matches())
                {
                    path = newPath.group(1);
                    isAdmin = false;
                }
                if (line.startsWith("components:"))
                {
                    break;
                }
                continue;
            }
            if (line.startsWith("      - url: http://127.0.0.1:8081"))
            {
                isAdmin = true;
            }
            if (null != method && "      security: []".equals(line.stripTrailing()))
            {
                isOpen = true; // a route without a token (it limits its own callers)
            }
            final Matcher token = tokenLine.matcher(line);
            if (null != method && token.matches())
            {
                roles.add(OPENAPI_TOKENS.get(token.group(1)));
            }
            final Matcher name = queryName.matcher(line);
            if (null != method && name.matches())
            {
                pendingName = name.group(1);
            }
            else if (null != pendingName && line.trim().equals("in: query"))
            {
                query.add(pendingName);
                pendingName = null;
            }
            else if (!line.trim().startsWith("in:"))
            {
                pendingName = null;
            }
        }
        return operations;
    }

    private static Map<String, String> ids(final AdminRoute route)
    {
        final Map<String, String> ids = new LinkedHashMap<>();
        final Matcher parameter = Pattern.compile("\\{([^}]*)}").matcher(route.pattern());
        while (parameter.find())
        {
            final String name = parameter.group(1);
            ids.put(name, switch (name)
            {
                case "partnerId" -> "ann";
                case "programId" -> "shop";
                case "runId" -> "po_unknown";
                default -> "unknown";
            });
        }
        return ids;
    }

    private static HttpResponse<String> call(final AdminClient client, final String method, final String path)
        throws Exception
    {
        final boolean hasBody = "PUT".equals(method) || "POST".equals(method) || "PATCH".equals(method);
        return client.send(client.builder(path).method(method, hasBody ?
            HttpRequest.BodyPublishers.ofString(INVALID_BODY) : HttpRequest.BodyPublishers.noBody()));
    }

    private String partnerToken(final String partnerId) throws Exception
    {
        return json.readTree(service.admin.getOk("/v1/partners/" + partnerId + "/token")).get("token").asText();
    }
}
