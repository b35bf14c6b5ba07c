package dev.ricochet.aggregator.attribution;

import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;

/**
 * Unique-click detection's memory, {@link Table#VISITS}: when each visitor last clicked each link uniquely.
 *
 * <pre>
 *   visitorId hi:i64 + lo:i64 + linkNumber:i32 (big-endian) -> timeMs:i64 of the visitor's last unique click on it
 * </pre>
 * Writes reuse scratch buffers: one instance per writing thread (the aggregator's).
 */
public final class VisitTable
{
    private final StateStore store;
    private final ByteBuffer scratchKey = ByteBuffer.allocate(20);
    private final ByteBuffer scratchValue = ByteBuffer.allocate(8);

    /**
     * @param store the state.
     */
    public VisitTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param visitorHi  high bits of the visitor id.
     * @param visitorLo  low bits of the visitor id.
     * @param linkNumber catalog number of the link.
     * @return committed time of the last unique click of the visitor on the link, or -1.
     */
    public long lastUniqueClickMs(final long visitorHi, final long visitorLo, final int linkNumber)
    {
        final byte[] value = store.get(Table.VISITS, key(visitorHi, visitorLo, linkNumber));
        return null == value ? -1 : ByteBuffer.wrap(value).getLong();
    }

    /**
     * @param batch      the batch being built.
     * @param visitorHi  high bits of the visitor id.
     * @param visitorLo  low bits of the visitor id.
     * @param linkNumber catalog number of the link.
     * @param timeMs     time of the unique click.
     */
    public void putLastUniqueClick(
        final WriteBatch batch, final long visitorHi, final long visitorLo, final int linkNumber, final long timeMs)
    {
        scratchKey.clear();
        scratchKey.putLong(visitorHi).putLong(visitorLo).putInt(linkNumber);
        scratchValue.clear();
        scratchValue.putLong(timeMs);
        store.put(batch, Table.VISITS, scratchKey.array(), scratchValue.array());
    }

    /**
     * @param visitorHi  high bits of the visitor id.
     * @param visitorLo  low bits of the visitor id.
     * @param linkNumber catalog number of the link.
     * @return the key of the visitor's visits to the link.
     */
    public static byte[] key(final long visitorHi, final long visitorLo, final int linkNumber)
    {
        return ByteBuffer.allocate(20).putLong(visitorHi).putLong(visitorLo).putInt(linkNumber).array();
    }
}
