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

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The part-8 routes attacked for leaks (docs/roles.md): a field a role does not own must not reach it through the
 * audit trail's before and after either; no answer carries a secret or a token's hash; the public apply endpoint
 * answers every odd body with a 4xx, never a 5xx, and stores none of the fields the server sets.
 */
class AdminLeaksSystemTest
{
    private static final Instant START = Instant.parse("2026-03-10T10:15:00Z");
    private static final String RECEIVER_SECRET = "receiver-secret-7f3a";
    private static final String WEBHOOK_SECRET = "whsec_leaks_0123456789";
    private static final String PROGRAM = "{\"name\":\"Shop\",\"currency\":\"USD\"," +
        "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]," +
        "\"webhookUrl\":\"https://hooks.ricochet.invalid/in?token=" + RECEIVER_SECRET + "\"," +
        "\"secrets\":{\"apiKey\":\"" + AdminClient.API_KEY + "\",\"webhook\":\"" + WEBHOOK_SECRET + "\"}," +
        "\"applications\":{\"open\":true},\"attributes\":[" +
        "{\"name\":\"website\",\"type\":\"text\",\"application\":true}," +
        "{\"name\":\"followers\",\"type\":\"number\",\"application\":true}]}";

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicLong clock = new AtomicLong(START.toEpochMilli());
    private ServiceFixture service;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get);
        service.admin.putOk("/v1/programs/shop", PROGRAM);
        service.admin.putOk("/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"Ann\"," +
            "\"payoutAccount\":\"DE89370400440532013000\"}");
    }

    @AfterEach
    void stop()
    {
        service.close();
    }

    @Test
    void shouldNeverShowFinanceAProgramsWebhookUrlThroughTheAuditTrail() throws Exception
    {
        // Given the admin changed the program's webhook (its URL holds the receiver's token)
        final HttpResponse<String> patched = service.admin.patch("/v1/programs/shop",
            "{\"webhookUrl\":\"https://hooks.ricochet.invalid/in?token=" + RECEIVER_SECRET + "-2\"}",
            "Content-Type", AdminClient.MERGE_PATCH);
        assertEquals(200, patched.statusCode(), patched.body());
        final AdminClient scopedFinance = token("{\"name\":\"shop finance\",\"role\":\"finance\"," +
            "\"programId\":\"shop\"}");

        // When finance, unscoped and scoped, reads the trail, and the admin does
        final String bootstrap = service.finance.getOk("/v1/audit?programId=shop");
        final String scoped = scopedFinance.getOk("/v1/audit");
        final String byTarget = service.finance.getOk("/v1/audit?target=program:shop");
        final String admin = service.admin.getOk("/v1/audit?programId=shop");

        // Then finance sees the changes but never the URL (webhookUrl is the admin's); the admin sees it
        assertAll(
            () -> assertTrue(bootstrap.contains("patch_program"), bootstrap),
            () -> assertTrue(bootstrap.contains("secretsSet"), bootstrap),
            () -> assertFalse(bootstrap.contains(RECEIVER_SECRET), bootstrap),
            () -> assertFalse(bootstrap.contains("webhookUrl"), bootstrap),
            () -> assertFalse(scoped.contains(RECEIVER_SECRET), scoped),
            () -> assertFalse(byTarget.contains(RECEIVER_SECRET), byTarget),
            () -> assertTrue(admin.contains(RECEIVER_SECRET), admin),
            () -> assertTrue(bootstrap.contains("DE89370400440532013000"), "finance owns payoutAccount"));
    }

    @Test
    void shouldAnswerNoSecretAndNoTokenHashOnAnyAnswer() throws Exception
    {
        // Given a named token, created, used and revoked, and a partner token issued
        final HttpResponse<String> created = service.admin.post("/v1/tokens",
            "{\"name\":\"ops\",\"role\":\"admin\",\"programId\":\"shop\"}");
        assertEquals(201, created.statusCode(), created.body());
        final JsonNode token = json.readTree(created.body());
        final String secret = token.get("token").asText();
        final AdminClient named = new AdminClient(service.aggregator.adminPort(), secret);
        named.putOk("/v1/partners/bo", "{\"programId\":\"shop\",\"name\":\"Bo\"}");
        final String revoked = service.admin.send(service.admin.builder("/v1/tokens/" + token.get("id").asText())
            .DELETE()).body();
        final byte[] hash = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        final List<String> forbidden = List.of(secret, secret.substring(3), HexFormat.of().formatHex(hash),
            Base64.getEncoder().encodeToString(hash), Base64.getUrlEncoder().withoutPadding().encodeToString(hash),
            WEBHOOK_SECRET, AdminClient.API_KEY);

        // When every role reads every part-8 answer that could hold them
        final List<String> bodies = new ArrayList<>(List.of(revoked));
        for (final AdminClient client : List.of(service.admin, service.finance))
        {
            for (final String path : List.of("/v1/tokens", "/v1/audit", "/v1/audit?target=token:" +
                token.get("id").asText(), "/v1/programs/shop", "/v1/partners/bo",
                "/v1/programs/shop/partners/export.csv", "/v1/programs/shop/reports/overview"))
            {
                bodies.add(client.get(path).body());
            }
        }

        // Then none holds a secret, the token or its hash; the revoked token is refused
        final List<Executable> checks = new ArrayList<>();
        for (final String body : bodies)
        {
            for (final String secretText : forbidden)
            {
                checks.add(() -> assertFalse(body.contains(secretText), body));
            }
        }
        checks.add(() -> assertEquals(401, named.get("/v1/partners/bo").statusCode()));
        assertAll("no secrets", checks);
    }

    @Test
    void shouldAnswerEveryOddApplicationWithA4xxAndStoreNoServerSetField() throws Exception
    {
        // Given bodies an anonymous client may send
        final List<String> bodies = List.of(
            "[]", "null", "\"x\"", "{}", "{\"email\":\"a@example.com\",\"attributes\":[]}",
            "{\"email\":\"a@example.com\",\"attributes\":{\"followers\":1e999}}",
            "{\"email\":\"a@example.com\",\"attributes\":{\"followers\":-1e999}}",
            "{\"email\":\"a@example.com\",\"attributes\":{\"followers\":123456789012345678901234567890}}",
            "{\"email\":\"a@example.com\",\"attributes\":{\"followers\":\"12\"}}",
            "{\"email\":\"a@example.com\",\"attributes\":{\"website\":{\"$gt\":\"\"}}}",
            "{\"email\":\"a@example.com\",\"attributes\":{\"website\":\"a\\u0000b\"}}",
            "{\"email\":\"a@example.com\",\"attributes\":{\"status\":\"active\"}}",
            "{\"email\":\"a@example.com\",\"status\":\"active\"}",
            "{\"email\":\"a@example.com\",\"tierPin\":{\"tier\":\"bronze\"}}",
            "{\"email\":\"a@example.com\",\"payoutAccount\":\"DE00\"}",
            "{\"email\":\"a@example.com\",\"commissionPercent\":\"90\"}",
            "{\"email\":\"a@example.com\",\"joinedAt\":\"2020-01-01T00:00:00Z\"}",
            "{\"email\":\"a@example.com\",\"programId\":\"other\"}",
            "{\"email\":\"a@example.com\",\"email\":\"b@example.com\"}",
            "{\"email\":\"a@example.com\\r\\nBcc: x@example.com\"}",
            "{\"email\":\"a@example.com\",\"name\":\"\\u202Eevil\"}",
            "{\"email\":\"a@example.com\",\"name\":\"a\\u0007b\"}",
            "{\"email\":\"a\\u200B@example.com\"}",
            "{\"email\":\"a@example.com\\u202E\"}",
            "{\"email\":\"" + "a".repeat(300) + "@example.com\"}",
            "{\"email\":12}");

        // When each is sent (the clock moved on between them, past the address's rate limit)
        final List<Executable> checks = new ArrayList<>();
        for (final String body : bodies)
        {
            clock.addAndGet(60_000);
            final HttpResponse<String> response = apply("/v1/programs/shop/applications", body);
            final String what = body + " -> " + response.statusCode() + " " + response.body();

            // Then each is refused with a 4xx naming the problem
            checks.add(() -> assertTrue(response.statusCode() >= 400 && response.statusCode() < 500, what));
        }
        assertAll("odd applications", checks);
        assertEquals(List.of(), List.copyOf(service.aggregatorErrors));

        // And a name that needs a zero-width non-joiner (Persian) is still welcome
        clock.addAndGet(60_000);
        final HttpResponse<String> persian = apply("/v1/programs/shop/applications",
            "{\"name\":\"\u0646\u06CC\u200C\u0644\u0648\",\"email\":\"niloo@example.com\"}");
        assertEquals(202, persian.statusCode(), persian.body());
    }

    @Test
    void shouldKeepAProgramScopedAdminOutOfAnotherProgramThroughEveryPart8Route() throws Exception
    {
        // Given another program with a pending partner, a link and a coupon, and an admin token scoped to shop
        service.admin.putOk("/v1/programs/other", "{\"name\":\"Other\",\"currency\":\"USD\"}");
        service.admin.putOk("/v1/partners/bob", "{\"programId\":\"other\",\"name\":\"Bob\",\"status\":\"pending\"," +
            "\"payoutAccount\":\"FR7630006000011234567890189\"}");
        service.admin.seedLink("bob-1", "bob");
        service.admin.seedLink("ann-1", "ann");
        service.admin.putOk("/v1/coupons/BOB10", "{\"partnerId\":\"bob\"}");
        final String bobTag = service.admin.etag("/v1/partners/bob");
        final AdminClient shop = token("{\"name\":\"shop manager\",\"role\":\"admin\",\"programId\":\"shop\"}");
        final String merge = AdminClient.MERGE_PATCH;

        // When it tries to reach other's resources by path, by body, by file and by precondition
        final List<HttpResponse<String>> refused = List.of(
            shop.patch("/v1/partners/ann", "{\"programId\":\"other\"}", "Content-Type", merge),
            shop.patch("/v1/partners/bob", "{\"name\":\"x\"}", "If-Match", bobTag),
            shop.patch("/v1/links/ann-1", "{\"partnerId\":\"bob\"}", "Content-Type", merge),
            shop.patch("/v1/links/bob-1", "{\"partnerId\":\"ann\"}", "Content-Type", merge),
            shop.patch("/v1/coupons/bob10", "{\"partnerId\":\"ann\"}", "Content-Type", merge),
            shop.put("/v1/coupons/bob10", "{\"partnerId\":\"ann\"}", "If-None-Match", "*"),
            shop.post("/v1/partners/bob/approve", ""),
            shop.post("/v1/partners/bob/reject", "{\"reason\":\"no\"}"),
            shop.post("/v1/partners/bob/tier-pin", "{\"tier\":\"bronze\",\"reason\":\"x\"}"),
            shop.send(shop.builder("/v1/partners/bob/tier-pin").DELETE()),
            shop.get("/v1/programs/other/reports/overview"),
            shop.get("/v1/programs/other/partners/export.csv"),
            shop.get("/v1/programs/other/ledger/export.csv"),
            shop.post("/v1/tokens", "{\"name\":\"escalate\",\"role\":\"admin\"}"),
            shop.get("/v1/tokens"),
            shop.get("/v1/audit?programId=other"));
        final HttpResponse<String> partnersFile = csv(shop, "/v1/programs/shop/partners/import",
            "id,name,payoutAccount\nbob,Bob,DE00\n");
        final HttpResponse<String> linksFile = csv(shop, "/v1/programs/shop/links/import",
            "code,partnerId,destination\nbob-1,ann,https://shop.example.com/\nann-9,bob,https://shop.example.com/\n");
        final String bobTrail = shop.getOk("/v1/audit?target=partner:bob");

        // Then each is refused, the files name no other program and change nothing, the trail shows none of bob's
        final List<Executable> checks = new ArrayList<>();
        for (final HttpResponse<String> response : refused)
        {
            final String what = response.request().method() + " " + response.request().uri() + " -> " +
                response.statusCode() + " " + response.body();
            checks.add(() -> assertEquals(403, response.statusCode(), what));
            checks.add(() -> assertFalse(response.body().contains("FR763000"), what));
        }
        checks.add(() -> assertEquals(400, partnersFile.statusCode(), partnersFile.body()));
        checks.add(() -> assertFalse(partnersFile.body().contains("'other'"), partnersFile.body()));
        checks.add(() -> assertEquals(400, linksFile.statusCode(), linksFile.body()));
        checks.add(() -> assertFalse(linksFile.body().contains("'other'"), linksFile.body()));
        checks.add(() -> assertEquals("{\"items\":[],\"next\":null}", bobTrail));
        assertAll("scoped admin x part-8 routes", checks);
        final JsonNode bob = service.admin.getJson("/v1/partners/bob");
        assertAll(
            () -> assertEquals("other", bob.get("programId").asText()),
            () -> assertEquals("pending", bob.get("status").asText()),
            () -> assertEquals("Bob", bob.get("name").asText()),
            () -> assertEquals(bobTag, service.admin.etag("/v1/partners/bob")),
            () -> assertEquals("bob", service.admin.getJson("/v1/links/bob-1").get("partnerId").asText()),
            () -> assertEquals("bob", service.admin.getJson("/v1/coupons/BOB10").get("partnerId").asText()),
            () -> assertEquals(404, service.admin.get("/v1/links/ann-9").statusCode()));
    }

    @Test
    void shouldAnswerEveryOddInputOfThePart8RoutesWithA4xxNeverA5xx() throws Exception
    {
        // Given odd inputs for the token, audit, lifecycle, tier-pin and import routes
        service.admin.putOk("/v1/partners/pat", "{\"programId\":\"shop\",\"name\":\"Pat\",\"status\":\"pending\"}");
        final AdminClient admin = service.admin;
        final List<String[]> calls = List.of(
            new String[]{"POST", "/v1/tokens", "{\"name\":\"x\",\"role\":\"ADMIN\"}"},
            new String[]{"POST", "/v1/tokens", "{\"name\":\"\u200B\",\"role\":\"admin\"}"},
            new String[]{"POST", "/v1/tokens", "{\"name\":\"a\\nb\",\"role\":\"admin\"}"},
            new String[]{"POST", "/v1/tokens", "{\"name\":\"x\",\"role\":\"admin\",\"programId\":7}"},
            new String[]{"POST", "/v1/tokens", "{\"name\":\"x\",\"role\":\"partner\",\"partnerId\":\"nobody\"}"},
            new String[]{"POST", "/v1/tokens", "{\"name\":\"x\",\"role\":\"analyst\",\"partnerId\":\"ann\"}"},
            new String[]{"POST", "/v1/tokens", "{\"name\":\"x\",\"role\":\"admin\",\"programId\":\"nope\"}"},
            new String[]{"POST", "/v1/tokens", "[]"},
            new String[]{"DELETE", "/v1/tokens/%00", ""},
            new String[]{"DELETE", "/v1/tokens/tk_0000000000000000", ""},
            new String[]{"GET", "/v1/tokens?cursor=%ff%fe", ""},
            new String[]{"GET", "/v1/tokens?limit=0", ""},
            new String[]{"GET", "/v1/audit?cursor=!!!", ""},
            new String[]{"GET", "/v1/audit?from=2026-02-30", ""},
            new String[]{"GET", "/v1/audit?from=2026-03-10&to=2026-03-01", ""},
            new String[]{"GET", "/v1/audit?from=-999999999-01-01", ""},
            new String[]{"GET", "/v1/audit?limit=100000", ""},
            new String[]{"POST", "/v1/partners/pat/approve", "null"},
            new String[]{"POST", "/v1/partners/pat/reject", "{}"},
            new String[]{"POST", "/v1/partners/pat/reject", "{\"reason\":\"" + "r".repeat(600) + "\"}"},
            new String[]{"POST", "/v1/partners/nobody/approve", ""},
            new String[]{"POST", "/v1/partners/ann/tier-pin", "{}"},
            new String[]{"POST", "/v1/partners/ann/tier-pin", "{\"tier\":\"platinum\",\"reason\":\"x\"}"},
            new String[]{"POST", "/v1/partners/ann/tier-pin", "{\"tier\":7,\"reason\":\"x\"}"},
            new String[]{"POST", "/v1/partners/ann/tier-pin",
                "{\"tier\":\"bronze\",\"reason\":\"x\",\"until\":\"1970-01-01\"}"},
            new String[]{"DELETE", "/v1/partners/nobody/tier-pin", ""},
            new String[]{"GET", "/v1/programs/shop/reports/top-partners?metric=password", ""},
            new String[]{"GET", "/v1/programs/shop/reports/overview?from=0000-01-01&to=9999-12-31", ""},
            new String[]{"GET", "/v1/programs/shop/partners/export.csv?from=-1", ""},
            new String[]{"GET", "/v1/programs/shop/conversions/export.csv?to=+10000-01-01", ""},
            new String[]{"GET", "/v1/programs/nope/ledger/export.csv", ""});
        final List<String[]> files = List.of(
            new String[]{"/v1/programs/shop/partners/import", ""},
            new String[]{"/v1/programs/shop/partners/import", "\uFEFFid,name\nx,\"unterminated\n"},
            new String[]{"/v1/programs/shop/partners/import", "id,id\na,b\n"},
            new String[]{"/v1/programs/shop/partners/import", "id,joinedAt\nnew1,+999999999-01-01T00:00:00Z\n"},
            new String[]{"/v1/programs/shop/partners/import", "id,attr.x\na,1\n"},
            new String[]{"/v1/programs/shop/partners/import", "id,name\n\u0000,\u0007\n"},
            new String[]{"/v1/programs/shop/links/import", "code,partnerId\na,ann\n"},
            new String[]{"/v1/programs/shop/links/import", "code,partnerId,destination\na,ann,javascript:alert(1)\n"},
            new String[]{"/v1/programs/shop/links/import?dryRun=maybe", "code,partnerId,destination\n"});

        // When the admin sends each
        final List<Executable> checks = new ArrayList<>();
        for (final String[] call : calls)
        {
            final HttpResponse<String> response = admin.send(admin.builder(call[1]).method(call[0],
                call[2].isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(call[2]))
                .header("Content-Type", "application/json"));
            final String what = call[0] + " " + call[1] + " " + call[2] + " -> " + response.statusCode() + " " +
                response.body();
            checks.add(() -> assertTrue(response.statusCode() >= 400 && response.statusCode() < 500, what));
        }
        for (final String[] file : files)
        {
            final HttpResponse<String> response = csv(admin, file[0], file[1]);
            final String what = file[0] + " " + file[1] + " -> " + response.statusCode() + " " + response.body();
            checks.add(() -> assertTrue(response.statusCode() >= 400 && response.statusCode() < 500, what));
        }

        // Then each is a 4xx, and nothing reached the error handler
        assertAll("odd inputs", checks);
        assertEquals(List.of(), List.copyOf(service.aggregatorErrors));
    }

    private static HttpResponse<String> csv(final AdminClient client, final String path, final String body)
        throws IOException, InterruptedException
    {
        return client.send(client.builder(path).header("Content-Type", "text/csv")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void shouldCountEveryApplyRequestOfOneAddressWhateverItsHeadersOrProgram() throws Exception
    {
        // Given one address probing programs (unknown ones too) over one kept-alive connection, each request claiming
        // another client address in the headers proxies use
        final List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 11; i++)
        {
            final String ip = "203.0.113." + i;
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
                service.aggregator.adminPort() + "/v1/programs/" + (0 == i % 2 ? "shop" : "guess-" + i) +
                "/applications")).header("Content-Type", "application/json").header("X-Forwarded-For", ip)
                .header("X-Real-IP", ip).header("Forwarded", "for=" + ip).header("True-Client-IP", ip)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"P\",\"email\":\"p" + i + "@example.com\"}"))
                .build(),
                HttpResponse.BodyHandlers.ofString());
            statuses.add(response.statusCode());
        }

        // Then the headers change nothing: the 11th request is over the address's 10, whatever it asked
        assertEquals(List.of(202, 404, 202, 404, 202, 404, 202, 404, 202, 404, 429), statuses);
    }

    private HttpResponse<String> apply(final String path, final String body) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.aggregator.adminPort() +
            path)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private AdminClient token(final String body) throws IOException, InterruptedException
    {
        final HttpResponse<String> created = service.admin.post("/v1/tokens", body);
        assertEquals(201, created.statusCode(), created.body());
        return new AdminClient(service.aggregator.adminPort(), json.readTree(created.body()).get("token").asText());
    }
}
