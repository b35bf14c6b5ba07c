package dev.ricochet.aggregator.timeline;

import dev.ricochet.aggregator.store.EntryConsumer;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Webhook events waiting for delivery, {@link Table#OUTBOX}: written in the batch of the change they report, deleted
 * by the webhook dispatcher once delivered (or given up).
 *
 * <pre>
 *   outbox  seq:i64 (big-endian)  -> JSON timeline event
 *   meta    "outbox.seq"          -> seq:i64 of the last event written
 * </pre>
 */
public final class OutboxTable
{
    private static final String OUTBOX_SEQ = "outbox.seq";
    /**
     * Nine 0xFF bytes sort after every 8-byte key.
     */
    private static final byte[] SCAN_END = new byte[9];

    static
    {
        Arrays.fill(SCAN_END, (byte)0xFF);
    }

    private final StateStore store;

    /**
     * @param store the state.
     */
    public OutboxTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * Visit the committed events from a key on, in sequence order.
     *
     * @param from     first key visited (a key or just past one, see {@link #after(byte[])}).
     * @param consumer receives each key and event; returns false to stop.
     */
    public void scanFrom(final byte[] from, final EntryConsumer consumer)
    {
        store.scan(Table.OUTBOX, from, SCAN_END, false, consumer);
    }

    /**
     * @param key an event's key.
     * @return the committed event (JSON), or null if delivered or never written.
     */
    public byte[] find(final byte[] key)
    {
        return store.get(Table.OUTBOX, key);
    }

    /**
     * Delete a delivered event now, outside the aggregator's batches (the aggregator never reads it back).
     *
     * @param key the event's key.
     */
    public void deleteNow(final byte[] key)
    {
        store.deleteNow(Table.OUTBOX, key);
    }

    /**
     * @return the committed sequence number of the last event written, 0 if none.
     */
    long lastSeq()
    {
        final byte[] stored = store.meta(OUTBOX_SEQ);
        return null == stored ? 0 : ByteBuffer.wrap(stored).getLong();
    }

    void put(final WriteBatch batch, final byte[] key, final byte[] event)
    {
        store.put(batch, Table.OUTBOX, key, event);
    }

    void putLastSeq(final WriteBatch batch, final long seq)
    {
        store.putMeta(batch, OUTBOX_SEQ, ByteBuffer.allocate(8).putLong(seq).array());
    }

    /**
     * @param seq an event's sequence number.
     * @return its key.
     */
    public static byte[] key(final long seq)
    {
        return ByteBuffer.allocate(8).putLong(seq).array();
    }

    /**
     * @param key a key.
     * @return true if it has the layout of an event's key.
     */
    public static boolean isKey(final byte[] key)
    {
        return 8 == key.length;
    }

    /**
     * @param key an event's key.
     * @return its sequence number.
     */
    public static long seq(final byte[] key)
    {
        return ByteBuffer.wrap(key).getLong();
    }

    /**
     * @param key a key.
     * @return the smallest key after it: where a scan resumes just past it.
     */
    public static byte[] after(final byte[] key)
    {
        return Arrays.copyOf(key, key.length + 1);
    }
}
