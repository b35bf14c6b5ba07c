package dev.ricochet.aggregator;

import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import org.junit.jupiter.api.Test;
import org.rocksdb.WriteBatch;

import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A partner's balances never pass {@link Ledger#MAX_BALANCE}: a commission earns at most what is left under it, so
 * no checked balance sum can throw inside an event and stop the aggregator (and every replay) there. The state such
 * a balance needs (millions of sales of the amount bound) is written into the real RocksDB directly, as the
 * aggregator would have left it, then a real journal is applied.
 */
class LedgerBoundTest extends LedgerScript
{
    private static final String PAYS_ALL = "\"tiers\":[{\"name\":\"all\",\"commissionPercent\":\"100\"}]," +
        "\"holdDays\":0,\"fraud\":{\"minClickToConversionSeconds\":0}";

    @Test
    void shouldEarnOnlyWhatIsLeftUnderTheBalanceBound()
    {
        // Given alice's balances are 300 minor units short of the bound (written before the agent reads her account)
        seedApproved(Ledger.MAX_BALANCE - 300);
        program(PAYS_ALL);
        apply();

        // When a sale of 1,000 at 100% is credited to her, then another
        sale("o1", 1_000, click(T0), T0 + HOUR_MS);
        sale("o2", 1_000, click(T0), T0 + 2 * HOUR_MS);
        apply();

        // Then the first earns the 300 left and the second 0, and her balance stops at the bound
        assertEquals(300, commission("o1", T0 + HOUR_MS).earned());
        assertEquals(0, commission("o2", T0 + 2 * HOUR_MS).earned());
        assertEquals(Ledger.MAX_BALANCE, account().approved());
    }

    @Test
    void shouldKeepApplyingASaleWhoseCommissionWouldPassTheRangeOfALong()
    {
        // Given alice's approved balance is 300 minor units short of a long's range (the checked sum used to throw)
        seedApproved(Long.MAX_VALUE - 300);
        program(PAYS_ALL);
        apply();

        // When a sale of the amount bound at 100% is credited to her
        final long click = click(T0);
        sale("o1", 1_000_000_000_000L, click, T0 + HOUR_MS);
        sale("o2", 5_000, click, T0 + 2 * HOUR_MS);
        apply();

        // Then the aggregator goes on (apply asserts it has not failed), the commissions are recorded worth 0, and
        // the balance is unchanged
        assertFalse(agent.hasFailed());
        assertNotNull(commission("o2", T0 + 2 * HOUR_MS));
        assertEquals(0, commission("o1", T0 + HOUR_MS).earned());
        assertEquals(Long.MAX_VALUE - 300, account().approved());
    }

    private void seedApproved(final long approved)
    {
        final PartnerAccount account = account();
        try (WriteBatch batch = new WriteBatch())
        {
            final Ledger ledger = new Ledger(store, new CounterBuckets(store));
            ledger.account(ALICE, new PartnerAccount(account.tier(), account.tierSince(), account.ledgerSeq(),
                account.timelineSeq(), 0, approved, 0, 0, 0, new TreeMap<>()));
            ledger.flush(batch);
            store.write(batch);
        }
    }
}
