package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Journal;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.Await;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Part 8, item 4 over HTTP against the real in-process service: a program's custom attribute schema and its
 * partners' values, tags, saved segments, and bulk changes on a segment, a filter or an id list (docs/catalog.md).
 *
 * <p>The program "shop" has tiers bronze and gold and four attributes: niche (a required choice), audience (a
 * number), since (a date) and notes (text). Partners ann and bob (fashion) and eve (tech) are tagged vip; cat (food)
 * is not.
 */
class SegmentsAndBulkSystemTest
{
    private static final String PROGRAM = "/v1/programs/shop";
    private static final String BULK = PROGRAM + "/partners/bulk";
    private static final String SCHEMA = "\"attributes\":[" +
        "{\"name\":\"niche\",\"type\":\"choice\",\"label\":\"Niche\",\"required\":true," +
        "\"choices\":[\"fashion\",\"tech\",\"food\"]}," +
        "{\"name\":\"audience\",\"type\":\"number\"},{\"name\":\"since\",\"type\":\"date\"}," +
        "{\"name\":\"notes\",\"type\":\"text\"}]";

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong clock = new AtomicLong(Instant.parse("2026-05-04T09:00:00Z").toEpochMilli());
    private ServiceFixture service;
    private AdminClient admin;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get);
        admin = service.admin;
        admin.putOk(PROGRAM, program(SCHEMA));
        partner("ann", "fashion", "[\"VIP\"]");
        partner("bob", "fashion", "[\"vip\",\"newsletter\"]");
        partner("cat", "food", "[]");
        partner("eve", "tech", "[\"vip\"]");
    }

    @AfterEach
    void stop()
    {
        if (null != service)
        {
            service.close();
        }
    }

    private static String program(final String schema)
    {
        return "{\"name\":\"Shop\",\"currency\":\"USD\"," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
            "{\"name\":\"gold\",\"minConversions\":10,\"commissionPercent\":\"15\"}]," + schema + "}";
    }

    private void partner(final String id, final String niche, final String tags) throws Exception
    {
        admin.putOk("/v1/partners/" + id, "{\"programId\":\"shop\",\"name\":\"" + id + "\",\"email\":\"" + id +
            "@example.com\",\"tags\":" + tags + ",\"attributes\":{\"niche\":\"" + niche + "\"}}");
    }

    private HttpResponse<String> putPartner(final String id, final String attributesAndTags) throws Exception
    {
        return admin.put("/v1/partners/" + id, "{\"programId\":\"shop\",\"name\":\"" + id + "\"," +
            attributesAndTags + "}");
    }

    private JsonNode read(final String path) throws Exception
    {
        return admin.getJson(path);
    }

    private JsonNode body(final HttpResponse<String> response) throws IOException
    {
        return json.readTree(response.body());
    }

    private HttpResponse<String> delete(final String path) throws Exception
    {
        return admin.send(admin.builder(path).DELETE());
    }

    private static void assertRefused(final int status, final String message, final HttpResponse<String> response)
    {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().contains(message), response.body());
    }

    // ---- attribute schema and values

    @Test
    void shouldAnswer400NamingTheDefinitionOfAnInvalidAttributeSchema() throws Exception
    {
        final Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("[{\"name\":\"Niche\",\"type\":\"text\"}]", "attributes[0].name 'Niche' is invalid");
        refusals.put("[{\"name\":\"a\",\"type\":\"text\"},{\"name\":\"a\",\"type\":\"date\"}]",
            "attributes[1].name 'a' is used twice");
        refusals.put("[{\"name\":\"a\",\"type\":\"colour\"}]", "attributes[0].type 'colour' is invalid");
        refusals.put("[{\"name\":\"a\",\"type\":\"text\",\"choices\":[\"x\"]}]",
            "attributes[0].choices is only for type choice");
        refusals.put("[{\"name\":\"a\",\"type\":\"choice\",\"choices\":[]}]", "attributes[0].choices must list 1-100");
        refusals.put("[{\"name\":\"a\",\"type\":\"choice\",\"choices\":[\"x\",\"x\"]}]",
            "attributes[0].choices[1] 'x' is listed twice");
        refusals.put("[{\"name\":\"a\",\"type\":\"text\",\"label\":\"" + "L".repeat(101) + "\"}]",
            "attributes[0].label must be 1-100");
        final StringJoiner tooMany = new StringJoiner(",", "[", "]");
        for (int i = 0; i < 51; i++)
        {
            tooMany.add("{\"name\":\"a" + i + "\",\"type\":\"text\"}");
        }
        refusals.put(tooMany.toString(), "attributes has more than 50 entries");
        final List<Runnable> checks = new ArrayList<>();
        for (final Map.Entry<String, String> refusal : refusals.entrySet())
        {
            final HttpResponse<String> response = admin.put("/v1/programs/other",
                program("\"attributes\":" + refusal.getKey()));
            checks.add(() -> assertRefused(400, refusal.getValue(), response));
        }
        assertAll(checks.stream().map(check -> check::run));
    }

    @Test
    void shouldAnswer400NamingTheAttributeAndTheExpectedTypeOfAnInvalidPartnerValue() throws Exception
    {
        final Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("{\"niche\":\"tech\",\"colour\":\"red\"}", "attributes.colour is not an attribute of the program");
        refusals.put("{\"niche\":\"tech\",\"audience\":\"12000\"}", "attributes.audience must be a number");
        refusals.put("{\"niche\":\"tech\",\"audience\":1e16}", "attributes.audience must be a number between");
        refusals.put("{\"niche\":\"tech\",\"since\":\"2026-02-30\"}",
            "attributes.since '2026-02-30' is not a real date");
        refusals.put("{\"niche\":\"tech\",\"since\":20260101}", "attributes.since must be a date");
        refusals.put("{\"niche\":\"sports\"}", "attributes.niche 'sports' is not one of [fashion, tech, food]");
        refusals.put("{\"niche\":\"tech\",\"notes\":\"" + "n".repeat(501) + "\"}",
            "attributes.notes must be at most 500 characters");
        refusals.put("{\"audience\":12}", "attributes.niche is required");
        final List<Runnable> checks = new ArrayList<>();
        for (final Map.Entry<String, String> refusal : refusals.entrySet())
        {
            final HttpResponse<String> response = putPartner("new", "\"attributes\":" + refusal.getKey());
            checks.add(() -> assertRefused(400, refusal.getValue(), response));
        }
        assertAll(checks.stream().map(check -> check::run));
        assertEquals(404, admin.get("/v1/partners/new").statusCode());
    }

    @Test
    void shouldStoreAPartnersValuesInNameOrderAndShowThem() throws Exception
    {
        admin.putOk("/v1/partners/dan", "{\"programId\":\"shop\",\"name\":\"Dan\",\"attributes\":" +
            "{\"since\":\"2024-02-29\",\"niche\":\"tech\",\"audience\":12000,\"notes\":\"Line one\\nline two\"}}");

        assertEquals("{\"audience\":12000,\"niche\":\"tech\",\"notes\":\"Line one\\nline two\"," +
            "\"since\":\"2024-02-29\"}",
            read("/v1/partners/dan").get("attributes").toString());
    }

    @Test
    void shouldKeepAValueTheSchemaNoLongerAcceptsUntilAWriteChangesIt() throws Exception
    {
        // Given bob's niche is fashion, and the schema drops fashion from the choices
        admin.putOk(PROGRAM, program(SCHEMA.replace("\"fashion\",", "")));

        // Then bob still shows fashion, and a write leaving it as it was passes
        assertEquals("fashion", read("/v1/partners/bob").get("attributes").get("niche").asText());
        admin.putOk("/v1/partners/bob",
            "{\"programId\":\"shop\",\"name\":\"Bob B\",\"attributes\":{\"niche\":\"fashion\"}}");
        assertEquals("Bob B", read("/v1/partners/bob").get("name").asText());
        // But setting it anew to a value no longer listed is refused, and removing the required value too
        assertRefused(400, "attributes.niche 'fashion' is not one of [tech, food]", putPartner("cat",
            "\"attributes\":{\"niche\":\"fashion\"}"));
        assertRefused(400, "attributes.niche is required", putPartner("bob", "\"attributes\":{}"));
    }

    @Test
    void shouldNormaliseTagsAndAnswer400NamingAnInvalidOne() throws Exception
    {
        admin.putOk("/v1/partners/ann",
            "{\"programId\":\"shop\",\"name\":\"ann\",\"attributes\":{\"niche\":\"fashion\"}," +
            "\"tags\":[\" VIP \",\"black-friday\",\"vip\",\"Q3:2026\"]}");

        assertEquals("[\"vip\",\"black-friday\",\"q3:2026\"]", read("/v1/partners/ann").get("tags").toString());
        assertRefused(400, "tags[1] 'black friday' is not a tag", putPartner("ann",
            "\"attributes\":{\"niche\":\"fashion\"},\"tags\":[\"ok\",\"black friday\"]"));
        assertRefused(400, "tags[0] '-x' is not a tag", putPartner("ann",
            "\"attributes\":{\"niche\":\"fashion\"},\"tags\":[\"-x\"]"));
        assertRefused(400, "tags has more than 50 entries", putPartner("ann",
            "\"attributes\":{\"niche\":\"fashion\"},\"tags\":" + tags(51)));
    }

    private static String tags(final int count)
    {
        final StringJoiner tags = new StringJoiner(",", "[", "]");
        for (int i = 0; i < count; i++)
        {
            tags.add("\"t" + i + "\"");
        }
        return tags.toString();
    }

    // ---- saved segments

    @Test
    void shouldSaveReadListAndDeleteASegment() throws Exception
    {
        final String filter = "{\"status\":[\"active\"],\"tags\":[\"VIP\"],\"attributes\":{\"niche\":\"fashion\"}}";
        admin.putOk(PROGRAM + "/segments/vip-fashion", "{\"name\":\"VIP fashion\",\"filter\":" + filter + "}");
        admin.putOk(PROGRAM + "/segments/all", "{\"name\":\"Everyone\",\"filter\":{}}");

        final JsonNode segment = read(PROGRAM + "/segments/vip-fashion");
        assertEquals("VIP fashion", segment.get("name").asText());
        assertEquals("[\"vip\"]", segment.get("filter").get("tags").toString());
        final JsonNode page = read(PROGRAM + "/segments?limit=1");
        assertEquals("all", page.get("items").get(0).get("id").asText());
        final JsonNode next = read(PROGRAM + "/segments?limit=1&cursor=" + page.get("next").asText());
        assertEquals("vip-fashion", next.get("items").get(0).get("id").asText());
        assertTrue(next.get("next").isNull());
        assertEquals(200, delete(PROGRAM + "/segments/vip-fashion").statusCode());
        assertEquals(404, admin.get(PROGRAM + "/segments/vip-fashion").statusCode());
        assertEquals(404, delete(PROGRAM + "/segments/vip-fashion").statusCode());
        assertRefused(400, "cursor", admin.get(PROGRAM + "/segments?cursor=!!"));
    }

    @Test
    void shouldAnswer400ForASegmentFilterNamingAnUnknownStatusTierOrAttribute() throws Exception
    {
        assertAll(
            () -> assertRefused(400, "filter.status 'asleep' is not a partner status", admin.put(PROGRAM +
                "/segments/s", "{\"name\":\"s\",\"filter\":{\"status\":[\"asleep\"]}}")),
            () -> assertRefused(400, "filter.tier 'platinum' is not a tier of the program", admin.put(PROGRAM +
                "/segments/s", "{\"name\":\"s\",\"filter\":{\"tier\":[\"platinum\"]}}")),
            () -> assertRefused(400, "filter.attributes.colour is not an attribute of the program", admin.put(
                PROGRAM + "/segments/s", "{\"name\":\"s\",\"filter\":{\"attributes\":{\"colour\":\"red\"}}}")),
            () -> assertRefused(400, "filter.attributes.niche 'sports' is not one of", admin.put(PROGRAM +
                "/segments/s", "{\"name\":\"s\",\"filter\":{\"attributes\":{\"niche\":\"sports\"}}}")),
            () -> assertRefused(400, "name is required", admin.put(PROGRAM + "/segments/s", "{\"filter\":{}}")),
            () -> assertRefused(404, "program", admin.put("/v1/programs/nope/segments/s",
                "{\"name\":\"s\",\"filter\":{}}")));
    }

    // ---- bulk changes

    @Test
    void shouldPauseEveryPartnerOfASegmentInOneChangeAndAnswerTheSummary() throws Exception
    {
        admin.putOk(PROGRAM + "/segments/vip", "{\"name\":\"VIP\",\"filter\":{\"tags\":[\"vip\"]}}");

        final HttpResponse<String> response = admin.post(BULK,
            "{\"segment\":\"vip\",\"action\":\"status\",\"status\":\"paused\",\"reason\":\"Q3 review\"}");

        assertEquals(200, response.statusCode(), response.body());
        final JsonNode summary = body(response);
        assertEquals(3, summary.get("matched").asInt());
        assertEquals(3, summary.get("changed").asInt());
        assertEquals("[\"ann\",\"bob\",\"eve\"]", summary.get("changedIds").toString());
        assertFalse(summary.get("requestId").asText().isEmpty());
        assertEquals("paused", read("/v1/partners/eve").get("status").asText());
        assertEquals("active", read("/v1/partners/cat").get("status").asText());
    }

    @Test
    void shouldRecordTheBulkChangeInTheAuditTrailWithEachPartnersFieldBeforeAndAfter() throws Exception
    {
        final HttpResponse<String> response = admin.post(BULK, "{\"filter\":{\"tier\":[\"bronze\"]," +
            "\"attributes\":{\"niche\":\"fashion\"}},\"action\":\"status\",\"status\":\"paused\"}");
        assertEquals(200, response.statusCode(), response.body());

        final JsonNode record = read("/v1/audit?action=bulk_partners").get("items").get(0);
        assertEquals(body(response).get("requestId").asText(), record.get("requestId").asText());
        assertEquals("admin", record.get("actor").get("tokenId").asText());
        assertEquals(2, record.get("after").get("changed").asInt());
        assertEquals("[{\"id\":\"ann\",\"before\":\"active\",\"after\":\"paused\"}," +
            "{\"id\":\"bob\",\"before\":\"active\",\"after\":\"paused\"}]",
            record.get("after").get("changes").toString());
    }

    @Test
    void shouldChangeNothingWhenOnePartnerOfTheSegmentCannotTakeTheChange() throws Exception
    {
        // Given eve already carries 50 tags
        admin.putOk("/v1/partners/eve",
            "{\"programId\":\"shop\",\"name\":\"eve\",\"attributes\":{\"niche\":\"tech\"}," +
            "\"tags\":" + tags(49).replace("]", ",\"vip\"]") + "}");
        admin.putOk(PROGRAM + "/segments/vip", "{\"name\":\"VIP\",\"filter\":{\"tags\":[\"vip\"]}}");

        // When a bulk change adds one more tag to every VIP
        final HttpResponse<String> response = admin.post(BULK,
            "{\"segment\":\"vip\",\"action\":\"tags\",\"add\":[\"summer\"]}");

        // Then it is refused, naming eve, and no partner changed
        assertRefused(422, "nothing was changed", response);
        final JsonNode failed = body(response).get("failed");
        assertEquals(1, failed.size(), response.body());
        assertEquals("eve", failed.get(0).get("id").asText());
        assertTrue(failed.get(0).get("message").asText().contains("tags has more than 50 entries"));
        assertEquals("[\"vip\"]", read("/v1/partners/ann").get("tags").toString());
    }

    @Test
    void shouldChangeNothingWhenAnIdIsNotAPartnerOfTheProgram() throws Exception
    {
        final HttpResponse<String> response = admin.post(BULK,
            "{\"ids\":[\"ann\",\"ghost\"],\"action\":\"status\",\"status\":\"suspended\"}");

        assertRefused(422, "not a partner of program 'shop'", response);
        assertEquals("ghost", body(response).get("failed").get(0).get("id").asText());
        assertEquals("active", read("/v1/partners/ann").get("status").asText());
    }

    @Test
    void shouldAddAndRemoveTagsOnAnIdListKeepingTheirOrder() throws Exception
    {
        final HttpResponse<String> response = admin.post(BULK,
            "{\"ids\":[\"bob\",\"cat\"],\"action\":\"tags\",\"add\":[\"Summer\",\"vip\"],\"remove\":[\"newsletter\"]}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("[\"vip\",\"summer\"]", read("/v1/partners/bob").get("tags").toString());
        assertEquals("[\"summer\",\"vip\"]", read("/v1/partners/cat").get("tags").toString());
    }

    @Test
    void shouldRecordATagChangeInTheTimelineWithItsTagsHiddenFromThePartnerItself() throws Exception
    {
        assertEquals(200, admin.post(BULK, "{\"ids\":[\"cat\"],\"action\":\"tags\",\"add\":[\"low-quality\"]}")
            .statusCode());

        final JsonNode event = read("/v1/partners/cat/timeline").get("events").get(0);
        assertEquals("partner.tags_changed", event.get("type").asText());
        assertEquals("{\"from\":null,\"to\":[\"low-quality\"]}", event.get("data").toString());
        final String token = read("/v1/partners/cat/token").get("token").asText();
        final AdminClient cat = new AdminClient(service.aggregator.adminPort(), token);
        final JsonNode own = cat.getJson("/v1/partners/cat/timeline").get("events").get(0);
        assertEquals("partner.tags_changed", own.get("type").asText());
        assertFalse(own.toString().contains("low-quality"), own.toString());
    }

    @Test
    void shouldSetAnAttributeAndACommissionOverrideByFilterAndCountPartnersAlreadyAsAsked() throws Exception
    {
        final String fashion = "\"filter\":{\"attributes\":{\"niche\":\"fashion\"}}";
        admin.putOk("/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"ann\",\"commissionPercent\":\"12.5\"," +
            "\"attributes\":{\"niche\":\"fashion\",\"audience\":5000}}");

        final JsonNode commission = body(admin.post(BULK, "{" + fashion +
            ",\"action\":\"commission\",\"commissionPercent\":\"12.5\"}"));
        final JsonNode attribute = body(admin.post(BULK, "{" + fashion +
            ",\"action\":\"attribute\",\"name\":\"audience\",\"value\":5000}"));

        assertEquals(List.of(2, 1, 1), List.of(commission.get("matched").asInt(), commission.get("changed").asInt(),
            commission.get("unchanged").asInt()), commission.toString());
        assertEquals("12.5", read("/v1/partners/bob").get("commissionPercent").asText());
        assertEquals(1, attribute.get("changed").asInt(), attribute.toString());
        assertEquals(5000, read("/v1/partners/bob").get("attributes").get("audience").asInt());
    }

    @Test
    void shouldAnswerWhatWouldChangeOnADryRunAndChangeNothing() throws Exception
    {
        final HttpResponse<String> response = admin.post(BULK, "{\"filter\":{\"q\":\"EXAMPLE.com\"}," +
            "\"action\":\"status\",\"status\":\"paused\",\"dryRun\":true}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(4, body(response).get("changed").asInt());
        assertTrue(body(response).get("dryRun").asBoolean());
        assertEquals("active", read("/v1/partners/ann").get("status").asText());
    }

    @Test
    void shouldAnswer400NamingTheFieldOfAnInvalidOrUnboundedBulkRequest() throws Exception
    {
        // The same id 10,001 times: distinct ids that many would pass the 64 KiB body limit first (a 413).
        final StringJoiner ids = new StringJoiner(",", "[", "]");
        for (int i = 0; i <= 10_000; i++)
        {
            ids.add("\"a\"");
        }
        assertAll(
            () -> assertRefused(400, "ids must list 1-10000 partner ids", admin.post(BULK,
                "{\"ids\":" + ids + ",\"action\":\"status\",\"status\":\"paused\"}")),
            () -> assertRefused(400, "give exactly one of segment, filter or ids", admin.post(BULK,
                "{\"ids\":[\"ann\"],\"filter\":{},\"action\":\"status\",\"status\":\"paused\"}")),
            () -> assertRefused(400, "add is not a field of action status", admin.post(BULK,
                "{\"ids\":[\"ann\"],\"action\":\"status\",\"status\":\"paused\",\"add\":[\"x\"]}")),
            () -> assertRefused(400, "action 'delete' is invalid", admin.post(BULK,
                "{\"ids\":[\"ann\"],\"action\":\"delete\"}")),
            () -> assertRefused(400, "segment 'nope' is not a segment of program 'shop'", admin.post(BULK,
                "{\"segment\":\"nope\",\"action\":\"status\",\"status\":\"paused\"}")),
            () -> assertRefused(400, "tierPin.tier 'platinum' is not a tier of the program", admin.post(BULK,
                "{\"ids\":[\"ann\"],\"action\":\"tierPin\",\"tierPin\":{\"tier\":\"platinum\",\"reason\":\"x\"}}")),
            () -> assertRefused(400, "attributes.audience must be a number", admin.post(BULK,
                "{\"ids\":[\"ann\"],\"action\":\"attribute\",\"name\":\"audience\",\"value\":\"many\"}")),
            () -> assertRefused(400, "commissionPercent '150' is not a decimal 0-100", admin.post(BULK,
                "{\"ids\":[\"ann\"],\"action\":\"commission\",\"commissionPercent\":\"150\"}")),
            () -> assertRefused(400, "unknown field", admin.post(BULK,
                "{\"ids\":[\"ann\"],\"action\":\"status\",\"status\":\"paused\",\"colour\":1}")));
    }

    // ---- replay

    @Test
    void shouldRebuildSegmentsAndBulkChangesByteIdenticalOnReplay() throws Exception
    {
        // Given segments saved, one deleted, and bulk changes applied and refused
        admin.putOk(PROGRAM + "/segments/vip", "{\"name\":\"VIP\",\"filter\":{\"tags\":[\"vip\"]}}");
        admin.putOk(PROGRAM + "/segments/food", "{\"name\":\"Food\",\"filter\":{\"attributes\":{\"niche\":\"food\"}}}");
        admin.putOk(PROGRAM + "/segments/gone", "{\"name\":\"Gone\",\"filter\":{}}");
        assertEquals(200, delete(PROGRAM + "/segments/gone").statusCode());
        assertEquals(200, admin.post(BULK, "{\"segment\":\"vip\",\"action\":\"status\",\"status\":\"paused\"}")
            .statusCode());
        assertEquals(200, admin.post(BULK, "{\"segment\":\"food\",\"action\":\"tags\",\"add\":[\"local\"]}")
            .statusCode());
        final Map<String, String> answers = answers(admin);
        service.close();
        service = null;

        // When a fresh aggregator replays the journal into a new data directory
        final Path replayDir = dataDir.resolve("replay");
        final Map<String, String> replayed;
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal"))))
        {
            final Aggregator replay = Replays.replay(journal, replayDir, clock::get);
            try
            {
                Await.committed(replay, journal);
                replayed = answers(new AdminClient(replay.adminPort(), ServiceFixture.ADMIN_TOKEN));
            }
            finally
            {
                replay.close();
            }
        }

        // Then it answers the same and its catalog table holds the same bytes
        assertEquals(answers, replayed);
        final Map<String, byte[]> original = Replays.table(dataDir, Table.CATALOG);
        final Map<String, byte[]> rebuilt = Replays.table(replayDir, Table.CATALOG);
        assertEquals(original.keySet(), rebuilt.keySet());
        for (final Map.Entry<String, byte[]> entry : original.entrySet())
        {
            assertArrayEquals(entry.getValue(), rebuilt.get(entry.getKey()), "catalog at " + entry.getKey());
        }
    }

    private static Map<String, String> answers(final AdminClient client) throws Exception
    {
        final Map<String, String> answers = new LinkedHashMap<>();
        answers.put("segments", client.getOk(PROGRAM + "/segments"));
        answers.put("gone", String.valueOf(client.get(PROGRAM + "/segments/gone").statusCode()));
        for (final String partner : List.of("ann", "bob", "cat", "eve"))
        {
            final JsonNode view = new ObjectMapper().readTree(client.getOk("/v1/partners/" + partner));
            answers.put(partner, view.get("status") + " " + view.get("tags") + " " + view.get("attributes"));
        }
        return answers;
    }
}
