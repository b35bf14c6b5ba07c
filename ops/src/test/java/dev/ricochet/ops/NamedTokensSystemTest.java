package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Journal;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.Await;
import dev.ricochet.testsupport.ServiceFixture;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Named tokens (item 7) over HTTP: created with a name, a role and an optional program scope, the secret shown once,
 * listed without it, revoked at once, kept across a restart and a replay, and stored only as a hash.
 */
class NamedTokensSystemTest
{
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dataDir;

    @TempDir
    Path replayDir;

    private ServiceFixture service;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        service.admin.seedProgram("shop", 2, 1);
    }

    @AfterEach
    void stop()
    {
        if (null != service)
        {
            service.close();
        }
    }

    private JsonNode create(final String body) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = service.admin.post("/v1/tokens", body);
        assertEquals(201, response.statusCode(), response.body());
        return json.readTree(response.body());
    }

    private HttpResponse<String> delete(final AdminClient client, final String path)
        throws IOException, InterruptedException
    {
        return client.send(client.builder(path).DELETE());
    }

    private AdminClient client(final JsonNode created)
    {
        return new AdminClient(service.aggregator.adminPort(), created.get("token").asText());
    }

    @Test
    void shouldCreateATokenThatActsWithItsRoleAndAnswerItsSecretOnlyOnce() throws Exception
    {
        // Given an analyst token named "weekly report"
        final JsonNode created = create("{\"name\":\"weekly report\",\"role\":\"analyst\"}");

        // When it reads and tries to change, and the admin lists the tokens
        final AdminClient analyst = client(created);
        final int read = analyst.get("/v1/programs/shop").statusCode();
        final int change = analyst.put("/v1/partners/partner0", "{\"programId\":\"shop\",\"name\":\"X\"}")
            .statusCode();
        final String list = service.admin.getOk("/v1/tokens");

        // Then it reads as an analyst and changes nothing; the list names it but holds neither secret nor hash
        final String secret = created.get("token").asText();
        assertTrue(secret.startsWith("rt_") && secret.length() >= 43, secret);
        assertEquals("weekly report", created.get("name").asText());
        assertEquals("analyst", created.get("role").asText());
        assertTrue(created.get("programId").isNull());
        assertEquals(200, read);
        assertEquals(403, change);
        final JsonNode item = json.readTree(list).get("items").get(0);
        assertEquals(created.get("id").asText(), item.get("id").asText());
        assertEquals(created.get("createdAt").asText(), item.get("createdAt").asText());
        assertTrue(item.get("revokedAt").isNull());
        assertFalse(list.contains(secret), list);
        assertFalse(list.contains(sha256(secret)), list);
        assertFalse(item.has("token") || item.has("hash"), list);
    }

    @Test
    void shouldRefuseARevokedTokenFromTheNextRequestOn() throws Exception
    {
        // Given an admin token that works
        final JsonNode created = create("{\"name\":\"deploy bot\",\"role\":\"admin\"}");
        final AdminClient bot = client(created);
        assertEquals(200, bot.get("/v1/programs/shop").statusCode());

        // When the admin revokes it, and revokes it again
        final String path = "/v1/tokens/" + created.get("id").asText();
        final HttpResponse<String> revoked = delete(service.admin, path);
        final int after = bot.get("/v1/programs/shop").statusCode();
        final HttpResponse<String> again = delete(service.admin, path);

        // Then the very next request is refused; the second revocation changes nothing; an unknown id is a 404
        assertEquals(200, revoked.statusCode(), revoked.body());
        final String revokedAt = json.readTree(revoked.body()).get("revokedAt").asText();
        assertFalse(revokedAt.isEmpty() || "null".equals(revokedAt));
        assertEquals(401, after);
        assertEquals(200, again.statusCode());
        assertEquals(revokedAt, json.readTree(again.body()).get("revokedAt").asText());
        assertEquals(404, delete(service.admin, "/v1/tokens/tk_0000000000000000").statusCode());
    }

    @Test
    void shouldKeepTokensAndRevocationsAcrossARestartAndRebuildTheSameTableOnReplay() throws Exception
    {
        // Given one token revoked and one working
        final JsonNode gone = create("{\"name\":\"old laptop\",\"role\":\"finance\"}");
        final JsonNode kept = create("{\"name\":\"new laptop\",\"role\":\"finance\"}");
        assertEquals(200, delete(service.admin, "/v1/tokens/" + gone.get("id").asText()).statusCode());
        final String listBefore = service.admin.getOk("/v1/tokens");

        // When the service restarts
        service.close();
        service = new ServiceFixture(dataDir, null);

        // Then the working one still works, the revoked one still does not, and the list is the same
        assertEquals(200, client(kept).get("/v1/programs/shop").statusCode());
        assertEquals(401, client(gone).get("/v1/programs/shop").statusCode());
        assertEquals(json.readTree(listBefore), json.readTree(service.admin.getOk("/v1/tokens")));

        // And a replay of the journal into an empty data directory rebuilds the same table, byte for byte
        service.close();
        service = null;
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal"))))
        {
            try (Aggregator replay = Replays.replay(journal, replayDir, SystemEpochClock.INSTANCE))
            {
                Await.committed(replay, journal);
            }
        }
        final Map<String, byte[]> original = Replays.table(dataDir, Table.TOKENS);
        final Map<String, byte[]> replayed = Replays.table(replayDir, Table.TOKENS);
        assertEquals(2, original.size());
        assertEquals(original.keySet(), replayed.keySet());
        final List<Executable> same = new ArrayList<>();
        for (final Map.Entry<String, byte[]> entry : original.entrySet())
        {
            same.add(() -> assertEquals(new String(entry.getValue(), StandardCharsets.UTF_8),
                new String(replayed.get(entry.getKey()), StandardCharsets.UTF_8)));
        }
        assertAll(same);
    }

    @Test
    void shouldStoreNeitherInTheJournalNorInTheStateAnythingButTheTokensHash() throws Exception
    {
        // Given a token created and used
        final JsonNode created = create("{\"name\":\"ci\",\"role\":\"admin\"}");
        final String secret = created.get("token").asText();
        assertEquals(200, client(created).get("/v1/programs/shop").statusCode());

        // When the service stops and every byte it wrote is read
        service.close();
        service = null;
        final byte[] token = secret.getBytes(StandardCharsets.US_ASCII);
        final byte[] hash = sha256(secret).getBytes(StandardCharsets.US_ASCII);
        final List<Path> holdingToken = new ArrayList<>();
        final List<Path> holdingHash = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dataDir))
        {
            for (final Path file : files.filter(Files::isRegularFile).toList())
            {
                final byte[] bytes = Files.readAllBytes(file);
                if (contains(bytes, token))
                {
                    holdingToken.add(file);
                }
                if (contains(bytes, hash))
                {
                    holdingHash.add(file);
                }
            }
        }

        // Then no file holds the token, and the journal holds its hash (the search does find what is there)
        assertEquals(List.of(), holdingToken);
        assertTrue(holdingHash.stream().anyMatch(file -> file.startsWith(dataDir.resolve("journal"))),
            "hash found in " + holdingHash);
    }

    @Test
    void shouldRefuseABadRequestNamingTheField() throws Exception
    {
        // Given bad bodies, each with the field its refusal must name
        final String[][] cases = {
            { "{\"role\":\"admin\"}", "name is required" },
            { "{\"name\":\"   \",\"role\":\"admin\"}", "name is required" },
            { "{\"name\":\"" + "n".repeat(101) + "\",\"role\":\"admin\"}", "name is longer than 100" },
            { "{\"name\":\"a\\u0007b\",\"role\":\"admin\"}", "name contains" },
            { "{\"name\":\"a\\u202eb\",\"role\":\"admin\"}", "name contains" },
            { "{\"name\":\"x\"}", "role is required" },
            { "{\"name\":\"x\",\"role\":\"ADMIN\"}", "role 'ADMIN' is invalid" },
            { "{\"name\":\"x\",\"role\":\"root\"}", "role 'root' is invalid" },
            { "{\"name\":\"x\",\"role\":\"partner\"}", "partnerId is required" },
            { "{\"name\":\"x\",\"role\":\"partner\",\"partnerId\":\"nobody\"}", "partnerId 'nobody'" },
            { "{\"name\":\"x\",\"role\":\"partner\",\"partnerId\":\"partner0\",\"programId\":\"other\"}",
                "programId 'other'" },
            { "{\"name\":\"x\",\"role\":\"admin\",\"partnerId\":\"partner0\"}", "partnerId is only for role partner" },
            { "{\"name\":\"x\",\"role\":\"admin\",\"programId\":\"nowhere\"}", "programId 'nowhere'" },
            { "{\"name\":\"x\",\"role\":\"admin\",\"hash\":\"00\"}", "hash" },
            { "{\"name\":[\"x\"],\"role\":\"admin\"}", "name" },
        };

        // When each is posted, then each is a 400 naming its field
        final List<Executable> checks = new ArrayList<>();
        for (final String[] bad : cases)
        {
            final HttpResponse<String> response = service.admin.post("/v1/tokens", bad[0]);
            checks.add(() -> assertEquals(400, response.statusCode(), bad[0] + " -> " + response.body()));
            checks.add(() -> assertTrue(response.body().contains(bad[1]), bad[0] + " -> " + response.body()));
        }
        assertAll(checks);
        assertEquals(0, json.readTree(service.admin.getOk("/v1/tokens")).get("items").size());
    }

    @Test
    void shouldRefuseASecondWorkingTokenOfTheSameNameButNotAfterItsRevocation() throws Exception
    {
        // Given a working token named "ci"
        final JsonNode first = create("{\"name\":\"ci\",\"role\":\"admin\"}");

        // When another is created with that name, before and after the first is revoked
        final int whileWorking = service.admin.post("/v1/tokens", "{\"name\":\"ci\",\"role\":\"analyst\"}")
            .statusCode();
        delete(service.admin, "/v1/tokens/" + first.get("id").asText());
        final int afterRevoked = service.admin.post("/v1/tokens", "{\"name\":\"ci\",\"role\":\"analyst\"}")
            .statusCode();

        // Then the name is taken only while its token works
        assertEquals(409, whileWorking);
        assertEquals(201, afterRevoked);
    }

    @Test
    void shouldLetOnlyAnUnscopedAdminManageTokens() throws Exception
    {
        // Given an unscoped named admin, a program-scoped admin, and the bootstrap finance and analyst tokens
        final AdminClient unscoped = client(create("{\"name\":\"ops lead\",\"role\":\"admin\"}"));
        final AdminClient scoped = client(create("{\"name\":\"shop manager\",\"role\":\"admin\"," +
            "\"programId\":\"shop\"}"));
        final AdminClient analyst = new AdminClient(service.aggregator.adminPort(), ServiceFixture.ANALYST_TOKEN);
        final String body = "{\"name\":\"minted\",\"role\":\"admin\"}";

        // When each tries to create, list and revoke tokens
        final int unscopedCreates = unscoped.post("/v1/tokens", body).statusCode();
        final int scopedCreates = scoped.post("/v1/tokens", "{\"name\":\"minted 2\",\"role\":\"admin\"}")
            .statusCode();
        final int scopedLists = scoped.get("/v1/tokens").statusCode();
        final int financeCreates = service.finance.post("/v1/tokens", body).statusCode();
        final int analystLists = analyst.get("/v1/tokens").statusCode();

        // Then only the unscoped admin may
        assertEquals(201, unscopedCreates);
        assertEquals(403, scopedCreates);
        assertEquals(403, scopedLists);
        assertEquals(403, financeCreates);
        assertEquals(403, analystLists);
    }

    @Test
    void shouldLetANamedPartnerTokenReadItsOwnPartnerOnly() throws Exception
    {
        // Given a named token for partner0
        final JsonNode created = create("{\"name\":\"partner0 portal\",\"role\":\"partner\"," +
            "\"partnerId\":\"partner0\"}");
        final AdminClient partner = client(created);

        // When it reads its partner, another partner and the program
        final int own = partner.get("/v1/partners/partner0").statusCode();
        final int other = partner.get("/v1/partners/partner1").statusCode();
        final int program = partner.get("/v1/programs/shop").statusCode();

        // Then it reads only its own, and its scope is its partner's program
        assertEquals("shop", created.get("programId").asText());
        assertEquals(200, own);
        assertEquals(403, other);
        assertEquals(403, program);
    }

    @Test
    void shouldPageTheListWithAnOpaqueCursorAndRefuseAMalformedOne() throws Exception
    {
        // Given three tokens
        for (int i = 0; i < 3; i++)
        {
            create("{\"name\":\"t" + i + "\",\"role\":\"analyst\"}");
        }

        // When they are read two at a time
        final JsonNode first = service.admin.getJson("/v1/tokens?limit=2");
        final JsonNode second = service.admin.getJson("/v1/tokens?limit=2&cursor=" + first.get("next").asText());

        // Then the pages hold them all once, in creation order; a bad cursor or limit is a 400 naming it
        assertEquals(List.of("t0", "t1"), names(first));
        assertEquals(List.of("t2"), names(second));
        assertTrue(second.get("next").isNull());
        final HttpResponse<String> badCursor = service.admin.get("/v1/tokens?cursor=bm9wZQ");
        assertEquals(400, badCursor.statusCode());
        assertTrue(badCursor.body().contains("cursor"), badCursor.body());
        assertEquals(400, service.admin.get("/v1/tokens?limit=501").statusCode());
        assertEquals(400, service.admin.get("/v1/tokens?color=red").statusCode());
    }

    @Test
    void shouldRecordEachCreationAndRevocationInTheAuditTrailWithoutTheSecret() throws Exception
    {
        // Given a token created by the bootstrap admin, which changes a partner, then is revoked by the admin
        final JsonNode created = create("{\"name\":\"shop manager\",\"role\":\"admin\",\"programId\":\"shop\"}");
        final String secret = created.get("token").asText();
        final String id = created.get("id").asText();
        client(created).putOk("/v1/partners/partner0", "{\"programId\":\"shop\",\"name\":\"Renamed\"}");
        assertEquals(200, delete(service.admin, "/v1/tokens/" + id).statusCode());

        // When the audit trail is read
        final String trail = service.admin.getOk("/v1/audit");
        final List<JsonNode> records = new ArrayList<>();
        json.readTree(trail).get("items").forEach(records::add);

        // Then the creation and the revocation name the token, its role and scope, by the bootstrap admin; the
        // partner's change names the token as its actor; neither the secret nor its hash is anywhere
        final JsonNode creation = only(records, "create_token");
        assertEquals("token:" + id, creation.get("target").asText());
        assertEquals("shop", creation.get("programId").asText());
        assertEquals("admin", creation.get("actor").get("tokenId").asText());
        assertEquals("shop manager", creation.get("after").get("name").asText());
        assertEquals("admin", creation.get("after").get("role").asText());
        final JsonNode revocation = only(records, "revoke_token");
        assertTrue(revocation.get("before").get("revokedAt").isNull());
        assertFalse(revocation.get("after").get("revokedAt").isNull());
        final JsonNode change = records.get(1);
        assertEquals("put_partner", change.get("action").asText());
        assertEquals(id, change.get("actor").get("tokenId").asText());
        assertEquals("shop manager", change.get("actor").get("name").asText());
        assertFalse(trail.contains(secret), trail);
        assertFalse(trail.contains(sha256(secret)), trail);
    }

    private static JsonNode only(final List<JsonNode> records, final String action)
    {
        final List<JsonNode> matching = records.stream().filter(r -> action.equals(r.get("action").asText())).toList();
        assertEquals(1, matching.size(), action + " in " + records);
        return matching.get(0);
    }

    private static List<String> names(final JsonNode page)
    {
        final List<String> names = new ArrayList<>();
        page.get("items").forEach(item -> names.add(item.get("name").asText()));
        return names;
    }

    private static boolean contains(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static String sha256(final String token) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
            .digest(token.getBytes(StandardCharsets.UTF_8)));
    }
}
