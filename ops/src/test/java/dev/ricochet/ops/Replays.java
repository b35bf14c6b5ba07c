package dev.ricochet.ops;

import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Journal;
import dev.ricochet.testsupport.ServiceFixture;
import org.agrona.concurrent.EpochClock;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

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
