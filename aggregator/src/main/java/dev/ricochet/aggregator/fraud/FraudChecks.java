package dev.ricochet.aggregator.fraud;

import dev.ricochet.aggregator.attribution.ConversionRecord;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.counters.CounterField;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The program's conversion fraud checks, applied to one partner's share of a credited conversion just before its
 * commission accrues; a share that fails any of them accrues as held, carrying the flags.
 *
 * <ul>
 *   <li>{@code click_to_conversion}: the conversion came fewer than {@code minClickToConversionSeconds} after the
 *   partner's click it is credited to (or before it). A shopper needs longer than that to land, choose and pay; a
 *   script that clicks and converts does not. Conversions credited without a click (coupon, referred customer) are
 *   not measured.</li>
 *   <li>{@code self_referral}: the conversion's customer id is the partner's own: equal to the partner's id (referral
 *   programs often make a customer a partner under the same id), to its email (case-insensitively) or to the hex
 *   SHA-256 of its trimmed, lower-cased email (integrations that pass a hashed email), or listed in its
 *   {@code customerIds}. The edge knows nothing else that ties a shopper to a partner: the visitor cookie and the
 *   hashed IP belong to the shopper's browser, and the IP hash changes every day.</li>
 *   <li>{@code refund_rate}: the refunds booked for the partner over the last {@code refundRateWindowDays} (ending on
 *   the conversion's day) exceed {@code maxRefundRatePercent} of the revenue credited to it over the same days,
 *   once it has at least {@code refundRateMinSales} sales in them. Read from the partner's day counters (refunds and
 *   chargebacks count alike, on their own day), so it costs one range read; the conversion being checked is already
 *   counted. It judges the partner, so every new commission is held while the rate is high, and none already
 *   accrued changes.</li>
 * </ul>
 *
 * <p>A pure function of journaled state (event times, counters, the catalog as applied), so a replay flags the same
 * commissions. Runs on the aggregator thread.
 */
public final class FraudChecks
{
    /**
     * Code of the click-to-conversion check.
     */
    public static final String CLICK_TO_CONVERSION = "click_to_conversion";

    /**
     * Code of the self-referral check.
     */
    public static final String SELF_REFERRAL = "self_referral";

    /**
     * Code of the refund-rate check.
     */
    public static final String REFUND_RATE = "refund_rate";

    private static final long DAY_MS = 86_400_000L;
    private static final int SHA_256_HEX_LENGTH = 64;

    private final CounterBuckets counters;
    private final long[] sums = new long[CounterField.COUNT];

    /**
     * @param counters the partners' day buckets, for the refund rate.
     */
    public FraudChecks(final CounterBuckets counters)
    {
        this.counters = counters;
    }

    /**
     * @param settings the program's checks, or null (a program journaled before they existed): none.
     * @param partner  the partner credited.
     * @param record   the conversion.
     * @param credit   the partner's share, with the click it is credited to if any.
     * @return the checks failed, in the order above; empty if none.
     */
    public List<FraudFlag> check(final ProgramSpec.Fraud settings, final CatalogEntry<PartnerSpec> partner,
        final ConversionRecord record, final ConversionRecord.Credit credit)
    {
        if (null == settings)
        {
            return List.of();
        }
        final List<FraudFlag> flags = new ArrayList<>(0);
        final String tooSoon = clickToConversion(settings, record, credit);
        if (null != tooSoon)
        {
            flags.add(new FraudFlag(CLICK_TO_CONVERSION, tooSoon));
        }
        final String ownCustomer = !Boolean.FALSE.equals(settings.selfReferral()) ?
            ownCustomer(partner, record.customerId()) : null;
        if (null != ownCustomer)
        {
            flags.add(new FraudFlag(SELF_REFERRAL, "the customer is the partner itself (its " + ownCustomer + ")"));
        }
        final String refunds = refundRate(settings, partner.number(), record.timeMs());
        if (null != refunds)
        {
            flags.add(new FraudFlag(REFUND_RATE, refunds));
        }
        return flags;
    }

    private static String clickToConversion(final ProgramSpec.Fraud settings, final ConversionRecord record,
        final ConversionRecord.Credit credit)
    {
        final int minSeconds = valueOr(settings.minClickToConversionSeconds(),
            CatalogValidation.DEFAULT_MIN_CLICK_TO_CONVERSION_SECONDS);
        if (0 == minSeconds || null == credit.clickId())
        {
            return null;
        }
        final long elapsedMs = record.timeMs() - credit.clickTimeMs();
        if (elapsedMs >= minSeconds * 1000L)
        {
            return null;
        }
        return (elapsedMs < 0 ? "conversion reported " + seconds(-elapsedMs) + " before its click" :
            "conversion " + seconds(elapsedMs) + " after its click") + "; the program's minimum is " + minSeconds + " s";
    }

    private static String seconds(final long ms)
    {
        return ms / 1000 + "." + ms % 1000 / 100 + " s";
    }

    /**
     * @return what of the partner the customer id matched, or null if none.
     */
    static String ownCustomer(final CatalogEntry<PartnerSpec> partner, final String customerId)
    {
        if (null == customerId)
        {
            return null;
        }
        final PartnerSpec spec = partner.spec();
        if (partner.id().equals(customerId))
        {
            return "partner id";
        }
        if (null != spec.customerIds() && spec.customerIds().contains(customerId))
        {
            return "customer id";
        }
        if (null != spec.email())
        {
            final String email = spec.email().strip();
            if (email.equalsIgnoreCase(customerId.strip()))
            {
                return "email";
            }
            if (SHA_256_HEX_LENGTH == customerId.length() && sha256Hex(email.toLowerCase(Locale.ROOT))
                .equalsIgnoreCase(customerId))
            {
                return "email's SHA-256";
            }
        }
        return null;
    }

    private String refundRate(final ProgramSpec.Fraud settings, final int partnerNumber, final long timeMs)
    {
        final int maxPercent = valueOr(settings.maxRefundRatePercent(),
            CatalogValidation.DEFAULT_MAX_REFUND_RATE_PERCENT);
        if (0 == maxPercent)
        {
            return null;
        }
        final int day = (int)Math.floorDiv(timeMs, DAY_MS);
        final int windowDays = valueOr(settings.refundRateWindowDays(),
            CatalogValidation.DEFAULT_REFUND_RATE_WINDOW_DAYS);
        final int minSales = valueOr(settings.refundRateMinSales(), CatalogValidation.DEFAULT_REFUND_RATE_MIN_SALES);
        counters.window(partnerNumber, day - windowDays + 1, day, sums);
        final long sales = sums[CounterField.SALES.ordinal()];
        final long refunded = sums[CounterField.REFUNDED.ordinal()];
        // Revenue is kept net of refunds on the refund's day, so net + refunded is what was sold over the window.
        // Exact products (BigInteger): sums of bounded amounts can still be past what a long times 100 can hold.
        final java.math.BigInteger sold = java.math.BigInteger.valueOf(sums[CounterField.REVENUE.ordinal()])
            .add(java.math.BigInteger.valueOf(refunded));
        final java.math.BigInteger refundedTimes100 = java.math.BigInteger.valueOf(refunded).multiply(
            java.math.BigInteger.valueOf(100));
        if (sales < minSales || refunded <= 0 ||
            refundedTimes100.compareTo(sold.multiply(java.math.BigInteger.valueOf(maxPercent))) <= 0)
        {
            return null;
        }
        return "refunds of " + (sold.signum() <= 0 ? "more than all" :
            refundedTimes100.divide(sold).min(java.math.BigInteger.valueOf(999)) + "% of") +
            " its revenue over the last " + windowDays + " days (" + sales + " sales); the program's maximum is " +
            maxPercent + "%";
    }

    /**
     * A setting left out of a journaled program's checks takes the API's default (the API always fills them in).
     */
    private static int valueOr(final Integer value, final int fallback)
    {
        return null == value ? fallback : value;
    }

    private static String sha256Hex(final String text)
    {
        try
        {
            return HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every Java platform has SHA-256", ex);
        }
    }
}
