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

class ConversionSystemTest
{
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private ServiceFixture service;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        service.admin.seedProgram("shop", 2, 1);
    }

    @AfterEach
    void stop()
    {
        service.close();
    }

    @Test
    void shouldCreditASaleReportedWithTheClickIdToThePartnerOfTheClick() throws Exception
    {
        // Given a shopper who clicked partner1's link
        final String location = http.send(HttpRequest.newBuilder(edge("/r/p1-l0")).header("User-Agent", BROWSER)
            .build(), HttpResponse.BodyHandlers.discarding()).headers().firstValue("location").orElseThrow();
        final String clickId = location.substring(location.indexOf("rcid=") + 5);

        // When checkout reports the sale twice (a retry) and then a partial refund
        final String sale = "{\"programId\":\"shop\",\"externalId\":\"order-7\",\"kind\":\"sale\",\"amount\":10000," +
            "\"currency\":\"USD\",\"clickId\":\"" + clickId + "\"}";
        assertEquals("{\"status\":\"accepted\",\"duplicate\":false}", postConversion(sale).body());
        assertEquals("{\"status\":\"accepted\",\"duplicate\":true}", postConversion(sale).body());
        assertEquals(200, postConversion("{\"programId\":\"shop\",\"externalId\":\"refund-7a\",\"kind\":\"refund\"," +
            "\"amount\":2500,\"originalExternalId\":\"order-7\"}").statusCode());

        // Then partner1's stats show one sale and the revenue net of the refund, and partner0 nothing
        JsonNode stats = stats("partner1");
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (stats.get("revenue").asLong() != 7500 && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
            stats = stats("partner1");
        }
        assertEquals(1, stats.get("sales").asLong());
        assertEquals(7500, stats.get("revenue").asLong());
        assertEquals(0, stats("partner0").get("sales").asLong());

        // And the partner's conversion list shows the attribution
        final JsonNode conversions = json.readTree(service.admin.get("/v1/partners/partner1/conversions").body());
        final JsonNode conversion = conversions.get("conversions").get(0);
        assertEquals("order-7", conversion.get("externalId").asText());
        assertEquals("click_id", conversion.get("attributedBy").asText());
        assertEquals(10000, conversion.get("credit").asLong());
        assertEquals(2500, conversion.get("reversedAmount").asLong());
        assertEquals(clickId, conversion.get("touches").get(0).get("clickId").asText());
    }

    private JsonNode stats(final String partner) throws Exception
    {
        return json.readTree(service.admin.get("/v1/partners/" + partner + "/stats").body());
    }

    private HttpResponse<String> postConversion(final String body) throws Exception
    {
        return http.send(HttpRequest.newBuilder(edge("/v1/conversions"))
            .header("Authorization", "Bearer " + AdminClient.API_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI edge(final String path)
    {
        return URI.create("http://127.0.0.1:" + service.tracker.port() + path);
    }
}
