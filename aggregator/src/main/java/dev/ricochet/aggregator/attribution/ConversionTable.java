package dev.ricochet.aggregator.attribution;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The conversions, {@link Table#CONVERSIONS}, and their index by partner, {@link Table#PARTNER_CONVERSIONS}.
 *
 * <pre>
 *   conversions          programNumber:i32 + externalId (UTF-8)  -> JSON {@link StoredConversion}: a conversion
 *                                                                   (refunds too), an alias of one, or a sale
 *                                                                   awaiting its arrival with its waiting refunds
 *   partner_conversions  partnerNumber:i32 + timeMs:i64 + programNumber:i32 + externalId -> (empty)
 * </pre>
 * Numbers are big-endian, so that a partner's conversions sort by time.
 */
public final class ConversionTable
{
    private static final byte[] EMPTY = new byte[0];

    private final StateStore store;

    /**
     * @param store the state.
     */
    public ConversionTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param programNumber catalog number of the program.
     * @param externalId    the conversion's idempotency key.
     * @return the committed record, or null.
     */
    public StoredConversion find(final int programNumber, final String externalId)
    {
        final byte[] stored = store.get(Table.CONVERSIONS, conversionKey(programNumber, externalId));
        return null == stored ? null : decode(stored);
    }

    /**
     * @param batch         the batch being built.
     * @param programNumber catalog number of the program.
     * @param externalId    the conversion's idempotency key.
     * @param record        the record.
     */
    public void put(final WriteBatch batch, final int programNumber, final String externalId,
        final StoredConversion record)
    {
        store.put(batch, Table.CONVERSIONS, conversionKey(programNumber, externalId), CatalogJson.write(record));
    }

    /**
     * @param batch         the batch being built.
     * @param partnerNumber partner credited.
     * @param timeMs        conversion time.
     * @param programNumber catalog number of the program.
     * @param externalId    the conversion's idempotency key.
     */
    public void putPartnerIndex(final WriteBatch batch, final int partnerNumber, final long timeMs,
        final int programNumber, final String externalId)
    {
        store.put(batch, Table.PARTNER_CONVERSIONS, partnerIndexKey(partnerNumber, timeMs, programNumber, externalId),
            EMPTY);
    }

    /**
     * @param batch         the batch being built.
     * @param partnerNumber partner no longer credited.
     * @param timeMs        conversion time.
     * @param programNumber catalog number of the program.
     * @param externalId    the conversion's idempotency key.
     */
    public void deletePartnerIndex(final WriteBatch batch, final int partnerNumber, final long timeMs,
        final int programNumber, final String externalId)
    {
        store.delete(batch, Table.PARTNER_CONVERSIONS,
            partnerIndexKey(partnerNumber, timeMs, programNumber, externalId));
    }

    /**
     * Visit a partner's committed conversions, newest first.
     *
     * @param partnerNumber partner credited.
     * @param limit         most to visit.
     * @param consumer      receives program number and external id.
     */
    public void forEachOfPartner(final int partnerNumber, final int limit, final PartnerConversionConsumer consumer)
    {
        // Up to and including the partner's greatest key of time Long.MAX_VALUE: the smallest key after that one.
        final byte[] to = ByteBuffer.allocate(14).putInt(partnerNumber).putLong(Long.MAX_VALUE).put((byte)0xFF)
            .put((byte)0).array();
        final int[] count = new int[1];
        store.scan(Table.PARTNER_CONVERSIONS, ByteBuffer.allocate(4).putInt(partnerNumber).array(), to, true,
            (keyBytes, value) ->
            {
                if (count[0] >= limit)
                {
                    return false;
                }
                final ByteBuffer key = ByteBuffer.wrap(keyBytes);
                key.getInt();
                key.getLong();
                final int programNumber = key.getInt();
                consumer.accept(programNumber,
                    new String(keyBytes, key.position(), key.remaining(), StandardCharsets.UTF_8));
                count[0]++;
                return true;
            });
    }

    /**
     * Receives a partner's conversions.
     */
    @FunctionalInterface
    public interface PartnerConversionConsumer
    {
        /**
         * @param programNumber catalog number of the program.
         * @param externalId    the conversion's idempotency key.
         */
        void accept(int programNumber, String externalId);
    }

    /**
     * @return how many conversion records are committed (for tools, such as the crash suite's audit).
     */
    public long count()
    {
        final long[] count = new long[1];
        store.scan(Table.CONVERSIONS, null, null, false, (key, value) ->
        {
            count[0]++;
            return true;
        });
        return count[0];
    }

    /**
     * @param programNumber catalog number of the program.
     * @param externalId    the conversion's idempotency key.
     * @return the conversion's key.
     */
    public static byte[] conversionKey(final int programNumber, final String externalId)
    {
        final byte[] id = externalId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + id.length).putInt(programNumber).put(id).array();
    }

    /**
     * @param partnerNumber partner credited.
     * @param timeMs        conversion time.
     * @param programNumber catalog number of the program.
     * @param externalId    the conversion's idempotency key.
     * @return the key of the conversion in the partner's index.
     */
    public static byte[] partnerIndexKey(final int partnerNumber, final long timeMs, final int programNumber,
        final String externalId)
    {
        final byte[] id = externalId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(16 + id.length).putInt(partnerNumber).putLong(timeMs).putInt(programNumber).put(id)
            .array();
    }

    /**
     * @param stored a record as stored.
     * @return the record.
     */
    public static StoredConversion decode(final byte[] stored)
    {
        return CatalogJson.read(stored, StoredConversion.class);
    }
}
