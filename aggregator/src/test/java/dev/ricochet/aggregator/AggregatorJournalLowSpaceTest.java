package dev.ricochet.aggregator;

import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.JournalSpaceMonitor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The aggregator's own journal appends (admin changes, the ledger clock) honour the journal's free-space watermark as
 * the edge does, driven through the injectable free-space source on a real aggregator, journal and admin API.
 */
class AggregatorJournalLowSpaceTest
{
    private static final String TOKEN = "low-space-admin-token-0123";
    private static final long MIN_FREE = 64L << 20;
    private static final String PROGRAM = "{\"name\":\"Shop\",\"currency\":\"USD\"}";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicLong usableBytes = new AtomicLong(MIN_FREE - 1);

    @Test
    void refusesAdminChangesAndHoldsTheClockTickWhileTheJournalDiskIsLowThenRecovers() throws Exception
    {
        // Given an aggregator whose journal's disk is below the watermark from the start, its clock ticking every 10 ms
        try (Journal journal = Journal.open(new Journal.Context().dir(dir.resolve("journal")));
            Aggregator aggregator = Aggregator.launch(new Aggregator.Context().dataDir(dir).journal(journal)
                .adminPort(0).adminToken(TOKEN).financeToken(TOKEN + "-finance").analystToken(TOKEN + "-analyst")
                .clockTickIntervalMs(10).journalMinFreeBytes(MIN_FREE).journalUsableSpace(usableBytes::get)))
        {
            // When an admin creates a program
            final HttpResponse<String> refused = put(aggregator, "/v1/programs/shop", PROGRAM);

            // Then it is refused with 503 and Retry-After, naming the key, and nothing was appended, not even the tick
            // the clock has been trying to write since the start
            assertEquals(503, refused.statusCode());
            assertTrue(refused.headers().firstValue("retry-after").isPresent());
            assertTrue(refused.body().contains("journal disk low on space") &&
                refused.body().contains(JournalSpaceMonitor.MIN_FREE_PROP_NAME), refused.body());
            Thread.sleep(100);
            assertEquals(0, journaledEvents(journal));

            // When space returns, then the same change succeeds, and the clock's tick is written too
            usableBytes.set(MIN_FREE);
            assertEquals(200, put(aggregator, "/v1/programs/shop", PROGRAM).statusCode());
            final long deadlineMs = System.currentTimeMillis() + 10_000;
            while (journaledEvents(journal) < 2 && System.currentTimeMillis() < deadlineMs)
            {
                Thread.sleep(10);
            }
            assertEquals(2, journaledEvents(journal));
        }
    }

    private HttpResponse<String> put(final Aggregator aggregator, final String path, final String json)
        throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + aggregator.adminPort() + path))
            .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int journaledEvents(final Journal journal)
    {
        final int[] count = new int[1];
        try (JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            poller.poll((buffer, length, index) -> count[0]++, 1_000);
        }
        return count[0];
    }
}
