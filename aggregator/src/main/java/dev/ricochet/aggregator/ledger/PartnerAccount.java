package dev.ricochet.aggregator.ledger;

import dev.ricochet.ingest.Money;

import java.util.TreeMap;

/**
 * A partner's running state on the money side: its tier, the balances its ledger adds up to, the next ledger and
 * timeline sequence numbers, and what it has accrued in recent months (for the monthly cap). Owned by the
 * aggregator thread; stored as JSON in {@code partner_state}.
 *
 * @param tier         index of the current tier in the program's ladder.
 * @param tierSince    UTC day the tier was reached, or null for the starting tier.
 * @param ledgerSeq    last ledger entry's sequence number.
 * @param timelineSeq  last timeline event's sequence number.
 * @param pending      accrued, in the hold period.
 * @param approved     payable (negative after a clawback on paid commissions).
 * @param held         frozen for review.
 * @param scheduled    in a payout run awaiting approval.
 * @param paid         paid out.
 * @param monthAccrued commission accrued per month (yyyymm), the last 13 months.
 */
public record PartnerAccount(
    int tier,
    String tierSince,
    long ledgerSeq,
    long timelineSeq,
    long pending,
    long approved,
    long held,
    long scheduled,
    long paid,
    TreeMap<Integer, Long> monthAccrued)
{
    /**
     * @return the state of a partner with no history.
     */
    public static PartnerAccount empty()
    {
        return new PartnerAccount(0, null, 0, 0, 0, 0, 0, 0, 0, new TreeMap<>());
    }

    /**
     * @param balance pending, approved, held, scheduled or paid.
     * @return the balance.
     */
    public long balance(final String balance)
    {
        switch (balance)
        {
            case Commission.PENDING:
                return pending;
            case Commission.APPROVED:
                return approved;
            case Commission.HELD:
                return held;
            case Commission.SCHEDULED:
                return scheduled;
            case Commission.PAID:
                return paid;
            default:
                throw new IllegalArgumentException("no balance " + balance);
        }
    }

    PartnerAccount plus(final String balance, final long amount)
    {
        // Checked: a balance that would wrap throws, and the aggregator stops on it rather than store it.
        return new PartnerAccount(tier, tierSince, ledgerSeq, timelineSeq,
            Money.add(pending, Commission.PENDING.equals(balance) ? amount : 0),
            Money.add(approved, Commission.APPROVED.equals(balance) ? amount : 0),
            Money.add(held, Commission.HELD.equals(balance) ? amount : 0),
            Money.add(scheduled, Commission.SCHEDULED.equals(balance) ? amount : 0),
            Money.add(paid, Commission.PAID.equals(balance) ? amount : 0), monthAccrued);
    }

    PartnerAccount withLedgerSeq(final long seq)
    {
        return new PartnerAccount(tier, tierSince, seq, timelineSeq, pending, approved, held, scheduled, paid,
            monthAccrued);
    }

    /**
     * @param seq last timeline sequence number.
     * @return the account with it.
     */
    public PartnerAccount withTimelineSeq(final long seq)
    {
        return new PartnerAccount(tier, tierSince, ledgerSeq, seq, pending, approved, held, scheduled, paid,
            monthAccrued);
    }

    /**
     * @param newTier index of the tier.
     * @param since   UTC day reached.
     * @return the account in that tier.
     */
    public PartnerAccount withTier(final int newTier, final String since)
    {
        return new PartnerAccount(newTier, since, ledgerSeq, timelineSeq, pending, approved, held, scheduled, paid,
            monthAccrued);
    }

    PartnerAccount withAccrued(final int month, final long amount)
    {
        final TreeMap<Integer, Long> months = new TreeMap<>(monthAccrued);
        months.merge(month, amount, Money::add);
        while (months.size() > 13)
        {
            months.pollFirstEntry();
        }
        return new PartnerAccount(tier, tierSince, ledgerSeq, timelineSeq, pending, approved, held, scheduled, paid,
            months);
    }
}
