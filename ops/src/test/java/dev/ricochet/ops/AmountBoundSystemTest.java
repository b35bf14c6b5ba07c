package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.ingest.Money;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Amounts cannot wrap, through the real HTTP APIs of the in-process service: every amount from outside is at most
 * {@link Money#MAX_AMOUNT} (10^12 minor units), refused at the API naming the field and the bound; a pixel report
 * past it (anyone can load the pixel) is dropped; what is accepted sums exactly.
 */
class AmountBoundSystemTest
{
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";
    private static final String BOUND = "must be an integer number of minor units from 0 to 1000000000000";

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
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
    void shouldRefuseTwoSalesWhoseSumPassesALongAndCountTwoSalesOfTheBoundExactly() throws Exception
    {
        // Given a shopper who clicked partner0's link
        final String clickId = ServiceFixture.clickId(service.click("p0-l0", null));

        // When checkout reports two sales of 5x10^18 (their sum passes a long: it gave negative revenue and a payable
        // balance of 9x10^17)
        final List<HttpResponse<String>> refused = new ArrayList<>();
        for (final String order : new String[]{ "huge-1", "huge-2" })
        {
            refused.add(postConversion(sale(order, "5000000000000000000", clickId)));
        }
        // And then two sales of exactly the bound
        final HttpResponse<String> first = postConversion(sale("max-1", "1000000000000", clickId));
        final HttpResponse<String> second = postConversion(sale("max-2", "1000000000000", clickId));
        service.awaitCommitted();

        // Then the two are refused naming the field and the bound, and the two of the bound sum exactly
        for (final HttpResponse<String> response : refused)
        {
            assertEquals(400, response.statusCode(), response.body());
            assertTrue(response.body().contains("amount " + BOUND), response.body());
        }
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(200, second.statusCode(), second.body());
        final JsonNode stats = json.readTree(service.admin.getOk("/v1/partners/partner0/stats"));
        assertEquals(2, stats.get("sales").asLong(), stats.toString());
        assertEquals(2 * Money.MAX_AMOUNT, stats.get("revenue").asLong(), stats.toString());
        assertEquals(2 * Money.MAX_AMOUNT / 10, stats.get("commission").asLong(), stats.toString());
        final JsonNode ledger = json.readTree(service.admin.getOk("/v1/partners/partner0/ledger"));
        // (held for review, as a conversion seconds after its click; what matters here is that it is whole)
        assertEquals(2 * Money.MAX_AMOUNT / 10, ledger.get("pending").asLong() + ledger.get("held").asLong(),
            ledger.toString());
    }

    @Test
    void shouldDropAPixelConversionOfTheLargestLongThatNobodyCouldHaveSigned() throws Exception
    {
        // Given a program that accepts conversions from the pixel, and a visitor who clicked its partner's link
        service.admin.putOk("/v1/programs/px", "{\"name\":\"Pixel shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"pixelConversions\":true,\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]}");
        service.admin.putOk("/v1/partners/pixie", "{\"programId\":\"px\",\"name\":\"Pixie\",\"status\":\"active\"}");
        service.admin.putOk("/v1/links/pixie-1", "{\"partnerId\":\"pixie\",\"destination\":\"https://shop.example/\"}");
        final String cookie = ServiceFixture.visitorCookie(service.click("pixie-1", null)).orElseThrow();

        // When the browser loads the pixel with the largest long, one past it, and one past the bound
        for (final String amount : new String[]{ "9223372036854775807", "9223372036854775808", "1000000000001" })
        {
            assertEquals(200, pixel(cookie, "big-" + amount.length() + amount.charAt(0), amount));
        }
        // And then with an ordinary amount
        assertEquals(200, pixel(cookie, "order-1", "2500"));
        service.awaitCommitted();

        // Then only the ordinary order is credited; the others are dropped, and counted in the metrics
        final JsonNode stats = json.readTree(service.admin.getOk("/v1/partners/pixie/stats"));
        assertEquals(1, stats.get("sales").asLong(), stats.toString());
        assertEquals(2500, stats.get("revenue").asLong(), stats.toString());
        assertEquals(250, stats.get("commission").asLong(), stats.toString());
        final JsonNode conversions = json.readTree(service.admin.getOk("/v1/partners/pixie/conversions"))
            .get("conversions");
        assertEquals(1, conversions.size(), conversions.toString());
        assertEquals("order-1", conversions.get(0).get("externalId").asText());
        // (by the edge, which decides pixel conversions)
        final String edgeMetrics = http.send(HttpRequest.newBuilder(service.edge("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(edgeMetrics.contains("ricochet_tracker_pixel_amounts_refused_total 3\n"), edgeMetrics);
    }

    @Test
    void shouldHoldAPixelReportedCommissionUntilTheCheckoutReportsTheSameOrder() throws Exception
    {
        // Given a program that accepts pixel conversions (its other checks off), and a visitor who clicked
        service.admin.putOk("/v1/programs/px", "{\"name\":\"Pixel shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"pixelConversions\":true,\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]," +
            "\"fraud\":{\"minClickToConversionSeconds\":0},\"secrets\":{\"apiKey\":\"" + AdminClient.API_KEY + "-px\"}}");
        service.admin.putOk("/v1/partners/pixie", "{\"programId\":\"px\",\"name\":\"Pixie\",\"status\":\"active\"}");
        service.admin.putOk("/v1/links/pixie-1", "{\"partnerId\":\"pixie\",\"destination\":\"https://shop.example/\"}");
        final HttpResponse<Void> click = service.click("pixie-1", null);

        // When the thank-you page's pixel reports order-1 of 9,999.99 (anyone could have written that amount)
        assertEquals(200, pixel(ServiceFixture.visitorCookie(click).orElseThrow(), "order-1", "999999"));
        service.awaitCommitted();

        // Then its commission is held, flagged as reported by the pixel alone: nothing is payable
        JsonNode ledger = json.readTree(service.admin.getOk("/v1/partners/pixie/ledger"));
        assertEquals(100_000, ledger.get("held").asLong(), ledger.toString());
        assertEquals(0, ledger.get("pending").asLong() + ledger.get("approved").asLong(), ledger.toString());
        assertTrue(ledger.toString().contains("pixel_reported"), ledger.toString());

        // When the checkout reports the same order, with its true amount
        final HttpResponse<String> verified = http.send(HttpRequest.newBuilder(service.edge("/v1/conversions"))
            .header("Authorization", "Bearer " + AdminClient.API_KEY + "-px")
            .POST(HttpRequest.BodyPublishers.ofString("{\"programId\":\"px\",\"externalId\":\"order-1\"," +
            "\"amount\":2600,\"clickId\":\"" + ServiceFixture.clickId(click) + "\"}")).build(),
            HttpResponse.BodyHandlers.ofString());
        service.awaitCommitted();

        // Then the pixel's commission is gone and the verified one accrues as usual
        assertEquals(200, verified.statusCode(), verified.body());
        ledger = json.readTree(service.admin.getOk("/v1/partners/pixie/ledger"));
        assertEquals(0, ledger.get("held").asLong(), ledger.toString());
        assertEquals(260, ledger.get("pending").asLong(), ledger.toString());
    }

    @Test
    void shouldRefuseEveryAdminAmountPastTheBoundNamingTheFieldAndTheBound() throws Exception
    {
        // Given each amount an admin sets, one past the bound
        final String past = "1000000000001";
        final String[][] cases = {
            { "/v1/programs/p1", "{\"name\":\"P\",\"currency\":\"USD\",\"minPayout\":" + past + "}", "minPayout" },
            { "/v1/programs/p1", "{\"name\":\"P\",\"currency\":\"USD\",\"monthlyCap\":" + past + "}", "monthlyCap" },
            { "/v1/programs/p1", "{\"name\":\"P\",\"currency\":\"USD\",\"tiers\":[{\"name\":\"a\"," +
                "\"leadCommission\":" + past + "}]}", "tiers[0].leadCommission" },
            { "/v1/programs/p1", "{\"name\":\"P\",\"currency\":\"USD\",\"tiers\":[{\"name\":\"a\"},{\"name\":\"b\"," +
                "\"minRevenue\":" + past + "}]}", "tiers[1].minRevenue" },
            { "/v1/partners/q1", "{\"programId\":\"shop\",\"name\":\"Q\",\"leadCommission\":" + past + "}",
                "leadCommission" },
            { "/v1/partners/q1", "{\"programId\":\"shop\",\"name\":\"Q\",\"monthlyCap\":" + past + "}", "monthlyCap" },
        };
        for (final String[] given : cases)
        {
            // When an admin writes it
            final HttpResponse<String> response = service.admin.put(given[0], given[1]);

            // Then it is refused naming the field and the bound
            assertEquals(400, response.statusCode(), given[1] + " -> " + response.body());
            assertTrue(response.body().contains(given[2] + " " + BOUND + ", not " + past), response.body());
        }
        // And the bound itself is accepted
        service.admin.putOk("/v1/programs/p1", "{\"name\":\"P\",\"currency\":\"USD\",\"minPayout\":1000000000000," +
            "\"monthlyCap\":1000000000000,\"tiers\":[{\"name\":\"a\",\"leadCommission\":1000000000000}," +
            "{\"name\":\"b\",\"minRevenue\":1000000000000}]}");
    }

    private static String sale(final String externalId, final String amount, final String clickId)
    {
        return "{\"programId\":\"shop\",\"externalId\":\"" + externalId + "\",\"kind\":\"sale\",\"amount\":" + amount +
            ",\"currency\":\"USD\",\"clickId\":\"" + clickId + "\"}";
    }

    private int pixel(final String cookie, final String orderId, final String amount) throws Exception
    {
        return http.send(HttpRequest.newBuilder(service.edge("/p.gif?e=conversion&program=px&order_id=" + orderId +
            "&amount=" + amount)).header("User-Agent", BROWSER).header("Cookie", cookie).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpResponse<String> postConversion(final String body) throws Exception
    {
        return http.send(HttpRequest.newBuilder(service.edge("/v1/conversions"))
            .header("Authorization", "Bearer " + AdminClient.API_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
