package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.token.TokenChange;
import dev.ricochet.aggregator.token.TokenChanges;
import dev.ricochet.aggregator.token.TokenRegistry;
import dev.ricochet.aggregator.token.TokenSecrets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AdminRolesTest
{
    @TempDir
    Path dir;

    private static AdminRoles roles(final String adminToken, final TokenRegistry tokens)
    {
        return new AdminRoles(new AdminToken(adminToken, false), new AdminToken("finance-token-0123456789", false),
            new AdminToken("analyst-token-0123456789", false), tokens);
    }

    @Test
    void shouldRecogniseAConfiguredBootstrapTokenThatLooksLikeANamedOne()
    {
        // Given an admin token configured with the named tokens' prefix
        final AdminRoles roles = roles("rt_configured-admin-token", new TokenRegistry());

        // When it is presented, then it is the bootstrap admin
        assertEquals(new AdminRoles.Caller("admin", "admin (bootstrap)", AdminRoles.Role.ADMIN, null, null),
            roles.caller("rt_configured-admin-token"));
    }

    @Test
    void shouldNameANamedTokensCallerWithItsIdNameRoleAndScopeUntilItIsRevoked()
    {
        // Given a named finance token scoped to program shop
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            final TokenRegistry tokens = new TokenRegistry();
            final TokenChanges changes = new TokenChanges(store, tokens);
            final String secret = TokenSecrets.newToken();
            changes.apply(batch, new TokenChange(TokenChange.Action.CREATE, "tk_00000000000000aa", "books",
                "finance", "shop", null, TokenSecrets.hash(secret)), 1);
            final AdminRoles roles = roles("admin-token-0123456789", tokens);

            // When it is presented, before and after its revocation
            final AdminRoles.Caller before = roles.caller(secret);
            changes.apply(batch, TokenChange.revoke("tk_00000000000000aa"), 2);
            final AdminRoles.Caller after = roles.caller(secret);

            // Then it is its own caller, then no one
            assertEquals(new AdminRoles.Caller("tk_00000000000000aa", "books", AdminRoles.Role.FINANCE, null, "shop"),
                before);
            assertNull(after);
        }
    }
}
