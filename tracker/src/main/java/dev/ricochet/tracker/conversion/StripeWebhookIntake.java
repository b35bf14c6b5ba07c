package dev.ricochet.tracker.conversion;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.ProgramRoute;
import dev.ricochet.ingest.StrictJson;

import java.util.Locale;

/**
 * {@code POST /webhooks/stripe/{programId}}, verified with the program's Stripe secret.
 *
 * <ul>
 *   <li>{@code checkout.session.completed} and {@code checkout.session.async_payment_succeeded} (paid only): a sale;
 *   {@code client_reference_id} carries the click id; external id = payment intent, else invoice, else session,
 *   with the invoice as an alias when both exist, so a refund naming either finds the sale.</li>
 *   <li>{@code invoice.paid}: a recurring payment of the customer; the first invoice of a subscription
 *   ({@code billing_reason=subscription_create}) is ignored, its checkout session already counted it.</li>
 *   <li>{@code charge.refunded}: a refund whose amount is Stripe's cumulative {@code amount_refunded}, so partial
 *   refunds, resends and reordering all end at the right total.</li>
 *   <li>{@code charge.dispute.created}: a chargeback of the disputed amount.</li>
 * </ul>
 * A test-mode event ({@code "livemode": false}: no money moved) is never credited: it is dead-lettered and answered
 * 200, so the operator sees that the endpoint and the secret work, and Stripe does not resend it. An event without
 * {@code livemode} (Stripe always sends it) is taken as live.
 * Every other type is answered 200 and ignored (counted). A verified event Ricochet cannot use is dead-lettered and
 * answered 200, since Stripe resending it cannot help; a verified body that is not JSON within the bounds of
 * {@link StrictJson} (not UTF-8, malformed, too deep, a number too long) is dead-lettered too, but answered 400.
 */
final class StripeWebhookIntake
{
    ProgramOutcome handle(final ProgramRoute program, final String signature, final byte[] body, final long nowMs)
    {
        if (null == program || null == program.stripeSecret())
        {
            return new ProgramOutcome(null, IntakeOutcome.reject(404, "no Stripe webhook endpoint for this program"));
        }
        final String invalid = StripeSignature.verify(signature, body, program.stripeSecret(), nowMs / 1000);
        if (null != invalid)
        {
            return new ProgramOutcome(null, IntakeOutcome.reject(400, invalid));
        }
        final JsonNode event;
        try
        {
            event = StrictJson.readTree(body);
        }
        catch (final StrictJson.InvalidJsonException ex)
        {
            // Kept for the operator, and a 400 so the sender sees it: no JSON parser will read it better next time.
            return new ProgramOutcome(program, IntakeOutcome.deadLetter(400, "body is not JSON: " + ex.getMessage()));
        }
        if (event.path("livemode").isBoolean() && !event.path("livemode").booleanValue())
        {
            return new ProgramOutcome(program, IntakeOutcome.deadLetter(200,
                "test-mode event (livemode false): no money moved, not credited"));
        }
        return new ProgramOutcome(program, map(program, event, nowMs));
    }

    private static IntakeOutcome map(final ProgramRoute program, final JsonNode event, final long nowMs)
    {
        final String type = text(event, "type");
        final JsonNode object = event.path("data").path("object");
        if (null == type || !object.isObject())
        {
            return IntakeOutcome.deadLetter(200, "not a Stripe event: no type or data.object");
        }
        final long eventTimeMs = ReportedTime.fromUnixSeconds(event.path("created"), nowMs);
        if (ReportedTime.NOT_A_TIME == eventTimeMs)
        {
            return IntakeOutcome.deadLetter(200, type + ": created is not a time in Unix seconds");
        }
        final Conversion conversion;
        switch (type)
        {
            case "checkout.session.completed", "checkout.session.async_payment_succeeded" ->
            {
                final String paymentStatus = text(object, "payment_status");
                if (null != paymentStatus && !"paid".equals(paymentStatus))
                {
                    return IntakeOutcome.ignore("checkout session not paid yet (" + paymentStatus + ")");
                }
                final String clickId = text(object, "client_reference_id");
                final String paymentIntent = text(object, "payment_intent");
                final String invoice = text(object, "invoice");
                conversion = new Conversion(ConversionEventFlyweight.KIND_SALE, eventTimeMs,
                    amount(object, "amount_total"), currency(object),
                    firstOf(paymentIntent, invoice, text(object, "id")), null != paymentIntent ? invoice : null,
                    text(object, "customer"), null,
                    null != clickId && ConversionValidation.isClickId(clickId) ? clickId : null, false);
            }
            case "invoice.paid" ->
            {
                if ("subscription_create".equals(text(object, "billing_reason")))
                {
                    return IntakeOutcome.ignore("first invoice of a subscription: counted by its checkout session");
                }
                if (0 == amount(object, "amount_paid"))
                {
                    return IntakeOutcome.ignore("invoice paid nothing");
                }
                final String paymentIntent = text(object, "payment_intent");
                conversion = new Conversion(ConversionEventFlyweight.KIND_RECURRING, eventTimeMs,
                    amount(object, "amount_paid"), currency(object),
                    firstOf(paymentIntent, text(object, "id"), null), null != paymentIntent ? text(object, "id") : null,
                    text(object, "customer"), null, null, false);
            }
            case "charge.refunded" ->
            {
                final String charge = text(object, "id");
                final long refunded = amount(object, "amount_refunded");
                conversion = new Conversion(ConversionEventFlyweight.KIND_REFUND, eventTimeMs, refunded,
                    currency(object), "refund:" + charge + ":" + refunded,
                    firstOf(text(object, "invoice"), text(object, "payment_intent"), charge), text(object, "customer"),
                    null, null, true);
            }
            case "charge.dispute.created" ->
                conversion = new Conversion(ConversionEventFlyweight.KIND_CHARGEBACK, eventTimeMs,
                    amount(object, "amount"), currency(object), text(object, "id"),
                    firstOf(text(object, "payment_intent"), text(object, "charge"), null), null, null, null, false);
            default ->
            {
                return IntakeOutcome.ignore("event type " + type + " is not used by Ricochet");
            }
        }
        if (conversion.amountMinor() < 0)
        {
            return IntakeOutcome.deadLetter(200, type + " without a usable amount");
        }
        final String error = ConversionValidation.check(conversion, program.currency());
        return null == error ? IntakeOutcome.record(conversion) : IntakeOutcome.deadLetter(200, type + ": " + error);
    }

    private static long amount(final JsonNode object, final String field)
    {
        final JsonNode amount = object.path(field);
        // An integer beyond a long (asLong would wrap it around to any value) is no usable amount.
        return amount.isIntegralNumber() && amount.canConvertToLong() ? amount.asLong() : -1;
    }

    private static String currency(final JsonNode object)
    {
        final String currency = text(object, "currency");
        return null == currency ? "" : currency.toUpperCase(Locale.ROOT);
    }

    /**
     * A string field, or the id of an expanded object in its place (Stripe's expandable fields).
     */
    private static String text(final JsonNode node, final String field)
    {
        JsonNode value = node.path(field);
        if (value.isObject())
        {
            value = value.path("id");
        }
        return value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
    }

    private static String firstOf(final String first, final String second, final String third)
    {
        return null != first ? first : null != second ? second : third;
    }
}
