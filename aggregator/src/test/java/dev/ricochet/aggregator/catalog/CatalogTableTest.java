package dev.ricochet.aggregator.catalog;

import dev.ricochet.aggregator.store.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CatalogTableTest
{
    @TempDir
    Path dir;

    @Test
    void visitsEachSavedEntityWithItsKind()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final CatalogTable table = new CatalogTable(store);
            final CatalogEntry<String> second = new CatalogEntry<>("b", 2, "spec b");
            final CatalogEntry<String> first = new CatalogEntry<>("a", 1, "spec a");
            table.put(batch, (byte)2, second);
            table.put(batch, (byte)1, first);
            table.put(batch, (byte)1, new CatalogEntry<>("a", 1, "spec a, changed"));
            store.write(batch);

            final List<String> seen = new ArrayList<>();
            table.forEach((kind, json) ->
                seen.add(kind + ":" + CatalogJson.read(json, CatalogEntry.class).spec()));

            assertEquals(List.of("1:spec a, changed", "2:spec b"), seen);
        }
    }
}
