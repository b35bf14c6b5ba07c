package dev.ricochet.aggregator.timeline;

import dev.ricochet.aggregator.store.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimelineTablesTest
{
    @TempDir
    Path dir;

    @Test
    void listsAPartnersEventsNewestFirst()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final TimelineTable table = new TimelineTable(store);
            for (long seq = 1; seq <= 2; seq++)
            {
                table.put(batch, TimelineTable.key(7, seq), TimelineTable.encode(event("evt_7_" + seq)));
            }
            table.put(batch, TimelineTable.key(8, 1), TimelineTable.encode(event("evt_8_1")));
            store.write(batch);

            final List<String> seen = new ArrayList<>();
            table.forEachNewestFirst(7, json -> seen.add(new String(json, StandardCharsets.UTF_8)));

            assertEquals(2, seen.size());
            assertTrue(seen.get(0).contains("evt_7_2"), seen.get(0));
            assertTrue(seen.get(1).contains("evt_7_1"), seen.get(1));
        }
    }

    @Test
    void keepsOutboxEventsBySeqUntilDeleted()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final OutboxTable outbox = new OutboxTable(store);
            assertEquals(0, outbox.lastSeq());
            outbox.put(batch, OutboxTable.key(2), new byte[]{ 2 });
            outbox.put(batch, OutboxTable.key(1), new byte[]{ 1 });
            outbox.putLastSeq(batch, 2);
            store.write(batch);

            final List<Long> seqs = new ArrayList<>();
            outbox.scanFrom(new byte[0], (key, value) -> seqs.add(OutboxTable.seq(key)));
            assertEquals(List.of(1L, 2L), seqs);
            assertEquals(2, outbox.lastSeq());
            seqs.clear();
            outbox.scanFrom(OutboxTable.after(OutboxTable.key(1)), (key, value) -> seqs.add(OutboxTable.seq(key)));
            assertEquals(List.of(2L), seqs);
            outbox.deleteNow(OutboxTable.key(1));
            assertNull(outbox.find(OutboxTable.key(1)));
            assertArrayEquals(new byte[]{ 2 }, outbox.find(OutboxTable.key(2)));
        }
    }

    private static TimelineEvent event(final String id)
    {
        return new TimelineEvent(id, "commission.accrued", "2024-10-04T00:00:00Z", "prog", "p", Map.of());
    }
}
