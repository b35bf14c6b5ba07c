package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.ingest.HmacSha256;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The {@code ETag} of a catalog entity: a strong tag that names one version of the entity as stored (its kind, id and
 * stored JSON, secrets included), so that it changes whenever the entity changes, by whichever route, and is the same
 * for the same stored entity (after a restart or a replay too).
 *
 * <p>It is a keyed MAC, not a plain hash: the stored JSON holds what some callers may not read (a program's secrets,
 * a partner's payout account), and a plain hash of a document whose other fields the caller sees would let it test
 * guesses of the hidden ones offline. The key is derived from the admin token, so tags survive restarts and change
 * only if the admin token is rotated (a stale tag is then a 412, never a wrong match).
 *
 * <p>It tags the entity's settings, not the figures its view adds (a partner's tier, health and windows move with
 * traffic): two managers racing over settings is what {@code If-Match} guards against (docs/catalog.md).
 */
final class EntityTag
{
    /**
     * Bytes of the MAC kept: 128 bits, far past any chance of two versions of one entity sharing a tag.
     */
    private static final int TAG_BYTES = 16;
    private static final byte[] SEPARATOR = { 0 };

    private final String key;

    /**
     * @param key the MAC key, never shown to anyone.
     */
    EntityTag(final String key)
    {
        this.key = key;
    }

    /**
     * @param kind  the catalog event kind of the entity.
     * @param entry the entity as stored, or null for none.
     * @return its tag, quoted as HTTP writes it ({@code "..."}), or null for no entity.
     */
    String of(final byte kind, final CatalogEntry<?> entry)
    {
        if (null == entry)
        {
            return null;
        }
        final byte[] mac = HmacSha256.of(key, new byte[]{ kind }, entry.id().getBytes(StandardCharsets.UTF_8),
            SEPARATOR, CatalogJson.write(entry.spec()));
        return '"' + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(mac, TAG_BYTES)) + '"';
    }

    @Override
    public String toString()
    {
        return "EntityTag[redacted]";
    }
}
