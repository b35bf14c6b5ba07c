package dev.ricochet.ops;

import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Journal;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.Await;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.ricochet.ops.PayoutHistory.assertCoverage;
import static dev.ricochet.ops.PayoutScript.DAY_MS;
import static dev.ricochet.ops.PayoutScript.HISTORY_DAYS;
import static dev.ricochet.ops.PayoutScript.HOUR_MS;
import static dev.ricochet.ops.PayoutScript.PARTNERS;
import static dev.ricochet.ops.PayoutScript.REPLAY_DAYS;
import static dev.ricochet.ops.PayoutScript.START;
import static dev.ricochet.ops.PayoutScript.partnerId;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Replay of a payout history: 60 days of the scripted history ({@link PayoutScript}, one payout run and clawbacks
 * after it) played through the real service, then the whole journal replayed by a fresh aggregator into an empty
 * data directory, must give the same ledgers and timelines, over the API and byte for byte in RocksDB.
 */
class PayoutHistoryReplaySystemTest
{
    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldRebuildByteIdenticalLedgersWhenTheJournalIsReplayedIntoAFreshStateStore() throws Exception
    {
        // Given 60 days of the same history (one payout run, clawbacks after it) played through the service
        final PayoutScript script = PayoutScript.generate(HISTORY_DAYS);
        final AtomicLong clock = new AtomicLong(START.toEpochDay() * DAY_MS + 7 * HOUR_MS);
        final Map<String, String> ledgers = new TreeMap<>();
        final Map<String, String> timelines = new TreeMap<>();
        final ServiceFixture service = new ServiceFixture(dataDir, clock::get);
        try
        {
            // (this test is about replay: the model's expectations are the other test's business)
            final PayoutHistory history = new PayoutHistory(service, clock, false);
            history.setUp();
            history.play(script, REPLAY_DAYS);
            assertCoverage(history.model, 1);
            for (int p = 0; p < PARTNERS; p++)
            {
                final String path = "/v1/partners/" + partnerId(p);
                ledgers.put(partnerId(p), service.admin.getOk(path + "/ledger?limit=10000"));
                timelines.put(partnerId(p), service.admin.getOk(path + "/timeline?limit=1000"));
            }
        }
        finally
        {
            service.close();
        }

        // When a fresh aggregator replays the whole journal into a new data directory
        final Path replayDir = dataDir.resolve("replay");
        final Map<String, String> replayedLedgers = new TreeMap<>();
        final Map<String, String> replayedTimelines = new TreeMap<>();
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal"))))
        {
            final Aggregator replay = Replays.replay(journal, replayDir, clock::get);
            try
            {
                Await.committed(replay, journal);
                final AdminClient admin = new AdminClient(replay.adminPort(), ServiceFixture.ADMIN_TOKEN);
                for (int p = 0; p < PARTNERS; p++)
                {
                    final String path = "/v1/partners/" + partnerId(p);
                    replayedLedgers.put(partnerId(p), admin.getOk(path + "/ledger?limit=10000"));
                    replayedTimelines.put(partnerId(p), admin.getOk(path + "/timeline?limit=1000"));
                }
            }
            finally
            {
                replay.close();
            }
        }

        // Then the API answers the same ledgers and timelines, character for character
        final List<Executable> checks = new ArrayList<>();
        for (final String partnerId : ledgers.keySet())
        {
            checks.add(() -> assertEquals(ledgers.get(partnerId), replayedLedgers.get(partnerId),
                "ledger of " + partnerId));
            checks.add(() -> assertEquals(timelines.get(partnerId), replayedTimelines.get(partnerId),
                "timeline of " + partnerId));
        }
        assertAll("replayed API answers", checks);

        // And the RocksDB ledger tables hold the same keys with the same value bytes
        final Map<String, byte[]> original = Replays.table(dataDir, Table.LEDGER);
        final Map<String, byte[]> replayed = Replays.table(replayDir, Table.LEDGER);
        assertFalse(original.isEmpty());
        assertEquals(original.keySet(), replayed.keySet(), "ledger keys");
        for (final Map.Entry<String, byte[]> entry : original.entrySet())
        {
            assertArrayEquals(entry.getValue(), replayed.get(entry.getKey()), "ledger value at key " + entry.getKey());
        }
        final long heldByFraudChecks = ledgers.values().stream()
            .mapToLong(ledger -> ledger.split("held for review", -1).length - 1).sum();
        System.out.println("PayoutHistoryReplaySystemTest: " + original.size() + " ledger entries, " +
            heldByFraudChecks + " accrued held by fraud checks, byte-identical after replay");
    }
}
