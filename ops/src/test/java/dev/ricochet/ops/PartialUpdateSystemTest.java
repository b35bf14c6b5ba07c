package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Partial updates ({@code PATCH}, JSON Merge Patch) and conditional writes ({@code ETag}, {@code If-Match},
 * {@code If-None-Match}) of programs, partners, links and coupons, through the real service (docs/catalog.md, "Partial
 * updates and ETags").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartialUpdateSystemTest
{
    private static final String SECRET = "program-secret-0123456789";

    @TempDir
    static Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private ServiceFixture service;
    private AdminClient admin;

    @BeforeAll
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        admin = service.admin;
        admin.putOk("/v1/programs/shop", "{\"name\":\"Shop\",\"currency\":\"USD\",\"holdDays\":14," +
            "\"attribution\":{\"model\":\"first_click\",\"windowDays\":60}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
            "{\"name\":\"silver\",\"minConversions\":20,\"commissionPercent\":\"15\"}]," +
            "\"secrets\":{\"apiKey\":\"" + SECRET + "\",\"stripe\":\"whsec_" + SECRET + "\"}}");
    }

    @AfterAll
    void stop()
    {
        service.close();
    }

    @Test
    void shouldKeepEmailAndPayoutAccountWhenAPendingPartnerIsApprovedByPatch() throws Exception
    {
        // Given a pending partner with an email and a payout account
        admin.putOk("/v1/partners/pending1", "{\"programId\":\"shop\",\"name\":\"Pat\",\"status\":\"pending\"," +
            "\"email\":\"pat@example.com\",\"payoutAccount\":\"pat@paypal.example\"}");

        // When the manager approves it by patching its status alone
        final HttpResponse<String> response = admin.patch("/v1/partners/pending1", "{\"status\":\"active\"}");

        // Then it is active and still has its email and payout account
        assertEquals(200, response.statusCode(), response.body());
        final JsonNode partner = admin.getJson("/v1/partners/pending1");
        assertEquals("active", partner.get("status").asText());
        assertEquals("pat@example.com", partner.get("email").asText());
        assertEquals("pat@paypal.example", partner.get("payoutAccount").asText());
        assertEquals("Pat", partner.get("name").asText());

        // And the audit trail holds the patch as the whole partner before and after
        final JsonNode audit = admin.getJson("/v1/audit?target=partner:pending1&action=patch_partner").get("items");
        assertEquals(1, audit.size(), audit.toString());
        assertEquals("pending", audit.get(0).get("before").get("status").asText());
        assertEquals("active", audit.get(0).get("after").get("status").asText());
        assertEquals("pat@paypal.example", audit.get(0).get("after").get("payoutAccount").asText());
    }

    @Test
    void shouldRemoveAFieldPatchedToNullBackToItsDefault() throws Exception
    {
        // Given a partner with a payout account and a program with a hold of 14 days
        admin.putOk("/v1/partners/nulls", "{\"programId\":\"shop\",\"name\":\"Nell\"," +
            "\"payoutAccount\":\"nell@paypal.example\",\"monthlyCap\":5000}");

        // When the manager patches them to null
        final HttpResponse<String> partner = admin.patch("/v1/partners/nulls", "{\"payoutAccount\":null}");
        final HttpResponse<String> program = admin.patch("/v1/programs/shop", "{\"holdDays\":null}");

        // Then the payout account is gone, the cap kept, and the hold back to its default of 30 days
        assertEquals(200, partner.statusCode(), partner.body());
        assertTrue(json.readTree(partner.body()).get("payoutAccount").isNull(), partner.body());
        assertEquals(5000, json.readTree(partner.body()).get("monthlyCap").asLong());
        assertEquals(200, program.statusCode(), program.body());
        assertEquals(30, admin.getJson("/v1/programs/shop").get("holdDays").asInt());
        admin.patch("/v1/programs/shop", "{\"holdDays\":14}");
    }

    @Test
    void shouldMergeANestedObjectAndReplaceAnArray() throws Exception
    {
        // When the manager patches one fraud threshold, one attribution setting and the whole tier ladder
        final HttpResponse<String> response = admin.patch("/v1/programs/shop",
            "{\"fraud\":{\"maxRefundRatePercent\":50},\"attribution\":{\"windowDays\":90}," +
            "\"tiers\":[{\"name\":\"standard\",\"commissionPercent\":\"12\"}]}");

        // Then the other fraud and attribution settings are kept and the ladder is the one given
        assertEquals(200, response.statusCode(), response.body());
        final JsonNode program = admin.getJson("/v1/programs/shop");
        assertEquals(50, program.get("fraud").get("maxRefundRatePercent").asInt());
        assertEquals(30, program.get("fraud").get("refundRateWindowDays").asInt());
        assertEquals("first_click", program.get("attribution").get("model").asText());
        assertEquals(90, program.get("attribution").get("windowDays").asInt());
        assertEquals(1, program.get("tiers").size());
        assertEquals("standard", program.get("tiers").get(0).get("name").asText());
    }

    @Test
    void shouldKeepTheSecretsOfAProgramWhenAPatchDoesNotNameThem() throws Exception
    {
        // When the manager renames the program, then removes one secret by name
        final HttpResponse<String> renamed = admin.patch("/v1/programs/shop", "{\"name\":\"Shop & Co\"}");

        // Then the secrets it never saw are kept
        assertEquals(200, renamed.statusCode(), renamed.body());
        assertEquals("[\"apiKey\",\"stripe\"]", json.readTree(renamed.body()).get("secretsSet").toString());

        // And null removes only the secret it names
        final HttpResponse<String> removed = admin.patch("/v1/programs/shop", "{\"secrets\":{\"stripe\":null}}");
        assertEquals("[\"apiKey\"]", json.readTree(removed.body()).get("secretsSet").toString());
        admin.patch("/v1/programs/shop", "{\"secrets\":{\"stripe\":\"whsec_" + SECRET + "\"}}");
    }

    @Test
    void shouldRefuseAPatchThatIsNotAMergePatchWith415NamingTheType() throws Exception
    {
        final HttpResponse<String> response = admin.patch("/v1/partners/pending1", "{\"name\":\"X\"}",
            "Content-Type", "application/json");

        assertEquals(415, response.statusCode(), response.body());
        assertTrue(response.body().contains(AdminClient.MERGE_PATCH), response.body());
    }

    @Test
    void shouldCheckTheMergedDocumentAsAPutBodyNamingTheField() throws Exception
    {
        // Given a partner
        admin.putOk("/v1/partners/checked", "{\"programId\":\"shop\",\"name\":\"Cher\"}");
        final String before = admin.getOk("/v1/partners/checked");

        // When patches break a rule, a type or the shape
        final HttpResponse<String> badEmail = admin.patch("/v1/partners/checked", "{\"email\":\"not-an-email\"}");
        final HttpResponse<String> badType = admin.patch("/v1/partners/checked", "{\"monthlyCap\":\"lots\"}");
        final HttpResponse<String> unknown = admin.patch("/v1/partners/checked", "{\"health\":100}");
        final HttpResponse<String> noName = admin.patch("/v1/partners/checked", "{\"name\":null}");
        final HttpResponse<String> notAnObject = admin.patch("/v1/partners/checked", "[]");

        // Then each is a 400 naming the field, and the partner is unchanged
        assertBadRequest(badEmail, "email");
        assertBadRequest(badType, "monthlyCap");
        assertBadRequest(unknown, "health");
        assertBadRequest(noName, "name");
        assertBadRequest(notAnObject, "JSON object");
        assertEquals(before, admin.getOk("/v1/partners/checked"));
    }

    @Test
    void shouldRefuseAPatchOfTheJoinedTime() throws Exception
    {
        admin.putOk("/v1/partners/joined", "{\"programId\":\"shop\",\"name\":\"Joy\"}");

        final HttpResponse<String> response = admin.patch("/v1/partners/joined",
            "{\"joinedAt\":\"2020-01-01T00:00:00Z\"}");

        assertBadRequest(response, "joinedAt");
    }

    @Test
    void shouldAnswer404ForAPatchOfAnUnknownEntity() throws Exception
    {
        for (final String path : List.of("/v1/partners/nobody", "/v1/programs/none", "/v1/links/none",
            "/v1/coupons/NONE"))
        {
            final HttpResponse<String> response = admin.patch(path, "{\"name\":\"X\"}", "If-Match", "*");

            assertEquals(404, response.statusCode(), path + " " + response.body());
        }
    }

    @Test
    void shouldPatchALinkAndACoupon() throws Exception
    {
        // Given a link and a coupon of one partner
        admin.putOk("/v1/partners/linker", "{\"programId\":\"shop\",\"name\":\"Lin\"}");
        admin.putOk("/v1/partners/other", "{\"programId\":\"shop\",\"name\":\"Otto\"}");
        admin.putOk("/v1/links/lin-1", "{\"partnerId\":\"linker\",\"destination\":\"https://shop.example/a\"}");
        admin.putOk("/v1/coupons/LIN10", "{\"partnerId\":\"linker\"}");

        // When the manager patches the link's destination and the coupon's partner
        final HttpResponse<String> link = admin.patch("/v1/links/lin-1",
            "{\"destination\":\"https://shop.example/b\"}");
        final HttpResponse<String> coupon = admin.patch("/v1/coupons/LIN10", "{\"partnerId\":\"other\"}");

        // Then the link keeps its partner and the coupon moved
        assertEquals(200, link.statusCode(), link.body());
        assertEquals("linker", json.readTree(link.body()).get("partnerId").asText());
        assertEquals("https://shop.example/b", json.readTree(link.body()).get("destination").asText());
        assertEquals(200, coupon.statusCode(), coupon.body());
        assertEquals("other", admin.getJson("/v1/coupons/LIN10").get("partnerId").asText());
    }

    @Test
    void shouldTagEveryReadAndWriteWithTheVersionItAnswers() throws Exception
    {
        // Given a partner as created
        final HttpResponse<String> created = admin.put("/v1/partners/tagged",
            "{\"programId\":\"shop\",\"name\":\"Tag\"}");
        final String createdTag = created.headers().firstValue("ETag").orElseThrow();

        // Then a read answers the same tag, a strong quoted one
        assertEquals(createdTag, admin.etag("/v1/partners/tagged"));
        assertTrue(createdTag.matches("\"[A-Za-z0-9_-]{22}\""), createdTag);

        // And a change answers a new one, which the next read answers too
        final HttpResponse<String> changed = admin.patch("/v1/partners/tagged", "{\"name\":\"Tagged\"}");
        final String changedTag = changed.headers().firstValue("ETag").orElseThrow();
        assertNotEquals(createdTag, changedTag);
        assertEquals(changedTag, admin.etag("/v1/partners/tagged"));
        for (final String path : List.of("/v1/programs/shop", "/v1/links/lin-1", "/v1/coupons/LIN10"))
        {
            final HttpResponse<String> read = admin.get(path);
            if (200 == read.statusCode())
            {
                assertTrue(read.headers().firstValue("ETag").isPresent(), path);
            }
        }
    }

    @Test
    void shouldRefuseTheSecondOfTwoManagersWritingOverTheVersionTheyBothRead() throws Exception
    {
        // Given two managers who read the same version of a partner
        admin.putOk("/v1/partners/shared", "{\"programId\":\"shop\",\"name\":\"Sam\",\"email\":\"sam@example.com\"}");
        final String read = admin.etag("/v1/partners/shared");

        // When the first patches it with that version, then the second replaces it with that version
        final HttpResponse<String> first = admin.patch("/v1/partners/shared", "{\"email\":\"sam@new.example\"}",
            "If-Match", read);
        final HttpResponse<String> second = admin.put("/v1/partners/shared",
            "{\"programId\":\"shop\",\"name\":\"Samuel\",\"email\":\"sam@example.com\"}", "If-Match", read);

        // Then the first wins and the second is told to re-read; nothing of the second is written
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(412, second.statusCode(), second.body());
        assertTrue(second.body().contains("re-read"), second.body());
        final JsonNode partner = admin.getJson("/v1/partners/shared");
        assertEquals("sam@new.example", partner.get("email").asText());
        assertEquals("Sam", partner.get("name").asText());

        // And the second, having re-read, writes
        final HttpResponse<String> retried = admin.patch("/v1/partners/shared", "{\"name\":\"Samuel\"}",
            "If-Match", admin.etag("/v1/partners/shared"));
        assertEquals(200, retried.statusCode(), retried.body());
    }

    @Test
    void shouldLetExactlyOneOfTwoRacingWritesOverOneVersionThrough() throws Exception
    {
        // Given two managers holding the same version of a program
        final String read = admin.etag("/v1/programs/shop");
        final CountDownLatch start = new CountDownLatch(1);
        final List<CompletableFuture<HttpResponse<String>>> racing = new ArrayList<>();
        for (final String minPayout : List.of("1000", "2000"))
        {
            racing.add(CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    start.await();
                    return admin.patch("/v1/programs/shop", "{\"minPayout\":" + minPayout + "}", "If-Match", read);
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }));
        }

        // When both send their patch at once
        start.countDown();
        final List<Integer> statuses = new ArrayList<>();
        for (final CompletableFuture<HttpResponse<String>> answer : racing)
        {
            statuses.add(answer.get().statusCode());
        }

        // Then one is written and the other refused
        statuses.sort(Integer::compare);
        assertEquals(List.of(200, 412), statuses);
    }

    @Test
    void shouldLandBothOfTwoRacingPatchesOfDifferentFieldsWithoutConditions() throws Exception
    {
        // Given a partner, and two managers patching different fields of it at once, without If-Match
        admin.putOk("/v1/partners/busy", "{\"programId\":\"shop\",\"name\":\"Bea\"}");
        final CountDownLatch start = new CountDownLatch(1);
        final List<CompletableFuture<HttpResponse<String>>> racing = new ArrayList<>();
        for (final String patch : List.of("{\"email\":\"bea@example.com\"}", "{\"payoutAccount\":\"bea@pay.example\"}"))
        {
            racing.add(CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    start.await();
                    return admin.patch("/v1/partners/busy", patch);
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }));
        }

        // When both land
        start.countDown();
        for (final CompletableFuture<HttpResponse<String>> answer : racing)
        {
            assertEquals(200, answer.get().statusCode(), answer.get().body());
        }

        // Then each applied to the version the other wrote: both changes are there
        final JsonNode partner = admin.getJson("/v1/partners/busy");
        assertEquals("bea@example.com", partner.get("email").asText());
        assertEquals("bea@pay.example", partner.get("payoutAccount").asText());
    }

    @Test
    void shouldJudgeTheConditionsBeforeTheBody() throws Exception
    {
        // Given a stale tag
        admin.putOk("/v1/partners/stale", "{\"programId\":\"shop\",\"name\":\"Stan\"}");
        final String stale = admin.etag("/v1/partners/stale");
        admin.patch("/v1/partners/stale", "{\"name\":\"Stanley\"}");

        // When a write with it also has an invalid body
        final HttpResponse<String> response = admin.patch("/v1/partners/stale", "{\"email\":\"nope\"}",
            "If-Match", stale);

        // Then the answer is about the version
        assertEquals(412, response.statusCode(), response.body());
    }

    @Test
    void shouldKeepTheVersionOfAnEmptyPatch() throws Exception
    {
        admin.putOk("/v1/partners/still", "{\"programId\":\"shop\",\"name\":\"Stil\"}");
        final String before = admin.etag("/v1/partners/still");

        final HttpResponse<String> response = admin.patch("/v1/partners/still", "{}", "If-Match", before);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(before, response.headers().firstValue("ETag").orElseThrow());
    }

    @Test
    void shouldCreateOnlyWithIfNoneMatchStar() throws Exception
    {
        // When a partner is put create-only twice
        final HttpResponse<String> created = admin.put("/v1/partners/once",
            "{\"programId\":\"shop\",\"name\":\"Una\"}", "If-None-Match", "*");
        final HttpResponse<String> again = admin.put("/v1/partners/once",
            "{\"programId\":\"shop\",\"name\":\"Overwritten\"}", "If-None-Match", "*");

        // Then the first creates it and the second is refused without writing
        assertEquals(200, created.statusCode(), created.body());
        assertEquals(412, again.statusCode(), again.body());
        assertTrue(again.body().contains("already exists"), again.body());
        assertEquals("Una", admin.getJson("/v1/partners/once").get("name").asText());
    }

    @Test
    void shouldRequireAnExistingEntityForIfMatchStarAndRefuseAMalformedIfMatch() throws Exception
    {
        final HttpResponse<String> absent = admin.put("/v1/partners/ghost",
            "{\"programId\":\"shop\",\"name\":\"Ghost\"}", "If-Match", "*");
        final HttpResponse<String> malformed = admin.patch("/v1/programs/shop", "{\"name\":\"Shop\"}",
            "If-Match", "not-quoted");

        assertEquals(412, absent.statusCode(), absent.body());
        assertEquals(404, admin.get("/v1/partners/ghost").statusCode());
        assertBadRequest(malformed, "If-Match");
    }

    @Test
    void shouldKeepTheJoinedTimeThroughAPut() throws Exception
    {
        // Given a partner
        admin.putOk("/v1/partners/kept", "{\"programId\":\"shop\",\"name\":\"Kip\"}");
        final String etag = admin.etag("/v1/partners/kept");

        // When it is replaced without its joined time
        final HttpResponse<String> replaced = admin.put("/v1/partners/kept",
            "{\"programId\":\"shop\",\"name\":\"Kip\"}", "If-Match", etag);

        // Then nothing changed: the same version, so the same joined time
        assertEquals(200, replaced.statusCode(), replaced.body());
        assertEquals(etag, replaced.headers().firstValue("ETag").orElseThrow());

        // And a PUT that names another joined time is refused
        assertBadRequest(admin.put("/v1/partners/kept",
            "{\"programId\":\"shop\",\"name\":\"Kip\",\"joinedAt\":\"2020-01-01T00:00:00Z\"}"), "joinedAt");
    }

    private static void assertBadRequest(final HttpResponse<String> response, final String naming)
    {
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.body().contains(naming), naming + " in " + response.body());
    }
}
