package dev.ricochet.aggregator.attribution;

import java.util.List;

/**
 * A conversion as the aggregator keeps it: what was reported, how it was attributed, and what has been reversed.
 * Refunds and chargebacks are kept too (kind {@code refund}/{@code chargeback}), which makes their own external
 * ids idempotent; a sale that has not arrived yet but already has refunds waiting is kept as {@code awaiting_sale}.
 *
 * @param externalId         idempotency key within the program.
 * @param kind               lead, sale, recurring, refund, chargeback or awaiting_sale.
 * @param timeMs             event time.
 * @param amount             minor units (for reversals, the amount reversed as reported).
 * @param currency           ISO-4217.
 * @param clickId            click id reported, or null.
 * @param customerId         customer id reported, or null.
 * @param coupon             coupon reported, or null.
 * @param originalExternalId for reversals, the conversion reversed.
 * @param attributedBy       the key that attributed it (click_id, customer_id), or null if unattributed.
 * @param unattributedReason why nothing was credited, or null.
 * @param credits            revenue credited per partner: one credit per partner, the sum of its touches' credits
 *                           (a record written before this rule, with a partner twice, is merged when read).
 * @param reversedAmount     total of the amount reversed so far (never above amount).
 * @param waitingReversals   reversals that arrived before this conversion, applied when it arrives.
 * @param cumulativeReversed largest running total reported by cumulative reversals (Stripe's amount_refunded).
 * @param additiveReversed   sum of additive reversals (API refunds, chargebacks, Shopify refunds).
 * @param source             the intake that reported it (api, postback, stripe, shopify, pixel).
 * @param countedPartners    partners whose lead or sale count this conversion incremented.
 * @param path               the touch path with each touch's credit, in time order (a partner may appear more than
 *                           once), or null when credited without clicks (coupon, customer) or written before paths
 *                           were kept.
 */
public record ConversionRecord(
    String externalId,
    String kind,
    long timeMs,
    long amount,
    String currency,
    String clickId,
    String customerId,
    String coupon,
    String originalExternalId,
    String attributedBy,
    String unattributedReason,
    List<Credit> credits,
    long reversedAmount,
    List<WaitingReversal> waitingReversals,
    long cumulativeReversed,
    long additiveReversed,
    String source,
    List<Integer> countedPartners,
    List<Credit> path)
{
    /**
     * Merges the credits of a partner named more than once (records written before one credit per partner).
     */
    public ConversionRecord
    {
        if (null != credits)
        {
            final List<Credit> merged = AttributionModel.byPartner(credits);
            if (merged != credits && null == path)
            {
                path = credits;
            }
            credits = merged;
        }
    }

    /**
     * Revenue credited to one partner by one conversion, with the touch that earned it.
     *
     * @param partnerNumber catalog number of the partner.
     * @param revenue       minor units credited.
     * @param clickId       the click credited, or null (customer attribution).
     * @param clickTimeMs   when that click happened, or 0.
     */
    public record Credit(int partnerNumber, long revenue, String clickId, long clickTimeMs)
    {
    }

    /**
     * A refund or chargeback that arrived before the conversion it reverses.
     *
     * @param externalId the reversal's own external id.
     * @param amount     minor units to reverse.
     * @param timeMs     its event time.
     * @param cumulative true if amount is the total reversed so far rather than an increment.
     */
    public record WaitingReversal(String externalId, long amount, long timeMs, boolean cumulative)
    {
    }

    ConversionRecord withReversal(final long newCumulative, final long newAdditive)
    {
        return new ConversionRecord(externalId, kind, timeMs, amount, currency, clickId, customerId, coupon,
            originalExternalId, attributedBy, unattributedReason, credits,
            Math.min(amount, dev.ricochet.ingest.Money.addSaturated(newCumulative, newAdditive)), waitingReversals, newCumulative,
            newAdditive, source, countedPartners, path);
    }

    ConversionRecord withWaitingReversals(final List<WaitingReversal> reversals)
    {
        return new ConversionRecord(externalId, kind, timeMs, amount, currency, clickId, customerId, coupon,
            originalExternalId, attributedBy, unattributedReason, credits, reversedAmount, reversals,
            cumulativeReversed, additiveReversed, source, countedPartners, path);
    }
}
