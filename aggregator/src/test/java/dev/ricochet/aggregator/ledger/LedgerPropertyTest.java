package dev.ricochet.aggregator.ledger;

import dev.ricochet.aggregator.attribution.ConversionKind;
import dev.ricochet.aggregator.commission.CommissionRules;
import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.fraud.FraudFlag;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.Money;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.rocksdb.WriteBatch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ledger invariants over random histories of sales (some flagged by a fraud check, so accrued held), refunds, days
 * passing, holds, releases, voids and payout runs, against a real RocksDB: the balances are the sums of the entries;
 * what the commissions are worth is what the balances hold; no payout exceeds the approved balance; a refund never
 * produces a positive entry; a commission held and never released is never scheduled or paid; the review queue lists
 * exactly the held commissions. Reversals: partial refunds, several partial refunds that add up to the whole (which
 * leave the commission worth exactly 0) and refunds past the whole; what is reversed is always
 * {@code Money.share(earned, reversedRevenue, revenue)}, between 0 and what was earned.
 */
class LedgerPropertyTest
{
    private static final long DAY_MS = 86_400_000L;
    private static final int HOLD_DAYS = 3;
    private static final AtomicInteger PARTNERS = new AtomicInteger();
    private static Path dir;
    private static StateStore store;

    /**
     * One step of a history.
     *
     * @param kind   sale, flagged (a sale that failed a fraud check), refund, rest (a refund of all that is left),
     *               over (a refund reporting more than the sale), advance, run, approve, hold, release or void.
     * @param amount sale amount, refund percent or days.
     * @param which  which earlier sale a refund or review is about.
     */
    record Step(String kind, long amount, int which)
    {
    }

    @BeforeContainer
    static void openStore() throws IOException
    {
        dir = Files.createTempDirectory("ledger-properties");
        store = StateStore.open(dir);
    }

    @AfterContainer
    static void closeStore() throws IOException
    {
        store.close();
        try (var paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }

    @Property(tries = 300)
    void balancesAlwaysEqualTheSumOfEntriesAndNoPayoutExceedsTheApprovedBalance(
        @ForAll("histories") final List<Step> history)
    {
        // Given a partner of its own in the shared store, and its ledger
        final int partner = PARTNERS.incrementAndGet();
        final CounterBuckets counters = new CounterBuckets(store);
        final Ledger ledger = new Ledger(store, counters);
        final List<CommissionKey> keys = new ArrayList<>();
        final List<long[]> refunded = new ArrayList<>();
        final Set<CommissionKey> heldSinceAccrual = new HashSet<>();
        int today = 20_000;
        String openRun = null;
        long openRunAmount = 0;
        long paidOut = 0;

        // When each step of the history is applied and committed
        for (final Step step : history)
        {
            final long timeMs = today * DAY_MS + keys.size();
            switch (step.kind())
            {
                case "sale":
                case "flagged":
                    accrueSale(ledger, partner, step, timeMs, today, keys, refunded, heldSinceAccrual);
                    break;
                case "refund":
                    if (!keys.isEmpty())
                    {
                        final int index = step.which() % keys.size();
                        final long[] sale = refunded.get(index);
                        sale[1] = Math.min(sale[0], sale[1] + Math.max(1, sale[0] * step.amount() / 100));
                        ledger.reverse(keys.get(index), sale[1], timeMs, "p", "refund");
                    }
                    break;
                case "rest":
                case "over":
                    if (!keys.isEmpty())
                    {
                        refundTheRest(ledger, counters, step, timeMs, keys, refunded);
                    }
                    break;
                case "advance":
                    for (int i = 0; i < step.amount(); i++)
                    {
                        commit(ledger, counters);
                        today++;
                        ledger.approveDue(today, number -> "p");
                    }
                    break;
                case "run":
                    commit(ledger, counters);
                    if (null == openRun && ledger.account(partner).approved() > 0)
                    {
                        final long approvedBefore = ledger.account(partner).approved();
                        openRun = "run" + today + "-" + keys.size();
                        openRunAmount = ledger.schedule(partner, openRun, timeMs, "p");
                        // Then no payout exceeds the approved balance
                        assertTrue(openRunAmount > 0 && openRunAmount <= approvedBefore);
                    }
                    break;
                case "approve":
                    commit(ledger, counters);
                    if (null != openRun)
                    {
                        ledger.pay(partner, openRun, openRunAmount, timeMs, "p");
                        paidOut += openRunAmount;
                        openRun = null;
                    }
                    break;
                default:
                    if (!keys.isEmpty())
                    {
                        review(ledger, step, timeMs, today, keys.get(step.which() % keys.size()), heldSinceAccrual);
                    }
            }
            commit(ledger, counters);
            assertInvariants(partner, keys, paidOut);
            // Then a flagged commission that finance never released is held or void, never on its way to be paid
            for (final CommissionKey key : heldSinceAccrual)
            {
                final String state = new CommissionTable(store).find(key).state();
                assertTrue(Commission.HELD.equals(state) || Commission.VOID.equals(state), key + " is " + state);
            }
        }
    }

    private static void accrueSale(final Ledger ledger, final int partner, final Step step, final long timeMs,
        final int today, final List<CommissionKey> keys, final List<long[]> refunded,
        final Set<CommissionKey> heldSinceAccrual)
    {
        final CommissionKey key = new CommissionKey(partner, timeMs, 1, "o" + keys.size());
        final String percent = "12.5";
        final boolean isFlagged = "flagged".equals(step.kind());
        ledger.accrue(key, new Commission(ConversionKind.SALE, step.amount(), 0,
            CommissionRules.percentOf(step.amount(), percent), 0, percent, "silver",
            isFlagged ? Commission.HELD : Commission.PENDING, today + HOLD_DAYS, null, true,
            isFlagged ? List.of(new FraudFlag("click_to_conversion", "too soon")) : null), "p", today);
        if (isFlagged)
        {
            heldSinceAccrual.add(key);
        }
        keys.add(key);
        refunded.add(new long[]{ step.amount(), 0 });
    }

    private static void refundTheRest(final Ledger ledger, final CounterBuckets counters, final Step step,
        final long timeMs, final List<CommissionKey> keys, final List<long[]> refunded)
    {
        // The last partial refund: together with the earlier ones the whole sale, or more than it
        final int index = step.which() % keys.size();
        final long[] sale = refunded.get(index);
        final long reported = "rest".equals(step.kind()) ? sale[0] : Money.add(sale[0], step.amount());
        sale[1] = Math.min(sale[0], reported);
        ledger.reverse(keys.get(index), reported, timeMs, "p", "refund");
        commit(ledger, counters);
        final Commission commission = new CommissionTable(store).find(keys.get(index));
        // Then the whole is reversed: the commission is worth nothing, never less (a voided one
        // is worth nothing already and its reversal is not booked)
        if (!Commission.VOID.equals(commission.state()))
        {
            assertEquals(commission.revenue(), commission.reversedRevenue());
            assertEquals(commission.earned(), commission.reversed());
        }
        assertEquals(0, commission.net());
    }

    private static void review(final Ledger ledger, final Step step, final long timeMs, final int today,
        final CommissionKey key, final Set<CommissionKey> heldSinceAccrual)
    {
        if ("hold".equals(step.kind()))
        {
            ledger.hold(key, timeMs, "p", "review");
        }
        else if ("release".equals(step.kind()))
        {
            if (ledger.release(key, timeMs, today, "p", "cleared"))
            {
                heldSinceAccrual.remove(key);
            }
        }
        else
        {
            ledger.voidHeld(key, timeMs, "p", "fraud");
        }
    }

    private static void commit(final Ledger ledger, final CounterBuckets counters)
    {
        try (WriteBatch batch = new WriteBatch())
        {
            ledger.flush(batch);
            counters.flush(batch);
            store.write(batch);
        }
    }

    private static void assertInvariants(final int partner, final List<CommissionKey> keys, final long paidOut)
    {
        final PartnerAccount stored = new LedgerTable(store).account(partner);
        final PartnerAccount account = null == stored ? PartnerAccount.empty() : stored;
        final List<LedgerEntry> entries = new ArrayList<>();
        new LedgerTable(store).forEachEntry(partner, -1, entries::add);

        for (final String balance : List.of(Commission.PENDING, Commission.APPROVED, Commission.HELD,
            Commission.SCHEDULED, Commission.PAID))
        {
            long sum = 0;
            for (final LedgerEntry entry : entries)
            {
                sum += (balance.equals(entry.to()) ? entry.amount() : 0) -
                    (balance.equals(entry.from()) ? entry.amount() : 0);
            }
            assertEquals(account.balance(balance), sum, "sum of entries = " + balance + " balance");
        }
        long worth = 0;
        for (final CommissionKey key : keys)
        {
            final Commission commission = new CommissionTable(store).find(key);
            worth += Commission.VOID.equals(commission.state()) ? 0 : commission.net();
            // Never more reversed than accrued, and always by the one rule
            assertTrue(0 <= commission.reversedRevenue() && commission.reversedRevenue() <= commission.revenue());
            assertTrue(0 <= commission.reversed() && commission.reversed() <= commission.earned(), key.toString());
            assertEquals(Money.share(commission.earned(), commission.reversedRevenue(), commission.revenue()),
                commission.reversed(), "reversed = Money.share(earned, reversedRevenue, revenue)");
            assertEquals(Commission.HELD.equals(commission.state()),
                new CommissionTable(store).isHeld(key),
                "the review queue lists exactly the held commissions: " + key + " is " + commission.state());
        }
        assertEquals(worth, account.pending() + account.approved() + account.held() + account.scheduled() +
            account.paid(), "what the commissions are worth is what the balances hold");
        for (final LedgerEntry entry : entries)
        {
            if ("reversal".equals(entry.type()) || "clawback".equals(entry.type()) || "void".equals(entry.type()))
            {
                assertTrue(entry.amount() < 0, "a refund never produces a positive entry: " + entry);
            }
            else
            {
                assertTrue(entry.amount() > 0, "transfers and accruals are positive: " + entry);
            }
        }
        assertTrue(account.pending() >= 0 && account.held() >= 0 && account.scheduled() >= 0);
        assertEquals(paidOut, account.paid());
    }

    @Provide
    Arbitrary<List<Step>> histories()
    {
        final Arbitrary<Step> sale = Arbitraries.longs().between(1, 5_000_000).map(a -> new Step("sale", a, 0));
        final Arbitrary<Step> refund = Combinators.combine(Arbitraries.longs().between(1, 100),
            Arbitraries.integers().between(0, 1_000)).as((percent, which) -> new Step("refund", percent, which));
        final Arbitrary<Step> advance = Arbitraries.longs().between(1, 5).map(days -> new Step("advance", days, 0));
        final Arbitrary<Step> review = Combinators.combine(Arbitraries.of("hold", "release", "void"),
            Arbitraries.integers().between(0, 1_000)).as((kind, which) -> new Step(kind, 0, which));
        return Arbitraries.frequencyOf(
            Tuple.of(6, sale),
            Tuple.of(2, sale.map(s -> new Step("flagged", s.amount(), 0))),
            Tuple.of(3, refund),
            Tuple.of(1, refund.map(r -> new Step("rest", 0, r.which()))),
            Tuple.of(1, refund.map(r -> new Step("over", r.amount(), r.which()))),
            Tuple.of(4, advance),
            Tuple.of(2, Arbitraries.just(new Step("run", 0, 0))),
            Tuple.of(2, Arbitraries.just(new Step("approve", 0, 0))),
            Tuple.of(2, review)).list().ofMinSize(1).ofMaxSize(40);
    }
}
