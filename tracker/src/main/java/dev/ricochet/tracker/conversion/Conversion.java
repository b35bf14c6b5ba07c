package dev.ricochet.tracker.conversion;

/**
 * A conversion as an intake understood it, before it is encoded into the journal.
 *
 * @param kind               one of {@code ConversionEventFlyweight.KIND_*}.
 * @param reportedMs         when it happened according to the sender, bounded by {@link ReportedTime}, or the
 *                           receive time: data, never the event's journal time.
 * @param amountMinor        amount in minor units (a refund's refunded amount, positive).
 * @param currency           ISO-4217 code, upper case.
 * @param externalId         idempotency key within the program.
 * @param originalExternalId for a refund or chargeback, the conversion it reverses; for another kind, optionally
 *                           another id of the same payment (an alias), e.g. Stripe's invoice beside its payment
 *                           intent.
 * @param customerId         the checkout's customer id, or null.
 * @param coupon             coupon code used, or null.
 * @param clickId            Ricochet click id passed back by the checkout, or null.
 * @param cumulativeReversal for a reversal, true if the amount is the total reversed so far.
 */
public record Conversion(
    byte kind,
    long reportedMs,
    long amountMinor,
    String currency,
    String externalId,
    String originalExternalId,
    String customerId,
    String coupon,
    String clickId,
    boolean cumulativeReversal)
{
}
