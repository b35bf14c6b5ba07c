package dev.ricochet.aggregator.attribution;

import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.IdCodec;

/**
 * A lead, sale or recurring payment as its event reported it, decoded once.
 *
 * @param key        program and external id.
 * @param kind       lead, sale or recurring.
 * @param timeMs     event time.
 * @param amount     minor units.
 * @param currency   ISO-4217.
 * @param clickId    click id reported, or null.
 * @param customerId customer id reported, or null.
 * @param coupon     coupon reported, or null.
 * @param source     the intake that reported it.
 */
record Reported(ConversionKey key, ConversionKind kind, long timeMs, long amount, String currency, String clickId,
    String customerId, String coupon, String source)
{
    static Reported of(final ConversionEventFlyweight event, final ConversionKind kind)
    {
        final String clickId = event.hasFlag(ConversionEventFlyweight.FLAG_HAS_CLICK_ID) ?
            IdCodec.toString(event.clickIdHi(), event.clickIdLo()) : null;
        return new Reported(new ConversionKey(event.programNumber(), event.externalId()), kind, event.timestampMs(),
            event.amountMinor(), event.currency(), clickId, emptyToNull(event.customerId()),
            emptyToNull(event.coupon()), sourceName(event.source()));
    }

    int program()
    {
        return key.programNumber();
    }

    String externalId()
    {
        return key.externalId();
    }

    static String sourceName(final byte source)
    {
        switch (source)
        {
            case ConversionEventFlyweight.SOURCE_API:
                return "api";
            case ConversionEventFlyweight.SOURCE_POSTBACK:
                return "postback";
            case ConversionEventFlyweight.SOURCE_STRIPE:
                return "stripe";
            case ConversionEventFlyweight.SOURCE_SHOPIFY:
                return "shopify";
            case ConversionEventFlyweight.SOURCE_PIXEL:
                return "pixel";
            default:
                return "unknown";
        }
    }

    static String emptyToNull(final String value)
    {
        return null == value || value.isEmpty() ? null : value;
    }
}
