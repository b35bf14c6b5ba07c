package dev.ricochet.aggregator.token;

import dev.ricochet.aggregator.audit.AuditDetail;
import dev.ricochet.aggregator.store.StateStore;
import org.rocksdb.WriteBatch;

import java.util.Set;

/**
 * Applies journaled token changes, aggregator thread only: the saved table ({@link TokenTable}) in the agent's batch
 * and the {@link TokenRegistry} at once, so a revoked token stops working before the API answers and a replay
 * rebuilds the same table from the same events (journal time only). A change the journal holds but the rules
 * refuse (an id, hash or live name already known, too many tokens, an unknown or already revoked token) applies
 * nothing, the same way in every replay.
 */
public final class TokenChanges
{
    /**
     * The roles a token may have, lower case.
     */
    public static final Set<String> ROLES = Set.of("admin", "finance", "analyst", "partner");

    private final TokenTable table;
    private final TokenRegistry registry;

    /**
     * @param store    the state.
     * @param registry the tokens in memory.
     */
    public TokenChanges(final StateStore store, final TokenRegistry registry)
    {
        this.table = new TokenTable(store);
        this.registry = registry;
    }

    /**
     * @param batch  the agent's batch.
     * @param change the journaled change.
     * @param timeMs the event's journal time.
     * @return what it did, for the audit trail (target {@code token:<id>}, the token's program, before and after
     *         without the hash), or null if the rules refused it (nothing applied).
     */
    public AuditDetail apply(final WriteBatch batch, final TokenChange change, final long timeMs)
    {
        if (null == change.action() || null == change.id())
        {
            return null;
        }
        return switch (change.action())
        {
            case CREATE -> create(batch, change, timeMs);
            case REVOKE -> revoke(batch, change.id(), timeMs);
        };
    }

    private AuditDetail create(final WriteBatch batch, final TokenChange change, final long timeMs)
    {
        if (null != registry.byId(change.id()) || null == change.hash() || null != registry.live(change.hash()) ||
            null == change.name() || null != registry.liveNamed(change.name()) || !ROLES.contains(change.role()) ||
            ("partner".equals(change.role()) != (null != change.partnerId())) ||
            registry.liveCount() >= TokenRegistry.MAX_LIVE || registry.size() >= TokenRegistry.MAX_RECORDS)
        {
            return null;
        }
        final TokenRecord token = new TokenRecord(change.id(), change.name(), change.role(), change.programId(),
            change.partnerId(), change.hash(), timeMs, null);
        put(batch, token);
        return detail(null, token);
    }

    private AuditDetail revoke(final WriteBatch batch, final String id, final long timeMs)
    {
        final TokenRecord existing = registry.byId(id);
        if (null == existing || !existing.isLive())
        {
            return null;
        }
        final TokenRecord revoked = existing.revoked(timeMs);
        put(batch, revoked);
        return detail(existing, revoked);
    }

    private static AuditDetail detail(final TokenRecord before, final TokenRecord after)
    {
        return new AuditDetail("token:" + after.id(), after.programId(), null == before ? null : before.view(),
            after.view());
    }

    private void put(final WriteBatch batch, final TokenRecord token)
    {
        table.put(batch, token);
        registry.put(token);
    }
}
