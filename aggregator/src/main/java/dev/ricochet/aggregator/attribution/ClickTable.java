package dev.ricochet.aggregator.attribution;

import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;

/**
 * The clicks, {@link Table#CLICKS}: what attribution needs of each click (the journal keeps the rest), 33 bytes
 * instead of the whole event, since this row and the touch row are most of what the aggregator writes per click.
 *
 * <pre>
 *   clickId hi:i64 + lo:i64 (big-endian) -> visitorId hi:i64 + lo:i64 + timeMs:i64 + partnerNumber:i32 +
 *                                           programNumber:i32 + isBot:u8
 * </pre>
 * Writes reuse scratch buffers: one instance per writing thread (the aggregator's).
 */
public final class ClickTable
{
    private static final int KEY_LENGTH = 16;
    private static final int VALUE_LENGTH = 33;

    private final StateStore store;
    private final ByteBuffer scratchKey = ByteBuffer.allocate(KEY_LENGTH);
    private final ByteBuffer scratchValue = ByteBuffer.allocate(VALUE_LENGTH);

    /**
     * What attribution needs of a click: whose it was, when, and on which partner's link.
     *
     * @param visitorHi     high bits of the visitor id.
     * @param visitorLo     low bits of the visitor id.
     * @param timeMs        click time.
     * @param partnerNumber partner of the link.
     * @param programNumber program of the link.
     * @param isBot         true if the edge classified the click as a bot's.
     */
    public record StoredClick(
        long visitorHi, long visitorLo, long timeMs, int partnerNumber, int programNumber, boolean isBot)
    {
    }

    /**
     * @param store the state.
     */
    public ClickTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param batch         the batch being built.
     * @param clickHi       high bits of the click id.
     * @param clickLo       low bits of the click id.
     * @param visitorHi     high bits of the visitor id.
     * @param visitorLo     low bits of the visitor id.
     * @param timeMs        click time.
     * @param partnerNumber partner of the link.
     * @param programNumber program of the link.
     * @param isBot         true if the edge classified the click as a bot's.
     */
    public void put(final WriteBatch batch, final long clickHi, final long clickLo, final long visitorHi,
        final long visitorLo, final long timeMs, final int partnerNumber, final int programNumber,
        final boolean isBot)
    {
        // WriteBatch copies key and value into its own buffer: the scratch arrays are reused for every click.
        scratchKey.clear();
        scratchKey.putLong(clickHi).putLong(clickLo);
        scratchValue.clear();
        scratchValue.putLong(visitorHi).putLong(visitorLo).putLong(timeMs)
            .putInt(partnerNumber).putInt(programNumber).put((byte)(isBot ? 1 : 0));
        store.put(batch, Table.CLICKS, scratchKey.array(), scratchValue.array());
    }

    /**
     * @param clickHi high bits of the click id.
     * @param clickLo low bits of the click id.
     * @return the committed click, or null if unknown.
     */
    public StoredClick find(final long clickHi, final long clickLo)
    {
        final byte[] stored = store.get(Table.CLICKS, key(clickHi, clickLo));
        return null == stored ? null : decode(stored);
    }

    /**
     * @param clickHi high bits of the click id.
     * @param clickLo low bits of the click id.
     * @return the click's key.
     */
    public static byte[] key(final long clickHi, final long clickLo)
    {
        return ByteBuffer.allocate(KEY_LENGTH).putLong(clickHi).putLong(clickLo).array();
    }

    /**
     * @param stored a click's value as stored.
     * @return the click.
     */
    public static StoredClick decode(final byte[] stored)
    {
        final ByteBuffer value = ByteBuffer.wrap(stored);
        return new StoredClick(value.getLong(), value.getLong(), value.getLong(), value.getInt(), value.getInt(),
            0 != value.get());
    }
}
