package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Journal;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.Await;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The directory's lifetime totals (part 8, item 1; docs/directory.md): counted from clicks and a signed conversion,
 * kept across a restart, and rebuilt byte for byte by a replay of the journal.
 */
class DirectoryTotalsSystemTest
{
    private static final String PARTNERS = "/v1/programs/shop/partners?sort=revenue";

    @TempDir
    Path dataDir;

    @Test
    void shouldCountClicksAndASignedSaleIntoThePartnersTotalsAndRatios() throws Exception
    {
        try (ServiceFixture service = new ServiceFixture(dataDir, null))
        {
            // Given partner0 with three real clicks and a sale of 50.00 signed by Stripe on the last one
            service.admin.seedProgram("shop", 2, 1);
            service.click("p0-l0", null);
            service.click("p0-l0", null);
            final String clickId = ServiceFixture.clickId(service.click("p0-l0", null));
            assertEquals(200, stripeSale(service, "1", clickId).statusCode());
            service.awaitCommitted();

            // Then the directory lists its lifetime totals and the ratios derived from them
            final JsonNode top = service.admin.getJson(PARTNERS).get("items").get(0);
            assertEquals("partner0", top.get("id").asText());
            assertEquals(3, top.get("clicks").asLong());
            assertEquals(1, top.get("sales").asLong());
            assertEquals(0, top.get("leads").asLong());
            assertEquals(1, top.get("conversions").asLong());
            assertEquals(5000, top.get("revenue").asLong());
            assertEquals(500, top.get("commission").asLong()); // bronze: 10%
            assertEquals("166.6667", top.get("epc").toString()); // 500 / 3, half-up to 4 decimals
            assertEquals("0.333333", top.get("conversionRate").toString()); // 1 / 3, half-up to 6 decimals
            final JsonNode other = service.admin.getJson(PARTNERS).get("items").get(1);
            assertEquals(0, other.get("clicks").asLong());
        }
    }

    @Test
    void shouldKeepTheTotalsAcrossARestart() throws Exception
    {
        try (ServiceFixture service = new ServiceFixture(dataDir, null))
        {
            service.admin.seedProgram("shop", 1, 1);
            service.click("p0-l0", null);
            service.click("p0-l0", null);
            service.awaitCommitted();
        }

        try (ServiceFixture restarted = new ServiceFixture(dataDir, null))
        {
            restarted.click("p0-l0", null);
            restarted.awaitCommitted();

            assertEquals(3, restarted.admin.getJson(PARTNERS).get("items").get(0).get("clicks").asLong());
        }
    }

    @Test
    void shouldRebuildByteIdenticalTotalsWhenTheJournalIsReplayed() throws Exception
    {
        final String listed;
        try (ServiceFixture service = new ServiceFixture(dataDir, null))
        {
            service.admin.seedProgram("shop", 3, 1);
            for (int p = 0; p < 3; p++)
            {
                for (int c = 0; c <= p; c++)
                {
                    final String clickId = ServiceFixture.clickId(service.click("p" + p + "-l0", null));
                    assertEquals(200, stripeSale(service, p + "-" + c, clickId).statusCode());
                }
            }
            service.awaitCommitted();
            listed = service.admin.getOk(PARTNERS);
        }

        final Path replayDir = dataDir.resolve("replay");
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal"))))
        {
            final Aggregator replay = Replays.replay(journal, replayDir, System::currentTimeMillis);
            try
            {
                Await.committed(replay, journal);
                final AdminClient admin = new AdminClient(replay.adminPort(), ServiceFixture.ADMIN_TOKEN);
                assertEquals(listed, admin.getOk(PARTNERS));
            }
            finally
            {
                replay.close();
            }
        }

        final Map<String, byte[]> original = Replays.table(dataDir, Table.PARTNER_TOTALS);
        final Map<String, byte[]> replayed = Replays.table(replayDir, Table.PARTNER_TOTALS);
        assertFalse(original.isEmpty());
        assertEquals(original.keySet(), replayed.keySet());
        for (final Map.Entry<String, byte[]> entry : original.entrySet())
        {
            assertArrayEquals(entry.getValue(), replayed.get(entry.getKey()), "totals at key " + entry.getKey());
        }
    }

    private static HttpResponse<String> stripeSale(final ServiceFixture service, final String id,
        final String clickId) throws Exception
    {
        final String payload = "{\"id\":\"evt_" + id + "\",\"object\":\"event\"," +
            "\"type\":\"checkout.session.completed\",\"created\":" + System.currentTimeMillis() / 1000 +
            ",\"data\":{\"object\":{\"id\":\"cs_" + id + "\",\"payment_status\":\"paid\",\"amount_total\":5000," +
            "\"currency\":\"usd\",\"payment_intent\":\"pi_" + id + "\",\"client_reference_id\":\"" + clickId + "\"}}}";
        return service.postStripe("shop", AdminClient.STRIPE_SECRET, payload, System.currentTimeMillis() / 1000);
    }
}
