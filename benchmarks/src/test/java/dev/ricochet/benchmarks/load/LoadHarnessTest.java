package dev.ricochet.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness against the real service in-process (journal, aggregator with its admin API, edge) on loopback, with
 * a catalog made by {@link BenchmarkCatalog}. Checks what the harness counts and reports, never how fast anything is.
 */
class LoadHarnessTest
{
    private static final int PARTNERS = 10;
    private static final int LINKS = 100;

    @TempDir
    static Path dataDir;

    private static ServiceFixture service;
    private static BenchmarkCatalog.Created catalog;
    private static AdminApiClient admin;

    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void startServiceAndCreateCatalog() throws Exception
    {
        // The harness drives one address (loopback, exempt by default) over a handful of links far past the per-link
        // limit: limits off, as benchmarks/compare runs the service; shedding and bot classification at defaults.
        service = new ServiceFixture(dataDir, null, false, edge -> edge.rateLimitAddress("0", 1).rateLimitLink("0", 1));

        final String adminUrl = "http://127.0.0.1:" + service.aggregator.adminPort();
        admin = new AdminApiClient(adminUrl, ServiceFixture.ADMIN_TOKEN);
        final ByteArrayOutputStream progress = new ByteArrayOutputStream();
        catalog = new BenchmarkCatalog(adminUrl, ServiceFixture.ADMIN_TOKEN)
            .programId("bench").partners(PARTNERS).links(LINKS).linksFile(dataDir.resolve("bench-links.txt"))
            .create(new PrintStream(progress, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stopService()
    {
        // Edge first (no new events), then the aggregator (commits what it applied), then the journal.
        if (null != service)
        {
            service.close();
        }
    }

    @Test
    void shouldWriteALinksFileOfEveryLinkWithItsDestination() throws Exception
    {
        final List<LinkTarget> links = LinkTarget.readFile(catalog.linksFile(), "unused");

        assertEquals(LINKS, links.size());
        assertEquals(LINKS, catalog.links());
        assertTrue(catalog.stripeSecret().startsWith("whsec_"));
        final JsonNode stored = admin.getJson("/v1/links/" + links.get(2).code());
        assertEquals(links.get(2).destination(), stored.path("destination").asText());
        assertEquals("rcid", links.get(2).clickParam());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldSendEveryKindOfTheMixedWorkloadWithoutErrorInClosedLoop() throws Exception
    {
        final Path report = dataDir.resolve("mixed.json");
        final Path hgrm = dataDir.resolve("mixed.hgrm");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        final int exitStatus = LoadHarness.run(new String[]
            {
                "--url", edgeUrl(), "--connections", "4", "--duration", "1s", "--warmup", "300ms",
                "--workload", "mixed", "--links-file", catalog.linksFile().toString(),
                "--stripe-program", catalog.programId(), "--stripe-secret", catalog.stripeSecret(),
                "--json", report.toString(), "--hgrm", hgrm.toString(),
            }, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        final String summary = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exitStatus, summary);
        assertFalse(summary.contains(LoadReport.NOT_A_RESULT), summary);
        final JsonNode result = json.readTree(report.toFile());
        assertTrue(result.path("result").asBoolean(), summary);
        assertEquals(0, result.path("errors").asLong(), summary);
        assertTrue(result.path("requestsByKind").path("redirect").asLong() > 0, summary);
        assertTrue(result.path("requestsByKind").path("pixel").asLong() > 0, summary);
        assertTrue(result.path("requestsByKind").path("conversion").asLong() > 0, summary);
        assertEquals(result.path("requests").asLong(), result.path("responsesByStatus").path("302").asLong() +
            result.path("responsesByStatus").path("200").asLong(), summary);
        for (final String percentile : new String[]{ "p50", "p75", "p90", "p99", "p99.9", "max" })
        {
            assertTrue(result.path("latencyUs").path(percentile).asDouble() > 0, percentile + " in " + result);
        }
        assertTrue(result.path("latencyUs").path("p99").asDouble() <= result.path("latencyUs").path("max").asDouble());
        final JsonNode distribution = result.path("distribution");
        assertTrue(distribution.size() > 10, "distribution " + distribution);
        assertEquals(100.0, distribution.get(distribution.size() - 1).get(0).asDouble(), 1e-9);
        assertTrue(Files.readString(hgrm).contains("Percentile"));

        // The checkouts carried real click ids: the aggregator credits them to the links' partners.
        assertTrue(awaitSales() > 0, "sales credited to the bench partners");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldSendTheScheduledNumberOfRequestsInOpenLoop() throws Exception
    {
        final LoadReport report = LoadHarness.execute(LoadOptions.parse(
            "--url", edgeUrl(), "--connections", "4", "--mode", "open", "--rate", "200", "--duration", "1s",
            "--warmup", "0s", "--workload", "redirect", "--links-file", catalog.linksFile().toString()));

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        report.printSummary(new PrintStream(out, true, StandardCharsets.UTF_8));
        final String summary = out.toString(StandardCharsets.UTF_8);
        assertTrue(report.isResult(), summary);
        assertEquals(200, report.scheduled(), summary);
        assertEquals(200, report.requests(), summary);
        assertEquals(200, report.responses(302), summary);
        assertEquals(0, report.notSent(), summary);
        assertEquals(200.0, report.throughputRps(), 10.0, summary);
        assertTrue(summary.contains("achieved"), summary);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldReportNotAResultWhenARedirectGoesElsewhereThanTheHarnessExpects() throws Exception
    {
        // bench-0 really redirects to https://shop.example.com/item/0; the harness is told otherwise.
        final Path report = dataDir.resolve("wrong.json");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        final int exitStatus = LoadHarness.run(new String[]
            {
                "--url", edgeUrl(), "--connections", "2", "--duration", "300ms", "--warmup", "0s",
                "--links", "bench-0=https://elsewhere.example/item/0",
                "--json", report.toString(),
            }, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        final String summary = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, exitStatus, summary);
        assertTrue(summary.contains(LoadReport.NOT_A_RESULT), summary);
        final JsonNode result = json.readTree(report.toFile());
        assertFalse(result.path("result").asBoolean());
        assertTrue(result.path("errorsByKind").path("wrong-location").asLong() > 0, summary);
        assertEquals(result.path("errors").asLong(), result.path("errorsByKind").path("wrong-location").asLong(),
            summary);
        // A wrong answer is still an answer: counted by status too.
        assertEquals(result.path("requests").asLong(), result.path("responsesByStatus").path("302").asLong());
    }

    private static String edgeUrl()
    {
        return "http://127.0.0.1:" + service.tracker.port();
    }

    /**
     * @return sales credited to the bench partners once the aggregator has committed everything the edge journaled
     * (the edge answers a conversion only once it is journaled).
     */
    private static long awaitSales() throws Exception
    {
        service.awaitCommitted();
        long sales = 0;
        for (int p = 0; p < PARTNERS; p++)
        {
            sales += admin.getJson("/v1/partners/bench-partner-" + p + "/stats").path("sales").asLong();
        }
        return sales;
    }
}
