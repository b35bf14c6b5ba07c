package dev.ricochet.ops.crash;

import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.store.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit reads closed stores read-only, through the table classes.
 */
class StateAuditTest
{
    @TempDir
    Path dir;

    @Test
    void findsTwoStoresWithTheSameStateIdenticalWhateverTheirJournalPositions()
    {
        write(dir.resolve("live"), 3, 41);
        write(dir.resolve("replay"), 3, 7);

        final StateAudit.Diff diff = StateAudit.compare(dir.resolve("live"), dir.resolve("replay"));

        assertTrue(diff.isIdentical(), diff.toString());
        assertEquals(1, diff.keysCompared, diff.toString());
    }

    @Test
    void countsWhatTheLiveStateHasBeyondTheReplay()
    {
        write(dir.resolve("live"), 5, 41);
        write(dir.resolve("replay"), 3, 41);

        final StateAudit.Diff diff = StateAudit.compare(dir.resolve("live"), dir.resolve("replay"));

        assertFalse(diff.isIdentical());
        assertEquals(2, diff.doubled, diff.toString());
        assertEquals(0, diff.undercounted, diff.toString());
        assertTrue(diff.samples.get(0).startsWith("counters["), diff.samples.toString());
    }

    @Test
    void sumsTheDayBucketsAndReadsThePosition()
    {
        write(dir.resolve("live"), 5, 41);

        final StateAudit.Counts counts = StateAudit.counts(dir.resolve("live"));

        assertEquals(5, counts.total(CounterField.CLICKS));
        assertEquals(0, counts.conversionRecords);
        assertEquals(41, counts.journalPosition);
        assertEquals(41, StateAudit.journalPosition(dir.resolve("live")));
    }

    private static void write(final Path stateDir, final long clicks, final long position)
    {
        try (StateStore store = StateStore.open(stateDir); WriteBatch batch = new WriteBatch())
        {
            final long[] values = new long[CounterField.COUNT];
            values[CounterField.CLICKS.ordinal()] = clicks;
            new CounterTable(store).putDay(batch, 1, 20_000, values);
            store.putJournalPosition(batch, position);
            store.write(batch);
        }
    }
}
