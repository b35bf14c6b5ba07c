package dev.ricochet.aggregator.ledger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Identifies one partner's commission on one conversion; its bytes sort a partner's commissions by conversion time.
 *
 * @param partnerNumber catalog number of the partner.
 * @param timeMs        time of the conversion.
 * @param programNumber catalog number of the program.
 * @param externalId    the conversion's idempotency key.
 */
public record CommissionKey(int partnerNumber, long timeMs, int programNumber, String externalId)
{
    /**
     * @return partnerNumber:i32 + timeMs:i64 + programNumber:i32 + externalId, big-endian.
     */
    public byte[] toBytes()
    {
        final byte[] id = externalId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(16 + id.length).putInt(partnerNumber).putLong(timeMs).putInt(programNumber)
            .put(id).array();
    }

    /**
     * @param bytes  a key written by {@link #toBytes()}, possibly after a prefix.
     * @param offset where the key starts.
     * @return the key.
     */
    public static CommissionKey fromBytes(final byte[] bytes, final int offset)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, bytes.length - offset);
        final int partner = buffer.getInt();
        final long timeMs = buffer.getLong();
        final int program = buffer.getInt();
        return new CommissionKey(partner, timeMs, program,
            new String(bytes, offset + 16, bytes.length - offset - 16, StandardCharsets.UTF_8));
    }

    /**
     * @param partnerNumber a partner.
     * @param timeMs        a time.
     * @return the smallest key of the partner's commissions at or after the time.
     */
    public static byte[] lowerBound(final int partnerNumber, final long timeMs)
    {
        return ByteBuffer.allocate(12).putInt(partnerNumber).putLong(timeMs).array();
    }
}
