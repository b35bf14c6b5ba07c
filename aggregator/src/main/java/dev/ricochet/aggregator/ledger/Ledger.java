package dev.ricochet.aggregator.ledger;

import dev.ricochet.aggregator.attribution.ConversionTable;
import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.fraud.FraudFlag;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.Money;
import org.rocksdb.WriteBatch;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * The partners' append-only ledgers and the commissions behind them: every change of a balance is an entry, and
 * the balances in {@link PartnerAccount} are always the sums of the entries.
 *
 * <p>Lifecycle of a commission: accrued as pending; approved once its hold period ends; scheduled by a payout run
 * and paid when finance approves the run. A refund or chargeback reverses the refunded share (a negative entry on
 * the balance the commission sits in); once scheduled or paid, the reversal is a clawback booked against the approved
 * balance, which may go negative and is netted in the next payout. Finance can hold a pending or approved
 * commission for review, then release or void it; a commission that failed a fraud check, or of a suspended partner,
 * accrues held. Held commissions are listed per program in {@code held_commissions}, finance's review queue, and
 * never reach a payout run: a run takes the approved balance only.
 *
 * <p>Single writer (the aggregator thread). Changes are kept in memory until {@link #flush(WriteBatch)}; reads see
 * them. Ledger entries carry only what the journal says (event times, ids), so a replay writes the same bytes.
 */
public final class Ledger
{
    /**
     * What an accrual's note says before the fraud flags that held it: finance's review material, which a partner's
     * token does not see ({@code FieldOwners}).
     */
    public static final String HELD_FOR_REVIEW = "; held for review:";

    /**
     * The most a partner's balances may hold together, in absolute value: 10^18 minor units (a million amounts of
     * {@link Money#MAX_AMOUNT}). A commission or re-rate earns at most what is left under it
     * ({@link #room}), as under a monthly cap, so no checked balance sum can ever throw inside an event: one that
     * threw stopped the aggregator, and every replay, at that event (9.2 million sales of the amount bound at 100%, or
     * 92 million at 10%, from a postback or API credential or, with pixel conversions on, from anyone).
     */
    public static final long MAX_BALANCE = 1_000_000_000_000_000_000L;

    private static final long DAY_MS = 86_400_000L;
    private final CommissionTable commissionTable;
    private final CounterBuckets counters;
    private final LedgerChanges changes;

    /**
     * @param store    committed state.
     * @param counters the commission counter is kept with every entry that changes what a partner earned.
     */
    public Ledger(final StateStore store, final CounterBuckets counters)
    {
        this.commissionTable = new CommissionTable(store);
        this.counters = counters;
        this.changes = new LedgerChanges(store);
    }

    /**
     * @param partnerNumber partner.
     * @return the partner's account including uncommitted changes.
     */
    public PartnerAccount account(final int partnerNumber)
    {
        return changes.account(partnerNumber);
    }

    /**
     * @param partnerNumber partner.
     * @return what a new commission or re-rate of the partner may still earn under {@link #MAX_BALANCE}, 0 or more.
     */
    public long room(final int partnerNumber)
    {
        final PartnerAccount account = account(partnerNumber);
        long gross = 0;
        for (final long balance : new long[]{ account.pending(), account.approved(), account.held(),
            account.scheduled(), account.paid() })
        {
            gross = Money.addSaturated(gross, balance == Long.MIN_VALUE ? Long.MAX_VALUE :
                Math.abs(balance));
        }
        return Math.max(0, MAX_BALANCE - gross);
    }

    /**
     * @param partnerNumber partner.
     * @param account       its new state.
     */
    public void account(final int partnerNumber, final PartnerAccount account)
    {
        changes.account(partnerNumber, account);
    }

    /**
     * @param key commission.
     * @return the commission including uncommitted changes, or null.
     */
    public Commission commission(final CommissionKey key)
    {
        return changes.commission(key);
    }

    /**
     * Book a new commission: pending (or held, if the partner is under review) until its hold period ends.
     *
     * @param key        the commission.
     * @param commission its rating; state and approveDay decide where it goes.
     * @param programId  for the entry.
     * @param today      the ledger's current day: a hold period already over approves at once.
     */
    public void accrue(final CommissionKey key, final Commission commission, final String programId, final int today)
    {
        put(key, commission);
        final StringBuilder note = new StringBuilder("flat".equals(commission.rate()) ? "flat lead" :
            commission.rate() + "% of " + commission.revenue()).append(null == commission.tier() ? "" :
            ", tier " + commission.tier());
        if (null != commission.flags() && !commission.flags().isEmpty())
        {
            note.append(HELD_FOR_REVIEW);
            for (final FraudFlag flag : commission.flags())
            {
                note.append(' ').append(flag.code()).append(" (").append(flag.detail()).append(')');
            }
        }
        entry(key.partnerNumber(), key.timeMs(), "accrual", commission.earned(), null, commission.state(), programId,
            key.externalId(), null, note.toString());
        counters.add(key.partnerNumber(), key.timeMs(), CounterField.COMMISSION, commission.earned());
        account(key.partnerNumber(), account(key.partnerNumber()).withAccrued(month(key.timeMs()),
            commission.earned()));
        if (Commission.PENDING.equals(commission.state()))
        {
            if (commission.approveDay() <= today)
            {
                approve(key, commission, programId, Math.max(commission.approveDay(), day(key.timeMs())));
            }
            else
            {
                changes.approvalDue(CommissionTable.approvalKey(commission.approveDay(), key));
            }
        }
    }

    /**
     * Take back the share of a commission matching the share of its revenue reversed so far.
     *
     * @param key                commission.
     * @param newReversedRevenue revenue reversed in total, never decreasing.
     * @param timeMs             time of the reversal.
     * @param programId          for the entry.
     * @param reason             refund or chargeback.
     */
    public void reverse(final CommissionKey key, final long newReversedRevenue, final long timeMs,
        final String programId, final String reason)
    {
        final Commission commission = commission(key);
        if (null == commission || newReversedRevenue <= commission.reversedRevenue())
        {
            return;
        }
        final long reversedRevenue = Math.min(commission.revenue(), newReversedRevenue);
        takeBack(key, commission, reversedRevenue,
            Money.share(commission.earned(), reversedRevenue, commission.revenue()), timeMs, programId,
            reason);
    }

    /**
     * Take back all that is left of a commission (its conversion was withdrawn).
     *
     * @param key       commission.
     * @param timeMs    time of the withdrawal.
     * @param programId for the entry.
     * @param reason    why.
     */
    public void reverseAll(final CommissionKey key, final long timeMs, final String programId, final String reason)
    {
        final Commission commission = commission(key);
        if (null != commission)
        {
            takeBack(key, commission, commission.revenue(), commission.earned(), timeMs, programId, reason);
        }
    }

    private void takeBack(final CommissionKey key, final Commission commission, final long reversedRevenue,
        final long newReversed, final long timeMs, final String programId, final String reason)
    {
        if (Commission.VOID.equals(commission.state()))
        {
            return;
        }
        final long delta = newReversed - commission.reversed();
        put(key, commission.withReversal(reversedRevenue, Math.max(newReversed, commission.reversed())));
        if (delta <= 0)
        {
            return;
        }
        // Money already on its way out or paid is recovered from the next payout: a clawback on approved.
        final boolean isClawback = Commission.SCHEDULED.equals(commission.state()) ||
            Commission.PAID.equals(commission.state());
        entry(key.partnerNumber(), timeMs, isClawback ? "clawback" : "reversal", -delta, null,
            isClawback ? Commission.APPROVED : commission.state(), programId, key.externalId(), null, reason);
        counters.add(key.partnerNumber(), timeMs, CounterField.COMMISSION, -delta);
    }

    /**
     * Re-rate an unpaid commission to a higher amount, booking the difference as an explicit entry.
     *
     * @param key       commission.
     * @param newEarned commission on the full revenue at the new rate (already capped).
     * @param rate      the new percent.
     * @param tier      the new tier.
     * @param timeMs    time of the upgrade.
     * @param programId for the entry.
     * @return the adjustment booked.
     */
    public long rerate(final CommissionKey key, final long newEarned, final String rate, final String tier,
        final long timeMs, final String programId)
    {
        final Commission commission = commission(key);
        final long newReversed = Money.share(newEarned, commission.reversedRevenue(), commission.revenue());
        final long adjustment = (newEarned - newReversed) - commission.net();
        put(key, commission.withRate(newEarned, newReversed, rate, tier));
        if (0 != adjustment)
        {
            entry(key.partnerNumber(), timeMs, "rerate", adjustment, null, commission.state(), programId,
                key.externalId(), null, "re-rated from " + commission.rate() + "% to " + rate + "%, tier " + tier);
            counters.add(key.partnerNumber(), timeMs, CounterField.COMMISSION, adjustment);
            account(key.partnerNumber(), account(key.partnerNumber()).withAccrued(month(key.timeMs()), adjustment));
        }
        return adjustment;
    }

    /**
     * Approve every pending commission whose hold period ends on the day. Reads committed state only: call right
     * after a commit.
     *
     * @param epochDay  the day.
     * @param programId resolves a program number to its id, for entries.
     */
    public void approveDue(final int epochDay, final IntFunction<String> programId)
    {
        approveDue(epochDay, epochDay, programId);
    }

    /**
     * Approve every pending commission whose hold period ends on a day from fromDay to toDay, each on its own day,
     * with one range scan: how a clock that skips days (a long gap in the journal) still approves all of them. Reads
     * committed state only: call right after a commit.
     *
     * @param fromDay   the first day (at least 0).
     * @param toDay     the last day.
     * @param programId resolves a program number to its id, for entries.
     */
    public void approveDue(final int fromDay, final int toDay, final IntFunction<String> programId)
    {
        commissionTable.forEachApprovalDue(fromDay, toDay, (approveDay, key, indexKey) ->
        {
            changes.approvalDone(indexKey);
            final Commission commission = commission(key);
            if (null != commission && Commission.PENDING.equals(commission.state()))
            {
                approve(key, commission, programId.apply(key.programNumber()), approveDay);
            }
        });
    }

    private void approve(final CommissionKey key, final Commission commission, final String programId,
        final int epochDay)
    {
        put(key, commission.withState(Commission.APPROVED, null));
        entry(key.partnerNumber(), epochDay * DAY_MS, "approval", commission.net(), Commission.PENDING,
            Commission.APPROVED, programId, key.externalId(), null, null);
    }

    /**
     * Freeze a pending or approved commission for review.
     *
     * @param key       commission.
     * @param timeMs    time of the decision.
     * @param programId for the entry.
     * @param reason    why, for the entry.
     * @return false if the commission is not pending or approved.
     */
    public boolean hold(final CommissionKey key, final long timeMs, final String programId, final String reason)
    {
        final Commission commission = commission(key);
        if (null == commission ||
            !(Commission.PENDING.equals(commission.state()) || Commission.APPROVED.equals(commission.state())))
        {
            return false;
        }
        put(key, commission.withState(Commission.HELD, null));
        entry(key.partnerNumber(), timeMs, "hold", commission.net(), commission.state(), Commission.HELD, programId,
            key.externalId(), null, reason);
        return true;
    }

    /**
     * Return a held commission to pending, or to approved if its hold period is over.
     *
     * @param key       commission.
     * @param timeMs    time of the decision.
     * @param today     the ledger's current day.
     * @param programId for the entry.
     * @param reason    why, for the entry.
     * @return false if the commission is not held.
     */
    public boolean release(final CommissionKey key, final long timeMs, final int today, final String programId,
        final String reason)
    {
        final Commission commission = commission(key);
        if (null == commission || !Commission.HELD.equals(commission.state()))
        {
            return false;
        }
        final String target = commission.approveDay() <= today ? Commission.APPROVED : Commission.PENDING;
        put(key, commission.withState(target, null));
        changes.leftReview(key);
        entry(key.partnerNumber(), timeMs, "release", commission.net(), Commission.HELD, target, programId,
            key.externalId(), null, reason);
        if (Commission.PENDING.equals(target))
        {
            changes.approvalDue(CommissionTable.approvalKey(commission.approveDay(), key));
        }
        return true;
    }

    /**
     * Void a held commission: it is worth nothing and leaves the ledger's open items.
     *
     * @param key       commission.
     * @param timeMs    time of the decision.
     * @param programId for the entry.
     * @param reason    why, for the entry.
     * @return false if the commission is not held.
     */
    public boolean voidHeld(final CommissionKey key, final long timeMs, final String programId, final String reason)
    {
        final Commission commission = commission(key);
        if (null == commission || !Commission.HELD.equals(commission.state()))
        {
            return false;
        }
        put(key, commission.withState(Commission.VOID, null));
        changes.settled(key);
        changes.leftReview(key);
        if (0 != commission.net())
        {
            entry(key.partnerNumber(), timeMs, "void", -commission.net(), null, Commission.HELD, programId,
                key.externalId(), null, reason);
            counters.add(key.partnerNumber(), timeMs, CounterField.COMMISSION, -commission.net());
        }
        return true;
    }

    /**
     * Move a partner's whole approved balance into a payout run, with its approved commissions. Reads committed
     * state only: call right after a commit.
     *
     * @param partnerNumber partner.
     * @param runId         the run.
     * @param timeMs        time of the run.
     * @param programId     for the entry.
     * @return the amount scheduled.
     */
    public long schedule(final int partnerNumber, final String runId, final long timeMs, final String programId)
    {
        final long amount = account(partnerNumber).approved();
        forEachUnpaid(partnerNumber, (key, commission) ->
        {
            if (Commission.APPROVED.equals(commission.state()))
            {
                put(key, commission.withState(Commission.SCHEDULED, runId));
            }
        });
        entry(partnerNumber, timeMs, "payout_scheduled", amount, Commission.APPROVED, Commission.SCHEDULED,
            programId, null, runId, null);
        return amount;
    }

    /**
     * Pay what a run scheduled for a partner. Reads committed state only: call right after a commit.
     *
     * @param partnerNumber partner.
     * @param runId         the run.
     * @param amount        the amount the run scheduled.
     * @param timeMs        time of the approval.
     * @param programId     for the entry.
     */
    public void pay(final int partnerNumber, final String runId, final long amount, final long timeMs,
        final String programId)
    {
        forEachUnpaid(partnerNumber, (key, commission) ->
        {
            if (Commission.SCHEDULED.equals(commission.state()) && runId.equals(commission.runId()))
            {
                put(key, commission.withState(Commission.PAID, runId));
                changes.settled(key);
            }
        });
        entry(partnerNumber, timeMs, "payout", amount, Commission.SCHEDULED, Commission.PAID, programId, null, runId,
            null);
    }

    private void forEachUnpaid(final int partnerNumber, final BiConsumer<CommissionKey,
        Commission> consumer)
    {
        commissionTable.forEachUnpaid(partnerNumber, key -> consumer.accept(key, commission(key)));
    }

    /**
     * Visit a partner's commissions of conversions between two times, committed and uncommitted.
     *
     * @param partnerNumber partner.
     * @param fromMs        earliest conversion time, inclusive.
     * @param toMs          latest conversion time, inclusive.
     * @param consumer      receives each key and commission, in time order for committed ones.
     */
    public void forEachCommission(final int partnerNumber, final long fromMs, final long toMs,
        final BiConsumer<CommissionKey, Commission> consumer)
    {
        final Set<CommissionKey> seen = new HashSet<>();
        commissionTable.forEachKey(partnerNumber, fromMs, toMs, key ->
        {
            seen.add(key);
            consumer.accept(key, commission(key));
        });
        final List<CommissionKey> uncommitted = new ArrayList<>();
        for (final CommissionKey key : changes.uncommittedCommissions())
        {
            if (key.partnerNumber() == partnerNumber && key.timeMs() >= fromMs && key.timeMs() <= toMs &&
                !seen.contains(key))
            {
                uncommitted.add(key);
            }
        }
        uncommitted.sort(Comparator.comparingLong(CommissionKey::timeMs)
            .thenComparingInt(CommissionKey::programNumber).thenComparing(CommissionKey::externalId));
        for (final CommissionKey key : uncommitted)
        {
            consumer.accept(key, changes.commission(key));
        }
    }

    /**
     * @param partnerNumber partner.
     * @param timeMs        a time.
     * @return commission accrued by the partner in that time's month (UTC), re-ratings included.
     */
    public long accruedInMonth(final int partnerNumber, final long timeMs)
    {
        return account(partnerNumber).monthAccrued().getOrDefault(month(timeMs), 0L);
    }

    private void entry(final int partnerNumber, final long timeMs, final String type, final long amount,
        final String from, final String to, final String programId, final String externalId, final String runId,
        final String note)
    {
        if (0 == amount)
        {
            return; // a zero line tells finance nothing; the commission's own state records the step
        }
        PartnerAccount account = account(partnerNumber);
        final long seq = account.ledgerSeq() + 1;
        account = account.withLedgerSeq(seq).plus(to, amount);
        if (null != from)
        {
            account = account.plus(from, -amount);
        }
        account(partnerNumber, account);
        final LedgerEntry entry = new LedgerEntry(seq, LocalDate.ofEpochDay(day(timeMs)).toString(), type, amount,
            from, to, programId, externalId, runId, note);
        changes.entry(LedgerTable.entryKey(partnerNumber, seq), entry);
    }

    private void put(final CommissionKey key, final Commission commission)
    {
        changes.put(key, commission);
    }

    /**
     * Add everything changed since the last flush to the commit batch.
     *
     * @param batch the batch being built.
     */
    public void flush(final WriteBatch batch)
    {
        changes.flush(batch);
    }

    /**
     * Whether a partner has money history: a ledger entry, or a conversion credited or listed to it. Such a partner's
     * program (and its program's currency) is fixed: its commissions, balances, counters and tiers are in that
     * program's currency and ladder, and relabelling them would change what they mean.
     *
     * @param store         committed state (commit first to include what was just applied).
     * @param partnerNumber partner.
     * @return true if the partner has a ledger entry or a conversion.
     */
    public static boolean hasMoneyHistory(final StateStore store, final int partnerNumber)
    {
        final PartnerAccount stored = new LedgerTable(store).account(partnerNumber);
        if (null != stored && stored.ledgerSeq() > 0)
        {
            return true;
        }
        final boolean[] found = new boolean[1];
        new ConversionTable(store).forEachOfPartner(partnerNumber, 1, (programNumber, externalId) -> found[0] = true);
        return found[0];
    }

    static int day(final long timeMs)
    {
        return (int)Math.floorDiv(timeMs, DAY_MS);
    }

    private static int month(final long timeMs)
    {
        final LocalDate date = LocalDate.ofEpochDay(day(timeMs));
        return date.getYear() * 100 + date.getMonthValue();
    }
}
