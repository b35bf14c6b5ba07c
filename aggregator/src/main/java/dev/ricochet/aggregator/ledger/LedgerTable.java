package dev.ricochet.aggregator.ledger;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;

/**
 * Each partner's account, {@link Table#PARTNER_STATE}, its ledger, {@link Table#LEDGER}, and the ledger's day.
 *
 * <pre>
 *   partner_state  partnerNumber:i32 (big-endian)            -> JSON {@link PartnerAccount}: tier and balances
 *   ledger         partnerNumber:i32 + seq:i64 (big-endian)  -> JSON {@link LedgerEntry} (append-only)
 *   meta           "ledger.day"                              -> epochDay:i32, the day the ledger last ran on
 * </pre>
 */
public final class LedgerTable
{
    private static final String LEDGER_DAY = "ledger.day";

    private final StateStore store;

    /**
     * @param store the state.
     */
    public LedgerTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param partnerNumber partner.
     * @return the partner's committed account, or null if it has none.
     */
    public PartnerAccount account(final int partnerNumber)
    {
        final byte[] stored = store.get(Table.PARTNER_STATE, partnerKey(partnerNumber));
        return null == stored ? null : CatalogJson.read(stored, PartnerAccount.class);
    }

    /**
     * @param batch         the batch being built.
     * @param partnerNumber partner.
     * @param account       its account.
     */
    public void putAccount(final WriteBatch batch, final int partnerNumber, final PartnerAccount account)
    {
        store.put(batch, Table.PARTNER_STATE, partnerKey(partnerNumber), CatalogJson.write(account));
    }

    /**
     * Visit a partner's committed ledger entries after a sequence number, oldest first.
     *
     * @param partnerNumber partner.
     * @param afterSeq      entries with a greater seq are visited.
     * @param consumer      receives each entry; returns false to stop.
     */
    public void forEachEntry(final int partnerNumber, final long afterSeq, final EntryConsumer consumer)
    {
        store.scan(Table.LEDGER, entryKey(partnerNumber, afterSeq + 1), partnerKey(partnerNumber + 1), false,
            (key, value) -> consumer.accept(CatalogJson.read(value, LedgerEntry.class)));
    }

    /**
     * Receives ledger entries.
     */
    @FunctionalInterface
    public interface EntryConsumer
    {
        /**
         * @param entry an entry.
         * @return true to continue.
         */
        boolean accept(LedgerEntry entry);
    }

    /**
     * @return the committed ledger day, or {@link Integer#MIN_VALUE} if the ledger never ran.
     */
    public int ledgerDay()
    {
        final byte[] stored = store.meta(LEDGER_DAY);
        return null == stored ? Integer.MIN_VALUE : ByteBuffer.wrap(stored).getInt();
    }

    /**
     * @param batch the batch being built.
     * @param day   the ledger's day.
     */
    public void putLedgerDay(final WriteBatch batch, final int day)
    {
        store.putMeta(batch, LEDGER_DAY, ByteBuffer.allocate(4).putInt(day).array());
    }

    void putEntry(final WriteBatch batch, final byte[] key, final byte[] entry)
    {
        store.put(batch, Table.LEDGER, key, entry);
    }

    /**
     * @param partnerNumber partner.
     * @return the key of the partner's account, and the prefix of its ledger.
     */
    static byte[] partnerKey(final int partnerNumber)
    {
        return ByteBuffer.allocate(4).putInt(partnerNumber).array();
    }

    /**
     * @param partnerNumber partner.
     * @param seq           sequence number.
     * @return key of a ledger entry.
     */
    static byte[] entryKey(final int partnerNumber, final long seq)
    {
        return ByteBuffer.allocate(12).putInt(partnerNumber).putLong(seq).array();
    }

    static byte[] encode(final LedgerEntry entry)
    {
        return CatalogJson.write(entry);
    }
}
