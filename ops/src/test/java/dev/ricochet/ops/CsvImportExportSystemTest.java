package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.aggregator.admin.CatalogWriter;
import dev.ricochet.aggregator.audit.Actor;
import dev.ricochet.aggregator.audit.AdminChange;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.csv.ImportCommand;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.JournalSpaceMonitor;
import dev.ricochet.ingest.StrictJson;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CSV import and export (part 8, item 9) over HTTP against the real in-process service: a dry run that reports every
 * bad row with its line and field and applies nothing, the corrected import applied as one audited command, the
 * exported file re-imported changing nothing, formula cells escaped, the media type and body bounds, links imported
 * onto imported partners, the conversions and ledger exports by role, and a replay that rebuilds the same catalog and
 * audit trail. See docs/import-export.md.
 */
class CsvImportExportSystemTest
{
    private static final String PROGRAM = "shop";
    private static final String API_KEY = "csv-import-test-program-key";
    private static final Instant START = Instant.parse("2026-03-10T10:15:00Z");
    private static final String TODAY = "2026-03-10";
    private static final String EVIL = "=HYPERLINK(\"https://evil.example\";\"Eve\")";
    private static final String GOOD_FILE = "id,name,email,status,tags,payoutAccount,attr.followers\r\n" +
        "ann,\"Smith, Ann\",ann@example.com,active,vip;blog,paypal:ann@example.com,1500\r\n" +
        "bob,Bob,bob@example.com,paused,,,\r\n" +
        "eve,\"" + EVIL.replace("\"", "\"\"") + "\",eve@example.com,pending,new,+44 20 7946 0000,12\r\n";

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().build();
    private final AtomicLong clock = new AtomicLong(START.toEpochMilli());
    private ServiceFixture service;
    private AdminClient admin;
    private AdminClient analyst;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get);
        admin = service.admin;
        analyst = new AdminClient(service.aggregator.adminPort(), ServiceFixture.ANALYST_TOKEN);
        admin.putOk("/v1/programs/" + PROGRAM, "{\"name\":\"Shop\",\"currency\":\"USD\",\"holdDays\":0," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}],\"secrets\":{\"apiKey\":\"" + API_KEY +
            "\"},\"attributes\":[{\"name\":\"followers\",\"type\":\"number\"}]}");
    }

    @AfterEach
    void stop()
    {
        if (null != service)
        {
            service.close();
        }
    }

    private HttpResponse<String> importCsv(final String what, final String csv, final boolean dryRun)
        throws Exception
    {
        return admin.send(admin.builder("/v1/programs/" + PROGRAM + "/" + what + "/import?dryRun=" + dryRun)
            .header("Content-Type", "text/csv; charset=utf-8").POST(HttpRequest.BodyPublishers.ofString(csv)));
    }

    private JsonNode importOk(final String what, final String csv) throws Exception
    {
        final HttpResponse<String> response = importCsv(what, csv, false);
        assertEquals(200, response.statusCode(), response.body());
        return json.readTree(response.body());
    }

    private static List<String> lineAndField(final JsonNode report)
    {
        final List<String> errors = new ArrayList<>();
        report.get("errors").forEach(e -> errors.add(e.get("line").asInt() + ":" + e.get("field").asText()));
        return errors;
    }

    private static final String BAD_FILE = "id,name,email,status\r\n" +
        "ann,Ann,ann@example.com,active\r\n" +
        "bob,Bob,not-an-email,active\r\n" +
        "cy,\"Cy\r\nSecond Line\",cy@example.com,active\r\n" +
        "dan,Dan,dan@example.com,sleeping\r\n" +
        "ann,Ann again,,active\r\n";

    @Test
    void aDryRunReportsEveryBadRowWithItsPhysicalLineAndFieldAndAppliesNothing() throws Exception
    {
        final HttpResponse<String> response = importCsv("partners", BAD_FILE, true);

        assertEquals(200, response.statusCode(), response.body());
        final JsonNode report = json.readTree(response.body());
        assertFalse(report.get("valid").asBoolean());
        assertEquals(List.of("3:email", "4:name", "6:status", "7:id"), lineAndField(report));
        assertEquals(5, report.get("rows").asInt());
        assertEquals(404, admin.get("/v1/partners/ann").statusCode());
    }

    @Test
    void anImportWithABadRowIs400WithTheSameReportAndAppliesNothing() throws Exception
    {
        final HttpResponse<String> response = importCsv("partners", BAD_FILE, false);

        assertEquals(400, response.statusCode(), response.body());
        assertEquals(List.of("3:email", "4:name", "6:status", "7:id"), lineAndField(json.readTree(response.body())));
        assertEquals(404, admin.get("/v1/partners/ann").statusCode());
    }

    @Test
    void theCorrectedFileIsImportedAsOneAuditedCommand() throws Exception
    {
        final JsonNode summary = importOk("partners", GOOD_FILE);

        assertEquals(List.of(3, 3, 0, 0), List.of(summary.get("rows").asInt(), summary.get("created").asInt(),
            summary.get("updated").asInt(), summary.get("unchanged").asInt()));
        final JsonNode ann = admin.getJson("/v1/partners/ann");
        assertEquals(List.of("Smith, Ann", "ann@example.com", "active", "paypal:ann@example.com"),
            List.of(ann.get("name").asText(), ann.get("email").asText(), ann.get("status").asText(),
            ann.get("payoutAccount").asText()));
        final JsonNode audit = admin.getJson("/v1/audit?action=import_partners");
        assertEquals(1, audit.get("items").size(), audit.toString());
        final JsonNode record = audit.get("items").get(0);
        assertEquals(List.of("program:shop", "admin", "3"), List.of(record.get("target").asText(),
            record.get("actor").get("tokenId").asText(), record.get("after").get("created").asText()));
    }

    @Test
    void importingTheSameFileAgainChangesNothing() throws Exception
    {
        importOk("partners", GOOD_FILE);

        final JsonNode again = importOk("partners", GOOD_FILE);

        assertEquals(List.of(0, 0, 3), List.of(again.get("created").asInt(), again.get("updated").asInt(),
            again.get("unchanged").asInt()));
        assertEquals(1, admin.getJson("/v1/audit?action=import_partners").get("items").size());
    }

    @Test
    void anExportedPartnersFileImportsBackUnchanged() throws Exception
    {
        importOk("partners", GOOD_FILE);
        final String exported = admin.getOk("/v1/programs/" + PROGRAM + "/partners/export.csv");

        final JsonNode again = importOk("partners", exported);

        assertEquals(List.of(0, 0, 3), List.of(again.get("created").asInt(), again.get("updated").asInt(),
            again.get("unchanged").asInt()), exported);
    }

    @Test
    void anExportEscapesCellsASpreadsheetWouldRunAsAFormula() throws Exception
    {
        importOk("partners", GOOD_FILE);

        final String exported = admin.getOk("/v1/programs/" + PROGRAM + "/partners/export.csv");

        final String eve = Arrays.stream(exported.split("\r\n")).filter(row -> row.startsWith("eve,")).findFirst()
            .orElseThrow();
        assertTrue(eve.startsWith("eve,\"'=HYPERLINK(\"\"https://evil.example\"\";\"\"Eve\"\")\",eve@example.com," +
            "pending,new,'+44 20 7946 0000,"), eve);
    }

    @Test
    void theAnalystsPartnersExportHasNoPayoutAccountColumn() throws Exception
    {
        importOk("partners", GOOD_FILE);

        final HttpResponse<String> response = analyst.get("/v1/programs/" + PROGRAM + "/partners/export.csv");

        assertEquals(200, response.statusCode(), response.body());
        final String header = response.body().substring(0, response.body().indexOf("\r\n"));
        assertFalse(header.contains("payoutAccount"), header);
        assertFalse(response.body().contains("paypal:ann@example.com"));
        assertTrue(header.startsWith("id,name,email,status,"), header);
    }

    @Test
    void aBodyThatIsNotCsvIs415() throws Exception
    {
        final HttpResponse<String> response = admin.send(admin.builder("/v1/programs/" + PROGRAM +
            "/partners/import").header("Content-Type", "application/json").POST(
            HttpRequest.BodyPublishers.ofString("{\"id\":\"ann\"}")));

        assertEquals(415, response.statusCode(), response.body());
    }

    @Test
    void aBodyOverTheAdminBoundIs413() throws Exception
    {
        final StringBuilder csv = new StringBuilder("id,name\r\n");
        for (int i = 0; csv.length() <= 64 * 1024; i++)
        {
            csv.append("partner").append(i).append(",Partner number ").append(i).append("\r\n");
        }

        final HttpResponse<String> response = importCsv("partners", csv.toString(), true);

        assertEquals(413, response.statusCode(), response.body());
    }

    @Test
    void anUnknownColumnIs400NamingIt() throws Exception
    {
        final HttpResponse<String> response = importCsv("partners", "id,name,colour\r\nann,Ann,red\r\n", true);

        assertEquals(400, response.statusCode());
        assertTrue(json.readTree(response.body()).get("error").asText().contains("unknown column 'colour'"),
            response.body());
    }

    @Test
    void linksImportOntoImportedPartnersAndRedirect() throws Exception
    {
        importOk("partners", GOOD_FILE);

        final JsonNode summary = importOk("links", "code,partnerId,destination\r\n" +
            "ann-1,ann,https://shop.example.com/a\r\nbob-1,bob,https://shop.example.com/b\r\n");

        assertEquals(2, summary.get("created").asInt());
        assertEquals("ann", admin.getJson("/v1/links/ann-1").get("partnerId").asText());
        final HttpResponse<Void> click = service.click("ann-1", null);
        assertTrue(click.headers().firstValue("location").orElseThrow().startsWith("https://shop.example.com/a"));
    }

    @Test
    void anExportedLinksFileImportsBackUnchanged() throws Exception
    {
        importOk("partners", GOOD_FILE);
        importOk("links", "code,partnerId,destination\r\n" +
            "bob-1,bob,https://shop.example.com/b\r\nann-1,ann,https://shop.example.com/a?x=1\r\n");
        service.awaitCommitted();
        final String exported = admin.getOk("/v1/programs/" + PROGRAM + "/links/export.csv");

        final JsonNode again = importOk("links", exported);

        assertEquals("code,partnerId,destination\r\nann-1,ann,https://shop.example.com/a?x=1\r\n" +
            "bob-1,bob,https://shop.example.com/b\r\n", exported);
        assertEquals(2, again.get("unchanged").asInt());
    }

    @Test
    void aLinkOfAnUnknownPartnerIsReportedOnItsLine() throws Exception
    {
        importOk("partners", GOOD_FILE);

        final HttpResponse<String> response = importCsv("links", "code,partnerId,destination\r\n" +
            "ann-1,ann,https://shop.example.com/a\r\nzed-1,zed,https://shop.example.com/z\r\n", false);

        assertEquals(400, response.statusCode());
        assertEquals(List.of("3:partnerId"), lineAndField(json.readTree(response.body())));
        assertEquals(404, admin.get("/v1/links/ann-1").statusCode());
    }

    @Test
    void theConversionsAndLedgerExportsHoldASaleByRole() throws Exception
    {
        importOk("partners", GOOD_FILE);
        importOk("links", "code,partnerId,destination\r\nann-1,ann,https://shop.example.com/a\r\n");
        final String clickId = ServiceFixture.clickId(service.click("ann-1", null));
        clock.addAndGet(60_000);
        sale("ord_1", 10_000, clickId);
        final String range = "?from=" + TODAY + "&to=" + TODAY;

        final String conversions = admin.getOk("/v1/programs/" + PROGRAM + "/conversions/export.csv" + range);
        final String analystConversions = analyst.getOk("/v1/programs/" + PROGRAM + "/conversions/export.csv" +
            range);
        final String ledger = service.finance.getOk("/v1/programs/" + PROGRAM + "/ledger/export.csv" + range);

        final String[] rows = conversions.split("\r\n");
        assertTrue(rows[0].endsWith(",customerId,commissionState,commissionAmount"), rows[0]);
        assertTrue(rows[1].startsWith("ord_1,2026-03-10T10:16:00Z,sale,ann,10000,USD,10000,0,"), rows[1]);
        assertTrue(rows[1].endsWith(",1000"), rows[1]);
        assertFalse(analystConversions.contains("commission"), analystConversions);
        assertTrue(ledger.contains("\r\nann,1,2026-03-10,accrual,1000,"), ledger);
        assertEquals(403, analyst.get("/v1/programs/" + PROGRAM + "/ledger/export.csv").statusCode());
    }

    @Test
    void theAnalystCannotImport() throws Exception
    {
        final HttpResponse<String> response = analyst.send(analyst.builder("/v1/programs/" + PROGRAM +
            "/partners/import").header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofString(
            GOOD_FILE)));

        assertEquals(403, response.statusCode());
    }

    @Test
    void anImportWhosePartnerChangedAfterTheFileWasCheckedAppliesNothing() throws Exception
    {
        // Given an import journaled after another change of ann (its fingerprint is of ann as she was before)
        importOk("partners", GOOD_FILE);
        final PartnerSpec ann = new PartnerSpec(PROGRAM, "Ann", null, "active", null, null, null, null, null, null,
            null, null, null, null);
        final ImportCommand command = new ImportCommand(PROGRAM, List.of(
            new ImportCommand.Row<>("zed", new PartnerSpec(PROGRAM, "Zed", null, "active", null, null, null, null,
                null, null, null, null, null, START.toString()), null),
            new ImportCommand.Row<>("ann", ann, ImportCommand.fingerprint(ann))), List.of(), 0);
        final byte[] envelope = CatalogJson.write(new AdminChange(CatalogEventFlyweight.KIND_IMPORT,
            "import_partners", "/v1/programs/shop/partners/import", new Actor("admin", "admin (bootstrap)", "admin",
            null), "req_race", StrictJson.MAPPER.valueToTree(command)));

        // When the aggregator applies it
        try (CatalogWriter writer = new CatalogWriter(service.journal, clock::get,
            new JournalSpaceMonitor(0, () -> Long.MAX_VALUE, error ->
            {
            })))
        {
            writer.append(CatalogEventFlyweight.KIND_ADMIN_CHANGE, envelope);
        }
        service.awaitCommitted();

        // Then none of its rows applied, and the trail says it was refused
        assertEquals(404, admin.get("/v1/partners/zed").statusCode());
        assertEquals("Smith, Ann", admin.getJson("/v1/partners/ann").get("name").asText());
        final JsonNode refused = admin.getJson("/v1/audit?action=import_partners").get("items").get(0);
        assertEquals(List.of("req_race", "false"), List.of(refused.get("requestId").asText(),
            refused.get("applied").asText()));
    }

    @Test
    void theSameImportCommandAppliedAgainChangesNothingMore() throws Exception
    {
        // Given an import command that was applied (as after a crash between a commit inside it and its position's)
        importOk("partners", GOOD_FILE);
        final PartnerSpec zed = new PartnerSpec(PROGRAM, "Zed", null, "active", null, null, null, null, null, null,
            null, null, null, START.toString());
        final byte[] envelope = CatalogJson.write(new AdminChange(CatalogEventFlyweight.KIND_IMPORT,
            "import_partners", "/v1/programs/shop/partners/import", new Actor("admin", "admin (bootstrap)", "admin",
            null), "req_again", StrictJson.MAPPER.valueToTree(new ImportCommand(PROGRAM,
            List.of(new ImportCommand.Row<>("zed", zed, null)), List.of(), 0))));
        try (CatalogWriter writer = new CatalogWriter(service.journal, clock::get,
            new JournalSpaceMonitor(0, () -> Long.MAX_VALUE, error ->
            {
            })))
        {
            writer.append(CatalogEventFlyweight.KIND_ADMIN_CHANGE, envelope);
            service.awaitCommitted();
            final String before = admin.getOk("/v1/partners/zed");

            // When it is applied again
            writer.append(CatalogEventFlyweight.KIND_ADMIN_CHANGE, envelope);
            service.awaitCommitted();

            // Then it is not refused, and zed is as the first time
            assertEquals(before, admin.getOk("/v1/partners/zed"));
        }
        final JsonNode items = admin.getJson("/v1/audit?action=import_partners").get("items");
        assertEquals(List.of(true, true), List.of(items.get(0).get("applied").asBoolean(),
            items.get(1).get("applied").asBoolean()));
    }

    @Test
    void aReplayRebuildsTheSameCatalogAndAuditTrail() throws Exception
    {
        importOk("partners", GOOD_FILE);
        importOk("links", "code,partnerId,destination\r\nann-1,ann,https://shop.example.com/a\r\n");
        importOk("partners", "id,status\r\nbob,active\r\n");
        service.awaitCommitted();
        service.close();
        service = null;

        final Path replayDir = dataDir.resolve("replay");
        Replays.replayJournal(dataDir, replayDir, clock::get);

        Replays.assertSameTables(dataDir, replayDir, List.of(Table.CATALOG, Table.AUDIT));
    }

    private void sale(final String externalId, final long amount, final String clickId) throws Exception
    {
        final String body = "{\"programId\":\"" + PROGRAM + "\",\"externalId\":\"" + externalId + "\"," +
            "\"kind\":\"sale\",\"amount\":" + amount + ",\"currency\":\"USD\",\"clickId\":\"" + clickId + "\"," +
            "\"customerId\":\"cus_1\"}";
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.edge("/v1/conversions"))
            .header("Authorization", "Bearer " + API_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), body + " -> " + response.body());
        service.awaitCommitted();
    }
}
