package dev.ricochet.ops;

import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Journal;
import dev.ricochet.testsupport.Await;
import dev.ricochet.testsupport.ServiceFixture;
import org.agrona.concurrent.EpochClock;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * What the replay checks share: replaying a journal into a fresh data directory, and reading a RocksDB table's
 * bytes to compare.
 */
final class Replays
{
    private Replays()
    {
    }

    /**
     * A fresh aggregator over the journal, writing into an empty data directory; no clock ticks of its own, so it adds
     * nothing to the journal it replays.
     */
    static Aggregator replay(final Journal journal, final Path replayDir, final EpochClock clock)
        throws InterruptedException
    {
        return Aggregator.launch(new Aggregator.Context().dataDir(replayDir).journal(journal)
            .adminPort(0).adminToken(ServiceFixture.ADMIN_TOKEN).financeToken(ServiceFixture.FINANCE_TOKEN)
            .epochClock(clock).clockTickIntervalMs(0));
    }

    /**
     * Replay the whole journal of a stopped service's data directory into a fresh one and wait until it is committed.
     */
    static void replayJournal(final Path dataDir, final Path replayDir, final EpochClock clock)
        throws InterruptedException
    {
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal")));
            Aggregator replay = replay(journal, replayDir, clock))
        {
            Await.committed(replay, journal);
        }
    }

    /**
     * Assert that the tables hold the same keys with the same value bytes in both data directories, and are not empty.
     */
    static void assertSameTables(final Path dataDir, final Path replayDir, final List<Table> tables)
    {
        for (final Table table : tables)
        {
            final Map<String, byte[]> original = table(dataDir, table);
            final Map<String, byte[]> replayed = table(replayDir, table);
            assertFalse(original.isEmpty(), table.name());
            assertEquals(original.keySet(), replayed.keySet(), table.name());
            original.forEach((key, value) -> assertArrayEquals(value, replayed.get(key), table + " " + key));
        }
    }

    /**
     * @return every key (hex) and value of one table of the data directory's RocksDB, in key order.
     */
    static Map<String, byte[]> table(final Path dataDir, final Table stored)
    {
        final Map<String, byte[]> table = new TreeMap<>();
        try (StateStore store = StateStore.openReadOnly(dataDir.resolve("state")))
        {
            store.scan(stored, null, null, false, (key, value) ->
            {
                table.put(HexFormat.of().formatHex(key), value);
                return true;
            });
        }
        return table;
    }
}
