package dev.ricochet.aggregator.fraud;

import dev.ricochet.aggregator.attribution.ConversionRecord;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.ingest.Money;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
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
 *   programs often make a customer a partner under the same id), to its email or to the hex SHA-256 of its trimmed,
 *   lower-cased email (integrations that pass a hashed email), or listed in its {@code customerIds}. Both sides are
 *   compared in canonical form ({@link #canonical}: NFKC, default-ignorable code points removed, lower case), and
 *   emails as the mailbox they deliver to ({@link #canonicalEmail}: no {@code +tag}, no dots at Gmail). The edge knows nothing else that ties a shopper to a partner: the visitor cookie and the
 *   hashed IP belong to the shopper's browser, and the IP hash changes every day.</li>
 *   <li>{@code refund_rate}: the refunds booked for the partner over the last {@code refundRateWindowDays} (ending on
 *   the conversion's day) exceed {@code maxRefundRatePercent} of the revenue credited to it over the same days,
 *   once it has at least {@code refundRateMinSales} sales in them. Read from the partner's day counters (refunds and
 *   chargebacks count alike, on their own day), so it costs one range read; the conversion being checked is already
 *   counted. It judges the partner, so every new commission is held while the rate is high, and none already
 *   accrued changes.</li>
 *   <li>{@code pixel_reported}: the conversion was reported only by the browser's pixel
 *   ({@code /p.gif?e=conversion}), which carries no credential: its amount is whatever the page (or anyone) wrote,
 *   up to {@link dev.ricochet.ingest.Money#MAX_AMOUNT}. Held until finance releases it; a verified report of the
 *   same order (API, postback, webhook) replaces it.</li>
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

    /**
     * Code of the hold on a conversion only the browser's pixel reported.
     */
    public static final String PIXEL_REPORTED = "pixel_reported";

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
        // Anyone can load the pixel and write any amount (within Money.MAX_AMOUNT) into it: such a commission is
        // never payable by itself. The checkout's own report of the order replaces it; finance may release it.
        if (Boolean.TRUE.equals(settings.holdPixelReported()) && "pixel".equals(record.source()))
        {
            flags.add(new FraudFlag(PIXEL_REPORTED, "reported only by the browser's pixel, whose amount anyone can " +
                "write; held until the checkout reports the order or finance releases it"));
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
            "conversion " + seconds(elapsedMs) + " after its click") +
            "; the program's minimum is " + minSeconds + " s";
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
        // Look-alikes are the same identity: a zero-width space, a fullwidth '@' or a capital letter changes the
        // text, not the person. Both sides are compared in their canonical form.
        final String customer = canonical(customerId);
        final PartnerSpec spec = partner.spec();
        if (canonical(partner.id()).equals(customer))
        {
            return "partner id";
        }
        if (null != spec.customerIds())
        {
            for (final String own : spec.customerIds())
            {
                if (canonical(own).equals(customer))
                {
                    return "customer id";
                }
            }
        }
        if (null != spec.email())
        {
            final String email = canonical(spec.email());
            if (email.equals(customer) || canonicalEmail(email).equals(canonicalEmail(customer)))
            {
                return "email";
            }
            if (SHA_256_HEX_LENGTH == customer.length() &&
                (sha256Hex(spec.email().strip().toLowerCase(Locale.ROOT)).equals(customer) ||
                sha256Hex(email).equals(customer) || sha256Hex(canonicalEmail(email)).equals(customer)))
            {
                return "email's SHA-256";
            }
        }
        return null;
    }

    /**
     * An identity as a person would read it: NFKC (fullwidth and other compatibility forms become their plain
     * letters, so {@code U+FF20} is '@'), without default-ignorable code points (zero-width spaces and joiners, bidi
     * marks, soft hyphens, variation selectors, tags), without surrounding white space, lower-cased.
     */
    static String canonical(final String text)
    {
        final String composed = Normalizer.normalize(text, Normalizer.Form.NFKC);
        final StringBuilder kept = new StringBuilder(composed.length());
        composed.codePoints().filter(codePoint -> !isDefaultIgnorable(codePoint)).forEach(kept::appendCodePoint);
        // NFKC again: removing an ignorable can bring together what composes (e + ZWJ + U+0301).
        return Normalizer.normalize(kept, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * The mailbox an address delivers to, from its canonical form: the {@code +tag} of the local part is dropped
     * (subaddressing, RFC 5233, which most providers honour), and for Gmail, which ignores them, the dots of the local
     * part too, with {@code googlemail.com} read as {@code gmail.com}. Text without exactly one '@' is returned as it
     * is.
     */
    static String canonicalEmail(final String canonical)
    {
        final int at = canonical.indexOf('@');
        if (at <= 0 || at != canonical.lastIndexOf('@'))
        {
            return canonical;
        }
        String local = canonical.substring(0, at);
        String domain = canonical.substring(at + 1);
        final int plus = local.indexOf('+');
        if (plus > 0)
        {
            local = local.substring(0, plus);
        }
        if ("googlemail.com".equals(domain))
        {
            domain = "gmail.com";
        }
        if ("gmail.com".equals(domain))
        {
            local = local.replace(".", "");
        }
        return local + "@" + domain;
    }

    /**
     * Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15): characters a renderer shows as
     * nothing (zero-width spaces and joiners, bidi marks, soft hyphen, fillers, variation selectors, tags).
     */
    private static boolean isDefaultIgnorable(final int c)
    {
        return c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x115F || c == 0x1160 || c == 0x17B4 ||
            c == 0x17B5 || (c >= 0x180B && c <= 0x180F) || (c >= 0x200B && c <= 0x200F) ||
            (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x206F) || c == 0x3164 ||
            (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || c == 0xFFA0 || (c >= 0xFFF0 && c <= 0xFFF8) ||
            (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) || (c >= 0xE0000 && c <= 0xE0FFF);
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
        final long sold = Money.addSaturated(sums[CounterField.REVENUE.ordinal()], refunded);
        if (sales < minSales || refunded <= 0)
        {
            return null;
        }
        // Compared exactly: refunded * 100 passes a long from 9.2x10^16 minor units on, and wrapped to negative.
        final BigInteger refundedTimes100 = BigInteger.valueOf(refunded).multiply(BigInteger.valueOf(100));
        if (refundedTimes100.compareTo(BigInteger.valueOf(maxPercent).multiply(BigInteger.valueOf(sold))) <= 0)
        {
            return null;
        }
        return "refunds of " + (sold <= 0 ? "more than all" :
            refundedTimes100.divide(BigInteger.valueOf(sold)).min(BigInteger.valueOf(999)) + "% of") +
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
