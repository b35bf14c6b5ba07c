package dev.ricochet.aggregator.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ricochet.aggregator.attribution.ConversionKind;
import dev.ricochet.aggregator.fraud.FraudFlag;

import java.util.List;

/**
 * One partner's commission on one conversion, as the ledger tracks it through its life.
 *
 * @param kind            sale, recurring or lead.
 * @param revenue         revenue credited to the partner (the base of a percent commission).
 * @param reversedRevenue part of that revenue refunded or charged back so far.
 * @param earned          commission on the full revenue at the current rate (after any cap).
 * @param reversed        part of earned taken back by reversals so far; earned - reversed is what it is worth.
 * @param rate            percent applied, or "flat" for a lead.
 * @param tier            the partner's tier when it was (re)rated.
 * @param state           pending, approved, held, scheduled, paid or void.
 * @param approveDay      epoch day its hold period ends.
 * @param runId           payout run that scheduled or paid it, or null.
 * @param retroactive     true if it may be re-rated on an upgrade (a percent commission without a partner override).
 * @param flags           the fraud checks it failed when it accrued (why it was held), or null: kept after a release
 *                        or void as the record of the review; left out of the stored JSON when there are none.
 */
public record Commission(
    ConversionKind kind,
    long revenue,
    long reversedRevenue,
    long earned,
    long reversed,
    String rate,
    String tier,
    String state,
    int approveDay,
    String runId,
    boolean retroactive,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FraudFlag> flags)
{
    /**
     * Waiting for its hold period to end.
     */
    public static final String PENDING = "pending";
    /**
     * Payable in the next payout run.
     */
    public static final String APPROVED = "approved";
    /**
     * Frozen for fraud review; released or voided by finance.
     */
    public static final String HELD = "held";
    /**
     * In a payout run waiting for finance's approval.
     */
    public static final String SCHEDULED = "scheduled";
    /**
     * Paid out.
     */
    public static final String PAID = "paid";
    /**
     * Voided after review; worth nothing.
     */
    public static final String VOID = "void";

    /**
     * @return what the commission is currently worth: nothing once voided.
     */
    public long net()
    {
        return VOID.equals(state) ? 0 : earned - reversed;
    }

    Commission withState(final String newState, final String newRunId)
    {
        return new Commission(kind, revenue, reversedRevenue, earned, reversed, rate, tier, newState, approveDay,
            newRunId, retroactive, flags);
    }

    Commission withReversal(final long newReversedRevenue, final long newReversed)
    {
        return new Commission(kind, revenue, newReversedRevenue, earned, newReversed, rate, tier, state, approveDay,
            runId, retroactive, flags);
    }

    Commission withRate(final long newEarned, final long newReversed, final String newRate, final String newTier)
    {
        return new Commission(kind, revenue, reversedRevenue, newEarned, newReversed, newRate, newTier, state,
            approveDay, runId, retroactive, flags);
    }
}
