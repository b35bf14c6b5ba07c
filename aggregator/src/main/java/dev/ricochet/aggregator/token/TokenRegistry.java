package dev.ricochet.aggregator.token;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The named tokens in memory: the live ones by hash (how a request's token is recognised) and all of them, revoked
 * too, by id and in creation order (how they are listed). Written only by the aggregator thread as it applies the
 * journal ({@link TokenChanges}) or restores the saved table ({@link TokenTable}); read by the admin API's threads.
 * A revocation removes the hash before the API answers, so a revoked token stops working at once.
 */
public final class TokenRegistry
{
    /**
     * Most live tokens at once; another creation is refused (409).
     */
    public static final int MAX_LIVE = 1000;

    /**
     * Most tokens ever created, revoked ones included (they stay listed for the audit); another is refused (409).
     */
    public static final int MAX_RECORDS = 100_000;

    private final Map<String, TokenRecord> liveByHash = new ConcurrentHashMap<>();
    private final Map<String, TokenRecord> byId = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<String, TokenRecord> inOrder = new ConcurrentSkipListMap<>();

    /**
     * @param hash SHA-256 of a presented token ({@link TokenSecrets#hash}).
     * @return the live token with that hash, or null.
     */
    public TokenRecord live(final String hash)
    {
        return liveByHash.get(hash);
    }

    /**
     * @param id a token id.
     * @return the token, live or revoked, or null.
     */
    public TokenRecord byId(final String id)
    {
        return null == id ? null : byId.get(id);
    }

    /**
     * @param name a token name.
     * @return the live token of that name, or null.
     */
    public TokenRecord liveNamed(final String name)
    {
        for (final TokenRecord token : liveByHash.values())
        {
            if (token.name().equals(name))
            {
                return token;
            }
        }
        return null;
    }

    /**
     * @return how many tokens work now.
     */
    public int liveCount()
    {
        return liveByHash.size();
    }

    /**
     * @return how many tokens were ever created.
     */
    public int size()
    {
        return byId.size();
    }

    /**
     * @param after the order key of the last token of the previous page ({@link #orderKey}), or null for the first.
     * @param limit most tokens to return.
     * @return up to {@code limit + 1} tokens after it in creation order (the extra one says there is a next page).
     */
    public List<TokenRecord> page(final String after, final int limit)
    {
        final Map<String, TokenRecord> tail = null == after ? inOrder : inOrder.tailMap(after, false);
        final List<TokenRecord> page = new ArrayList<>(Math.min(limit + 1, 501));
        for (final TokenRecord token : tail.values())
        {
            page.add(token);
            if (page.size() > limit)
            {
                break;
            }
        }
        return page;
    }

    /**
     * @param token a token.
     * @return its key in creation order: creation time (zero-padded) and id.
     */
    public static String orderKey(final TokenRecord token)
    {
        return String.format("%019d:%s", token.createdAtMs(), token.id());
    }

    /**
     * Set a token's state, applied or restored. Aggregator thread only.
     *
     * @param token the token as it now is.
     */
    void put(final TokenRecord token)
    {
        byId.put(token.id(), token);
        inOrder.put(orderKey(token), token);
        if (token.isLive())
        {
            liveByHash.put(token.hash(), token);
        }
        else
        {
            liveByHash.computeIfPresent(token.hash(), (hash, live) -> live.id().equals(token.id()) ? null : live);
        }
    }
}
