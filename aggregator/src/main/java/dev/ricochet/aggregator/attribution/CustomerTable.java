package dev.ricochet.aggregator.attribution;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Who each program's customers were attributed to, {@link Table#CUSTOMERS}.
 *
 * <pre>
 *   programNumber:i32 (big-endian) + customerId (UTF-8) -> JSON of the customer's attribution record
 * </pre>
 * The record's type is the attribution engine's; this class owns its encoding (JSON through {@link CatalogJson}).
 */
public final class CustomerTable
{
    private final StateStore store;

    /**
     * @param store the state.
     */
    public CustomerTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param programNumber catalog number of the program.
     * @param customerId    the checkout's customer id.
     * @param type          the record's type.
     * @param <T>           the record's type.
     * @return the committed record, or null.
     */
    public <T> T find(final int programNumber, final String customerId, final Class<T> type)
    {
        final byte[] stored = store.get(Table.CUSTOMERS, key(programNumber, customerId));
        return null == stored ? null : CatalogJson.read(stored, type);
    }

    /**
     * @param batch         the batch being built.
     * @param programNumber catalog number of the program.
     * @param customerId    the checkout's customer id.
     * @param record        the customer's attribution record.
     */
    public void put(final WriteBatch batch, final int programNumber, final String customerId, final Object record)
    {
        store.put(batch, Table.CUSTOMERS, key(programNumber, customerId), CatalogJson.write(record));
    }

    /**
     * @param programNumber catalog number of the program.
     * @param customerId    the checkout's customer id.
     * @return the customer's key.
     */
    public static byte[] key(final int programNumber, final String customerId)
    {
        final byte[] id = customerId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + id.length).putInt(programNumber).put(id).array();
    }
}
