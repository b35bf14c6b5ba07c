package dev.ricochet.aggregator.counters;

import dev.ricochet.aggregator.store.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CounterTableTest
{
    @TempDir
    Path dir;

    @Test
    void readsBackADayBucketAsWritten()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            // Given a bucket with small, large and negative fields
            final long[] values = new long[CounterField.COUNT];
            values[CounterField.CLICKS.ordinal()] = 3;
            values[CounterField.REVENUE.ordinal()] = Long.MAX_VALUE;
            values[CounterField.COMMISSION.ordinal()] = -1_250;
            final CounterTable table = new CounterTable(store);
            table.putDay(batch, 7, 20_000, values);
            store.write(batch);

            // When it is read, Then every field comes back; another day reads as zero
            assertArrayEquals(values, table.day(7, 20_000));
            assertArrayEquals(new long[CounterField.COUNT], table.day(7, 20_001));
        }
    }

    @Test
    void readsAPartnersDaysInOrderAndOnlyItsOwn()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final CounterTable table = new CounterTable(store);
            table.putDay(batch, 1, 10, clicks(1));
            table.putDay(batch, 2, 11, clicks(5));
            table.putDay(batch, 1, 12, clicks(3));
            table.putDay(batch, 1, 20, clicks(9));
            store.write(batch);

            final List<String> seen = new ArrayList<>();
            table.readDays(1, 9, 12, (day, values) -> seen.add(day + "=" + values[CounterField.CLICKS.ordinal()]));

            assertEquals(List.of("10=1", "12=3"), seen);
        }
    }

    @Test
    void expiresEveryPartnersHoursBeforeAnHour()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final CounterTable table = new CounterTable(store);
            table.putHour(batch, 1, 100, clicks(1));
            table.putHour(batch, 2, 100, clicks(2));
            table.putHour(batch, 1, 101, clicks(3));
            store.write(batch);

            table.expireHoursBefore(batch, 101);
            store.write(batch);

            assertNull(table.hour(1, 100));
            assertNull(table.hour(2, 100));
            assertEquals(3, table.hour(1, 101)[CounterField.CLICKS.ordinal()]);
        }
    }

    @Test
    void laysKeysOutBigEndianDaysPartnerMajorAndHoursHourMajor()
    {
        assertEquals("0000000700004e20", HexFormat.of().formatHex(CounterTable.dayKey(7, 20_000)));
        assertEquals("0007a12000000007", HexFormat.of().formatHex(CounterTable.hourKey(500_000, 7)));
    }

    @Test
    void storesCountersAsZigZagVarintsAndReadsMissingFieldsAsZero()
    {
        // Given a bucket of an earlier layout with two fields: 1 and -1
        final long[] values = new long[CounterField.COUNT];
        CounterTable.decode(new byte[]{ 2, 1 }, values);

        assertEquals(1, values[0]);
        assertEquals(-1, values[1]);
        assertEquals(0, values[CounterField.COUNT - 1]);
        assertArrayEquals(new byte[]{ 2, 1 }, Arrays.copyOf(CounterTable.encode(values), 2));
    }

    @Test
    void visitsEveryPartnersDayBuckets()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final CounterTable table = new CounterTable(store);
            table.putDay(batch, 2, 11, clicks(5));
            table.putDay(batch, 1, 10, clicks(1));
            store.write(batch);

            final List<String> seen = new ArrayList<>();
            table.forEachDay((partner, day, values) ->
                seen.add(partner + "/" + day + "=" + values[CounterField.CLICKS.ordinal()]));

            assertEquals(List.of("1/10=1", "2/11=5"), seen);
        }
    }

    private static long[] clicks(final long clicks)
    {
        final long[] values = new long[CounterField.COUNT];
        values[CounterField.CLICKS.ordinal()] = clicks;
        return values;
    }
}
