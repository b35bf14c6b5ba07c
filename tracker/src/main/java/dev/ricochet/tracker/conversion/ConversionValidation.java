package dev.ricochet.tracker.conversion;

import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.Money;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Checks shared by every intake; each returns an error message naming the field, or null if the value is fine.
 */
final class ConversionValidation
{
    private ConversionValidation()
    {
    }

    static byte kind(final String kind)
    {
        if (null == kind)
        {
            return ConversionEventFlyweight.KIND_SALE;
        }
        switch (kind.toLowerCase(Locale.ROOT))
        {
            case "lead":
                return ConversionEventFlyweight.KIND_LEAD;
            case "sale":
                return ConversionEventFlyweight.KIND_SALE;
            case "recurring":
                return ConversionEventFlyweight.KIND_RECURRING;
            case "refund":
                return ConversionEventFlyweight.KIND_REFUND;
            case "chargeback":
                return ConversionEventFlyweight.KIND_CHARGEBACK;
            default:
                return 0;
        }
    }

    static boolean isReversal(final byte kind)
    {
        return ConversionEventFlyweight.KIND_REFUND == kind || ConversionEventFlyweight.KIND_CHARGEBACK == kind;
    }

    /**
     * @return an error naming the field, or null.
     */
    static String check(final Conversion conversion, final String programCurrency)
    {
        if (0 == conversion.kind())
        {
            return "kind must be one of lead, sale, recurring, refund, chargeback";
        }
        final String idError = checkId("externalId", conversion.externalId(), true);
        if (null != idError)
        {
            return idError;
        }
        if (conversion.amountMinor() < 0)
        {
            return "amount must not be negative (minor units; a refund's amount is the refunded amount)";
        }
        if (!Money.isWithinBound(conversion.amountMinor()))
        {
            return Money.outOfBound("amount") + ", not " + conversion.amountMinor();
        }
        if (!programCurrency.equals(conversion.currency()))
        {
            return "currency " + conversion.currency() + " differs from the program's currency " + programCurrency;
        }
        if (isReversal(conversion.kind()))
        {
            final String originalError = checkId("originalExternalId", conversion.originalExternalId(), true);
            if (null != originalError)
            {
                return originalError + " (a " + (ConversionEventFlyweight.KIND_REFUND == conversion.kind() ?
                    "refund" : "chargeback") + " names the conversion it reverses)";
            }
            if (conversion.originalExternalId().equals(conversion.externalId()))
            {
                return "externalId of a reversal must differ from the originalExternalId it reverses";
            }
        }
        final String customerError = checkId("customerId", conversion.customerId(), false);
        if (null != customerError)
        {
            return customerError;
        }
        final String couponError =
            checkText("coupon", conversion.coupon(), false, ConversionEventFlyweight.MAX_COUPON_LENGTH);
        if (null != couponError)
        {
            return couponError;
        }
        if (null != conversion.clickId() && !isClickId(conversion.clickId()))
        {
            return "clickId '" + conversion.clickId() + "' is not a Ricochet click id";
        }
        return null;
    }

    static boolean isClickId(final String clickId)
    {
        return IdCodec.isValid(clickId, 0, clickId.length());
    }

    private static String checkId(final String field, final String value, final boolean required)
    {
        return checkText(field, value, required, ConversionEventFlyweight.MAX_ID_LENGTH);
    }

    /**
     * What is accepted must be what the journal keeps: the event holds at most maxBytes of UTF-8 (a longer value,
     * counted in characters, was cut mid-character) and an unpaired surrogate has no UTF-8 at all (it was kept as
     * '?'). Both were found by WebhookIntakeFuzzTest, which reads every recorded conversion back from its event.
     */
    static String checkText(final String field, final String value, final boolean required, final int maxBytes)
    {
        if (null == value || value.isEmpty())
        {
            return required ? field + " is required" : null;
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > maxBytes)
        {
            return field + " is longer than " + maxBytes + " bytes";
        }
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (Character.isISOControl(c))
            {
                return field + " contains a control character";
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                return field + " contains an unpaired surrogate (\\u" + Integer.toHexString(c) + "), which is no text";
            }
        }
        return null;
    }
}
