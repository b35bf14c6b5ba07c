package dev.ricochet.ops;

import dev.ricochet.ingest.test.RawHttp;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import dev.ricochet.testsupport.ShopifySigner;
import dev.ricochet.testsupport.StripeSigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Replays the hostile JSON corpus ({@code src/test/resources/hostile-json/}, see its README) against every
 * JSON-accepting endpoint of the real service, edge and admin API: JSON bombs (nesting, huge numbers, duplicate
 * keys, huge strings) and bodies that are not UTF-8 get a clear 4xx, never a 5xx, and the service keeps serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileApiInputSystemTest
{
    private static final Path CORPUS = Path.of("src/test/resources/hostile-json");
    private static final Pattern REPEAT = Pattern.compile("<<repeat (\\d+):(.*?)>>", Pattern.DOTALL);
    private static final String API_KEY = "bombs-api-key-0123456789";
    private static final String STRIPE_SECRET = "whsec_bombs_0123456789";
    private static final String SHOPIFY_SECRET = "shpss_bombs_0123456789";

    @TempDir
    static Path dataDir;

    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final List<Endpoint> endpoints = new ArrayList<>();
    private ServiceFixture service;
    private int sequence;

    /**
     * One JSON-accepting endpoint, its valid body with a string slot {@code %s} and maybe an integer slot {@code %n}.
     */
    private record Endpoint(String name, boolean edge, String method, String path, String token, String template,
        boolean webhook)
    {
        boolean hasNumber()
        {
            return template.contains("%n");
        }
    }

    @BeforeAll
    void startService() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        service.admin.putOk("/v1/programs/bombs", "{\"name\":\"Bombs\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}],\"secrets\":{\"apiKey\":\"" + API_KEY +
            "\",\"stripe\":\"" + STRIPE_SECRET + "\",\"shopify\":\"" + SHOPIFY_SECRET + "\"}}");
        service.admin.putOk("/v1/partners/base", "{\"programId\":\"bombs\",\"name\":\"Base\",\"status\":\"active\"}");
        service.admin.putOk("/v1/links/base-link",
            "{\"partnerId\":\"base\",\"destination\":\"https://shop.example/\"}");
        final String admin = ServiceFixture.ADMIN_TOKEN;
        endpoints.add(new Endpoint("conversions", true, "POST", "/v1/conversions", API_KEY,
            "{\"programId\":\"bombs\",\"externalId\":%s,\"amount\":%n}", false));
        endpoints.add(new Endpoint("stripe", true, "POST", "/webhooks/stripe/bombs", null,
            "{\"id\":\"evt_b\",\"type\":\"checkout.session.completed\",\"data\":{\"object\":{\"id\":\"cs_b\"," +
            "\"payment_status\":\"paid\",\"amount_total\":%n,\"currency\":\"usd\",\"payment_intent\":%s}}}", true));
        endpoints.add(new Endpoint("shopify", true, "POST", "/webhooks/shopify/bombs", null,
            "{\"id\":%s,\"currency\":\"USD\",\"total_price\":\"1.00\"}", true));
        endpoints.add(new Endpoint("program", false, "PUT", "/v1/programs/bombs2", admin,
            "{\"name\":%s,\"currency\":\"USD\",\"holdDays\":%n}", false));
        endpoints.add(new Endpoint("partner", false, "PUT", "/v1/partners/bp", admin,
            "{\"programId\":\"bombs\",\"name\":%s,\"status\":\"active\",\"leadCommission\":%n}", false));
        // Every amount an admin sets is bounded like one from a sale (Money.MAX_AMOUNT), one endpoint per field.
        endpoints.add(new Endpoint("program-min-payout", false, "PUT", "/v1/programs/bombs3", admin,
            "{\"name\":%s,\"currency\":\"USD\",\"minPayout\":%n}", false));
        endpoints.add(new Endpoint("program-monthly-cap", false, "PUT", "/v1/programs/bombs4", admin,
            "{\"name\":%s,\"currency\":\"USD\",\"monthlyCap\":%n}", false));
        endpoints.add(new Endpoint("tier-lead-commission", false, "PUT", "/v1/programs/bombs5", admin,
            "{\"name\":%s,\"currency\":\"USD\",\"tiers\":[{\"name\":\"a\",\"leadCommission\":%n}]}", false));
        endpoints.add(new Endpoint("tier-min-revenue", false, "PUT", "/v1/programs/bombs6", admin,
            "{\"name\":%s,\"currency\":\"USD\",\"tiers\":[{\"name\":\"a\"},{\"name\":\"b\",\"minRevenue\":%n}]}",
            false));
        endpoints.add(new Endpoint("partner-monthly-cap", false, "PUT", "/v1/partners/bp3", admin,
            "{\"programId\":\"bombs\",\"name\":%s,\"status\":\"active\",\"monthlyCap\":%n}", false));
        endpoints.add(new Endpoint("partner-percent", false, "PUT", "/v1/partners/bp2", admin,
            "{\"programId\":\"bombs\",\"name\":\"P\",\"commissionPercent\":%s}", false));
        endpoints.add(new Endpoint("program-secret", false, "PUT", "/v1/programs/bombs3", admin,
            "{\"name\":\"S\",\"currency\":\"USD\",\"holdDays\":%n,\"secrets\":{\"stripe\":%s}}", false));
        endpoints.add(new Endpoint("program-webhook", false, "PUT", "/v1/programs/bombs4", admin,
            "{\"name\":\"W\",\"currency\":\"USD\",\"webhookUrl\":%s,\"secrets\":{\"webhook\":" +
            "\"whsec_0123456789abcdef\"}}", false));
        endpoints.add(new Endpoint("link", false, "PUT", "/v1/links/bl", admin,
            "{\"partnerId\":\"base\",\"destination\":%s}", false));
        endpoints.add(new Endpoint("coupon", false, "PUT", "/v1/coupons/BOMB", admin, "{\"partnerId\":%s}", false));
        // Part 8 item 2: the same bodies as merge patches of the entities the other checks use (a patch that lost the
        // program's secrets would show as a refused conversion in assertStillServing).
        endpoints.add(new Endpoint("program-patch", false, "PATCH", "/v1/programs/bombs", admin,
            "{\"name\":%s,\"holdDays\":%n}", false));
        endpoints.add(new Endpoint("partner-patch", false, "PATCH", "/v1/partners/base", admin,
            "{\"name\":%s,\"leadCommission\":%n}", false));
        endpoints.add(new Endpoint("link-patch", false, "PATCH", "/v1/links/base-link", admin,
            "{\"destination\":%s}", false));
        endpoints.add(new Endpoint("payout-run", false, "POST", "/v1/programs/bombs/payout-runs", admin,
            "{\"periodEnd\":%s}", false));
        endpoints.add(new Endpoint("commission-review", false, "POST", "/v1/partners/base/commission-reviews",
            ServiceFixture.FINANCE_TOKEN, "{\"externalId\":%s,\"action\":\"hold\",\"reason\":\"r\"}", false));
    }

    @AfterAll
    void stopService()
    {
        service.close();
    }

    @TestFactory
    Stream<DynamicTest> answersEveryHostileBodyWithA4xxOnEveryEndpoint() throws IOException
    {
        return cases("body").map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () ->
        {
            final byte[] body = read(file);
            for (final Endpoint endpoint : endpoints)
            {
                // A payout run without a body is a run up to today, by design.
                if (0 != body.length || !"payout-run".equals(endpoint.name))
                {
                    assertClearRefusal(endpoint, send(endpoint, body), file);
                }
            }
            assertStillServing();
        }));
    }

    @TestFactory
    Stream<DynamicTest> answersEveryHostileNumberInAnIntegerFieldWithA4xx() throws IOException
    {
        return cases("number").map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () ->
        {
            final String number = new String(read(file), StandardCharsets.UTF_8);
            for (final Endpoint endpoint : endpoints)
            {
                if (endpoint.hasNumber())
                {
                    assertClearRefusal(endpoint, send(endpoint, fill(endpoint, null, number)), file);
                }
            }
            assertStillServing();
        }));
    }

    @TestFactory
    Stream<DynamicTest> answersEveryHostileStringInAStringFieldWithoutA5xx() throws IOException
    {
        return cases("string").map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () ->
        {
            final String value = new String(read(file), StandardCharsets.UTF_8);
            for (final Endpoint endpoint : endpoints)
            {
                final HttpResponse<String> response = send(endpoint, fill(endpoint, value, null));
                assertTrue(response.statusCode() < 500,
                    endpoint.name + " answered " + response.statusCode() + " to " + file + ": " + response.body());
            }
            assertStillServing();
        }));
    }

    @Test
    void refusesACommissionPercentWhoseScaleNoComputationCouldCarry() throws Exception
    {
        // Given percents between 0 and 100 whose scale is 10^9: each commission from one would need 10^999999999
        for (final String percent : new String[]{ "1e-999999999", "0E+999999999", "0." + "0".repeat(40) + "1" })
        {
            // When an admin sets one on a partner or a program's tier, Then it is refused naming the field
            final HttpResponse<String> partner = service.admin.put("/v1/partners/pp",
                "{\"programId\":\"bombs\",\"name\":\"P\",\"commissionPercent\":\"" + percent + "\"}");
            assertEquals(400, partner.statusCode(), partner.body());
            assertTrue(partner.body().contains("commissionPercent"), partner.body());
            final HttpResponse<String> program = service.admin.put("/v1/programs/pp", "{\"name\":\"P\"," +
                "\"currency\":\"USD\",\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"" + percent + "\"}]}");
            assertEquals(400, program.statusCode(), program.body());
        }
    }

    @Test
    void answers400ToAMalformedEscapeInAnAdminRequestTarget() throws Exception
    {
        // Netty's decoder throws on a '%' without two hex digits; the admin API answered 500 before anyone's token
        // was even read
        final int port = service.aggregator.adminPort();
        for (final String target : new String[]{ "/%zz", "/v1/partners/base%", "/v1/partners/base/stats?from=%zz" })
        {
            final String answer = RawHttp.exchange(port, "GET " + target + " HTTP/1.1\r\nHost: x\r\n" +
                "Authorization: Bearer " + ServiceFixture.ADMIN_TOKEN + "\r\nConnection: close\r\n\r\n");
            assertEquals(400, RawHttp.status(answer), target + " -> " + answer);
        }
        assertStillServing();
    }

    private void assertClearRefusal(final Endpoint endpoint, final HttpResponse<String> response, final Path file)
    {
        final int status = response.statusCode();
        final String context = endpoint.name + " answered " + status + " to " + file.getFileName() + ": " +
            response.body();
        // A webhook may keep a valid-JSON event it cannot use as a dead letter (200): the sender cannot do better.
        final boolean deadLetter = endpoint.webhook && 200 == status && response.body().contains("dead_letter");
        assertTrue(deadLetter || (status >= 400 && status < 500), context);
        if (status != 413)
        {
            assertTrue(response.body().contains("\"error\"") || response.body().contains("\"reason\""), context);
        }
    }

    private void assertStillServing() throws Exception
    {
        assertEquals(302, client.send(HttpRequest.newBuilder(edge("/r/base-link")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(200, service.admin.get("/v1/partners/base").statusCode());
        final HttpResponse<String> conversion = send(endpoints.get(0), fill(endpoints.get(0), null, null));
        assertEquals(200, conversion.statusCode(), conversion.body());
    }

    /**
     * @return the endpoint's valid body with the value in the string slot, or the number in the integer slot.
     */
    private byte[] fill(final Endpoint endpoint, final String value, final String number)
    {
        final String id = "\"id-" + (++sequence) + "\"";
        return endpoint.template.replace("%s", null == value ? id : value)
            .replace("%n", null == number ? "100" : number).getBytes(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> send(final Endpoint endpoint, final byte[] body)
        throws IOException, InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.edge ? edge(endpoint.path) :
            URI.create("http://127.0.0.1:" + service.aggregator.adminPort() + endpoint.path))
            .header("Content-Type", "PATCH".equals(endpoint.method) ? AdminClient.MERGE_PATCH : "application/json")
            .method(endpoint.method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (null != endpoint.token)
        {
            request.header("Authorization", "Bearer " + endpoint.token);
        }
        if ("stripe".equals(endpoint.name))
        {
            final long t = System.currentTimeMillis() / 1000;
            request.header(StripeSigner.HEADER, new StripeSigner(STRIPE_SECRET).header(t, body));
        }
        if ("shopify".equals(endpoint.name))
        {
            request.header("X-Shopify-Topic", "orders/create")
                .header(ShopifySigner.HEADER, ShopifySigner.header(SHOPIFY_SECRET, body));
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI edge(final String path)
    {
        return URI.create("http://127.0.0.1:" + service.tracker.port() + path);
    }

    private static Stream<Path> cases(final String kind) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(CORPUS.resolve(kind)))
        {
            listing.sorted().forEach(files::add);
        }
        if (files.size() < 10)
        {
            fail("corpus " + CORPUS.resolve(kind).toAbsolutePath() + " has " + files.size() + " cases");
        }
        return files.stream();
    }

    /**
     * @return the file's bytes with each {@code <<repeat N:TEXT>>} expanded.
     */
    private static byte[] read(final Path file) throws IOException
    {
        final String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final Matcher repeat = REPEAT.matcher(text);
        int from = 0;
        while (repeat.find())
        {
            out.writeBytes(text.substring(from, repeat.start()).getBytes(StandardCharsets.ISO_8859_1));
            final int count = Integer.parseInt(repeat.group(1));
            for (int i = 0; i < count; i++)
            {
                out.writeBytes(repeat.group(2).replace("#", Integer.toString(i)).getBytes(StandardCharsets.ISO_8859_1));
            }
            from = repeat.end();
        }
        out.writeBytes(text.substring(from).getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }
}
