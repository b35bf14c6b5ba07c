package dev.ricochet.aggregator;

import dev.ricochet.ingest.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AggregatorContextTest
{
    @TempDir
    Path dir;

    @Test
    void refusesAStateMemoryBudgetTooSmallForRocksDbNamingTheKey()
    {
        try (Journal journal = Journal.open(new Journal.Context().dir(dir.resolve("journal"))))
        {
            // Given a budget of 1 MB for all of RocksDB's memory
            final Aggregator.Context context = new Aggregator.Context()
                .dataDir(dir).journal(journal).stateMemoryBytes(1L << 20);

            // When the settings are validated at start-up, then the message names the key and the minimum
            final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, context::conclude);
            assertEquals("ricochet.aggregator.state.memory: at least 16m, was 1048576 bytes", error.getMessage());
        }
    }
}
