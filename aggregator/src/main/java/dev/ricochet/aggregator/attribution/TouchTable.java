package dev.ricochet.aggregator.attribution;

import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;

/**
 * Each visitor's real clicks in time order, {@link Table#TOUCHES}: the touch paths of multi-touch attribution.
 *
 * <pre>
 *   visitorId hi:i64 + lo:i64 + timeMs:i64 + clickId hi:i64 + lo:i64 (big-endian) -> partnerNumber:i32 +
 *                                                                                     programNumber:i32
 * </pre>
 * Writes reuse scratch buffers: one instance per writing thread (the aggregator's).
 */
public final class TouchTable
{
    private final StateStore store;
    private final ByteBuffer scratchKey = ByteBuffer.allocate(40);
    private final ByteBuffer scratchValue = ByteBuffer.allocate(8);

    /**
     * @param store the state.
     */
    public TouchTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param batch         the batch being built.
     * @param visitorHi     high bits of the visitor id.
     * @param visitorLo     low bits of the visitor id.
     * @param timeMs        click time.
     * @param clickHi       high bits of the click id.
     * @param clickLo       low bits of the click id.
     * @param partnerNumber partner of the link.
     * @param programNumber program of the link.
     */
    public void put(final WriteBatch batch, final long visitorHi, final long visitorLo, final long timeMs,
        final long clickHi, final long clickLo, final int partnerNumber, final int programNumber)
    {
        scratchKey.clear();
        scratchKey.putLong(visitorHi).putLong(visitorLo).putLong(timeMs).putLong(clickHi).putLong(clickLo);
        scratchValue.clear();
        scratchValue.putInt(partnerNumber).putInt(programNumber);
        store.put(batch, Table.TOUCHES, scratchKey.array(), scratchValue.array());
    }

    /**
     * Visit a visitor's committed touches in a time range, oldest first.
     *
     * @param visitorHi high bits of the visitor id.
     * @param visitorLo low bits of the visitor id.
     * @param fromMs    earliest click time, inclusive.
     * @param toMs      latest click time, inclusive.
     * @param consumer  receives each touch.
     */
    public void forEach(final long visitorHi, final long visitorLo, final long fromMs, final long toMs,
        final TouchConsumer consumer)
    {
        final byte[] from = ByteBuffer.allocate(24).putLong(visitorHi).putLong(visitorLo).putLong(fromMs).array();
        store.scan(Table.TOUCHES, from, null, false, (keyBytes, valueBytes) ->
        {
            final ByteBuffer key = ByteBuffer.wrap(keyBytes);
            if (key.getLong() != visitorHi || key.getLong() != visitorLo)
            {
                return false;
            }
            final long timeMs = key.getLong();
            if (timeMs > toMs)
            {
                return false;
            }
            final ByteBuffer value = ByteBuffer.wrap(valueBytes);
            consumer.accept(timeMs, key.getLong(), key.getLong(), value.getInt(), value.getInt());
            return true;
        });
    }

    /**
     * Receives touches.
     */
    @FunctionalInterface
    public interface TouchConsumer
    {
        /**
         * @param timeMs        click time.
         * @param clickHi       high bits of the click id.
         * @param clickLo       low bits of the click id.
         * @param partnerNumber partner of the link.
         * @param programNumber program of the link.
         */
        void accept(long timeMs, long clickHi, long clickLo, int partnerNumber, int programNumber);
    }
}
