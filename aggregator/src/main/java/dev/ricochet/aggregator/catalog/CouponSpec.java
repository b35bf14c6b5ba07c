package dev.ricochet.aggregator.catalog;

/**
 * A coupon code linked to a partner ({@code PUT /v1/coupons/{code}}): a conversion that used it, and carries no
 * click, is credited to that partner. Codes are matched case-insensitively within the partner's program.
 *
 * @param partnerId partner credited.
 */
public record CouponSpec(String partnerId)
{
}
