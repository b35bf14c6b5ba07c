package dev.ricochet.tracker.conversion;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.HmacSha256;
import dev.ricochet.ingest.Money;
import dev.ricochet.ingest.ProgramRoute;
import dev.ricochet.ingest.StrictJson;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Currency;
import java.util.Locale;

/**
 * {@code POST /webhooks/shopify/{programId}}, verified with {@code X-Shopify-Hmac-Sha256} (base64 HMAC-SHA256 of
 * the raw body keyed with the program's Shopify secret, compared in constant time).
 *
 * <ul>
 *   <li>{@code orders/create}: a sale of {@code total_price} (a decimal string, converted exactly to minor units
 *   of the currency); the click id comes from a note attribute named like the program's click parameter (or
 *   {@code ricochet_click_id}), else from that parameter in {@code landing_site}; the first discount code is the
 *   coupon.</li>
 *   <li>{@code refunds/create}: a refund of the successful refund transactions of the order.</li>
 * </ul>
 * A test order ({@code "test": true}, placed with a test gateway) or a refund with a test transaction is never
 * credited: dead-lettered and answered 200, like a Stripe test-mode event.
 * Other topics are answered 200 and ignored. Shopify retries a webhook with the same {@code X-Shopify-Webhook-Id};
 * the order and refund ids are the idempotency keys, so a retry never counts twice. A verified body that is not JSON
 * within the bounds of {@link StrictJson} is dead-lettered and answered 400.
 */
final class ShopifyWebhookIntake
{
    /**
     * Longest price text read: prices are short, and parsing a long digit string is quadratic.
     */
    private static final int MAX_PRICE_LENGTH = 32;

    ProgramOutcome handle(
        final ProgramRoute program, final String hmac, final String topic, final byte[] body, final long nowMs)
    {
        if (null == program || null == program.shopifySecret())
        {
            return new ProgramOutcome(null, IntakeOutcome.reject(404, "no Shopify webhook endpoint for this program"));
        }
        if (null == hmac || !isValid(hmac, body, program.shopifySecret()))
        {
            return new ProgramOutcome(null, IntakeOutcome.reject(401, "invalid X-Shopify-Hmac-Sha256"));
        }
        final JsonNode payload;
        try
        {
            payload = StrictJson.readTree(body);
        }
        catch (final StrictJson.InvalidJsonException ex)
        {
            // Kept for the operator, and a 400 so the sender sees it: no JSON parser will read it better next time.
            return new ProgramOutcome(program, IntakeOutcome.deadLetter(400, "body is not JSON: " + ex.getMessage()));
        }
        if (!payload.isObject())
        {
            return new ProgramOutcome(program, IntakeOutcome.deadLetter(200, "body is not a JSON object"));
        }
        if ("orders/create".equals(topic))
        {
            return new ProgramOutcome(program, order(program, payload, nowMs));
        }
        if ("refunds/create".equals(topic))
        {
            return new ProgramOutcome(program, refund(program, payload, nowMs));
        }
        return new ProgramOutcome(program, IntakeOutcome.ignore("topic " + topic + " is not used by Ricochet"));
    }

    static boolean isValid(final String hmac, final byte[] body, final String secret)
    {
        // Compare the canonical base64 text, not decoded bytes: a lenient decoder maps several spellings (differing
        // in the unused bits before '=') to the same bytes.
        final byte[] expected = Base64.getEncoder().encode(HmacSha256.of(secret, body));
        return MessageDigest.isEqual(expected, hmac.trim().getBytes(StandardCharsets.US_ASCII));
    }

    private static IntakeOutcome order(final ProgramRoute program, final JsonNode order, final long nowMs)
    {
        if (order.path("test").asBoolean(false))
        {
            return IntakeOutcome.deadLetter(200, "orders/create of a test order (test true): not credited");
        }
        final String id = id(order.path("id"));
        final String currency = text(order, "currency");
        final long amount = minorUnits(text(order, "total_price"), currency);
        if (null == id || amount < 0)
        {
            return IntakeOutcome.deadLetter(200, "orders/create without an id, currency or exact total_price");
        }
        final long reportedMs = ReportedTime.fromIsoTime(text(order, "created_at"), nowMs);
        if (ReportedTime.NOT_A_TIME == reportedMs)
        {
            return IntakeOutcome.deadLetter(200, "orders/create: created_at is not an ISO-8601 time");
        }
        final JsonNode discounts = order.path("discount_codes");
        final String coupon = discounts.isArray() && discounts.size() > 0 ? text(discounts.get(0), "code") : null;
        final Conversion conversion = new Conversion(ConversionEventFlyweight.KIND_SALE,
            reportedMs, amount, currency.toUpperCase(Locale.ROOT), id, null,
            id(order.path("customer").path("id")), coupon, clickId(program, order), false);
        final String error = ConversionValidation.check(conversion, program.currency());
        return null == error ? IntakeOutcome.record(conversion) : IntakeOutcome.deadLetter(200, "orders/create: " +
            error);
    }

    private static IntakeOutcome refund(final ProgramRoute program, final JsonNode refund, final long nowMs)
    {
        final String id = id(refund.path("id"));
        final String orderId = id(refund.path("order_id"));
        if (null == id || null == orderId)
        {
            return IntakeOutcome.deadLetter(200, "refunds/create without an id or order_id");
        }
        long amount = 0;
        String currency = null;
        for (final JsonNode transaction : refund.path("transactions"))
        {
            if (transaction.path("test").asBoolean(false))
            {
                return IntakeOutcome.deadLetter(200,
                    "refunds/create with a test transaction (test true): not credited");
            }
            if ("refund".equals(text(transaction, "kind")) && "success".equals(text(transaction, "status")))
            {
                // One refund is in one currency: parts in two are no sum (JPY and USD added as USD), so it is kept
                // for the operator instead of counted.
                final String named = text(transaction, "currency");
                final String partCurrency = null == named ? program.currency() : named.toUpperCase(Locale.ROOT);
                if (null != currency && !currency.equals(partCurrency))
                {
                    return IntakeOutcome.deadLetter(200,
                        "refunds/create mixes transactions in " + currency + " and " + partCurrency);
                }
                currency = partCurrency;
                final long part = minorUnits(text(transaction, "amount"), currency);
                if (part < 0)
                {
                    return IntakeOutcome.deadLetter(200, "refunds/create with an inexact transaction amount");
                }
                // Each part and their sum within the bound: three parts never wrap around to a 1-cent refund.
                if (!Money.isWithinBound(part) || !Money.isWithinBound(Money.add(amount, part)))
                {
                    return IntakeOutcome.deadLetter(200, "refunds/create: " +
                        Money.outOfBound(Money.isWithinBound(part) ? "the sum of the transactions' amount" :
                        "transactions[].amount"));
                }
                amount = Money.add(amount, part);
            }
        }
        if (0 == amount)
        {
            return IntakeOutcome.ignore("refund without money (restock or adjustment only)");
        }
        final long reportedMs = ReportedTime.fromIsoTime(text(refund, "created_at"), nowMs);
        if (ReportedTime.NOT_A_TIME == reportedMs)
        {
            return IntakeOutcome.deadLetter(200, "refunds/create: created_at is not an ISO-8601 time");
        }
        final Conversion conversion = new Conversion(ConversionEventFlyweight.KIND_REFUND,
            reportedMs, amount, null == currency ? program.currency() : currency,
            "refund:" + id, orderId, null, null, null, false);
        final String error = ConversionValidation.check(conversion, program.currency());
        return null == error ? IntakeOutcome.record(conversion) : IntakeOutcome.deadLetter(200, "refunds/create: " +
            error);
    }

    private static String clickId(final ProgramRoute program, final JsonNode order)
    {
        for (final JsonNode attribute : order.path("note_attributes"))
        {
            final String name = text(attribute, "name");
            final String value = text(attribute, "value");
            if ((program.clickParam().equals(name) || "ricochet_click_id".equals(name)) && null != value &&
                ConversionValidation.isClickId(value))
            {
                return value;
            }
        }
        final String landingSite = text(order, "landing_site");
        final String value = null == landingSite ? null : queryParameter(landingSite, program.clickParam());
        return null != value && ConversionValidation.isClickId(value) ? value : null;
    }

    /**
     * The raw value of a parameter in a URL's query. A click id needs no decoding, and the rest of the query is not
     * ours to judge: a stray '%' in it (Netty's decoder throws on one) must not lose the order its click. A name given
     * twice with different values is ambiguous (frameworks disagree on which counts): no value.
     */
    static String queryParameter(final String url, final String name)
    {
        final int question = url.indexOf('?');
        if (question < 0)
        {
            return null;
        }
        final int hash = url.indexOf('#', question);
        final int end = hash < 0 ? url.length() : hash;
        int start = question + 1;
        String found = null;
        while (start < end)
        {
            int separator = url.indexOf('&', start);
            if (separator < 0 || separator > end)
            {
                separator = end;
            }
            final int valueStart = start + name.length() + 1;
            if (url.startsWith(name, start) && valueStart <= separator && '=' == url.charAt(valueStart - 1))
            {
                final String value = url.substring(valueStart, separator);
                if (null != found && !found.equals(value))
                {
                    return null;
                }
                found = value;
            }
            start = separator + 1;
        }
        return found;
    }

    /**
     * Exact conversion of a decimal price to minor units; -1 if absent, malformed or finer than the currency allows.
     */
    static long minorUnits(final String price, final String currency)
    {
        if (null == price || null == currency || price.length() > MAX_PRICE_LENGTH || !Money.isPlainDecimal(price))
        {
            return -1;
        }
        try
        {
            final int digits = Currency.getInstance(currency.toUpperCase(Locale.ROOT)).getDefaultFractionDigits();
            final BigDecimal value = new BigDecimal(price);
            // An exponent makes a short text a number of any size, and moving its point would write every digit
            // out ("12.1e99999950": four minutes of one event loop, found by WebhookIntakeFuzzTest). More than 19
            // digits before the point is past a long anyway.
            if (value.precision() - value.scale() > 19)
            {
                return -1;
            }
            return value.movePointRight(Math.max(digits, 0)).longValueExact();
        }
        catch (final ArithmeticException | IllegalArgumentException ex)
        {
            return -1;
        }
    }

    private static String id(final JsonNode node)
    {
        return node.isIntegralNumber() ? node.asText() : node.isTextual() && !node.asText().isEmpty() ? node.asText() :
            null;
    }

    private static String text(final JsonNode node, final String field)
    {
        final JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
    }
}
