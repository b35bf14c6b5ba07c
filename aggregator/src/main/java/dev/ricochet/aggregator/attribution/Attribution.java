package dev.ricochet.aggregator.attribution;

import java.util.List;

/**
 * Who a conversion credits, or why nobody: the outcome of the attribution step.
 *
 * @param attributedBy       the key that attributed it (click_id, visitor_id, coupon, customer_id), or null.
 * @param unattributedReason why nothing was credited, or null.
 * @param credits            revenue credited, one credit per partner.
 * @param countedShares      who counts the conversion, and the weights a flat lead commission is split by: the
 *                           partners with a positive weight in the model, whatever the amount (a share that rounds to
 *                           0 still counts the sale).
 * @param path               each touch's credit in path order, or null when credited without clicks.
 */
record Attribution(String attributedBy, String unattributedReason, List<ConversionRecord.Credit> credits,
    List<ConversionRecord.Credit> countedShares, List<ConversionRecord.Credit> path)
{
    static Attribution none(final String reason)
    {
        return new Attribution(null, reason, List.of(), List.of(), null);
    }

    boolean creditsAnyone()
    {
        return !countedShares.isEmpty() || !credits.isEmpty();
    }
}
