package dev.ricochet.aggregator.token;

import dev.ricochet.aggregator.audit.AuditDetail;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenChangesTest
{
    private static final String SECRET = "rt_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

    @TempDir
    Path dir;

    private static TokenChange create(final String id, final String name, final String secret)
    {
        return new TokenChange(TokenChange.Action.CREATE, id, name, "admin", "shop", null, TokenSecrets.hash(secret));
    }

    private static List<TokenChange> history()
    {
        return List.of(create("tk_0000000000000001", "ci", SECRET),
            create("tk_0000000000000002", "ann", SECRET + "x"), TokenChange.revoke("tk_0000000000000001"));
    }

    private static byte[] apply(final StateStore store, final TokenRegistry registry, final List<TokenChange> changes)
    {
        final TokenChanges applier = new TokenChanges(store, registry);
        try (WriteBatch batch = new WriteBatch())
        {
            long timeMs = 1_700_000_000_000L;
            for (final TokenChange change : changes)
            {
                applier.apply(batch, change, timeMs += 1000);
            }
            store.write(batch);
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        store.scan(Table.TOKENS, null, null, false, (key, value) ->
        {
            bytes.writeBytes(key);
            bytes.writeBytes(value);
            return true;
        });
        return bytes.toByteArray();
    }

    @Test
    void shouldRecogniseALiveTokenByItsHashOnly()
    {
        // Given a created token
        try (StateStore store = StateStore.open(dir))
        {
            final TokenRegistry registry = new TokenRegistry();
            apply(store, registry, List.of(create("tk_0000000000000001", "ci", SECRET)));

            // Then its hash finds it, with its name, role and scope
            final TokenRecord token = registry.live(TokenSecrets.hash(SECRET));
            assertEquals("ci", token.name());
            assertEquals("shop", token.programId());
            assertNull(registry.live(SECRET));
        }
    }

    @Test
    void shouldStopRecognisingARevokedTokenAndKeepItListed()
    {
        // Given a token created, then revoked
        try (StateStore store = StateStore.open(dir))
        {
            final TokenRegistry registry = new TokenRegistry();
            apply(store, registry, history());

            // Then its hash finds nothing, and it is still listed with the time of its revocation
            assertNull(registry.live(TokenSecrets.hash(SECRET)));
            assertEquals(1_700_000_003_000L, registry.byId("tk_0000000000000001").revokedAtMs());
            assertEquals(2, registry.page(null, 10).size());
        }
    }

    @Test
    void shouldNeverStoreTheToken()
    {
        // Given a token's history applied
        try (StateStore store = StateStore.open(dir))
        {
            final byte[] stored = apply(store, new TokenRegistry(), history());

            // Then the saved table holds its hash, never the token
            final String text = new String(stored, StandardCharsets.UTF_8);
            assertFalse(text.contains(SECRET));
            assertTrue(text.contains(TokenSecrets.hash(SECRET)));
        }
    }

    @Test
    void shouldRebuildTheSameTableAndRegistryOnReplayAndOnRestore()
    {
        // Given the same history applied to two fresh stores
        try (StateStore first = StateStore.open(dir.resolve("a"));
            StateStore second = StateStore.open(dir.resolve("b")))
        {
            final byte[] once = apply(first, new TokenRegistry(), history());
            final byte[] again = apply(second, new TokenRegistry(), history());

            // Then the tables are byte-identical, and a registry restored from one knows what the replay knew
            assertArrayEquals(once, again);
            final TokenRegistry restored = new TokenRegistry();
            new TokenTable(first).restoreInto(restored);
            assertNull(restored.live(TokenSecrets.hash(SECRET)));
            assertEquals("ann", restored.live(TokenSecrets.hash(SECRET + "x")).name());
            assertEquals(1, restored.liveCount());
        }
    }

    @Test
    void shouldApplyNothingForADuplicateIdHashOrLiveNameOrAnUnknownRevocation()
    {
        // Given a token
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final TokenRegistry registry = new TokenRegistry();
            final TokenChanges applier = new TokenChanges(store, registry);
            assertNotNull(applier.apply(batch, create("tk_0000000000000001", "ci", SECRET), 1));

            // Then the same id, the same hash, the same live name and an unknown revocation apply nothing
            assertNull(applier.apply(batch, create("tk_0000000000000001", "other", SECRET + "1"), 2));
            assertNull(applier.apply(batch, create("tk_0000000000000002", "other", SECRET), 3));
            assertNull(applier.apply(batch, create("tk_0000000000000003", "ci", SECRET + "3"), 4));
            assertNull(applier.apply(batch, TokenChange.revoke("tk_0000000000000009"), 5));
            assertEquals(1, registry.size());
        }
    }

    @Test
    void shouldRefuseATokenBeyondTheLiveBoundUntilOneIsRevoked()
    {
        // Given as many live tokens as the bound allows
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final TokenRegistry registry = new TokenRegistry();
            final TokenChanges applier = new TokenChanges(store, registry);
            for (int i = 0; i < TokenRegistry.MAX_LIVE; i++)
            {
                assertNotNull(applier.apply(batch, create(String.format("tk_%016x", i), "t" + i, SECRET + i), i));
            }

            // When one more is created, before and after one is revoked
            final AuditDetail beyond = applier.apply(batch, create("tk_1000000000000000", "x", SECRET), 1);
            applier.apply(batch, TokenChange.revoke("tk_0000000000000000"), 2);
            final AuditDetail afterRevoke =
                applier.apply(batch, create("tk_1000000000000000", "x", SECRET), 3);

            // Then the bound holds, and a revocation frees a place
            assertNull(beyond);
            assertNotNull(afterRevoke);
            assertEquals(TokenRegistry.MAX_LIVE, registry.liveCount());
        }
    }
}
