package dev.ricochet.aggregator.catalog;

import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The saved catalog, {@link Table#CATALOG}: what a restart restores before it reads the journal on.
 *
 * <pre>
 *   kind:u8 + id (UTF-8) -> JSON {@link CatalogEntry} {id, number, spec}
 * </pre>
 */
public final class CatalogTable
{
    private final StateStore store;

    /**
     * @param store the state.
     */
    public CatalogTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param batch the batch being built.
     * @param kind  entity kind (a catalog event's kind).
     * @param entry the entity.
     */
    public void put(final WriteBatch batch, final byte kind, final CatalogEntry<?> entry)
    {
        store.put(batch, Table.CATALOG, key(kind, entry.id()), CatalogJson.write(entry));
    }

    /**
     * @param batch the batch being built.
     * @param kind  entity kind.
     * @param id    the entity's id: a deleted segment (item 4).
     */
    public void delete(final WriteBatch batch, final byte kind, final String id)
    {
        store.delete(batch, Table.CATALOG, key(kind, id));
    }

    /**
     * Visit every saved catalog entity, in key order.
     *
     * @param consumer receives kind and document.
     */
    public void forEach(final CatalogEntryConsumer consumer)
    {
        store.scan(Table.CATALOG, null, null, false, (key, value) ->
        {
            consumer.accept(key[0], value);
            return true;
        });
    }

    /**
     * Receives saved catalog entities.
     */
    @FunctionalInterface
    public interface CatalogEntryConsumer
    {
        /**
         * @param kind entity kind.
         * @param json entity document, read with {@link CatalogJson} as the kind's entry type.
         */
        void accept(byte kind, byte[] json);
    }

    /**
     * @param kind entity kind.
     * @param id   entity id.
     * @return the entity's key.
     */
    public static byte[] key(final byte kind, final String id)
    {
        final byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + idBytes.length).put(kind).put(idBytes).array();
    }
}
