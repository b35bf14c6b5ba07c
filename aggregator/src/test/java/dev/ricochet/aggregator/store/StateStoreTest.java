package dev.ricochet.aggregator.store;

import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.ingest.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateStoreTest
{
    @TempDir
    Path dir;

    @Test
    void dropsTheRetiredPartnerMajorHourFamilyAndKeepsTheRest() throws Exception
    {
        // Given a store written by the earlier layout, with its partner-major hour buckets and a committed position
        try (StateStore store = StateStore.open(dir))
        {
            final WriteBatch batch = new WriteBatch();
            store.putJournalPosition(batch, 42);
            store.write(batch);
            batch.close();
        }
        addFamily("hourly_counters");

        // When it is opened by this version
        try (StateStore store = StateStore.open(dir))
        {
            // Then the retired family is gone and the state survives
            assertEquals(42, store.journalPosition());
        }
        final List<String> families = families();
        assertFalse(families.contains("hourly_counters"), families.toString());
        assertTrue(families.contains("hour_counters"), families.toString());
    }

    @Test
    void readsAPartnersHourBucketsInHourOrder()
    {
        // Given two partners' buckets in three hours
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            new CounterTable(store).putHour(batch, 1, 100, clicks(1));
            new CounterTable(store).putHour(batch, 2, 101, clicks(5));
            new CounterTable(store).putHour(batch, 1, 102, clicks(3));
            store.write(batch);

            // When partner 1's hours 99..103 are read
            final List<String> seen = new ArrayList<>();
            new CounterTable(store).readHours(1, 99, 103,
                (hour, values) -> seen.add(hour + "=" + values[CounterField.CLICKS.ordinal()]));

            // Then only its stored hours come back, in order
            assertEquals(List.of("100=1", "102=3"), seen);
        }
    }

    @Test
    void keepsEveryTablesColumnFamilyNameOnDisk() throws Exception
    {
        // Given a new store
        try (StateStore store = StateStore.open(dir))
        {
            assertEquals(Journal.NULL_INDEX, store.journalPosition());
        }

        // Then its families are those of every earlier version of this layout, in the order they are opened
        assertEquals(List.of("default", "meta", "catalog", "clicks", "visits", "counters", "conversions",
            "partner_conversions", "customers", "touches", "hour_counters", "partner_state", "commissions",
            "unpaid_commissions", "approvals_due", "ledger", "timeline", "payout_runs", "outbox", "held_commissions",
            // part 8
            "audit", "audit_index", "tokens", "command_parts", "program_counters", "partner_totals", "program_index"),
            families());
    }

    @Test
    void readsAClosedStoreReadOnly()
    {
        // Given a store written and closed
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            store.put(batch, Table.OUTBOX, new byte[]{ 1 }, new byte[]{ 42 });
            store.putJournalPosition(batch, 7);
            store.write(batch);
        }

        // When a tool opens it read-only
        try (StateStore store = StateStore.openReadOnly(dir))
        {
            // Then it reads what was committed
            assertTrue(store.isReadOnly());
            assertEquals(7, store.journalPosition());
            assertArrayEquals(new byte[]{ 42 }, store.get(Table.OUTBOX, new byte[]{ 1 }));
            try (TableCursor cursor = store.cursor(Table.OUTBOX))
            {
                assertTrue(cursor.isValid());
                assertArrayEquals(new byte[]{ 1 }, cursor.key());
                cursor.next();
                assertFalse(cursor.isValid());
            }
        }
    }

    @Test
    void refusesWritesWhenReadOnly()
    {
        try (StateStore store = StateStore.open(dir))
        {
            assertFalse(store.isReadOnly());
        }
        try (StateStore store = StateStore.openReadOnly(dir); WriteBatch batch = new WriteBatch())
        {
            assertThrows(IllegalStateException.class, () -> store.putJournalPosition(batch, 1));
            assertThrows(IllegalStateException.class, () -> store.write(batch));
            assertThrows(IllegalStateException.class, () -> store.deleteNow(Table.OUTBOX, new byte[]{ 1 }));
            assertThrows(IllegalStateException.class, store::reopen);
        }
    }

    @Test
    void leavesAnEarlierLayoutAsItIsWhenReadOnly() throws Exception
    {
        // Given a store of an earlier layout: a retired family, and without the review queue
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            store.putJournalPosition(batch, 42);
            store.write(batch);
        }
        addFamily("hourly_counters");
        dropFamily("held_commissions");

        // When a tool reads it
        try (StateStore store = StateStore.openReadOnly(dir))
        {
            // Then the missing table reads as empty
            assertEquals(42, store.journalPosition());
            assertNull(store.get(Table.HELD_COMMISSIONS, new byte[]{ 1 }));
            try (TableCursor cursor = store.cursor(Table.HELD_COMMISSIONS))
            {
                assertFalse(cursor.isValid());
            }
        }

        // And nothing changed on disk
        final List<String> families = families();
        assertTrue(families.contains("hourly_counters"), families.toString());
        assertFalse(families.contains("held_commissions"), families.toString());
    }

    @Test
    void refusesToOpenReadOnlyWhereThereIsNoStore()
    {
        final Path missing = dir.resolve("missing");

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> StateStore.openReadOnly(missing));

        assertTrue(ex.getMessage().contains("no store there"), ex.getMessage());
        assertFalse(Files.exists(missing));
    }

    private static long[] clicks(final long clicks)
    {
        final long[] values = new long[CounterField.COUNT];
        values[CounterField.CLICKS.ordinal()] = clicks;
        return values;
    }

    private void addFamily(final String name) throws Exception
    {
        final List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (final String existing : families())
        {
            descriptors.add(new ColumnFamilyDescriptor(existing.getBytes(StandardCharsets.US_ASCII)));
        }
        final List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
            RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles))
        {
            handles.add(db.createColumnFamily(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII))));
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    private void dropFamily(final String name) throws Exception
    {
        final List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (final String existing : families())
        {
            descriptors.add(new ColumnFamilyDescriptor(existing.getBytes(StandardCharsets.US_ASCII)));
        }
        final List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
            RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles))
        {
            for (final ColumnFamilyHandle handle : handles)
            {
                if (name.equals(new String(handle.getName(), StandardCharsets.US_ASCII)))
                {
                    db.dropColumnFamily(handle);
                }
            }
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    private List<String> families() throws Exception
    {
        final List<String> names = new ArrayList<>();
        try (Options options = new Options())
        {
            for (final byte[] name : RocksDB.listColumnFamilies(options, dir.toString()))
            {
                names.add(new String(name, StandardCharsets.US_ASCII));
            }
        }
        return names;
    }
}
