package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit trail: every admin change, with the token that made it, its request id, and the target before and
 * after, read back at {@code GET /v1/audit}; written by the aggregator from the journal, so a replay rebuilds it.
 */
class AuditTrailSystemTest
{
    private static final long START_MS = 1_780_000_000_000L;

    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong clock = new AtomicLong(START_MS);

    @TempDir
    Path dataDir;

    private ServiceFixture service;

    @BeforeEach
    void setUp() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get);
        service.admin.seedProgram("shop", 0, 0);
        service.admin.seedPartner("shop", "ann", "Ann");
    }

    @AfterEach
    void tearDown()
    {
        if (null != service)
        {
            service.close();
        }
    }

    @Test
    void shouldRecordEachChangeWithItsTokenRequestIdAndTheTargetBeforeAndAfter() throws Exception
    {
        // When the admin renames ann, naming its request
        final HttpResponse<String> answer = service.admin.send(service.admin.builder("/v1/partners/ann")
            .header("X-Request-Id", "rename-ann-1")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"programId\":\"shop\",\"name\":\"Ann B.\"}")));
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("rename-ann-1", answer.headers().firstValue("x-request-id").orElse(null));

        // Then finance reads it first in the trail, with who, which request, and the name before and after
        final JsonNode newest = service.finance.getJson("/v1/audit").get("items").get(0);
        assertEquals("admin", newest.at("/actor/tokenId").asText());
        assertEquals("admin", newest.at("/actor/role").asText());
        assertEquals("rename-ann-1", newest.get("requestId").asText());
        assertEquals("put_partner", newest.get("action").asText());
        assertEquals("partner:ann", newest.get("target").asText());
        assertEquals("shop", newest.get("programId").asText());
        assertTrue(newest.get("applied").asBoolean());
        assertEquals("Ann", newest.at("/before/name").asText());
        assertEquals("Ann B.", newest.at("/after/name").asText());
    }

    @Test
    void shouldNeverHoldASecretOnlyWhichSecretsAreSet() throws Exception
    {
        // When finance reads the program's creation in the trail
        final HttpResponse<String> trail = service.finance.get("/v1/audit?target=program:shop");

        // Then it names the secrets set and holds none of their values
        assertEquals(200, trail.statusCode(), trail.body());
        final JsonNode record = json.readTree(trail.body()).get("items").get(0);
        assertEquals("[\"apiKey\",\"stripe\",\"postback\"]", record.at("/after/secretsSet").toString());
        assertFalse(trail.body().contains(AdminClient.API_KEY), trail.body());
        assertFalse(trail.body().contains(AdminClient.STRIPE_SECRET), trail.body());
    }

    @Test
    void shouldGiveEveryRecordExactlyOnceAcrossPagesNewestFirst() throws Exception
    {
        // Given five more changes
        for (int i = 0; i < 5; i++)
        {
            service.admin.seedPartner("shop", "p" + i, "P" + i);
        }

        // When finance walks the trail one record a page
        final List<String> ids = new ArrayList<>();
        String cursor = null;
        do
        {
            final JsonNode page = service.finance.getJson("/v1/audit?limit=1" +
                (null == cursor ? "" : "&cursor=" + cursor));
            page.get("items").forEach(item -> ids.add(item.get("id").asText()));
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
        }
        while (null != cursor);

        // Then it sees the 7 changes once each, newest (highest sequence number) first
        assertEquals(7, ids.size(), ids.toString());
        assertEquals(7, ids.stream().distinct().count());
        for (int i = 1; i < ids.size(); i++)
        {
            assertTrue(Long.parseLong(ids.get(i - 1)) > Long.parseLong(ids.get(i)), ids.toString());
        }
    }

    @Test
    void shouldFilterByActorActionAndTarget() throws Exception
    {
        service.admin.seedPartner("shop", "bob", "Bob");

        assertEquals(2, service.finance.getJson("/v1/audit?action=put_partner").get("items").size());
        assertEquals(1, service.finance.getJson("/v1/audit?target=partner:bob").get("items").size());
        assertEquals(3, service.finance.getJson("/v1/audit?actor=admin").get("items").size());
        assertEquals(0, service.finance.getJson("/v1/audit?actor=finance").get("items").size());
    }

    @Test
    void shouldRefuseAForgedCursorAndAnAnalyst() throws Exception
    {
        final HttpResponse<String> forged = service.finance.get("/v1/audit?cursor=not-a-cursor");
        assertEquals(400, forged.statusCode(), forged.body());
        assertTrue(forged.body().contains("cursor"), forged.body());

        final AdminClient analyst = new AdminClient(service.aggregator.adminPort(), ServiceFixture.ANALYST_TOKEN);
        assertEquals(403, analyst.get("/v1/audit").statusCode());
    }

    @Test
    void shouldRebuildTheSameTrailByteForByteWhenTheJournalIsReplayed() throws Exception
    {
        service.admin.seedPartner("shop", "bob", "Bob");
        service.awaitCommitted();
        service.close();
        service = null;

        final Path replayDir = dataDir.resolve("replay");
        Replays.replayJournal(dataDir, replayDir, clock::get);
        Replays.assertSameTables(dataDir, replayDir, List.of(Table.AUDIT, Table.AUDIT_INDEX));
    }
}
