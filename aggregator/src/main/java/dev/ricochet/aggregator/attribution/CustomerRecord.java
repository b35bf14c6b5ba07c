package dev.ricochet.aggregator.attribution;

import java.util.List;

/**
 * A referred customer: when they first bought, and how that sale was credited (the split recurring revenue follows).
 * Stored as JSON in the customers table.
 *
 * @param firstSaleMs time of the customer's first attributed sale.
 * @param shares      that sale's credits, one per partner.
 */
record CustomerRecord(long firstSaleMs, List<ConversionRecord.Credit> shares)
{
}
