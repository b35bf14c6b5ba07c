package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.CatalogTable;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A data directory from before the program reports (partner day buckets, no program counters) gets its program
 * counters built once when the service opens it (docs/reports.md, "Replay and existing state").
 */
class ProgramCountersBackfillSystemTest
{
    private static final LocalDate MONDAY = LocalDate.parse("2026-03-09");

    @TempDir
    Path dataDir;

    @Test
    void anOldStateDirectoryIsReportedFromItsPartnersBuckets() throws Exception
    {
        // Given a state directory holding a program, two partners and their day buckets over eight days, no more
        final Path state = dataDir.resolve("state");
        Files.createDirectories(state);
        try (StateStore store = StateStore.open(state); WriteBatch batch = new WriteBatch())
        {
            final CatalogTable catalog = new CatalogTable(store);
            catalog.put(batch, CatalogEventFlyweight.KIND_PROGRAM, CatalogJson.read(("{\"id\":\"shop\",\"number\":1," +
                "\"spec\":{\"name\":\"Shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"}}")
                .getBytes(StandardCharsets.UTF_8), CatalogJson.PROGRAM));
            for (int partner = 1; partner <= 2; partner++)
            {
                catalog.put(batch, CatalogEventFlyweight.KIND_PARTNER, CatalogJson.read(("{\"id\":\"p" + partner +
                    "\",\"number\":" + partner + ",\"spec\":{\"programId\":\"shop\",\"name\":\"P" + partner +
                    "\",\"status\":\"active\"}}").getBytes(StandardCharsets.UTF_8), CatalogJson.PARTNER));
                for (int day = 0; day < 8; day++)
                {
                    final long[] values = new long[CounterField.COUNT];
                    values[CounterField.CLICKS.ordinal()] = 10L * partner + day;
                    values[CounterField.SALES.ordinal()] = partner;
                    values[CounterField.REVENUE.ordinal()] = 1_000L * partner * (day + 1);
                    new CounterTable(store).putDay(batch, partner, (int)MONDAY.toEpochDay() + day, values);
                }
            }
            store.write(batch);
        }

        // When the service opens it
        try (ServiceFixture service = new ServiceFixture(dataDir, null))
        {
            final ObjectMapper json = new ObjectMapper();
            final JsonNode overview = json.readTree(service.admin.getOk(
                "/v1/programs/shop/reports/overview?from=2026-03-10&to=2026-03-16"));
            final JsonNode top = json.readTree(service.admin.getOk(
                "/v1/programs/shop/reports/top-partners?metric=clicks&from=2026-03-10&to=2026-03-16"));

            // Then the reports add up the partners' buckets, whole weeks and cut ones alike
            for (final String counter : new String[]{ "clicks", "sales", "revenue" })
            {
                long partners = 0;
                for (final String partner : new String[]{ "p1", "p2" })
                {
                    partners += json.readTree(service.admin.getOk("/v1/partners/" + partner +
                        "/stats?from=2026-03-10&to=2026-03-16")).get(counter).asLong();
                }
                assertEquals(partners, overview.get("totals").get(counter).asLong(), counter);
            }
            assertEquals("p2", top.get("items").get(0).get("partnerId").asText());
            assertEquals(20 * 7 + (1 + 2 + 3 + 4 + 5 + 6 + 7), top.get("items").get(0).get("clicks").asLong());
        }
    }
}
