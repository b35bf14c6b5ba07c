package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new program manager's first weeks, through the public API only (issue 17's "must show"): a 200-partner program
 * built from applications and a CSV import, approvals and rejections, a bulk status change on a saved segment, a tier
 * pin, an import refused for its bad rows and re-imported corrected; then the audit trail read back, naming the
 * named token that did each step.
 */
class ProgramManagerJourneySystemTest
{
    private static final long START_MS = 1_780_000_000_000L;
    private static final int APPLICANTS = 60;
    private static final int IMPORTED = 140;
    private static final String[] CHANNELS = { "youtube", "blog", "newsletter" };

    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong clock = new AtomicLong(START_MS);
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldRunA200PartnerProgramAndTellWhoDidEachStep() throws Exception
    {
        try (ServiceFixture service = new ServiceFixture(dataDir, clock::get))
        {
            // Given the operator's bootstrap admin, who creates the program and the named tokens of its people
            createProgram(service.admin);
            final Token maria = createToken(service.admin, "Maria (acme manager)", "admin", "acme");
            final Token finn = createToken(service.admin, "Finn (finance)", "finance", null);
            final AdminClient manager = new AdminClient(service.aggregator.adminPort(), maria.token());

            // When 60 people apply through the public form (at the pace its rate limit allows one address)
            final List<String> applicants = new ArrayList<>();
            for (int i = 0; i < APPLICANTS; i++)
            {
                clock.addAndGet(6_500);
                final HttpResponse<String> applied = apply(service, "Applicant " + i, "applicant" + i + "@example.com",
                    CHANNELS[i % 3], 1_000 + i);
                assertEquals(202, applied.statusCode(), applied.body());
                applicants.add(json.readTree(applied.body()).get("applicationId").asText());
            }

            // And Maria approves 45 of them and rejects 15 with a reason
            for (int i = 0; i < APPLICANTS; i++)
            {
                final boolean approve = i < 45;
                final HttpResponse<String> decided = manager.post("/v1/partners/" + applicants.get(i) +
                    (approve ? "/approve" : "/reject"), approve ? "{}" : "{\"reason\":\"outside our market\"}");
                assertEquals(200, decided.statusCode(), decided.body());
            }

            // And imports 140 partners from her old platform: first a file with three bad rows
            final String badFile = partnersCsv(true);
            final JsonNode dryRun = json.readTree(importCsv(manager, badFile, true).body());
            final HttpResponse<String> refused = importCsv(manager, badFile, false);

            // Then the dry run and the refused import name each bad row by line and field, and nothing was applied
            assertFalse(dryRun.get("valid").asBoolean());
            final Map<Integer, String> errors = new TreeMap<>();
            dryRun.get("errors").forEach(error -> errors.put(error.get("line").asInt(), error.get("field").asText()));
            assertEquals(Map.of(12, "email", 40, "attr.channel", 99, "status"), errors, dryRun.toString());
            assertEquals(400, refused.statusCode(), refused.body());
            assertEquals(0, countPartners(manager, "q=imported"));

            // When she re-imports the corrected file
            final HttpResponse<String> imported = importCsv(manager, partnersCsv(false), false);

            // Then all 140 are created, and the program has its 200 partners
            assertEquals(200, imported.statusCode(), imported.body());
            assertEquals(IMPORTED, json.readTree(imported.body()).get("created").asInt(), imported.body());
            assertEquals(200, countPartners(manager, ""));
            assertEquals(45 + IMPORTED, countPartners(manager, "status=active"));
            assertEquals(15, countPartners(manager, "status=rejected"));

            // When she saves the YouTube segment and pauses it in one bulk change
            assertEquals(200, manager.put("/v1/programs/acme/segments/youtube",
                "{\"name\":\"YouTube creators\",\"filter\":{\"status\":[\"active\"]," +
                "\"attributes\":{\"channel\":\"youtube\"}}}").statusCode());
            final int youtubeActive = countPartners(manager, "segment=youtube");
            final HttpResponse<String> bulk = manager.post("/v1/programs/acme/partners/bulk",
                "{\"segment\":\"youtube\",\"action\":\"status\",\"status\":\"paused\"," +
                "\"reason\":\"brand review of video content\"}");

            // Then every active YouTube partner, and only they, is paused, with the change in each one's timeline
            assertEquals(200, bulk.statusCode(), bulk.body());
            assertEquals(youtubeActive, json.readTree(bulk.body()).get("changed").asInt(), bulk.body());
            assertTrue(youtubeActive > 50, "youtube partners: " + youtubeActive);
            assertEquals(youtubeActive, countPartners(manager, "status=paused&attr.channel=youtube"));
            assertEquals(0, countPartners(manager, "segment=youtube"));
            final String paused = applicants.get(0); // applicant 0 is on YouTube and was approved
            assertTrue(manager.getOk("/v1/partners/" + paused + "/timeline").contains("brand review of video content"));

            // When she pins a launch partner to gold until the end of the quarter
            final HttpResponse<String> pinned = manager.post("/v1/partners/imported7/tier-pin",
                "{\"tier\":\"gold\",\"reason\":\"launch partner\",\"until\":\"2026-09-30\"}");

            // Then the partner is gold at once, and stays gold through the daily tier review without a sale
            assertEquals(200, pinned.statusCode(), pinned.body());
            assertEquals("gold", manager.getJson("/v1/partners/imported7").get("tier").asText());
            clock.addAndGet(2 * 86_400_000L);
            service.awaitCommitted();
            assertEquals("gold", manager.getJson("/v1/partners/imported7").get("tier").asText());

            // And the audit trail, read by finance, names Maria's token for each of her steps
            assertTheTrailNamesWhoDidEachStep(new AdminClient(service.aggregator.adminPort(), finn.token()), maria);

            // And Maria's token, scoped to acme, cannot touch another program
            service.admin.putOk("/v1/programs/other", "{\"name\":\"Other\",\"currency\":\"USD\"}");
            assertEquals(403, manager.get("/v1/programs/other").statusCode());
            assertEquals(403, manager.put("/v1/partners/stranger", "{\"programId\":\"other\",\"name\":\"S\"}")
                .statusCode());
        }
    }

    private static void createProgram(final AdminClient admin) throws Exception
    {
        admin.putOk("/v1/programs/acme", "{\"name\":\"Acme\",\"currency\":\"USD\"," +
            "\"clickParam\":\"rcid\",\"tierReview\":\"daily\",\"tiers\":[" +
            "{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
            "{\"name\":\"silver\",\"minConversions\":20,\"windowDays\":30,\"commissionPercent\":\"15\"}," +
            "{\"name\":\"gold\",\"minConversions\":50,\"windowDays\":30,\"commissionPercent\":\"20\"}]," +
            "\"attributes\":[{\"name\":\"channel\",\"type\":\"choice\",\"choices\":[\"youtube\",\"blog\"," +
            "\"newsletter\"],\"required\":true,\"application\":true}," +
            "{\"name\":\"audience\",\"type\":\"number\",\"application\":true}]," +
            "\"applications\":{\"open\":true}}");
    }

    private void assertTheTrailNamesWhoDidEachStep(final AdminClient finance, final Token maria) throws Exception
    {
        final Map<String, Integer> byMaria = actions(finance, "actor=" + maria.id());
        assertEquals(45, byMaria.get("approve_partner"));
        assertEquals(15, byMaria.get("reject_partner"));
        assertEquals(1, byMaria.get("import_partners"), byMaria.toString()); // the refused one journaled nothing
        assertEquals(1, byMaria.get("put_segment"));
        assertEquals(1, byMaria.get("bulk_partners"));
        assertEquals(1, byMaria.get("pin_tier"));
        // the applications are the public's, the program and tokens the bootstrap admin's
        assertEquals(APPLICANTS, actions(finance, "action=apply").get("apply"));
        final Map<String, Integer> byBootstrap = actions(finance, "actor=admin");
        assertEquals(2, byBootstrap.get("create_token"));
        assertEquals(1, byBootstrap.get("put_program"));
        final JsonNode bulkRecord = finance.getJson("/v1/audit?action=bulk_partners").get("items").get(0);
        assertEquals("Maria (acme manager)", bulkRecord.at("/actor/name").asText());
        assertEquals("acme", bulkRecord.at("/actor/programId").asText());
    }

    private record Token(String id, String token)
    {
    }

    private Token createToken(final AdminClient admin, final String name, final String role, final String programId)
        throws Exception
    {
        final HttpResponse<String> created = admin.post("/v1/tokens", "{\"name\":\"" + name + "\",\"role\":\"" + role +
            "\"" + (null == programId ? "" : ",\"programId\":\"" + programId + "\"") + "}");
        assertEquals(201, created.statusCode(), created.body());
        final JsonNode body = json.readTree(created.body());
        return new Token(body.get("id").asText(), body.get("token").asText());
    }

    private HttpResponse<String> apply(final ServiceFixture service, final String name, final String email,
        final String channel, final int audience) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.aggregator.adminPort() +
            "/v1/programs/acme/applications")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"email\":\"" + email +
            "\",\"attributes\":{\"channel\":\"" + channel + "\",\"audience\":" + audience + "}}")).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /**
     * 140 partners, one a row from line 2; with errors: line 12 has a bad email, line 40 an unknown channel, line 99
     * an unknown status.
     */
    private static String partnersCsv(final boolean withErrors)
    {
        final StringBuilder csv = new StringBuilder("id,name,email,status,tags,attr.channel\r\n");
        for (int i = 0; i < IMPORTED; i++)
        {
            final int line = i + 2;
            final String email = withErrors && 12 == line ? "not-an-email" : "imported" + i + "@example.com";
            final String channel = withErrors && 40 == line ? "tiktok" : CHANNELS[i % 3];
            final String status = withErrors && 99 == line ? "sleeping" : "active";
            csv.append("imported").append(i).append(",Imported ").append(i).append(',').append(email).append(',')
                .append(status).append(",migrated;").append(CHANNELS[i % 3]).append(',').append(channel)
                .append("\r\n");
        }
        return csv.toString();
    }

    private static HttpResponse<String> importCsv(final AdminClient client, final String csv, final boolean dryRun)
        throws Exception
    {
        return client.send(client.builder("/v1/programs/acme/partners/import?dryRun=" + dryRun)
            .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofString(csv)));
    }

    private int countPartners(final AdminClient client, final String query) throws Exception
    {
        int count = 0;
        String cursor = null;
        do
        {
            final JsonNode page = client.getJson("/v1/programs/acme/partners?limit=500" +
                (query.isEmpty() ? "" : "&" + query) + (null == cursor ? "" : "&cursor=" + cursor));
            count += page.get("items").size();
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
        }
        while (null != cursor);
        return count;
    }

    private Map<String, Integer> actions(final AdminClient client, final String query) throws Exception
    {
        final Map<String, Integer> actions = new HashMap<>();
        String cursor = null;
        do
        {
            final JsonNode page = client.getJson("/v1/audit?limit=500&" + query +
                (null == cursor ? "" : "&cursor=" + cursor));
            page.get("items").forEach(item -> actions.merge(item.get("action").asText(), 1, Integer::sum));
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
        }
        while (null != cursor);
        return actions;
    }
}
