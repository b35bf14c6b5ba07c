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

    @Test
    void refusesTimeSettingsOutsideTheirBoundsNamingTheKey()
    {
        try (Journal journal = Journal.open(new Journal.Context().dir(dir.resolve("journal"))))
        {
            // Given a unique-click window past a year, and stall timeouts below a second and past an hour
            final Aggregator.Context window = new Aggregator.Context().dataDir(dir).journal(journal)
                .uniqueClickWindowMs(366 * 86_400_000L);
            final Aggregator.Context quick = new Aggregator.Context().dataDir(dir).journal(journal).stallTimeoutMs(999);
            final Aggregator.Context slow = new Aggregator.Context().dataDir(dir).journal(journal)
                .stallTimeoutMs(3_600_001L);

            // When the settings are validated at start-up, then each message names the key and the bounds
            assertEquals("ricochet.aggregator.unique.click.window: between 1ms and 365d",
                assertThrows(IllegalArgumentException.class, window::conclude).getMessage());
            assertEquals("ricochet.aggregator.stall.timeout: between 1s and 1h",
                assertThrows(IllegalArgumentException.class, quick::conclude).getMessage());
            assertEquals("ricochet.aggregator.stall.timeout: between 1s and 1h",
                assertThrows(IllegalArgumentException.class, slow::conclude).getMessage());
        }
    }
}
