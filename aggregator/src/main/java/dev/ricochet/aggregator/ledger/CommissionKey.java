package dev.ricochet.aggregator.ledger;

/**
 * Identifies one partner's commission on one conversion; its stored layout is {@link CommissionTable}'s.
 *
 * @param partnerNumber catalog number of the partner.
 * @param timeMs        time of the conversion.
 * @param programNumber catalog number of the program.
 * @param externalId    the conversion's idempotency key.
 */
public record CommissionKey(int partnerNumber, long timeMs, int programNumber, String externalId)
{
    /**
     * @return the key as {@link CommissionTable} stores it.
     */
    // admin: use CommissionTable.find / CommissionTable.key (part 7 follow-up)
    public byte[] toBytes()
    {
        return CommissionTable.key(this);
    }

    /**
     * @param bytes  a key written by {@link #toBytes()}, possibly after a prefix.
     * @param offset where the key starts.
     * @return the key.
     */
    // admin: use CommissionTable.forEachHeld (part 7 follow-up)
    public static CommissionKey fromBytes(final byte[] bytes, final int offset)
    {
        return CommissionTable.key(bytes, offset);
    }
}
