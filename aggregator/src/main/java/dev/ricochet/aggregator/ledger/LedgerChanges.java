package dev.ricochet.aggregator.ledger;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.store.StateStore;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.rocksdb.WriteBatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ledger's changes since the last commit, read through to committed state: accounts and commissions as changed,
 * and the index rows, entries and deletions {@link #flush} adds to the commit batch. Holds no rules ({@link Ledger}
 * does). Single writer (the aggregator thread).
 */
final class LedgerChanges
{
    private static final byte[] EMPTY = new byte[0];

    private final StateStore store;
    private final Int2ObjectHashMap<PartnerAccount> accounts = new Int2ObjectHashMap<>();
    private final IntHashSet dirtyAccounts = new IntHashSet();
    private final Map<CommissionKey, Commission> pendingCommissions = new HashMap<>();
    private final List<byte[]> pendingApprovalsDue = new ArrayList<>();
    private final List<byte[]> doneApprovalsDue = new ArrayList<>();
    private final List<byte[]> paidCommissions = new ArrayList<>();
    private final List<CommissionKey> releasedHolds = new ArrayList<>();
    private final List<byte[][]> pendingEntries = new ArrayList<>();

    LedgerChanges(final StateStore store)
    {
        this.store = store;
    }

    PartnerAccount account(final int partnerNumber)
    {
        PartnerAccount account = accounts.get(partnerNumber);
        if (null == account)
        {
            final byte[] stored = store.get(StateStore.Family.PARTNER_STATE, Ledger.partnerKey(partnerNumber));
            account = null == stored ? PartnerAccount.empty() : CatalogJson.read(stored, PartnerAccount.class);
            accounts.put(partnerNumber, account);
        }
        return account;
    }

    void account(final int partnerNumber, final PartnerAccount account)
    {
        accounts.put(partnerNumber, account);
        dirtyAccounts.add(partnerNumber);
    }

    Commission commission(final CommissionKey key)
    {
        final Commission pending = pendingCommissions.get(key);
        if (null != pending)
        {
            return pending;
        }
        final byte[] stored = store.get(StateStore.Family.COMMISSIONS, key.toBytes());
        return null == stored ? null : CatalogJson.read(stored, Commission.class);
    }

    /**
     * @return the commissions changed since the last commit.
     */
    Set<CommissionKey> uncommittedCommissions()
    {
        return pendingCommissions.keySet();
    }

    void put(final CommissionKey key, final Commission commission)
    {
        pendingCommissions.put(key, commission);
    }

    void approvalDue(final byte[] approvalKey)
    {
        pendingApprovalsDue.add(approvalKey);
    }

    void approvalDone(final byte[] approvalKey)
    {
        doneApprovalsDue.add(approvalKey);
    }

    void settled(final CommissionKey key)
    {
        paidCommissions.add(key.toBytes());
    }

    void leftReview(final CommissionKey key)
    {
        releasedHolds.add(key);
    }

    void entry(final byte[] entryKey, final LedgerEntry entry)
    {
        pendingEntries.add(new byte[][]{ entryKey, CatalogJson.write(entry) });
    }

    void flush(final WriteBatch batch)
    {
        // Deletes before puts: a commission released and held again in one batch must end in the review queue.
        for (final CommissionKey key : releasedHolds)
        {
            store.delete(batch, StateStore.Family.HELD_COMMISSIONS, Ledger.heldKey(key));
        }
        for (final Map.Entry<CommissionKey, Commission> entry : pendingCommissions.entrySet())
        {
            final byte[] key = entry.getKey().toBytes();
            store.put(batch, StateStore.Family.COMMISSIONS, key, CatalogJson.write(entry.getValue()));
            final String state = entry.getValue().state();
            if (!Commission.PAID.equals(state) && !Commission.VOID.equals(state))
            {
                store.put(batch, StateStore.Family.UNPAID_COMMISSIONS, key, EMPTY);
            }
            if (Commission.HELD.equals(state))
            {
                store.put(batch, StateStore.Family.HELD_COMMISSIONS, Ledger.heldKey(entry.getKey()), EMPTY);
            }
        }
        for (final byte[] key : paidCommissions)
        {
            store.delete(batch, StateStore.Family.UNPAID_COMMISSIONS, key);
        }
        for (final byte[] key : doneApprovalsDue)
        {
            store.delete(batch, StateStore.Family.APPROVALS_DUE, key);
        }
        for (final byte[] key : pendingApprovalsDue)
        {
            store.put(batch, StateStore.Family.APPROVALS_DUE, key, EMPTY);
        }
        for (final byte[][] entry : pendingEntries)
        {
            store.put(batch, StateStore.Family.LEDGER, entry[0], entry[1]);
        }
        final IntHashSet.IntIterator dirty = dirtyAccounts.iterator();
        while (dirty.hasNext())
        {
            final int partnerNumber = dirty.nextValue();
            store.put(batch, StateStore.Family.PARTNER_STATE, Ledger.partnerKey(partnerNumber),
                CatalogJson.write(accounts.get(partnerNumber)));
        }
        pendingCommissions.clear();
        paidCommissions.clear();
        releasedHolds.clear();
        doneApprovalsDue.clear();
        pendingApprovalsDue.clear();
        pendingEntries.clear();
        dirtyAccounts.clear();
    }
}
