package dev.ricochet.aggregator.ledger;

import dev.ricochet.aggregator.attribution.ConversionKind;
import dev.ricochet.aggregator.store.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Round trips of the ledger's tables through their API.
 */
class LedgerTablesTest
{
    @TempDir
    Path dir;

    @Test
    void readsBackAnAccountTheEntriesAfterASeqAndTheLedgerDay()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            // Given an account, three entries of partner 7, one of partner 8, and a ledger day
            final LedgerTable table = new LedgerTable(store);
            assertNull(table.account(7));
            assertEquals(Integer.MIN_VALUE, table.ledgerDay());
            table.putAccount(batch, 7, PartnerAccount.empty().withLedgerSeq(3));
            for (long seq = 1; seq <= 3; seq++)
            {
                table.putEntry(batch, LedgerTable.entryKey(7, seq), LedgerTable.encode(entry(seq)));
            }
            table.putEntry(batch, LedgerTable.entryKey(8, 1), LedgerTable.encode(entry(1)));
            table.putLedgerDay(batch, 20_000);
            store.write(batch);

            // When read, Then each comes back
            assertEquals(PartnerAccount.empty().withLedgerSeq(3), table.account(7));
            assertEquals(20_000, table.ledgerDay());
            final List<Long> seqs = new ArrayList<>();
            table.forEachEntry(7, 1, entry -> seqs.add(entry.seq()));
            assertEquals(List.of(2L, 3L), seqs);
            assertEquals(entry(2).note(), readEntry(table, 7, 1).note());
        }
    }

    @Test
    void keepsACommissionsIndexesWithItsState()
    {
        try (StateStore store = StateStore.open(dir); WriteBatch batch = new WriteBatch())
        {
            // Given a held commission and a pending one of program 1, and a held one of program 2
            final CommissionTable table = new CommissionTable(store);
            final CommissionKey held = new CommissionKey(7, 1_000, 1, "o-1");
            final CommissionKey pending = new CommissionKey(7, 2_000, 1, "o-2");
            final CommissionKey other = new CommissionKey(8, 500, 2, "o-3");
            table.put(batch, held, commission(Commission.HELD));
            table.put(batch, pending, commission(Commission.PENDING));
            table.put(batch, other, commission(Commission.HELD));
            table.putApprovalDue(batch, CommissionTable.approvalKey(30, pending));
            store.write(batch);

            // Then the commission reads back, the review queue is per program, and the unpaid index per partner
            assertEquals(Commission.HELD, table.find(held).state());
            assertEquals(500, table.find(held).revenue());
            assertTrue(table.isHeld(held));
            assertFalse(table.isHeld(pending));
            final List<CommissionKey> queue = new ArrayList<>();
            table.forEachHeld(1, key -> queue.add(key));
            assertEquals(List.of(held), queue);
            final List<CommissionKey> unpaid = new ArrayList<>();
            table.forEachUnpaid(7, unpaid::add);
            assertEquals(List.of(held, pending), unpaid);
            final List<String> due = new ArrayList<>();
            table.forEachApprovalDue(29, 30, (day, key, approvalKey) -> due.add(day + ":" + key.externalId()));
            assertEquals(List.of("30:o-2"), due);
            final List<CommissionKey> inRange = new ArrayList<>();
            table.forEachKey(7, 1_500, 2_000, inRange::add);
            assertEquals(List.of(pending), inRange);
        }
    }

    @Test
    void readsACommissionKeyBackFromItsBytes()
    {
        final CommissionKey key = new CommissionKey(7, -5, Integer.MAX_VALUE, "ü-1");

        assertEquals(key, CommissionTable.key(CommissionTable.key(key), 0));
        assertEquals(key, CommissionTable.key(CommissionTable.heldKey(key), 4));
    }

    private static LedgerEntry readEntry(final LedgerTable table, final int partner, final long after)
    {
        final LedgerEntry[] first = new LedgerEntry[1];
        table.forEachEntry(partner, after, entry ->
        {
            first[0] = entry;
            return false;
        });
        return first[0];
    }

    private static LedgerEntry entry(final long seq)
    {
        return new LedgerEntry(seq, "2024-10-04", "accrual", 100, null, "pending", "prog", "o-" + seq, null,
            "note " + seq);
    }

    private static Commission commission(final String state)
    {
        return new Commission(ConversionKind.SALE, 500, 0, 50, 0, "10%", null, state, 30, null, false, List.of());
    }
}
