package dev.ricochet.aggregator.fraud;

/**
 * One fraud check a commission failed when it accrued: why it is held for review.
 *
 * @param code   {@code click_to_conversion}, {@code self_referral} or {@code refund_rate}.
 * @param detail what was measured against which threshold, in words, for finance and the partner's timeline.
 */
public record FraudFlag(String code, String detail)
{
}
