package dev.ricochet.aggregator.catalog;

import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.Money;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks catalog specs and fills their defaults; every message names the offending field.
 */
public final class CatalogValidation
{
    /**
     * Default query parameter carrying the click id.
     */
    public static final String DEFAULT_CLICK_PARAM = "rcid";

    /**
     * Attribution models a program may choose.
     */
    public static final Set<String> ATTRIBUTION_MODELS =
        Set.of("last_click", "first_click", "linear", "position_based", "time_decay");

    /**
     * Partner statuses.
     */
    public static final Set<String> PARTNER_STATUSES = Set.of("pending", "active", "paused", "suspended", "rejected");

    /**
     * How tier rates apply, see {@link ProgramSpec#tierMode()}.
     */
    public static final Set<String> TIER_MODES = Set.of("highest", "graduated");

    /**
     * Review cadences, see {@link ProgramSpec#tierReview()}.
     */
    public static final Set<String> TIER_REVIEWS = Set.of("daily", "weekly", "monthly", "quarterly");

    /**
     * Default of {@link ProgramSpec.Fraud#minClickToConversionSeconds()}: no shopper lands, chooses and pays in less.
     */
    public static final int DEFAULT_MIN_CLICK_TO_CONVERSION_SECONDS = 10;

    /**
     * Default of {@link ProgramSpec.Fraud#maxRefundRatePercent()}.
     */
    public static final int DEFAULT_MAX_REFUND_RATE_PERCENT = 30;

    /**
     * Default of {@link ProgramSpec.Fraud#refundRateWindowDays()}.
     */
    public static final int DEFAULT_REFUND_RATE_WINDOW_DAYS = 30;

    /**
     * Default of {@link ProgramSpec.Fraud#refundRateMinSales()}.
     */
    public static final int DEFAULT_REFUND_RATE_MIN_SALES = 10;

    /**
     * Shortest program secret (intake keys and the outbound signing key).
     */
    public static final int MIN_SECRET_LENGTH = 16;

    /**
     * Longest program secret.
     */
    public static final int MAX_SECRET_LENGTH = 256;

    private static final int MAX_CUSTOMER_IDS = 20;
    // The tier engine reads each tier's window for every partner it reviews: the list a body may carry is bounded.
    private static final int MAX_TIERS = 20;
    private static final int MAX_PERCENT_LENGTH = 32;
    private static final int MAX_PERCENT_SCALE = 10;
    private static final int MAX_NAME_LENGTH = 200;

    private CatalogValidation()
    {
    }

    /**
     * @param kind what the id names, for the message.
     * @param id   external id from the path.
     * @throws InvalidSpecException if not 1-64 characters of [A-Za-z0-9_-].
     */
    public static void requireId(final String kind, final String id)
    {
        if (!isToken(id, 64))
        {
            throw new InvalidSpecException(
                kind + " '" + id + "' is invalid: expected 1-64 characters of A-Z a-z 0-9 - _");
        }
    }

    /**
     * @param spec as received.
     * @return the spec with defaults filled in.
     * @throws InvalidSpecException naming the invalid field.
     */
    public static ProgramSpec program(final ProgramSpec spec)
    {
        final String name = requireName("name", spec.name());
        if (null == spec.currency())
        {
            throw new InvalidSpecException("currency is required (ISO-4217, e.g. USD)");
        }
        final String currency = spec.currency().toUpperCase(Locale.ROOT);
        try
        {
            if (!currency.equals(Currency.getInstance(currency).getCurrencyCode()) || currency.length() != 3)
            {
                throw new IllegalArgumentException();
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new InvalidSpecException("currency '" + spec.currency() + "' is not an ISO-4217 code");
        }
        final String defaultDestination = null == spec.defaultDestination() ? null :
            DestinationUrl.require("defaultDestination", spec.defaultDestination());
        final String clickParam = null == spec.clickParam() ? DEFAULT_CLICK_PARAM : spec.clickParam();
        if (!isToken(clickParam, 32))
        {
            throw new InvalidSpecException("clickParam '" + clickParam + "' is invalid: 1-32 of A-Z a-z 0-9 - _");
        }

        final ProgramSpec.Attribution attribution = attribution(spec.attribution());
        final List<ProgramSpec.Tier> tiers = tiers(spec.tiers());
        final int holdDays = null == spec.holdDays() ? 30 : spec.holdDays();
        if (holdDays < 0 || holdDays > 365)
        {
            throw new InvalidSpecException("holdDays must be between 0 and 365");
        }
        requireAmount("minPayout", spec.minPayout());
        final long minPayout = null == spec.minPayout() ? 0 : spec.minPayout();
        final int recurringMonths = null == spec.recurringMonths() ? 12 : spec.recurringMonths();
        if (recurringMonths < 0 || recurringMonths > 120)
        {
            throw new InvalidSpecException("recurringMonths must be between 0 and 120");
        }
        final String tierMode = null == spec.tierMode() ? "highest" : spec.tierMode();
        if (!TIER_MODES.contains(tierMode))
        {
            throw new InvalidSpecException("tierMode '" + tierMode + "' is invalid: expected one of " + TIER_MODES);
        }
        if ("graduated".equals(tierMode))
        {
            requireBands(tiers);
        }
        final String tierReview = null == spec.tierReview() ? "monthly" : spec.tierReview();
        if (!TIER_REVIEWS.contains(tierReview))
        {
            throw new InvalidSpecException(
                "tierReview '" + tierReview + "' is invalid: expected one of " + TIER_REVIEWS);
        }
        requireAmount("monthlyCap", spec.monthlyCap());
        final ProgramSpec.Secrets secrets = secrets(spec.secrets());
        final String webhookUrl = null == spec.webhookUrl() ? null :
            DestinationUrl.require("webhookUrl", spec.webhookUrl());
        if (null != webhookUrl && null == secrets.webhook())
        {
            throw new InvalidSpecException("secrets.webhook of at least " + MIN_SECRET_LENGTH +
                " characters is required with webhookUrl");
        }
        return new ProgramSpec(name, currency, defaultDestination, clickParam, attribution, tiers, holdDays, minPayout,
            secrets, recurringMonths, Boolean.TRUE.equals(spec.pixelConversions()), tierMode, tierReview,
            Boolean.TRUE.equals(spec.retroactive()), spec.monthlyCap(), webhookUrl, fraud(spec.fraud()),
            AttributeSchema.definitions(spec.attributes()), spec.applications());
    }

    /**
     * Every secret given is {@value #MIN_SECRET_LENGTH}-{@value #MAX_SECRET_LENGTH} printable ASCII characters without
     * spaces: an empty key throws in HMAC, a short one is guessable, and a space or control character would not
     * survive a header or query string. An absent (null) secret turns its intake off.
     */
    private static ProgramSpec.Secrets secrets(final ProgramSpec.Secrets secrets)
    {
        if (null == secrets)
        {
            return new ProgramSpec.Secrets(null, null, null, null, null);
        }
        return new ProgramSpec.Secrets(
            requireSecret("secrets.apiKey", secrets.apiKey()),
            requireSecret("secrets.stripe", secrets.stripe()),
            requireSecret("secrets.shopify", secrets.shopify()),
            requireSecret("secrets.postback", secrets.postback()),
            requireSecret("secrets.webhook", secrets.webhook()));
    }

    private static String requireSecret(final String field, final String secret)
    {
        if (null == secret)
        {
            return null;
        }
        boolean isPrintable = true;
        for (int i = 0; i < secret.length() && isPrintable; i++)
        {
            final char c = secret.charAt(i);
            isPrintable = c > 0x20 && c < 0x7F;
        }
        if (secret.length() < MIN_SECRET_LENGTH || secret.length() > MAX_SECRET_LENGTH || !isPrintable)
        {
            throw new InvalidSpecException(field + " must be " + MIN_SECRET_LENGTH + "-" + MAX_SECRET_LENGTH +
                " printable ASCII characters without spaces (leave it out to turn its intake off)");
        }
        return secret;
    }

    /**
     * The fraud checks with their defaults filled in: every program written through the API has all of them, so the
     * journal records the thresholds each decision was made with.
     */
    private static ProgramSpec.Fraud fraud(final ProgramSpec.Fraud fraud)
    {
        final ProgramSpec.Fraud given = null == fraud ?
            new ProgramSpec.Fraud(null, null, null, null, null, null) : fraud;
        return new ProgramSpec.Fraud(
            within("fraud.minClickToConversionSeconds", given.minClickToConversionSeconds(),
                DEFAULT_MIN_CLICK_TO_CONVERSION_SECONDS, 0, 86_400),
            null == given.selfReferral() || given.selfReferral(),
            within("fraud.maxRefundRatePercent", given.maxRefundRatePercent(), DEFAULT_MAX_REFUND_RATE_PERCENT, 0, 100),
            within("fraud.refundRateWindowDays", given.refundRateWindowDays(), DEFAULT_REFUND_RATE_WINDOW_DAYS, 1, 365),
            within("fraud.refundRateMinSales", given.refundRateMinSales(), DEFAULT_REFUND_RATE_MIN_SALES, 1, 1_000_000),
            null == given.holdPixelReported() || given.holdPixelReported());
    }

    private static int within(final String field, final Integer value, final int fallback, final int min,
        final int max)
    {
        final int result = null == value ? fallback : value;
        if (result < min || result > max)
        {
            throw new InvalidSpecException(field + " must be between " + min + " and " + max);
        }
        return result;
    }

    /**
     * Graduated bands are cut at each tier's minRevenue, so every tier after the first needs one, ascending, and
     * one window for all of them (the band is a position in one running total).
     */
    private static void requireBands(final List<ProgramSpec.Tier> tiers)
    {
        for (int i = 1; i < tiers.size(); i++)
        {
            final ProgramSpec.Tier tier = tiers.get(i);
            if (null == tier.minRevenue())
            {
                throw new InvalidSpecException("tiers[" + i + "].minRevenue is required in graduated mode");
            }
            if (i > 1 && tier.minRevenue() <= tiers.get(i - 1).minRevenue())
            {
                throw new InvalidSpecException("tiers[" + i + "].minRevenue must be above the tier before it");
            }
            if (!tier.windowDays().equals(tiers.get(1).windowDays()))
            {
                throw new InvalidSpecException("tiers[" + i + "].windowDays must equal tiers[1].windowDays in " +
                    "graduated mode");
            }
        }
    }

    /**
     * An amount an admin sets is bounded like one from a sale: at most {@link Money#MAX_AMOUNT}, so that no threshold,
     * cap or flat commission can be the operand that wraps a sum.
     */
    private static void requireAmount(final String field, final Long value)
    {
        if (null != value && value < 0)
        {
            throw new InvalidSpecException(field + " must not be negative (minor units)");
        }
        if (null != value && !Money.isWithinBound(value))
        {
            throw new InvalidSpecException(Money.outOfBound(field) + ", not " + value);
        }
    }

    /**
     * @param field   name for the error message.
     * @param percent decimal percent as received, or null.
     * @return the percent, validated as an exact decimal between 0 and 100.
     */
    public static String requirePercent(final String field, final String percent)
    {
        if (null == percent || percent.length() > MAX_PERCENT_LENGTH)
        {
            throw new InvalidSpecException(field + " is not a decimal 0-100 of at most " + MAX_PERCENT_LENGTH +
                " characters");
        }
        try
        {
            if (!Money.isPlainDecimal(percent))
            {
                throw new NumberFormatException(); // no sign, exponent or non-ASCII digit: "１０" was stored as is
            }
            final BigDecimal value = new BigDecimal(percent);
            // The scale is bounded too: "1e-999999999" lies between 0 and 100, but every commission worked out from it
            // would carry 10^999999999 (a hang of the aggregator at the next sale).
            if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(100)) > 0 ||
                Math.abs(value.scale()) > MAX_PERCENT_SCALE)
            {
                throw new NumberFormatException();
            }
            return percent;
        }
        catch (final NumberFormatException ex)
        {
            throw new InvalidSpecException(field + " '" + percent + "' is not a decimal 0-100 with at most " +
                MAX_PERCENT_SCALE + " decimal places");
        }
    }

    /**
     * @param spec as received.
     * @return the spec with defaults filled in.
     * @throws InvalidSpecException naming the invalid field.
     */
    public static PartnerSpec partner(final PartnerSpec spec)
    {
        if (null == spec.programId())
        {
            throw new InvalidSpecException("programId is required");
        }
        requireId("programId", spec.programId());
        final String name = requireName("name", spec.name());
        if (null != spec.email() && (spec.email().length() > 254 || !spec.email().matches("[^@\\s]+@[^@\\s]+") ||
            spec.email().chars().anyMatch(Character::isISOControl)))
        {
            throw new InvalidSpecException("email '" + spec.email() + "' is not an email address");
        }
        final String status = null == spec.status() ? "active" : spec.status();
        if (!PARTNER_STATUSES.contains(status))
        {
            throw new InvalidSpecException("status '" + status + "' is invalid: expected one of " + PARTNER_STATUSES);
        }
        if (null != spec.commissionPercent())
        {
            requirePercent("commissionPercent", spec.commissionPercent());
        }
        requireAmount("leadCommission", spec.leadCommission());
        requireAmount("monthlyCap", spec.monthlyCap());
        if (null != spec.payoutAccount() &&
            (spec.payoutAccount().isBlank() || spec.payoutAccount().length() > 200 ||
            spec.payoutAccount().chars().anyMatch(c -> c < 0x20 || c == 0x7F)))
        {
            throw new InvalidSpecException("payoutAccount must be 1-200 printable characters");
        }
        return new PartnerSpec(spec.programId(), name, spec.email(), status, spec.commissionPercent(),
            spec.leadCommission(), spec.monthlyCap(), spec.payoutAccount(), customerIds(spec.customerIds()),
            PartnerTags.normalise(spec.tags()), spec.attributes(), spec.tierPin(), spec.statusReason(),
            spec.joinedAt());
    }

    // Item 4 (attributes and tags): the check of a partner's attribute values against its program's schema.
    /**
     * Check a partner's custom attribute values against its program's schema ({@link AttributeSchema}); every write
     * of a partner (PUT, PATCH, application, bulk change, import) calls this after {@link #partner}.
     *
     * @param spec     the validated partner as it will be stored.
     * @param program  its program.
     * @param previous the partner as stored before the write, or null if new: values it already had in the same
     *                 program pass unchanged even if the schema has changed since.
     * @return the spec with its attribute values in name order, null values dropped.
     * @throws InvalidSpecException naming the attribute.
     */
    public static PartnerSpec partnerAttributes(final PartnerSpec spec, final ProgramSpec program,
        final PartnerSpec previous)
    {
        final boolean isSameProgram = null != previous && previous.programId().equals(spec.programId());
        final Map<String, Object> attributes = AttributeSchema.values(program, spec.attributes(),
            isSameProgram ? emptyIfNull(previous.attributes()) : null);
        return new PartnerSpec(spec.programId(), spec.name(), spec.email(), spec.status(), spec.commissionPercent(),
            spec.leadCommission(), spec.monthlyCap(), spec.payoutAccount(), spec.customerIds(), spec.tags(),
            attributes, spec.tierPin(), spec.statusReason(), spec.joinedAt());
    }

    private static Map<String, Object> emptyIfNull(final Map<String, Object> values)
    {
        return null == values ? Map.of() : values;
    }
    // End of item 4.

    private static List<String> customerIds(final List<String> customerIds)
    {
        if (null == customerIds)
        {
            return null;
        }
        if (customerIds.size() > MAX_CUSTOMER_IDS)
        {
            throw new InvalidSpecException("customerIds has more than " + MAX_CUSTOMER_IDS + " entries");
        }
        for (int i = 0; i < customerIds.size(); i++)
        {
            // The same rule as a conversion's customerId, so that every id listed can match one.
            final String id = customerIds.get(i);
            if (null == id || id.isEmpty() || id.getBytes(StandardCharsets.UTF_8).length >
                ConversionEventFlyweight.MAX_ID_LENGTH || id.chars().anyMatch(Character::isISOControl))
            {
                throw new InvalidSpecException("customerIds[" + i + "] must be 1-" +
                    ConversionEventFlyweight.MAX_ID_LENGTH + " bytes without control characters");
            }
        }
        return List.copyOf(customerIds);
    }

    /**
     * @param spec as received.
     * @return the spec, destination normalised.
     * @throws InvalidSpecException naming the invalid field.
     */
    public static LinkSpec link(final LinkSpec spec)
    {
        if (null == spec.partnerId())
        {
            throw new InvalidSpecException("partnerId is required");
        }
        requireId("partnerId", spec.partnerId());
        return new LinkSpec(spec.partnerId(), DestinationUrl.require("destination", spec.destination()));
    }

    private static ProgramSpec.Attribution attribution(final ProgramSpec.Attribution attribution)
    {
        final String model = null == attribution || null == attribution.model() ? "last_click" : attribution.model();
        if (!ATTRIBUTION_MODELS.contains(model))
        {
            throw new InvalidSpecException(
                "attribution.model '" + model + "' is invalid: expected one of " + ATTRIBUTION_MODELS);
        }
        final int windowDays = null == attribution || null == attribution.windowDays() ? 30 : attribution.windowDays();
        if (windowDays < 1 || windowDays > 365)
        {
            throw new InvalidSpecException("attribution.windowDays must be between 1 and 365");
        }
        final int halfLifeDays = null == attribution || null == attribution.halfLifeDays() ? 7 :
            attribution.halfLifeDays();
        if (halfLifeDays < 1 || halfLifeDays > 365)
        {
            throw new InvalidSpecException("attribution.halfLifeDays must be between 1 and 365");
        }
        return new ProgramSpec.Attribution(model, windowDays, halfLifeDays);
    }

    private static List<ProgramSpec.Tier> tiers(final List<ProgramSpec.Tier> tiers)
    {
        final List<ProgramSpec.Tier> result = new ArrayList<>();
        if (null == tiers)
        {
            return result;
        }
        if (tiers.size() > MAX_TIERS)
        {
            throw new InvalidSpecException("tiers has more than " + MAX_TIERS + " entries");
        }
        final Set<String> names = new HashSet<>();
        for (int i = 0; i < tiers.size(); i++)
        {
            final ProgramSpec.Tier tier = tiers.get(i);
            final String field = "tiers[" + i + "]";
            if (null == tier)
            {
                throw new InvalidSpecException(field + " must be an object");
            }
            final String name = requireName(field + ".name", tier.name());
            if (!names.add(name))
            {
                throw new InvalidSpecException(field + ".name '" + name + "' is used twice");
            }
            if (0 == i && (null != tier.minConversions() || null != tier.minRevenue()))
            {
                throw new InvalidSpecException(field + ": the first tier has no threshold");
            }
            if (i > 0 && null == tier.minConversions() && null == tier.minRevenue())
            {
                throw new InvalidSpecException(field + " needs minConversions or minRevenue");
            }
            if ((null != tier.minConversions() && tier.minConversions() < 0) ||
                (null != tier.minRevenue() && tier.minRevenue() < 0))
            {
                throw new InvalidSpecException(field + ": thresholds must not be negative");
            }
            requireAmount(field + ".minRevenue", tier.minRevenue());
            final int windowDays = null == tier.windowDays() ? 30 : tier.windowDays();
            if (windowDays < 1 || windowDays > 365)
            {
                throw new InvalidSpecException(field + ".windowDays must be between 1 and 365");
            }
            final String percent = requirePercent(field + ".commissionPercent",
                null == tier.commissionPercent() ? "0" : tier.commissionPercent());
            requireAmount(field + ".leadCommission", tier.leadCommission());
            result.add(new ProgramSpec.Tier(name, tier.minConversions(), tier.minRevenue(), windowDays, percent,
                null == tier.leadCommission() ? 0L : tier.leadCommission()));
        }
        return result;
    }

    private static String requireName(final String field, final String name)
    {
        if (null == name || name.isBlank())
        {
            throw new InvalidSpecException(field + " is required");
        }
        if (name.length() > MAX_NAME_LENGTH)
        {
            throw new InvalidSpecException(field + " is longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (name.chars().anyMatch(Character::isISOControl))
        {
            // NUL, TAB, CR, LF and the like have no place in a display name, and a CSV cell or log line starting
            // with one hides what follows. HTML and formulas are text: escaped on output (docs/catalog.md).
            throw new InvalidSpecException(field + " contains a control character");
        }
        return name.strip();
    }

    private static boolean isToken(final String value, final int maxLength)
    {
        if (null == value || value.isEmpty() || value.length() > maxLength)
        {
            return false;
        }
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            {
                return false;
            }
        }
        return true;
    }
}
