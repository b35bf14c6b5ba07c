package dev.ricochet.aggregator.attribution;

import dev.ricochet.aggregator.store.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Round trips of the attribution tables' layouts through their public API.
 */
class AttributionTablesTest
{
    @TempDir
    Path dir;

    @Test
    void readsBackAClickAsWritten()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final ClickTable clicks = new ClickTable(store);
            clicks.put(batch, 1, 2, -3, 4, 1_700_000_000_000L, 5, 6, true);
            clicks.put(batch, 1, 3, 7, 8, 9, 10, 11, false);
            store.write(batch);

            assertEquals(new ClickTable.StoredClick(-3, 4, 1_700_000_000_000L, 5, 6, true), clicks.find(1, 2));
            assertEquals(new ClickTable.StoredClick(7, 8, 9, 10, 11, false), clicks.find(1, 3));
            assertNull(clicks.find(2, 2));
        }
    }

    @Test
    void readsBackAVisitorsLastUniqueClickPerLink()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final VisitTable visits = new VisitTable(store);
            visits.putLastUniqueClick(batch, 1, 2, 3, 1_000);
            store.write(batch);

            assertEquals(1_000, visits.lastUniqueClickMs(1, 2, 3));
            assertEquals(-1, visits.lastUniqueClickMs(1, 2, 4));
            assertEquals("00000000000000010000000000000002" + "00000003",
                HexFormat.of().formatHex(VisitTable.key(1, 2, 3)));
        }
    }

    @Test
    void visitsAVisitorsTouchesInTimeOrderWithinTheRange()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final TouchTable touches = new TouchTable(store);
            touches.put(batch, 1, 2, 300, 9, 9, 3, 1);
            touches.put(batch, 1, 2, 100, 9, 8, 1, 1);
            touches.put(batch, 1, 2, 200, 9, 7, 2, 1);
            touches.put(batch, 1, 3, 150, 9, 6, 4, 1);
            store.write(batch);

            final List<String> seen = new ArrayList<>();
            touches.forEach(1, 2, 100, 200, (timeMs, clickHi, clickLo, partner, program) ->
                seen.add(timeMs + ":" + clickLo + ":" + partner + ":" + program));

            assertEquals(List.of("100:8:1:1", "200:7:2:1"), seen);
        }
    }

    @Test
    void readsBackAConversionAndListsAPartnersNewestFirst()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final ConversionTable conversions = new ConversionTable(store);
            final StoredConversion record = new StoredConversion.Alias("o-1", "o-0", 1_000);
            conversions.put(batch, 1, "o-1", record);
            conversions.putPartnerIndex(batch, 7, 1_000, 1, "o-1");
            conversions.putPartnerIndex(batch, 7, 3_000, 1, "o-3");
            conversions.putPartnerIndex(batch, 7, 2_000, 2, "o-2");
            conversions.putPartnerIndex(batch, 8, 4_000, 1, "o-4");
            conversions.deletePartnerIndex(batch, 7, 1_000, 1, "o-1");
            store.write(batch);

            assertEquals(record, conversions.find(1, "o-1"));
            assertNull(conversions.find(2, "o-1"));
            assertEquals(1, conversions.count());
            final List<String> seen = new ArrayList<>();
            conversions.forEachOfPartner(7, 10, (program, externalId) -> seen.add(program + "/" + externalId));
            assertEquals(List.of("1/o-3", "2/o-2"), seen);
            seen.clear();
            conversions.forEachOfPartner(7, 1, (program, externalId) -> seen.add(program + "/" + externalId));
            assertEquals(List.of("1/o-3"), seen);
        }
    }

    @Test
    void readsBackACustomersRecord()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final CustomerTable customers = new CustomerTable(store);
            customers.put(batch, 1, "c-1", new Touch("click", 5, 7));
            store.write(batch);

            assertEquals(new Touch("click", 5, 7), customers.find(1, "c-1", Touch.class));
            assertNull(customers.find(1, "c-2", Touch.class));
            assertEquals("00000001632d31", HexFormat.of().formatHex(CustomerTable.key(1, "c-1")));
        }
    }
}
