package dev.ricochet.aggregator.attribution;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * The stored JSON of every {@link StoredConversion}: one flat document whatever the state, its {@code kind} naming
 * the state ({@code alias}, {@code awaiting_sale}) or the conversion's kind. Only the states write and read it; its
 * fields and their order are the stored bytes and must not change.
 */
@JsonPropertyOrder({ "externalId", "kind", "timeMs", "amount", "currency", "clickId", "customerId", "coupon",
    "originalExternalId", "attributedBy", "unattributedReason", "credits", "reversedAmount", "waitingReversals",
    "cumulativeReversed", "additiveReversed", "source", "countedPartners", "path" })
record ConversionRow(
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
    List<ConversionRecord.Credit> credits,
    long reversedAmount,
    List<StoredConversion.WaitingReversal> waitingReversals,
    long cumulativeReversed,
    long additiveReversed,
    String source,
    List<Integer> countedPartners,
    List<ConversionRecord.Credit> path)
{
    static final String ALIAS = "alias";
    static final String AWAITING_SALE = "awaiting_sale";
}
