package dev.ricochet.aggregator.attribution;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.ingest.ConversionEventFlyweight;

/**
 * What a reported conversion is; stored and shown by its lower-case name ({@code "sale"}).
 */
public enum ConversionKind
{
    /**
     * A lead: counted, earns a flat commission split by the model's weights.
     */
    LEAD("lead", CounterField.LEADS),
    /**
     * A sale: counted, credits revenue, makes its customer a referred one.
     */
    SALE("sale", CounterField.SALES),
    /**
     * A recurring payment of a referred customer: credits revenue, not counted.
     */
    RECURRING("recurring", null),
    /**
     * A refund of (part of) a conversion, kept for its own idempotency.
     */
    REFUND("refund", null),
    /**
     * A chargeback of (part of) a conversion, kept for its own idempotency.
     */
    CHARGEBACK("chargeback", null);

    private final String wireName;
    private final CounterField countField;

    ConversionKind(final String wireName, final CounterField countField)
    {
        this.wireName = wireName;
        this.countField = countField;
    }

    /**
     * @return the name stored and shown.
     */
    @JsonValue
    public String wireName()
    {
        return wireName;
    }

    /**
     * @return the counter a credited partner's count goes to (leads, sales), or null for a kind not counted.
     */
    public CounterField countField()
    {
        return countField;
    }

    /**
     * @return true for a refund or chargeback.
     */
    public boolean isReversal()
    {
        return this == REFUND || this == CHARGEBACK;
    }

    /**
     * @param kind the kind byte of a conversion event.
     * @return true for a refund or chargeback.
     */
    public static boolean isReversal(final byte kind)
    {
        return ConversionEventFlyweight.KIND_REFUND == kind || ConversionEventFlyweight.KIND_CHARGEBACK == kind;
    }

    /**
     * @param kind the kind byte of a conversion event.
     * @return its kind.
     * @throws IllegalStateException for a byte no kind has (the journal is trusted: this is fatal).
     */
    public static ConversionKind fromEvent(final byte kind)
    {
        switch (kind)
        {
            case ConversionEventFlyweight.KIND_LEAD:
                return LEAD;
            case ConversionEventFlyweight.KIND_SALE:
                return SALE;
            case ConversionEventFlyweight.KIND_RECURRING:
                return RECURRING;
            case ConversionEventFlyweight.KIND_REFUND:
                return REFUND;
            case ConversionEventFlyweight.KIND_CHARGEBACK:
                return CHARGEBACK;
            default:
                throw new IllegalStateException("unknown conversion kind " + kind);
        }
    }

    /**
     * @param wireName a stored name.
     * @return its kind.
     * @throws IllegalArgumentException for a name no kind has.
     */
    public static ConversionKind of(final String wireName)
    {
        for (final ConversionKind kind : values())
        {
            if (kind.wireName.equals(wireName))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown conversion kind '" + wireName + "'");
    }
}
