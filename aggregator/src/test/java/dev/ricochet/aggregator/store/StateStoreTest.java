package dev.ricochet.aggregator.store;

import dev.ricochet.aggregator.counters.CounterTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
            final org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch();
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
        try (StateStore store = StateStore.open(dir); org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch())
        {
            new CounterTable(store).putHour(batch, 1, 100, clicks(1));
            new CounterTable(store).putHour(batch, 2, 101, clicks(5));
            new CounterTable(store).putHour(batch, 1, 102, clicks(3));
            store.write(batch);

            // When partner 1's hours 99..103 are read
            final List<String> seen = new ArrayList<>();
            new CounterTable(store).readHours(1, 99, 103, (hour, values) -> seen.add(hour + "=" + values[dev.ricochet.aggregator.counters.CounterField.CLICKS.ordinal()]));

            // Then only its stored hours come back, in order
            assertEquals(List.of("100=1", "102=3"), seen);
        }
    }

    private static long[] clicks(final long clicks)
    {
        final long[] values = new long[dev.ricochet.aggregator.counters.CounterField.COUNT];
        values[dev.ricochet.aggregator.counters.CounterField.CLICKS.ordinal()] = clicks;
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
