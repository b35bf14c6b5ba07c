package dev.ricochet.aggregator.ledger;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The commissions, {@link Table#COMMISSIONS}, and their three indexes: {@link Table#UNPAID_COMMISSIONS},
 * {@link Table#APPROVALS_DUE} and the review queue {@link Table#HELD_COMMISSIONS}.
 *
 * <pre>
 *   commissions         commission key                         -> JSON {@link Commission}
 *   unpaid_commissions  commission key                         -> (empty): not yet paid or voided
 *   approvals_due       approveDay:i32 + commission key        -> (empty): pending ones by the day their hold ends
 *   held_commissions    programNumber:i32 + commission key     -> (empty): held for review, by program
 *   commission key:     partnerNumber:i32 + timeMs:i64 + programNumber:i32 + externalId (UTF-8), big-endian
 * </pre>
 * The commission key sorts a partner's commissions by conversion time.
 */
public final class CommissionTable
{
    private static final byte[] EMPTY = new byte[0];

    private final StateStore store;

    /**
     * @param store the state.
     */
    public CommissionTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param key a commission.
     * @return the committed commission, or null.
     */
    public Commission find(final CommissionKey key)
    {
        final byte[] stored = store.get(Table.COMMISSIONS, key(key));
        return null == stored ? null : CatalogJson.read(stored, Commission.class);
    }

    /**
     * @param key a commission.
     * @return true if it is committed in its program's review queue.
     */
    public boolean isHeld(final CommissionKey key)
    {
        return null != store.get(Table.HELD_COMMISSIONS, heldKey(key));
    }

    /**
     * Visit a program's review queue in commission key order.
     *
     * @param programNumber program.
     * @param consumer      receives each held commission's key; returns false to stop.
     */
    public void forEachHeld(final int programNumber, final KeyConsumer consumer)
    {
        store.scan(Table.HELD_COMMISSIONS, intPrefix(programNumber), intPrefix(programNumber + 1), false,
            (key, value) -> consumer.accept(key(key, 4)));
    }

    /**
     * Receives commission keys.
     */
    @FunctionalInterface
    public interface KeyConsumer
    {
        /**
         * @param key a commission.
         * @return true to continue.
         */
        boolean accept(CommissionKey key);
    }

    /**
     * Visit the commissions whose approval is due on days from fromDay to toDay, by day.
     *
     * @param fromDay  first day.
     * @param toDay    last day.
     * @param consumer receives each day and key.
     */
    void forEachApprovalDue(final int fromDay, final int toDay, final ApprovalConsumer consumer)
    {
        store.scan(Table.APPROVALS_DUE, intPrefix(fromDay), intPrefix(toDay + 1), false, (key, value) ->
        {
            consumer.accept(ByteBuffer.wrap(key).getInt(0), key(key, 4), key);
            return true;
        });
    }

    /**
     * Receives due approvals.
     */
    @FunctionalInterface
    interface ApprovalConsumer
    {
        void accept(int approveDay, CommissionKey key, byte[] approvalKey);
    }

    void forEachUnpaid(final int partnerNumber, final Consumer<CommissionKey> consumer)
    {
        store.scan(Table.UNPAID_COMMISSIONS, intPrefix(partnerNumber), intPrefix(partnerNumber + 1), false,
            (key, value) ->
            {
                consumer.accept(key(key, 0));
                return true;
            });
    }

    void forEachKey(final int partnerNumber, final long fromMs, final long toMs,
        final Consumer<CommissionKey> consumer)
    {
        store.scan(Table.COMMISSIONS, lowerBound(partnerNumber, fromMs), lowerBound(partnerNumber, toMs + 1), false,
            (key, value) ->
            {
                consumer.accept(key(key, 0));
                return true;
            });
    }

    void put(final WriteBatch batch, final CommissionKey key, final Commission commission)
    {
        final byte[] bytes = key(key);
        store.put(batch, Table.COMMISSIONS, bytes, CatalogJson.write(commission));
        final String state = commission.state();
        if (!Commission.PAID.equals(state) && !Commission.VOID.equals(state))
        {
            store.put(batch, Table.UNPAID_COMMISSIONS, bytes, EMPTY);
        }
        if (Commission.HELD.equals(state))
        {
            store.put(batch, Table.HELD_COMMISSIONS, heldKey(key), EMPTY);
        }
    }

    void deleteHeld(final WriteBatch batch, final CommissionKey key)
    {
        store.delete(batch, Table.HELD_COMMISSIONS, heldKey(key));
    }

    void deleteUnpaid(final WriteBatch batch, final byte[] key)
    {
        store.delete(batch, Table.UNPAID_COMMISSIONS, key);
    }

    void putApprovalDue(final WriteBatch batch, final byte[] approvalKey)
    {
        store.put(batch, Table.APPROVALS_DUE, approvalKey, EMPTY);
    }

    void deleteApprovalDue(final WriteBatch batch, final byte[] approvalKey)
    {
        store.delete(batch, Table.APPROVALS_DUE, approvalKey);
    }

    /**
     * @param key a commission.
     * @return its key: partnerNumber:i32 + timeMs:i64 + programNumber:i32 + externalId, big-endian.
     */
    static byte[] key(final CommissionKey key)
    {
        final byte[] id = key.externalId().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(16 + id.length).putInt(key.partnerNumber()).putLong(key.timeMs())
            .putInt(key.programNumber()).put(id).array();
    }

    /**
     * @param bytes  a key written by {@link #key(CommissionKey)}, possibly after a prefix.
     * @param offset where the key starts.
     * @return the key.
     */
    static CommissionKey key(final byte[] bytes, final int offset)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, bytes.length - offset);
        final int partner = buffer.getInt();
        final long timeMs = buffer.getLong();
        final int program = buffer.getInt();
        return new CommissionKey(partner, timeMs, program,
            new String(bytes, offset + 16, bytes.length - offset - 16, StandardCharsets.UTF_8));
    }

    /**
     * @param key a commission.
     * @return its key in the program's review queue: programNumber:i32 + the commission key.
     */
    static byte[] heldKey(final CommissionKey key)
    {
        final byte[] commission = key(key);
        return ByteBuffer.allocate(4 + commission.length).putInt(key.programNumber()).put(commission).array();
    }

    static byte[] approvalKey(final int approveDay, final CommissionKey key)
    {
        final byte[] commission = key(key);
        return ByteBuffer.allocate(4 + commission.length).putInt(approveDay).put(commission).array();
    }

    private static byte[] lowerBound(final int partnerNumber, final long timeMs)
    {
        return ByteBuffer.allocate(12).putInt(partnerNumber).putLong(timeMs).array();
    }

    private static byte[] intPrefix(final int number)
    {
        return ByteBuffer.allocate(4).putInt(number).array();
    }
}
