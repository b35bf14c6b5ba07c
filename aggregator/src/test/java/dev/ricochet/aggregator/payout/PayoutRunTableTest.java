package dev.ricochet.aggregator.payout;

import dev.ricochet.aggregator.store.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PayoutRunTableTest
{
    @TempDir
    Path dir;

    @Test
    void readsBackARunAndWhichRunPaidAPeriod()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final PayoutRunTable table = new PayoutRunTable(store);
            final PayoutRun run = new PayoutRun("run-1", "prog", "2024-10-31", PayoutRun.PENDING_APPROVAL,
                "2024-11-01", null, "EUR", 1_000, List.of(new PayoutRun.Line("p", 7, "P", null, null, 1_000)));
            final byte[][] runEntry = PayoutRunTable.runEntry("run-1", run);
            final byte[][] periodEntry = PayoutRunTable.periodEntry(3, "2024-10-31", "run-1");
            table.put(batch, runEntry[0], runEntry[1]);
            table.put(batch, periodEntry[0], periodEntry[1]);
            store.write(batch);

            assertEquals(run, table.find("run-1"));
            assertNull(table.find("run-2"));
            assertEquals("run-1", table.runForPeriod(3, "2024-10-31"));
            assertNull(table.runForPeriod(4, "2024-10-31"));
            final List<String> runs = new ArrayList<>();
            table.forEachRun(each -> runs.add(each.id()));
            assertEquals(List.of("run-1"), runs);
        }
    }
}
