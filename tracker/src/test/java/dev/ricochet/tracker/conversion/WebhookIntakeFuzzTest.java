package dev.ricochet.tracker.conversion;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.DeadLetterEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.HmacSha256;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.ProgramRoute;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the conversion intakes' verifiers, parsers and mappers (Stripe signature, Shopify HMAC, the Stripe, Shopify,
 * API and postback mappings, {@code StrictJson}): whatever the request, an intake throws nothing and decides clearly.
 * A refusal is a 4xx with a message; a dead letter comes only from an authenticated sender and fits its journal event;
 * a recorded conversion is valid and reaches the journal exactly as the intake understood it (encoded and decoded
 * back, every field equal). A request that fails authentication is always refused.
 *
 * <p>An input is {@code intake\nheader\nbody}: the intake is {@code stripe}, {@code shopify}, {@code api} or
 * {@code postback}; the header is the {@code Stripe-Signature} ({@code signed} to sign the body validly), Shopify's
 * topic (with a space and an HMAC to use that one instead of a valid one), the {@code Authorization} header, or for
 * the postback nothing (its body is the query string). Seeds are in
 * {@code src/test/resources/dev/ricochet/tracker/conversion/WebhookIntakeFuzzTestInputs/}.
 */
class WebhookIntakeFuzzTest
{
    private static final long NOW_MS = 1_763_700_000_000L;
    private static final String API_KEY = "fuzz-api-key-0123456789";
    private static final String STRIPE_SECRET = "whsec_fuzz_5WbX5kEWLlfzsGNjH64I8lOO";
    private static final String SHOPIFY_SECRET = "shpss_fuzz_0123456789";
    private static final ProgramRoute PROGRAM =
        new ProgramRoute("shop", 3, "USD", "rcid", API_KEY, STRIPE_SECRET, SHOPIFY_SECRET, "pb-token");
    private static final ProgramDirectory PROGRAMS = new ProgramDirectory();

    static
    {
        PROGRAMS.put(PROGRAM);
    }

    private final StripeWebhookIntake stripe = new StripeWebhookIntake();
    private final ShopifyWebhookIntake shopify = new ShopifyWebhookIntake();
    private final ApiConversionIntake api = new ApiConversionIntake(PROGRAMS);
    private final PostbackIntake postback = new PostbackIntake(PROGRAMS);

    @FuzzTest
    // No CR or LF in the entries: Jazzer writes whitespace into its dictionary file unescaped, which libFuzzer refuses.
    @DictionaryEntries({ "stripe", "shopify", "api", "postback", "signed", "t=1763700000,v1=", "orders/create",
        "refunds/create", "Bearer " + API_KEY, "{\"type\":\"checkout.session.completed\"", "\"data\":{\"object\":{",
        "\"amount_total\":", "\"currency\":\"usd\"", "\"payment_intent\":\"pi_1\"",
        "\"client_reference_id\":\"-0cUpCA8VobNMR3l0Rz5ln\"", "\"total_price\":\"12.50\"",
        "\"landing_site\":\"/?rcid=", "\"note_attributes\":[{\"name\":\"rcid\",\"value\":\"",
        "\"transactions\":[{\"kind\":\"refund\"", "\"programId\":\"shop\"", "\"externalId\":\"", "\"amount\":",
        "\"coupon\":\"", "\"kind\":\"refund\"", "\"originalExternalId\":\"", "program=shop&token=pb-token&order_id=",
        "&amount=", "%zz", "1e999999", "99999999999999999999", "\u00ff\u00fe" })
    void mapsEveryRequestToARecordOrAClearRefusal(final byte[] input)
    {
        // Given one request to one intake
        final int headerStart = indexOf(input, 0) + 1;
        final int bodyStart = indexOf(input, headerStart) + 1;
        if (0 == headerStart || 0 == bodyStart)
        {
            return;
        }
        final String intake = new String(input, 0, headerStart - 1, StandardCharsets.ISO_8859_1);
        // Header values reach the intakes one char per byte, as the HTTP decoder reads them.
        final String header = new String(input, headerStart, bodyStart - 1 - headerStart, StandardCharsets.ISO_8859_1);
        final byte[] body = Arrays.copyOfRange(input, bodyStart, input.length);

        // When the intake decides
        final boolean authentic;
        final ProgramOutcome result;
        final byte source;
        switch (intake)
        {
            case "stripe" ->
            {
                authentic = "signed".equals(header);
                source = ConversionEventFlyweight.SOURCE_STRIPE;
                result = stripe.handle(PROGRAM, authentic ? stripeSignature(body) : header, body, NOW_MS);
            }
            case "shopify" ->
            {
                final int space = header.indexOf(' ');
                authentic = space < 0;
                source = ConversionEventFlyweight.SOURCE_SHOPIFY;
                result = shopify.handle(PROGRAM, authentic ? shopifyHmac(body) : header.substring(space + 1),
                    authentic ? header : header.substring(0, space), body, NOW_MS);
            }
            case "api" ->
            {
                authentic = ("Bearer " + API_KEY).equals(header.trim());
                source = ConversionEventFlyweight.SOURCE_API;
                result = api.handle(header, body, NOW_MS);
            }
            case "postback" ->
            {
                authentic = true; // its token is in the query: the refusal below is checked for the outcome alone
                source = ConversionEventFlyweight.SOURCE_POSTBACK;
                result = postback.handle("/postback?" + new String(body, StandardCharsets.ISO_8859_1), NOW_MS);
            }
            default ->
            {
                return;
            }
        }

        // Then the decision is clear, and a conversion is journaled exactly as understood
        final IntakeOutcome outcome = result.outcome();
        assertNotNull(outcome.message(), "every outcome says why");
        assertFalse(outcome.message().isBlank(), "every outcome says why");
        switch (outcome.action())
        {
            case REJECT -> assertTrue(outcome.status() >= 400 && outcome.status() < 500, "refused with " +
                outcome.status());
            case IGNORE -> assertEquals(200, outcome.status());
            case DEAD_LETTER ->
            {
                assertTrue(authentic, "dead-lettered without authentication");
                assertSame(PROGRAM, result.program());
                assertTrue(200 == outcome.status() || 400 == outcome.status(), "dead letter answered " +
                    outcome.status());
                final UnsafeBuffer event = new UnsafeBuffer(new byte[EventHeaderDescriptor.MAX_EVENT_LENGTH]);
                final int length =
                    DeadLetterEventFlyweight.encode(event, 0, NOW_MS, source, 3, outcome.message(), body);
                assertTrue(length <= EventHeaderDescriptor.MAX_EVENT_LENGTH);
                new DeadLetterEventFlyweight().wrap(event, 0, length).body();
            }
            case RECORD ->
            {
                assertTrue(authentic, "recorded without authentication");
                assertSame(PROGRAM, result.program());
                assertNull(ConversionValidation.check(outcome.conversion(), PROGRAM.currency()));
                assertJournaledAsUnderstood(outcome.conversion(), source);
            }
            default -> throw new AssertionError(outcome.action());
        }
        if (!authentic && !"postback".equals(intake))
        {
            assertSame(IntakeOutcome.Action.REJECT, outcome.action(), "unauthenticated request not refused");
        }
    }

    private static void assertJournaledAsUnderstood(final Conversion conversion, final byte source)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ConversionEventFlyweight.MAX_LENGTH]);
        final int length = ConversionIntake.encode(conversion, PROGRAM.programNumber(), source, NOW_MS, buffer);
        final ConversionEventFlyweight decoded = new ConversionEventFlyweight().wrap(buffer, 0, length);
        assertEquals(conversion.kind(), decoded.kind());
        // The header time is the receive time, whatever the sender said; the sender's time is a bounded field.
        assertEquals(NOW_MS, decoded.timestampMs());
        assertEquals(conversion.reportedMs(), decoded.reportedMs());
        assertTrue(decoded.reportedMs() >= NOW_MS - ReportedTime.MAX_AGE_MS &&
            decoded.reportedMs() <= NOW_MS + ReportedTime.MAX_AHEAD_MS, "reported time outside its window");
        assertEquals(conversion.amountMinor(), decoded.amountMinor());
        assertEquals(conversion.currency(), decoded.currency());
        assertEquals(conversion.externalId(), decoded.externalId());
        assertEquals(orEmpty(conversion.originalExternalId()), decoded.originalExternalId());
        assertEquals(orEmpty(conversion.customerId()), decoded.customerId());
        assertEquals(orEmpty(conversion.coupon()), decoded.coupon());
        assertEquals(null != conversion.clickId(), decoded.hasFlag(ConversionEventFlyweight.FLAG_HAS_CLICK_ID));
        if (null != conversion.clickId())
        {
            assertEquals(conversion.clickId(), IdCodec.toString(decoded.clickIdHi(), decoded.clickIdLo()));
        }
        assertEquals(conversion.cumulativeReversal(),
            decoded.hasFlag(ConversionEventFlyweight.FLAG_CUMULATIVE_REVERSAL));
    }

    private static String stripeSignature(final byte[] body)
    {
        final long t = NOW_MS / 1000;
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(
            HmacSha256.of(STRIPE_SECRET, (t + ".").getBytes(StandardCharsets.US_ASCII), body));
    }

    private static String shopifyHmac(final byte[] body)
    {
        return Base64.getEncoder().encodeToString(HmacSha256.of(SHOPIFY_SECRET, body));
    }

    private static String orEmpty(final String value)
    {
        return null == value ? "" : value;
    }

    private static int indexOf(final byte[] input, final int from)
    {
        for (int i = from; i < input.length; i++)
        {
            if ('\n' == input[i])
            {
                return i;
            }
        }
        return -1;
    }
}
