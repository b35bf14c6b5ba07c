package dev.ricochet.aggregator.attribution;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.ArrayList;
import java.util.List;

/**
 * What the conversions table holds under one {@link ConversionKey}: a conversion (or a refund or chargeback) as
 * reported and attributed, another id of a conversion (an alias), or a sale that has not arrived yet although
 * refunds of it have. Every state is stored as the same flat JSON document ({@link ConversionRow}), written and read
 * here.
 */
public sealed interface StoredConversion permits ConversionRecord, StoredConversion.Alias,
    StoredConversion.AwaitingSale
{
    /**
     * @return the id it is stored under.
     */
    String externalId();

    /**
     * @return event time of the report that stored it.
     */
    long timeMs();

    /**
     * @return the stored document.
     */
    @JsonValue
    ConversionRow row();

    /**
     * @param row a stored document.
     * @return the state it holds.
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static StoredConversion of(final ConversionRow row)
    {
        switch (row.kind())
        {
            case ConversionRow.ALIAS:
                return new Alias(row.externalId(), row.originalExternalId(), row.timeMs());
            case ConversionRow.AWAITING_SALE:
                return new AwaitingSale(row.externalId(), row.timeMs(), row.currency(), row.waitingReversals());
            default:
                return ConversionRecord.of(row);
        }
    }

    /**
     * @param stored a state, or null.
     * @return the conversion's primary id when it is known by it or an alias of it, else null.
     */
    static String primaryId(final StoredConversion stored)
    {
        if (stored instanceof Alias alias)
        {
            return alias.primaryId();
        }
        return null == stored ? null : stored.externalId();
    }

    /**
     * A second id of a conversion stored under its primary id (Stripe's invoice and payment intent): either finds
     * it, and reported under either it counts once.
     *
     * @param externalId the second id.
     * @param primaryId  the id the conversion is stored under.
     * @param timeMs     when the alias was learnt.
     */
    record Alias(String externalId, String primaryId, long timeMs) implements StoredConversion
    {
        @Override
        @JsonValue
        public ConversionRow row()
        {
            return new ConversionRow(externalId, ConversionRow.ALIAS, timeMs, 0, null, null, null, null, primaryId,
                null, null, List.of(), 0, List.of(), 0, 0, null, List.of(), null);
        }
    }

    /**
     * A sale not arrived yet whose refunds have: they wait here and are applied when it arrives.
     *
     * @param externalId the sale's id.
     * @param timeMs     time of the first waiting reversal.
     * @param currency   currency of the first waiting reversal (a sale in another currency does not take them).
     * @param waiting    the reversals, in arrival order.
     */
    record AwaitingSale(String externalId, long timeMs, String currency, List<WaitingReversal> waiting)
        implements StoredConversion
    {
        /**
         * Why the record credits nothing, as stored.
         */
        static final String REASON = "refund arrived before its conversion";

        /**
         * @param reversal one more reversal.
         * @return the record with it waiting too.
         */
        AwaitingSale with(final WaitingReversal reversal)
        {
            final List<WaitingReversal> more = new ArrayList<>(waiting);
            more.add(reversal);
            return new AwaitingSale(externalId, timeMs, currency, more);
        }

        /**
         * @param saleCurrency the arriving sale's currency.
         * @return true if the waiting reversals apply to it: a refund in another currency is kept, never applied as
         *         if it were in this one.
         */
        boolean appliesTo(final String saleCurrency)
        {
            return null == currency || currency.equals(saleCurrency);
        }

        @Override
        @JsonValue
        public ConversionRow row()
        {
            return new ConversionRow(externalId, ConversionRow.AWAITING_SALE, timeMs, 0, currency, null, null, null,
                null, null, REASON, List.of(), 0, waiting, 0, 0, null, List.of(), null);
        }
    }

    /**
     * A refund or chargeback that arrived before the conversion it reverses.
     *
     * @param externalId the reversal's own external id.
     * @param amount     minor units to reverse.
     * @param timeMs     its event time.
     * @param cumulative true if amount is the total reversed so far rather than an increment.
     */
    record WaitingReversal(String externalId, long amount, long timeMs, boolean cumulative)
    {
    }
}
