package dev.ricochet.tracker.conversion;

import dev.ricochet.ingest.Money;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.ProgramRoute;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /postback?program=&click_id=&order_id=&amount=&currency=&token=[&kind=][&customer_id=][&coupon=]
 * [&original_order_id=]}: the URL an affiliate network or a checkout without webhooks calls, authenticated with the
 * program's postback secret as {@code token}. Amounts are integer minor units, as everywhere in Ricochet.
 */
final class PostbackIntake
{
    private static final Set<String> PARAMETERS = Set.of("program", "click_id", "order_id", "amount", "currency",
        "token", "kind", "customer_id", "coupon", "original_order_id");

    private final ProgramDirectory programs;

    PostbackIntake(final ProgramDirectory programs)
    {
        this.programs = programs;
    }

    /**
     * @param uri   the request target, {@code /postback?...}.
     * @param nowMs receive time.
     * @return the program and outcome; the program is null when the request was rejected before one was known.
     */
    ProgramOutcome handle(final String uri, final long nowMs)
    {
        final Map<String, List<String>> parameters;
        try
        {
            // Only '&' separates parameters (WHATWG URL, application/x-www-form-urlencoded): a ';' is part of a value,
            // as in any browser or server that reads the URL after us.
            parameters = QueryStringDecoder.builder().semicolonIsNormalChar(true).build(uri).parameters();
        }
        catch (final IllegalArgumentException ex)
        {
            // Netty's message quotes the whole query, token included: say what is wrong without echoing it.
            return new ProgramOutcome(null, IntakeOutcome.reject(400,
                "malformed query string: a '%' not followed by two hex digits, or an escape that is not UTF-8"));
        }
        for (final Map.Entry<String, List<String>> parameter : parameters.entrySet())
        {
            if (!PARAMETERS.contains(parameter.getKey()))
            {
                return new ProgramOutcome(null,
                    IntakeOutcome.reject(400, "unknown parameter '" + parameter.getKey() + "'"));
            }
            if (parameter.getValue().size() > 1)
            {
                return new ProgramOutcome(null,
                    IntakeOutcome.reject(400, "parameter '" + parameter.getKey() + "' given twice"));
            }
        }
        final String programId = first(parameters, "program");
        final ProgramRoute program = null == programId ? null : programs.lookup(programId);
        final String token = first(parameters, "token");
        if (null == program || null == program.postbackSecret())
        {
            // Like an unknown Stripe or Shopify endpoint: a program without secrets.postback takes no postbacks.
            return new ProgramOutcome(null, IntakeOutcome.reject(404, "no postback endpoint for this program"));
        }
        if (null == token || !MessageDigest.isEqual(
            token.getBytes(StandardCharsets.UTF_8), program.postbackSecret().getBytes(StandardCharsets.UTF_8)))
        {
            return new ProgramOutcome(null, IntakeOutcome.reject(401, "invalid token"));
        }
        final String kind = first(parameters, "kind");
        final String amountText = first(parameters, "amount");
        final long amount;
        if (null == amountText)
        {
            if (!"lead".equalsIgnoreCase(kind))
            {
                return new ProgramOutcome(program, IntakeOutcome.reject(400, "amount is required (minor units)"));
            }
            amount = 0;
        }
        else
        {
            if (amountText.startsWith("-") && Money.isPlainInteger(amountText.substring(1)) && !"-0".equals(amountText))
            {
                return new ProgramOutcome(program, IntakeOutcome.reject(400,
                    "amount must not be negative (minor units; a refund's amount is the refunded amount)"));
            }
            if (!Money.isPlainInteger(amountText))
            {
                // One spelling per number: no sign, leading zero or non-ASCII digit (Long.parseLong read "+5",
                // "0100" and "١٠٠" as numbers the sender's own records may not).
                return new ProgramOutcome(program, IntakeOutcome.reject(400, "amount '" + amountText +
                    "' is not an integer number of minor units in ASCII digits without sign or leading zero " +
                    "(e.g. 1299 for 12.99)"));
            }
            try
            {
                amount = Long.parseLong(amountText);
            }
            catch (final NumberFormatException ex)
            {
                // Digits past a long are an amount past the bound, not a typo: say which bound.
                return new ProgramOutcome(program, IntakeOutcome.reject(400,
                    Money.outOfBound("amount") + ", not " + amountText));
            }
        }
        final String currency = first(parameters, "currency");
        final Conversion conversion = new Conversion(
            ConversionValidation.kind(kind),
            nowMs,
            amount,
            null == currency ? program.currency() : currency.toUpperCase(Locale.ROOT),
            first(parameters, "order_id"),
            first(parameters, "original_order_id"),
            first(parameters, "customer_id"),
            first(parameters, "coupon"),
            first(parameters, "click_id"),
            false);
        final String error = ConversionValidation.check(conversion, program.currency());
        return new ProgramOutcome(program, null == error ? IntakeOutcome.record(conversion) :
            IntakeOutcome.reject(400, error.replace("externalId", "order_id")
                .replace("originalExternalId", "original_order_id").replace("clickId", "click_id")));
    }

    private static String first(final Map<String, List<String>> parameters, final String name)
    {
        final List<String> values = parameters.get(name);
        return null == values || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }
}
