package dev.ricochet.aggregator.timeline;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;

/**
 * Each partner's activity, {@link Table#TIMELINE}.
 *
 * <pre>
 *   partnerNumber:i32 + seq:i64 (big-endian) -> JSON {@link TimelineEvent} (append-only)
 * </pre>
 */
public final class TimelineTable
{
    private final StateStore store;

    /**
     * @param store the state.
     */
    public TimelineTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * Visit a partner's committed events, newest first.
     *
     * @param partnerNumber partner.
     * @param consumer      receives each event as stored (JSON); returns false to stop.
     */
    public void forEachNewestFirst(final int partnerNumber, final EventConsumer consumer)
    {
        store.scan(Table.TIMELINE, partnerKey(partnerNumber), partnerKey(partnerNumber + 1), true,
            (key, value) -> consumer.accept(value));
    }

    /**
     * Receives events.
     */
    @FunctionalInterface
    public interface EventConsumer
    {
        /**
         * @param json the event, as {@link TimelineEvent} JSON.
         * @return true to continue.
         */
        boolean accept(byte[] json);
    }

    void put(final WriteBatch batch, final byte[] key, final byte[] event)
    {
        store.put(batch, Table.TIMELINE, key, event);
    }

    static byte[] key(final int partnerNumber, final long seq)
    {
        return ByteBuffer.allocate(12).putInt(partnerNumber).putLong(seq).array();
    }

    static byte[] encode(final TimelineEvent event)
    {
        return CatalogJson.write(event);
    }

    private static byte[] partnerKey(final int partnerNumber)
    {
        return ByteBuffer.allocate(4).putInt(partnerNumber).array();
    }
}
