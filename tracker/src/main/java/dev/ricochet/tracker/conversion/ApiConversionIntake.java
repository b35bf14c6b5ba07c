package dev.ricochet.tracker.conversion;

import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.ProgramRoute;
import dev.ricochet.ingest.StrictJson;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * {@code POST /v1/conversions}: a server-to-server conversion authenticated with the program's API key
 * ({@code Authorization: Bearer <apiKey>}), body as in the API contract.
 */
final class ApiConversionIntake
{
    /**
     * The request body; unknown fields are rejected naming the field.
     *
     * @param programId          program the conversion belongs to.
     * @param externalId         order or event id: the idempotency key.
     * @param kind               lead, sale (default), recurring, refund, chargeback.
     * @param amount             minor units.
     * @param currency           ISO-4217; defaults to the program's.
     * @param clickId            click id passed back by the checkout.
     * @param customerId         the checkout's customer id.
     * @param coupon             coupon code used.
     * @param originalExternalId for refunds and chargebacks, the conversion reversed; for other kinds, optionally
     *                           another id of the same payment.
     */
    record Body(
        String programId,
        String externalId,
        String kind,
        Long amount,
        String currency,
        String clickId,
        String customerId,
        String coupon,
        String originalExternalId)
    {
    }

    private final ProgramDirectory programs;

    ApiConversionIntake(final ProgramDirectory programs)
    {
        this.programs = programs;
    }

    /**
     * @return the program and outcome; the program is null when the request was rejected before one was known.
     */
    ProgramOutcome handle(final String authorization, final byte[] body, final long nowMs)
    {
        final Body request;
        try
        {
            request = StrictJson.parse(body, Body.class);
        }
        catch (final StrictJson.InvalidJsonException ex)
        {
            return new ProgramOutcome(null, IntakeOutcome.reject(400, ex.getMessage()));
        }
        final ProgramRoute program = null == request.programId() ? null : programs.lookup(request.programId());
        if (null == request.programId())
        {
            return new ProgramOutcome(null, IntakeOutcome.reject(401, "programId is required"));
        }
        if (null == program || null == program.apiKey())
        {
            // Like an unknown Stripe or Shopify endpoint: a program without secrets.apiKey takes no API conversions.
            return new ProgramOutcome(null, IntakeOutcome.reject(404, "no conversions API for this program"));
        }
        if (!bearerMatches(authorization, program.apiKey()))
        {
            return new ProgramOutcome(null,
                IntakeOutcome.reject(401, "invalid API key (Authorization: Bearer <apiKey>)"));
        }
        if (null == request.amount() && !"lead".equalsIgnoreCase(request.kind()))
        {
            return new ProgramOutcome(program, IntakeOutcome.reject(400, "amount is required (minor units)"));
        }
        final Conversion conversion = new Conversion(
            ConversionValidation.kind(request.kind()),
            nowMs,
            null == request.amount() ? 0 : request.amount(),
            null == request.currency() ? program.currency() : request.currency().toUpperCase(Locale.ROOT),
            request.externalId(),
            request.originalExternalId(),
            request.customerId(),
            request.coupon(),
            request.clickId(),
            false);
        final String error = ConversionValidation.check(conversion, program.currency());
        return new ProgramOutcome(program, null == error ? IntakeOutcome.record(conversion) :
            IntakeOutcome.reject(400, error));
    }

    static boolean bearerMatches(final String authorization, final String secret)
    {
        if (null == authorization || !authorization.startsWith("Bearer "))
        {
            return false;
        }
        return MessageDigest.isEqual(authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8),
            secret.getBytes(StandardCharsets.UTF_8));
    }
}
