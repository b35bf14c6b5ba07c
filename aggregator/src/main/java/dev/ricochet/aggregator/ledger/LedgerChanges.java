package dev.ricochet.aggregator.ledger;

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

    private final LedgerTable table;
    private final CommissionTable commissionTable;
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
        this.table = new LedgerTable(store);
        this.commissionTable = new CommissionTable(store);
    }

    PartnerAccount account(final int partnerNumber)
    {
        PartnerAccount account = accounts.get(partnerNumber);
        if (null == account)
        {
            final PartnerAccount stored = table.account(partnerNumber);
            account = null == stored ? PartnerAccount.empty() : stored;
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
        return commissionTable.find(key);
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
        paidCommissions.add(CommissionTable.key(key));
    }

    void leftReview(final CommissionKey key)
    {
        releasedHolds.add(key);
    }

    void entry(final byte[] entryKey, final LedgerEntry entry)
    {
        pendingEntries.add(new byte[][]{ entryKey, LedgerTable.encode(entry) });
    }

    void flush(final WriteBatch batch)
    {
        // Deletes before puts: a commission released and held again in one batch must end in the review queue.
        for (final CommissionKey key : releasedHolds)
        {
            commissionTable.deleteHeld(batch, key);
        }
        for (final Map.Entry<CommissionKey, Commission> entry : pendingCommissions.entrySet())
        {
            commissionTable.put(batch, entry.getKey(), entry.getValue());
        }
        for (final byte[] key : paidCommissions)
        {
            commissionTable.deleteUnpaid(batch, key);
        }
        for (final byte[] key : doneApprovalsDue)
        {
            commissionTable.deleteApprovalDue(batch, key);
        }
        for (final byte[] key : pendingApprovalsDue)
        {
            commissionTable.putApprovalDue(batch, key);
        }
        for (final byte[][] entry : pendingEntries)
        {
            table.putEntry(batch, entry[0], entry[1]);
        }
        final IntHashSet.IntIterator dirty = dirtyAccounts.iterator();
        while (dirty.hasNext())
        {
            final int partnerNumber = dirty.nextValue();
            table.putAccount(batch, partnerNumber, accounts.get(partnerNumber));
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
