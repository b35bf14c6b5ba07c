package dev.ricochet.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the admin API accepts as a program's secrets and URLs, and how it returns stored text (docs/catalog.md), through
 * the real service: every refusal is a 400 naming the field, and nothing refused changes the catalog.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogInputSystemTest
{
    private static final String SECRET = "program-secret-0123456789";

    @TempDir
    static Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private ServiceFixture service;

    @BeforeAll
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        service.admin.putOk("/v1/programs/shop", program(""));
        service.admin.putOk("/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"Ann\"}");
    }

    @AfterAll
    void stop()
    {
        service.close();
    }

    @Test
    void shouldRefuseAnEmptyBlankShortOrUnprintableSecretWith400NamingTheField() throws Exception
    {
        final List<Executable> checks = new ArrayList<>();
        for (final String field : List.of("apiKey", "stripe", "shopify", "postback", "webhook"))
        {
            for (final String bad : List.of("", " ", "                    ", "short-secret-15",
                "with a space 0123456789",
                "tab\\tinside-0123456789", "nul\\u0000inside-0123456789", "x".repeat(257)))
            {
                // When an admin sets one of the program's secrets to it
                final HttpResponse<String> response = service.admin.put("/v1/programs/shop",
                    program(",\"secrets\":{\"" + field + "\":\"" + bad + "\"}"));

                // Then it is refused, naming the secret
                checks.add(() -> assertEquals(400, response.statusCode(), field + "=" + bad + ": " + response.body()));
                checks.add(() -> assertTrue(response.body().contains("secrets." + field), response.body()));
            }
        }
        assertAll(checks);

        // And the program still has no secrets
        assertEquals("[]", json.readTree(service.admin.getOk("/v1/programs/shop")).get("secretsSet").toString());
    }

    @Test
    void shouldAnswer404OnEveryIntakeOfAProgramWithoutItsSecret() throws Exception
    {
        // Given a program with no secrets at all
        // When each intake is called for it
        final List<HttpResponse<String>> answers = List.of(
            edge(HttpRequest.newBuilder(edgeUri("/webhooks/stripe/shop")).header("Stripe-Signature", "t=1,v1=00")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))),
            edge(HttpRequest.newBuilder(edgeUri("/webhooks/shopify/shop")).header("X-Shopify-Hmac-Sha256", "AA==")
                .header("X-Shopify-Topic", "orders/create").POST(HttpRequest.BodyPublishers.ofString("{}"))),
            edge(HttpRequest.newBuilder(edgeUri("/postback?program=shop&order_id=o1&amount=100&token=")).GET()),
            edge(HttpRequest.newBuilder(edgeUri("/v1/conversions")).header("Authorization", "Bearer ")
                .POST(HttpRequest.BodyPublishers.ofString("{\"programId\":\"shop\",\"externalId\":\"o1\"," +
                "\"amount\":100}"))));

        // Then every intake is off
        for (final HttpResponse<String> answer : answers)
        {
            assertEquals(404, answer.statusCode(), answer.uri() + " " + answer.body());
        }
    }

    @Test
    void shouldRefuseAWebhookUrlOnThisMachineOrAPrivateNetworkInEverySpelling() throws Exception
    {
        final List<Executable> checks = new ArrayList<>();
        for (final String url : List.of("http://127.0.0.1:8081/hook", "http://localhost/hook", "http://LOCALHOST./hook",
            "http://admin.localhost/hook", "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook",
            "http://[::ffff:7f00:1]/hook", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/hook",
            "http://0.0.0.0/hook", "http://[::]/hook", "http://10.1.2.3/hook", "http://172.16.0.1/hook",
            "http://192.168.1.1/hook", "http://100.64.0.1/hook", "http://[fd00::1]/hook", "http://[fc00::1]/hook",
            "http://2130706433/hook", "http://0177.0.0.1/hook", "http://0x7f.0.0.1/hook", "http://127.1/hook",
            "http://017700000001/hook", "http://[64:ff9b::a9fe:a9fe]/hook", "http://[2002:7f00:1::]/hook",
            // IPv6 outside global unicast or in its reserved parts: IPv4-translated, local-use NAT64, documentation,
            // ORCHID, unallocated
            "http://[::ffff:0:127.0.0.1]/hook", "http://[::ffff:0:a9fe:a9fe]/hook", "http://[64:ff9b:1::a00:1]/hook",
            "http://[2001:db8::1]/hook", "http://[3fff::1]/hook", "http://[2001:10::1]/hook", "http://[4000::1]/hook"))
        {
            // When an admin points the program's webhook at it
            final HttpResponse<String> response = service.admin.put("/v1/programs/shop", program(
                ",\"webhookUrl\":\"" + url + "\",\"secrets\":{\"webhook\":\"" + SECRET + "\"}"));

            // Then it is refused, naming the field
            checks.add(() -> assertEquals(400, response.statusCode(), url + ": " + response.body()));
            checks.add(() -> assertTrue(response.body().contains("webhookUrl"), url + ": " + response.body()));
        }
        assertAll(checks);

        // And a public name is accepted (it is resolved and judged again before every delivery)
        service.admin.putOk("/v1/programs/hooked", program(",\"webhookUrl\":\"https://hooks.example.com/in\"," +
            "\"secrets\":{\"webhook\":\"" + SECRET + "\"}"));
        service.admin.putOk("/v1/programs/hooked", program(",\"webhookUrl\":\"https://[2606:4700:4700::1111]/in\"," +
            "\"secrets\":{\"webhook\":\"" + SECRET + "\"}"));
    }

    @Test
    void shouldRefuseAPortOutside1To65535OrANumericHostOnEveryUrlField() throws Exception
    {
        final List<Executable> checks = new ArrayList<>();
        for (final String url : List.of("https://shop.example:99999/a", "https://shop.example:0/a",
            "https://shop.example:65536/a", "https://1234567/a", "https://1.2.3.04/a", "https://shop.example:0080/a",
            "https://[2606:4700::1]:00443/a"))
        {
            // When a link's destination, a program's default destination or its webhook is set to it
            final HttpResponse<String> link = service.admin.put("/v1/links/ann-1",
                "{\"partnerId\":\"ann\",\"destination\":\"" + url + "\"}");
            final HttpResponse<String> fallback = service.admin.put("/v1/programs/shop",
                program(",\"defaultDestination\":\"" + url + "\""));
            final HttpResponse<String> webhook = service.admin.put("/v1/programs/shop",
                program(",\"webhookUrl\":\"" + url + "\",\"secrets\":{\"webhook\":\"" + SECRET + "\"}"));

            // Then each is refused, naming its field
            checks.add(() -> assertRefused(link, "destination"));
            checks.add(() -> assertRefused(fallback, "defaultDestination"));
            checks.add(() -> assertRefused(webhook, "webhookUrl"));
        }
        assertAll(checks);

        // And port 65535 is a port
        service.admin.putOk("/v1/links/ann-max", "{\"partnerId\":\"ann\",\"destination\":\"https://shop.example:65535/\"}");
    }

    @Test
    void shouldRefuseADestinationWhoseStoredFormExpandsPast2048Characters() throws Exception
    {
        // Given a destination of 2,021 characters, 2,000 of them non-ASCII: 12,021 once percent-encoded
        final String expanding = "https://shop.example/" + "\u00e9".repeat(2000);

        // When it is set on a link
        final HttpResponse<String> response = service.admin.put("/v1/links/ann-long",
            "{\"partnerId\":\"ann\",\"destination\":\"" + expanding + "\"}");

        // Then it is refused, naming the field; and a destination that stays within the limit is stored as sent
        assertRefused(response, "destination");
        final String fits = "https://shop.example/" + "\u00e9".repeat(300);
        service.admin.putOk("/v1/links/ann-fits", "{\"partnerId\":\"ann\",\"destination\":\"" + fits + "\"}");
        final String stored = json.readTree(service.admin.getOk("/v1/links/ann-fits")).get("destination").asText();
        assertTrue(stored.length() <= 2048, stored);
    }

    @Test
    void shouldStoreAndReturnHtmlAndFormulaNamesVerbatimAsJsonThatNoBrowserRuns() throws Exception
    {
        // Given partners named with HTML and with a spreadsheet formula
        final String script = "<script>alert(document.cookie)</script>";
        final String formula = "=HYPERLINK(\"https://evil.example\";\"x\")";
        service.admin.putOk("/v1/partners/html", "{\"programId\":\"shop\",\"name\":" + json.writeValueAsString(script) +
            "}");
        service.admin.putOk("/v1/partners/formula", "{\"programId\":\"shop\",\"name\":" +
            json.writeValueAsString(formula) + "}");

        // When they are read back
        final HttpResponse<String> html = service.admin.get("/v1/partners/html");
        final HttpResponse<String> sheet = service.admin.get("/v1/partners/formula");

        // Then the names are returned verbatim, as JSON data that a browser will neither sniff nor render
        assertEquals(script, json.readTree(html.body()).get("name").asText());
        assertEquals(formula, json.readTree(sheet.body()).get("name").asText());
        for (final HttpResponse<String> answer : List.of(html, sheet, service.admin.get("/v1/partners/nobody"),
            new AdminClient(service.aggregator.adminPort(), null).get("/v1/partners/html"),
            service.admin.put("/v1/partners/html", "{\"name\":1}")))
        {
            assertEquals("application/json", answer.headers().firstValue("content-type").orElseThrow(), answer.body());
            assertEquals("nosniff", answer.headers().firstValue("x-content-type-options").orElseThrow());
            assertEquals("default-src 'none'; frame-ancestors 'none'; sandbox",
                answer.headers().firstValue("content-security-policy").orElseThrow());
        }
    }

    @Test
    void shouldRefuseAControlCharacterInANameOrEmail() throws Exception
    {
        // When names and an email start with or hold NUL, TAB or a line break
        for (final String body : List.of("{\"programId\":\"shop\",\"name\":\"\\u0000=1+1\"}",
            "{\"programId\":\"shop\",\"name\":\"\\t@SUM(1)\"}", "{\"programId\":\"shop\",\"name\":\"a\\r\\nb\"}",
            "{\"programId\":\"shop\",\"name\":\"N\",\"email\":\"\\u0000a@example.com\"}"))
        {
            final HttpResponse<String> response = service.admin.put("/v1/partners/ctl", body);

            // Then each is refused, naming the field
            assertRefused(response, body.contains("email") ? "email" : "name");
        }
    }

    @Test
    void shouldRefuseACommissionPercentWrittenWithASignAnExponentOrNonAsciiDigits() throws Exception
    {
        // When a partner's percent is written as BigDecimal reads it but nobody else does ("１０" was stored as is)
        for (final String percent : List.of("\uFF11\uFF10", "\u0661\u0660", "+10", "1E1", "1e-999999999", ".5",
            "010"))
        {
            final HttpResponse<String> response = service.admin.put("/v1/partners/pct", "{\"programId\":\"shop\"," +
                "\"name\":\"P\",\"commissionPercent\":\"" + percent + "\"}");

            // Then it is refused, naming the field
            assertRefused(response, "commissionPercent");
        }

        // And the plain spellings are taken
        service.admin.putOk("/v1/partners/pct",
            "{\"programId\":\"shop\",\"name\":\"P\",\"commissionPercent\":\"12.5\"}");
        service.admin.putOk("/v1/partners/pct",
            "{\"programId\":\"shop\",\"name\":\"P\",\"commissionPercent\":\"0.25\"}");
    }

    @Test
    void shouldNameTheRangeOfTheFieldsOwnTypeWhenANumberIsPastIt() throws Exception
    {
        // When an int field gets a number past an int's range but within a long's
        final HttpResponse<String> response = service.admin.put("/v1/programs/shop", program("").replace(
            "\"commissionPercent\":\"10\"}]", "\"commissionPercent\":\"10\"},{\"name\":\"s\"," +
            "\"commissionPercent\":\"12\",\"minConversions\":2147483648}]"));

        // Then the refusal names the int's range, not a long's
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("{\"error\":\"field 'tiers[1].minConversions' is past the range of an int (2147483647)\"}",
            response.body());
    }

    private static void assertRefused(final HttpResponse<String> response, final String field)
    {
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.body().contains(field), field + ": " + response.body());
    }

    private HttpResponse<String> edge(final HttpRequest.Builder request) throws Exception
    {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI edgeUri(final String path)
    {
        return URI.create("http://127.0.0.1:" + service.tracker.port() + path);
    }

    private static String program(final String extra)
    {
        return "{\"name\":\"Shop\",\"currency\":\"USD\"," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]" +
            extra + "}";
    }
}
