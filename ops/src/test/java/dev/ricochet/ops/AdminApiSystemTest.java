package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminApiSystemTest
{
    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private ServiceFixture service;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        service.admin.seedProgram("shop", 1, 1);
    }

    @AfterEach
    void stop()
    {
        service.close();
    }

    @Test
    void shouldReturnThePartnerAsTheContractShowsIt() throws Exception
    {
        final JsonNode partner = json.readTree(service.admin.get("/v1/partners/partner0").body());
        assertEquals("partner0", partner.get("id").asText());
        assertEquals("shop", partner.get("programId").asText());
        assertEquals("Partner 0", partner.get("name").asText());
        assertEquals("active", partner.get("status").asText());
        assertEquals("bronze", partner.get("tier").asText());
        assertTrue(partner.has("health"));
    }

    @Test
    void shouldReportAggregatorProgressOnMetricsWithoutAToken() throws Exception
    {
        // Given three clicks on the edge
        for (int i = 0; i < 3; i++)
        {
            assertEquals(302, browser.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + service.tracker.port() + "/r/p0-l0")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        }

        // When a scraper reads the admin port's metrics once the aggregator has caught up
        final AdminClient scraper = new AdminClient(service.aggregator.adminPort(), null);
        String metrics = scraper.getOk("/metrics");
        final long deadline = System.currentTimeMillis() + 10_000;
        while (!metrics.contains("ricochet_aggregator_lag_events 0\n") && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(20);
            metrics = scraper.getOk("/metrics");
        }

        // Then it sees the events applied (catalog changes and clicks), no lag, and no failure
        assertTrue(metrics.contains("ricochet_aggregator_lag_events 0\n"), metrics);
        assertTrue(metrics.contains("ricochet_aggregator_failed 0\n"), metrics);
        final long applied = Long.parseLong(metrics.replaceAll(
            "(?s).*ricochet_aggregator_events_applied_total (\\d+).*", "$1"));
        assertTrue(applied >= 3 + 3, metrics);
    }

    @Test
    void shouldAnswer401WithoutOrWithAWrongToken() throws Exception
    {
        final AdminClient anonymous = new AdminClient(service.aggregator.adminPort(), null);
        final HttpResponse<String> missing = anonymous.get("/v1/partners/partner0");
        assertEquals(401, missing.statusCode());
        assertTrue(missing.body().contains("missing bearer token"), missing.body());
        assertEquals("Bearer realm=\"ricochet-admin\"", missing.headers().firstValue("www-authenticate").orElseThrow());

        final AdminClient wrong = new AdminClient(service.aggregator.adminPort(), "not-the-token-at-all");
        assertEquals(401, wrong.put("/v1/links/x", "{\"partnerId\":\"partner0\",\"destination\":\"https://a.io/\"}")
            .statusCode());
        assertEquals(404, service.admin.get("/v1/links/x").statusCode(), "a rejected change must not apply");
    }

    @Test
    void shouldAnswer400NamingTheProblemForMalformedOrUnknownInput() throws Exception
    {
        assertError(service.admin.put("/v1/links/x", "{\"partnerId\":\"partner0\","), "malformed JSON");
        assertError(service.admin.put("/v1/links/x", ""), "request body is empty");
        assertError(service.admin.put("/v1/links/x", "[1,2]"), "expected a JSON object");
        assertError(service.admin.put("/v1/links/x",
            "{\"partnerId\":\"partner0\",\"destination\":\"https://a.io/\",\"colour\":\"red\"}"), "unknown field 'colour'");
        assertError(service.admin.put("/v1/links/x",
            "{\"partnerId\":\"partner0\",\"partnerId\":\"partner1\",\"destination\":\"https://a.io/\"}"), "Duplicate field");
        assertError(service.admin.put("/v1/partners/p9", "{\"programId\":\"nope\",\"name\":\"N\"}"),
            "programId 'nope' is not a known program");
        assertError(service.admin.put("/v1/partners/p9", "{\"programId\":\"shop\",\"name\":\"N\",\"status\":\"gone\"}"),
            "status 'gone' is invalid");
        assertError(service.admin.put("/v1/programs/x", "{\"name\":\"X\",\"currency\":\"XYZ1\"}"), "currency");
        assertError(service.admin.get("/v1/partners/partner0/stats?from=2026-13-01"), "from '2026-13-01'");
        assertError(service.admin.get("/v1/partners/partner0/stats?form=2026-01-01"), "unknown query parameter 'form'");
        assertError(service.admin.put("/v1/links/bad%20code", "{\"partnerId\":\"partner0\",\"destination\":\"https://a.io/\"}"),
            "code 'bad code' is invalid");
    }

    @Test
    void shouldRejectLinkDestinationsThatAreNotAbsoluteHttpUrls() throws Exception
    {
        for (final String destination : new String[]{
            "javascript:alert(1)", "/relative/path", "ftp://files.example.com/", "https://", "//evil.example/",
            "https://shop.example.com/a b", "https://user:pw@shop.example.com/", "https://shop.example.com/\\r\\nX: 1" })
        {
            final HttpResponse<String> response = service.admin.put("/v1/links/x",
                "{\"partnerId\":\"partner0\",\"destination\":" + json.writeValueAsString(destination) + "}");
            assertEquals(400, response.statusCode(), destination + " -> " + response.body());
            assertTrue(response.body().contains("destination"), response.body());
        }
        assertEquals(404, redirect("/r/x").statusCode());
    }

    @Test
    void shouldApplyLinkChangesToTheEdgeAtOnce() throws Exception
    {
        // When a link is created, the very next click redirects
        service.admin.putOk("/v1/links/spring", "{\"partnerId\":\"partner0\",\"destination\":\"https://a.example/x\"}");
        assertTrue(redirect("/r/spring").headers().firstValue("location").orElseThrow()
            .startsWith("https://a.example/x?rcid="));

        // And when its destination changes, the next click goes to the new one
        service.admin.putOk("/v1/links/spring", "{\"partnerId\":\"partner0\",\"destination\":\"https://b.example/y\"}");
        assertTrue(redirect("/r/spring").headers().firstValue("location").orElseThrow()
            .startsWith("https://b.example/y?rcid="));

        // And a program's click parameter change reaches its links at once
        service.admin.putOk("/v1/programs/shop",
            "{\"name\":\"Test program\",\"currency\":\"USD\",\"clickParam\":\"via\"}");
        assertTrue(redirect("/r/spring").headers().firstValue("location").orElseThrow()
            .startsWith("https://b.example/y?via="));
    }

    @Test
    void shouldKeepServingAfterBadAdminInput() throws Exception
    {
        for (int i = 0; i < 20; i++)
        {
            service.admin.put("/v1/links/x", "{{{");
        }
        assertEquals(200, service.admin.get("/v1/partners/partner0").statusCode());
        assertEquals(302, redirect("/r/p0-l0").statusCode());
    }

    @Test
    void shouldKeepTheCatalogAcrossARestart() throws Exception
    {
        service.close();
        service = new ServiceFixture(dataDir, null);
        assertEquals(200, service.admin.get("/v1/partners/partner0").statusCode());
        assertEquals(302, redirect("/r/p0-l0").statusCode());
    }

    private HttpResponse<String> redirect(final String path) throws Exception
    {
        return browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.tracker.port() + path))
            .header("User-Agent", "Mozilla/5.0 Firefox/128.0").build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(final HttpResponse<String> response, final String expectedMessage)
    {
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.body().contains(expectedMessage), response.body());
    }
}
