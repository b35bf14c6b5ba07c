package dev.ricochet.tracker.conversion;

import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.IdCodec;

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
        if (null != conversion.coupon() && conversion.coupon().length() > ConversionEventFlyweight.MAX_COUPON_LENGTH)
        {
            return "coupon is longer than " + ConversionEventFlyweight.MAX_COUPON_LENGTH + " characters";
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
        if (null == value || value.isEmpty())
        {
            return required ? field + " is required" : null;
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > ConversionEventFlyweight.MAX_ID_LENGTH)
        {
            return field + " is longer than " + ConversionEventFlyweight.MAX_ID_LENGTH + " bytes";
        }
        for (int i = 0; i < value.length(); i++)
        {
            if (Character.isISOControl(value.charAt(i)))
            {
                return field + " contains a control character";
            }
        }
        return null;
    }
}
