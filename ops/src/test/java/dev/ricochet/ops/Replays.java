package dev.ricochet.ops;

import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Journal;
import org.agrona.concurrent.EpochClock;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the replay checks share: waiting for an aggregator to commit the journal, replaying a journal into a fresh data
 * directory, and reading a RocksDB table's bytes to compare.
 */
final class Replays
{
    private Replays()
    {
    }

    /**
     * Wait (up to 30 s) until the aggregator has committed everything in the journal.
     */
    static void awaitCommitted(final Aggregator aggregator, final Journal journal) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        while (aggregator.committedIndex() < journal.lastIndex())
        {
            if (aggregator.hasFailed())
            {
                fail("the aggregator stopped on a failure (see stderr)");
            }
            if (System.nanoTime() > deadlineNs)
            {
                fail("the aggregator did not commit the journal within 30 s: committed " +
                    Long.toHexString(aggregator.committedIndex()) + ", last " + Long.toHexString(journal.lastIndex()));
            }
            Thread.sleep(1);
        }
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
