package dev.ricochet.aggregator.token;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;

/**
 * The saved named tokens, {@link Table#TOKENS}: what a restart restores into the {@link TokenRegistry} before it
 * reads the journal on.
 *
 * <pre>
 *   token id (UTF-8) -> JSON {@link TokenRecord} (the token's hash, never the token)
 * </pre>
 */
public final class TokenTable
{
    private final StateStore store;

    /**
     * @param store the state.
     */
    public TokenTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * Load every saved token into a registry.
     *
     * @param registry the registry of this process, empty.
     */
    public void restoreInto(final TokenRegistry registry)
    {
        store.scan(Table.TOKENS, null, null, false, (key, value) ->
        {
            registry.put(CatalogJson.read(value, TokenRecord.class));
            return true;
        });
    }

    void put(final WriteBatch batch, final TokenRecord token)
    {
        store.put(batch, Table.TOKENS, token.id().getBytes(StandardCharsets.UTF_8), CatalogJson.write(token));
    }
}
