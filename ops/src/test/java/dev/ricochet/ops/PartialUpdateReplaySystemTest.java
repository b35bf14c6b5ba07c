package dev.ricochet.ops;

import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Journal;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.Await;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A patch is journaled as the whole entity it results in: a fresh aggregator replaying the journal rebuilds the same
 * catalog, byte for byte, and answers the same entities with the same ETags.
 */
class PartialUpdateReplaySystemTest
{
    private static final List<String> PATHS = List.of("/v1/programs/shop", "/v1/partners/ann", "/v1/links/ann-1",
        "/v1/coupons/ANN10");

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRebuildTheSameCatalogAndTagsWhenAJournalOfPatchesIsReplayed() throws Exception
    {
        // Given entities created, patched and replaced
        final long now = 1_767_225_600_000L;
        final Map<String, String> answers = new TreeMap<>();
        final ServiceFixture service = new ServiceFixture(dataDir, () -> now);
        try
        {
            final AdminClient admin = service.admin;
            admin.putOk("/v1/programs/shop", "{\"name\":\"Shop\",\"currency\":\"USD\"," +
                "\"secrets\":{\"apiKey\":\"program-secret-0123456789\"}}");
            admin.putOk("/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"Ann\",\"status\":\"pending\"," +
                "\"email\":\"ann@example.com\",\"payoutAccount\":\"ann@paypal.example\"}");
            admin.putOk("/v1/links/ann-1", "{\"partnerId\":\"ann\",\"destination\":\"https://shop.example/a\"}");
            admin.putOk("/v1/coupons/ANN10", "{\"partnerId\":\"ann\"}");
            patchOk(admin, "/v1/programs/shop", "{\"fraud\":{\"selfReferral\":false},\"holdDays\":7}");
            patchOk(admin, "/v1/partners/ann", "{\"status\":\"active\",\"payoutAccount\":null}");
            patchOk(admin, "/v1/links/ann-1", "{\"destination\":\"https://shop.example/b\"}");
            patchOk(admin, "/v1/programs/shop", "{\"name\":\"Shop & Co\"}");
            for (final String path : PATHS)
            {
                answers.put(path, admin.etag(path) + " " + admin.getOk(path));
            }
            Await.committed(service.aggregator, service.journal);
        }
        finally
        {
            service.close();
        }

        // When a fresh aggregator replays the journal into an empty data directory
        final Path replayDir = dataDir.resolve("replay");
        final Map<String, String> replayed = new TreeMap<>();
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal"))))
        {
            final Aggregator replay = Replays.replay(journal, replayDir, () -> now);
            try
            {
                Await.committed(replay, journal);
                final AdminClient admin = new AdminClient(replay.adminPort(), ServiceFixture.ADMIN_TOKEN);
                for (final String path : PATHS)
                {
                    replayed.put(path, admin.etag(path) + " " + admin.getOk(path));
                }
            }
            finally
            {
                replay.close();
            }
        }

        // Then every entity answers the same, with the same ETag
        assertEquals(answers, replayed);

        // And the catalog table holds the same bytes
        final Map<String, byte[]> original = Replays.table(dataDir, Table.CATALOG);
        final Map<String, byte[]> rebuilt = Replays.table(replayDir, Table.CATALOG);
        assertEquals(original.keySet(), rebuilt.keySet());
        for (final Map.Entry<String, byte[]> entry : original.entrySet())
        {
            assertArrayEquals(entry.getValue(), rebuilt.get(entry.getKey()), "catalog value at " + entry.getKey());
        }
    }

    private static void patchOk(final AdminClient admin, final String path, final String patch) throws Exception
    {
        final HttpResponse<String> response = admin.patch(path, patch);
        assertEquals(200, response.statusCode(), path + " " + response.body());
    }
}
