package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The program and partner directory over HTTP (part 8, item 1; docs/directory.md): each filter, each sort with its
 * ties, pages, refused parameters and who may read it.
 */
class DirectorySystemTest
{
    private static final String PROGRAM = "{\"name\":\"Shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
        "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
        "{\"name\":\"silver\",\"minConversions\":100,\"windowDays\":30,\"commissionPercent\":\"15\"}]," +
        "\"attributes\":[{\"name\":\"region\",\"type\":\"choice\",\"label\":\"Region\"," +
        "\"choices\":[\"emea\",\"amer\"]}," +
        "{\"name\":\"followers\",\"type\":\"number\",\"label\":\"Followers\"}]," +
        "\"secrets\":{\"apiKey\":\"" + AdminClient.API_KEY + "\"}}";
    private static final String PARTNERS = "/v1/programs/shop/partners";

    @TempDir
    Path dataDir;

    private ServiceFixture service;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        service.admin.putOk("/v1/programs/shop", PROGRAM);
        partner("ann", "Ann Archer", "ann@example.com", "active", "[\"vip\"]", "{\"region\":\"emea\",\"followers\":5}",
            null);
        partner("bob", "bob builder", "bob@builders.example", "paused", "[\"vip\",\"emea\"]",
            "{\"region\":\"amer\",\"followers\":12.50}", null);
        partner("cid", "Cid", null, "active", "[]", "{}", "silver");
        partner("dee", "Dee", "dee@example.com", "pending", "[\"new\"]", "{\"followers\":5.0}", null);
    }

    @AfterEach
    void stop()
    {
        service.close();
    }

    @Test
    void shouldListEveryPartnerWithItsRecordAndMetrics() throws Exception
    {
        final JsonNode page = service.admin.getJson(PARTNERS + "?sort=name");

        assertEquals(List.of("ann", "bob", "cid", "dee"), ids(page));
        assertTrue(page.get("next").isNull());
        final JsonNode ann = page.get("items").get(0);
        assertEquals("Ann Archer", ann.get("name").asText());
        assertEquals("ann@example.com", ann.get("email").asText());
        assertEquals("active", ann.get("status").asText());
        assertEquals("bronze", ann.get("tier").asText());
        assertEquals("[\"vip\"]", ann.get("tags").toString());
        assertEquals("emea", ann.get("attributes").get("region").asText());
        assertEquals(25, ann.get("health").asInt()); // no activity at all
        assertEquals(0, ann.get("clicks").asLong());
        assertEquals(0, ann.get("conversions").asLong());
        assertEquals(0, ann.get("epc").decimalValue().signum(), ann.toString());
        assertEquals(0, ann.get("conversionRate").decimalValue().signum(), ann.toString());
        assertEquals("USD", ann.get("currency").asText());
        assertFalse(ann.has("payoutAccount"));
    }

    @Test
    void shouldFilterByStatus() throws Exception
    {
        assertEquals(List.of("ann", "cid"), ids(PARTNERS + "?sort=name&status=active"));
        assertEquals(List.of("bob", "dee"), ids(PARTNERS + "?sort=name&status=paused,pending"));
    }

    @Test
    void shouldFilterByTierWithAPinnedTierCountingWhileItLasts() throws Exception
    {
        assertEquals(List.of("cid"), ids(PARTNERS + "?sort=name&tier=silver"));
        assertEquals(List.of("ann", "bob", "dee"), ids(PARTNERS + "?sort=name&tier=bronze"));
    }

    @Test
    void shouldFilterByAnyOfTheTags() throws Exception
    {
        assertEquals(List.of("ann", "bob"), ids(PARTNERS + "?sort=name&tag=vip"));
        assertEquals(List.of("bob", "dee"), ids(PARTNERS + "?sort=name&tag=emea,new"));
        assertEquals(List.of("ann", "bob"), ids(PARTNERS + "?sort=name&tag=VIP"));
    }

    @Test
    void shouldFilterByAttributeComparingNumbersAsNumbers() throws Exception
    {
        assertEquals(List.of("ann"), ids(PARTNERS + "?sort=name&attr.region=emea"));
        assertEquals(List.of("ann", "dee"), ids(PARTNERS + "?sort=name&attr.followers=5"));
        assertEquals(List.of("bob"), ids(PARTNERS + "?sort=name&attr.followers=12.5&attr.region=amer"));
    }

    @Test
    void shouldSearchNameAndEmailCaseInsensitively() throws Exception
    {
        assertEquals(List.of("ann", "bob"), ids(PARTNERS + "?sort=name&q=" + encode("ER")));
        assertEquals(List.of("bob"), ids(PARTNERS + "?sort=name&q=builders.EXAMPLE"));
        assertEquals(List.of("ann", "dee"), ids(PARTNERS + "?sort=name&q=" + encode("@example.com")));
    }

    @Test
    void shouldCombineFiltersWithAnd() throws Exception
    {
        assertEquals(List.of("ann"), ids(PARTNERS + "?sort=name&status=active&tag=vip&tier=bronze"));
        assertEquals(List.of(), ids(PARTNERS + "?status=pending&tag=vip"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "clicks", "conversions", "revenue", "commission", "epc", "conversionRate", "health" })
    void shouldBreakTiesByPartnerIdInEitherOrder(final String sort) throws Exception
    {
        // Every partner has no activity: all tie, and the id decides
        assertEquals(List.of("ann", "bob", "cid", "dee"), ids(PARTNERS + "?sort=" + sort + "&order=desc"));
        assertEquals(List.of("ann", "bob", "cid", "dee"), ids(PARTNERS + "?sort=" + sort + "&order=asc"));
    }

    @Test
    void shouldSortByClicksThenByIdOnATie() throws Exception
    {
        service.admin.seedLink("ann-1", "ann");
        service.admin.seedLink("bob-1", "bob");
        service.admin.seedLink("cid-1", "cid");
        click("ann-1", 2);
        click("bob-1", 1);
        click("cid-1", 2);
        service.awaitCommitted();

        assertEquals(List.of("ann", "cid", "bob", "dee"), ids(PARTNERS + "?sort=clicks"));
        assertEquals(List.of("dee", "bob", "ann", "cid"), ids(PARTNERS + "?sort=clicks&order=asc"));
    }

    @Test
    void shouldSortByHealthWithActivityRaisingTheScore() throws Exception
    {
        service.admin.seedLink("bob-1", "bob");
        click("bob-1", 5);
        service.awaitCommitted();

        final JsonNode page = service.admin.getJson(PARTNERS + "?sort=health");
        assertEquals(List.of("bob", "ann", "cid", "dee"), ids(page));
        assertTrue(page.get("items").get(0).get("health").asInt() > 25, page.toString());
    }

    @Test
    void shouldSortByNameCaseInsensitivelyAscendingByDefault() throws Exception
    {
        partner("aaron", "aaron", null, "active", "[]", "{}", null);

        assertEquals(List.of("aaron", "ann", "bob", "cid", "dee"), ids(PARTNERS + "?sort=name"));
        assertEquals(List.of("dee", "cid", "bob", "ann", "aaron"), ids(PARTNERS + "?sort=name&order=desc"));
    }

    @Test
    void shouldWalkEveryPartnerExactlyOnceAcrossPagesWhilePartnersAreAdded() throws Exception
    {
        for (int i = 0; i < 21; i++)
        {
            partner(String.format("w%02d", i), "Walker " + (char)('a' + (i * 7) % 21), null, "active", "[]", "{}",
                null);
        }
        final Set<String> expected = new HashSet<>(ids(PARTNERS + "?limit=500"));
        final List<String> walked = new ArrayList<>();
        String cursor = null;
        int added = 0;
        do
        {
            final JsonNode page = service.admin.getJson(PARTNERS + "?sort=name&limit=4" +
                (null == cursor ? "" : "&cursor=" + cursor));
            assertTrue(page.get("items").size() <= 4);
            walked.addAll(ids(page));
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
            // A partner added while the list is walked, before and after the page's position
            partner("x" + added, (0 == added % 2 ? "a" : "z") + " late " + added, null, "active", "[]", "{}", null);
            added++;
        }
        while (null != cursor);

        assertEquals(walked.size(), new HashSet<>(walked).size(), "a partner listed twice: " + walked);
        assertTrue(new HashSet<>(walked).containsAll(expected), "a partner skipped: " + walked);
    }

    @Test
    void shouldRefuseBadParametersNamingThem() throws Exception
    {
        assertBadRequest(PARTNERS + "?colour=red", "colour");
        assertBadRequest(PARTNERS + "?status=active&status=paused", "status");
        assertBadRequest(PARTNERS + "?sort=popularity", "sort");
        assertBadRequest(PARTNERS + "?order=up", "order");
        assertBadRequest(PARTNERS + "?limit=0", "limit");
        assertBadRequest(PARTNERS + "?limit=501", "limit");
        assertBadRequest(PARTNERS + "?limit=ten", "limit");
        assertBadRequest(PARTNERS + "?cursor=not-a-cursor", "cursor");
        assertBadRequest(PARTNERS + "?status=retired", "status");
        assertBadRequest(PARTNERS + "?tier=platinum", "tier");
        assertBadRequest(PARTNERS + "?attr.shoeSize=42", "attr.shoeSize");
        assertBadRequest(PARTNERS + "?attr.followers=many", "attr.followers");
        assertBadRequest(PARTNERS + "?attr.region=apac", "attr.region");
        assertBadRequest(PARTNERS + "?from=2026-13-01", "from");
        assertBadRequest(PARTNERS + "?from=2026-02-01&to=2026-01-01", "from");
        assertBadRequest(PARTNERS + "?segment=nope", "segment");
        assertBadRequest(PARTNERS + "?q=" + "x".repeat(201), "q");
    }

    @Test
    void shouldRefuseACursorOfAnotherSort() throws Exception
    {
        final String next = service.admin.getJson(PARTNERS + "?sort=name&limit=1").get("next").asText();

        assertBadRequest(PARTNERS + "?sort=clicks&limit=1&cursor=" + next, "cursor");
        assertBadRequest(PARTNERS + "?sort=name&order=desc&limit=1&cursor=" + next, "cursor");
    }

    @Test
    void shouldAnswerNotFoundForAnUnknownProgram() throws Exception
    {
        assertEquals(404, service.admin.get("/v1/programs/nope/partners").statusCode());
    }

    @Test
    void shouldShowAnalystsTheMetricsButNeverAPartner() throws Exception
    {
        final AdminClient analyst = new AdminClient(service.aggregator.adminPort(), ServiceFixture.ANALYST_TOKEN);
        final JsonNode item = analyst.getJson(PARTNERS + "?sort=name&limit=1").get("items").get(0);
        assertTrue(item.has("commission") && item.has("epc") && item.has("revenue") && item.has("email"),
            item.toString());

        final String partnerToken = service.admin.getJson("/v1/partners/ann/token").get("token").asText();
        final AdminClient partner = new AdminClient(service.aggregator.adminPort(), partnerToken);
        assertEquals(403, partner.get(PARTNERS).statusCode());
        assertEquals(403, partner.get("/v1/programs").statusCode());
    }

    @Test
    void shouldListProgramsInIdOrderWithTheirPartnerCounts() throws Exception
    {
        service.admin.putOk("/v1/programs/apps", "{\"name\":\"Apps\",\"currency\":\"EUR\"}");

        final JsonNode first = service.admin.getJson("/v1/programs?limit=1");
        assertEquals(List.of("apps"), ids(first));
        assertEquals(0, first.get("items").get(0).get("partners").asInt());
        final JsonNode second = service.admin.getJson("/v1/programs?limit=1&cursor=" + first.get("next").asText());
        assertEquals(List.of("shop"), ids(second));
        assertEquals(4, second.get("items").get(0).get("partners").asInt());
        assertEquals("[\"bronze\",\"silver\"]", second.get("items").get(0).get("tiers").toString());
        assertNull(second.get("next").textValue());
        assertBadRequest("/v1/programs?cursor=%25%25", "cursor");
    }

    @Test
    void shouldShowAProgramScopedTokenOnlyItsProgram() throws Exception
    {
        service.admin.putOk("/v1/programs/apps", "{\"name\":\"Apps\",\"currency\":\"EUR\"}");
        final HttpResponse<String> created = service.admin.post("/v1/tokens",
            "{\"name\":\"shop analyst\",\"role\":\"analyst\",\"programId\":\"shop\"}");
        assertEquals(201, created.statusCode(), created.body());
        final AdminClient shopAnalyst = new AdminClient(service.aggregator.adminPort(),
            new ObjectMapper().readTree(created.body()).get("token").asText());

        assertEquals(List.of("shop"), ids(shopAnalyst.getJson("/v1/programs")));
        assertEquals(4, ids(shopAnalyst.getJson(PARTNERS)).size());
        assertEquals(403, shopAnalyst.get("/v1/programs/apps/partners").statusCode());
    }

    private void partner(final String id, final String name, final String email, final String status,
        final String tags, final String attributes, final String pinnedTier) throws Exception
    {
        service.admin.putOk("/v1/partners/" + id, "{\"programId\":\"shop\",\"name\":\"" + name + "\"," +
            (null == email ? "" : "\"email\":\"" + email + "\",") + "\"status\":\"" + status + "\",\"tags\":" + tags +
            ",\"attributes\":" + attributes + (null == pinnedTier ? "" :
            ",\"tierPin\":{\"tier\":\"" + pinnedTier + "\",\"reason\":\"launch partner\"}") + "}");
    }

    private void click(final String code, final int times) throws Exception
    {
        for (int i = 0; i < times; i++)
        {
            service.click(code, null);
        }
    }

    private void assertBadRequest(final String path, final String field) throws Exception
    {
        final HttpResponse<String> response = service.admin.get(path);
        assertEquals(400, response.statusCode(), path + " -> " + response.body());
        assertTrue(response.body().contains(field), path + " -> " + response.body());
    }

    private List<String> ids(final String path) throws Exception
    {
        return ids(service.admin.getJson(path));
    }

    private static List<String> ids(final JsonNode page)
    {
        final List<String> ids = new ArrayList<>();
        for (final JsonNode item : page.get("items"))
        {
            ids.add(item.get("id").asText());
        }
        return ids;
    }

    private static String encode(final String value)
    {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
