package dev.ricochet.aggregator.attribution;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.ricochet.ingest.Money;

import java.util.List;

/**
 * A conversion as the aggregator keeps it: what was reported, how it was attributed, and what has been reversed.
 * Refunds and chargebacks are kept too (kind {@code refund}/{@code chargeback}), which makes their own external
 * ids idempotent. The other states of an id ({@link StoredConversion.Alias}, {@link StoredConversion.AwaitingSale})
 * are their own types. Built by {@link #attributed} and {@link #reversal}, changed by its withers; stored as
 * {@link ConversionRow}.
 *
 * @param externalId         idempotency key within the program.
 * @param kind               lead, sale, recurring, refund or chargeback.
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
    ConversionKind kind,
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
    long cumulativeReversed,
    long additiveReversed,
    String source,
    List<Integer> countedPartners,
    List<Credit> path) implements StoredConversion
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
     * A lead, sale or recurring payment as attributed.
     *
     * @param reported    what was reported.
     * @param attribution who it credits, or why nobody.
     * @param counted     the partners whose count it incremented.
     * @return the record, nothing reversed yet.
     */
    static ConversionRecord attributed(final Reported reported, final Attribution attribution,
        final List<Integer> counted)
    {
        return new ConversionRecord(reported.externalId(), reported.kind(), reported.timeMs(), reported.amount(),
            reported.currency(), reported.clickId(), reported.customerId(), reported.coupon(), null,
            attribution.attributedBy(), attribution.unattributedReason(), attribution.credits(), 0, 0, 0,
            reported.source(), counted, attribution.path());
    }

    /**
     * A refund or chargeback, kept so that its own id is idempotent; it credits nothing.
     *
     * @param externalId         the reversal's id.
     * @param kind               refund or chargeback.
     * @param timeMs             event time.
     * @param amount             minor units as reported.
     * @param currency           ISO-4217.
     * @param originalExternalId the conversion it reverses.
     * @param source             the intake that reported it.
     * @return the record.
     */
    static ConversionRecord reversal(final String externalId, final ConversionKind kind, final long timeMs,
        final long amount, final String currency, final String originalExternalId, final String source)
    {
        return new ConversionRecord(externalId, kind, timeMs, amount, currency, null, null, null, originalExternalId,
            null, null, List.of(), 0, 0, 0, source, List.of(), null);
    }

    /**
     * @param row a stored document of a conversion, refund or chargeback.
     * @return the record.
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ConversionRecord of(final ConversionRow row)
    {
        return new ConversionRecord(row.externalId(), ConversionKind.of(row.kind()), row.timeMs(), row.amount(),
            row.currency(), row.clickId(), row.customerId(), row.coupon(), row.originalExternalId(),
            row.attributedBy(), row.unattributedReason(), row.credits(), row.reversedAmount(),
            row.cumulativeReversed(), row.additiveReversed(), row.source(), row.countedPartners(), row.path());
    }

    @Override
    @JsonValue
    public ConversionRow row()
    {
        return new ConversionRow(externalId, kind.wireName(), timeMs, amount, currency, clickId, customerId, coupon,
            originalExternalId, attributedBy, unattributedReason, credits, reversedAmount, List.of(),
            cumulativeReversed, additiveReversed, source, countedPartners, path);
    }

    /**
     * @return true if it was reported by a browser (the pixel): a verified report of the same order replaces it.
     */
    public boolean isPixel()
    {
        return "pixel".equals(source);
    }

    /**
     * @param credit one of its credits.
     * @return what of that credit is still credited: the credit less its share of the amount reversed so far.
     */
    long remaining(final Credit credit)
    {
        return credit.revenue() - reversedShare(credit, reversedAmount);
    }

    /**
     * @param credit   one of its credits.
     * @param reversed an amount of the conversion reversed in total.
     * @return the part of the credit that amount takes back, cumulatively rounded ({@link Money#share}).
     */
    public long reversedShare(final Credit credit, final long reversed)
    {
        return Money.share(credit.revenue(), reversed, amount);
    }

    ConversionRecord withReversal(final long newCumulative, final long newAdditive)
    {
        return new ConversionRecord(externalId, kind, timeMs, amount, currency, clickId, customerId, coupon,
            originalExternalId, attributedBy, unattributedReason, credits,
            Math.min(amount, Money.addSaturated(newCumulative, newAdditive)), newCumulative, newAdditive, source,
            countedPartners, path);
    }
}
