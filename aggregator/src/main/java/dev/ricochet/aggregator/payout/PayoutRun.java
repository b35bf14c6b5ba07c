package dev.ricochet.aggregator.payout;

import java.util.List;

/**
 * A batch of payouts for one program: built from the approved balances, paid when finance approves it.
 *
 * @param id         run id.
 * @param programId  the program.
 * @param periodEnd  UTC day the run covers up to; one run per (program, periodEnd).
 * @param status     pending_approval or paid.
 * @param createdOn  UTC day it was built.
 * @param paidOn     UTC day finance approved it, or null.
 * @param currency   ISO-4217 of every amount.
 * @param total      sum of the lines, minor units.
 * @param lines      one per partner paid.
 */
public record PayoutRun(
    String id,
    String programId,
    String periodEnd,
    String status,
    String createdOn,
    String paidOn,
    String currency,
    long total,
    List<Line> lines)
{
    /**
     * Built, waiting for finance.
     */
    public static final String PENDING_APPROVAL = "pending_approval";

    /**
     * Approved by finance: the ledger shows it paid.
     */
    public static final String PAID = "paid";

    /**
     * One partner's payout in a run.
     *
     * @param partnerId     partner.
     * @param partnerNumber its catalog number.
     * @param name          its name when the run was built.
     * @param email         its email, or null.
     * @param payoutAccount where to pay, or null.
     * @param amount        minor units.
     */
    public record Line(String partnerId, int partnerNumber, String name, String email, String payoutAccount,
        long amount)
    {
    }

    PayoutRun paid(final String day)
    {
        return new PayoutRun(id, programId, periodEnd, PAID, createdOn, day, currency, total, lines);
    }
}
