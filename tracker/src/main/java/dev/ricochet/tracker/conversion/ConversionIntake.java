package dev.ricochet.tracker.conversion;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.DeadLetterEventFlyweight;
import dev.ricochet.ingest.DurableJournalWriter;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.StrictJson;
import dev.ricochet.tracker.TrackerCounter;
import dev.ricochet.tracker.TrackerCounters;
import io.netty.handler.codec.http.HttpHeaders;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Conversion intake at the edge: authenticates and maps each request (API, postback), then journals it durably
 * and answers only once the grouped sync has it on disk, so a sender's retry gives at-least-once and the
 * aggregator's idempotency on (program, external id) gives exactly-once.
 */
public final class ConversionIntake
{
    /**
     * Receives the answer for one request, possibly on another thread once the journal sync completes.
     */
    @FunctionalInterface
    public interface Responder
    {
        /**
         * @param status HTTP status.
         * @param json   body.
         */
        void respond(int status, String json);
    }

    private final DurableJournalWriter writer;
    private final EpochClock epochClock;
    private final TrackerCounters counters;
    private final ApiConversionIntake api;
    private final PostbackIntake postback;
    private final StripeWebhookIntake stripe = new StripeWebhookIntake();
    private final ShopifyWebhookIntake shopify = new ShopifyWebhookIntake();
    private final ProgramDirectory programs;
    private final RecentConversions recent = new RecentConversions(100_000);

    /**
     * @param writer     grouped-sync journal writer.
     * @param programs   program routes with their intake secrets.
     * @param epochClock receive time.
     * @param counters   edge counters.
     */
    public ConversionIntake(
        final DurableJournalWriter writer,
        final ProgramDirectory programs,
        final EpochClock epochClock,
        final TrackerCounters counters)
    {
        this.writer = writer;
        this.epochClock = epochClock;
        this.counters = counters;
        this.api = new ApiConversionIntake(programs);
        this.postback = new PostbackIntake(programs);
        this.programs = programs;
    }

    /**
     * {@code POST /webhooks/stripe/{programId}}.
     *
     * @param programId from the path.
     * @param signature the Stripe-Signature header.
     * @param body      the raw body, exactly as signed.
     * @param responder receives the answer.
     */
    public void onStripeWebhook(
        final String programId, final String signature, final byte[] body, final Responder responder)
    {
        complete(stripe.handle(programs.lookup(programId), signature, body, epochClock.time()),
            ConversionEventFlyweight.SOURCE_STRIPE, body, responder);
    }

    /**
     * {@code POST /webhooks/shopify/{programId}}.
     *
     * @param programId from the path.
     * @param headers   the request headers (HMAC, topic, webhook id).
     * @param body      the raw body, exactly as signed.
     * @param responder receives the answer.
     */
    public void onShopifyWebhook(
        final String programId, final HttpHeaders headers, final byte[] body,
        final Responder responder)
    {
        final String webhookId = headers.get("X-Shopify-Webhook-Id");
        final String deliveryKey = null == webhookId ? null : "shopify-webhook\u0000" + programId + "\u0000" +
            webhookId;
        final ProgramOutcome outcome = shopify.handle(programs.lookup(programId),
            headers.get("X-Shopify-Hmac-Sha256"), headers.get("X-Shopify-Topic"), body, epochClock.time());
        // Only a verified request may learn that a delivery was seen before.
        if (null != deliveryKey && null != outcome.program() && recent.contains(deliveryKey))
        {
            counters.increment(TrackerCounter.CONVERSIONS_DUPLICATE);
            responder.respond(200, "{\"status\":\"accepted\",\"duplicate\":true}");
            return;
        }
        complete(outcome, ConversionEventFlyweight.SOURCE_SHOPIFY, body, (status, answer) ->
        {
            if (null != deliveryKey && status < 300 && null != outcome.program())
            {
                recent.add(deliveryKey);
            }
            responder.respond(status, answer);
        });
    }

    /**
     * {@code POST /v1/conversions}.
     *
     * @param authorization the Authorization header.
     * @param body          the raw body.
     * @param responder     receives the answer.
     */
    public void onApiConversion(final String authorization, final byte[] body, final Responder responder)
    {
        complete(api.handle(authorization, body, epochClock.time()), ConversionEventFlyweight.SOURCE_API, body,
            responder);
    }

    /**
     * {@code GET /postback}.
     *
     * @param uri       the request target, its query not yet decoded.
     * @param responder receives the answer.
     */
    public void onPostback(final String uri, final Responder responder)
    {
        complete(postback.handle(uri, epochClock.time()), ConversionEventFlyweight.SOURCE_POSTBACK,
            new byte[0], responder);
    }

    private void complete(
        final ProgramOutcome result, final byte source, final byte[] body, final Responder responder)
    {
        final IntakeOutcome outcome = result.outcome();
        switch (outcome.action())
        {
            case RECORD -> record(result.program().programNumber(), source, outcome.conversion(), responder);
            case IGNORE ->
            {
                counters.increment(TrackerCounter.WEBHOOKS_IGNORED);
                responder.respond(outcome.status(), json("status", "ignored", "reason", outcome.message()));
            }
            case REJECT ->
            {
                counters.increment(TrackerCounter.CONVERSIONS_REJECTED);
                responder.respond(outcome.status(), json("error", outcome.message()));
            }
            case DEAD_LETTER -> deadLetter(result.program().programNumber(), source, outcome, body, responder);
            default -> throw new IllegalStateException(outcome.action().name());
        }
    }

    private void record(final int programNumber, final byte source, final Conversion conversion,
        final Responder responder)
    {
        final String key = RecentConversions.key(programNumber, conversion.externalId());
        if (recent.contains(key))
        {
            counters.increment(TrackerCounter.CONVERSIONS_DUPLICATE);
            responder.respond(200, "{\"status\":\"accepted\",\"duplicate\":true}");
            return;
        }
        final byte[] event = new byte[ConversionEventFlyweight.MAX_LENGTH];
        final int length = encode(conversion, programNumber, source, epochClock.time(), new UnsafeBuffer(event));
        offer(event, length, responder, () ->
        {
            recent.add(key);
            counters.increment(TrackerCounter.CONVERSIONS_RECORDED);
            responder.respond(200, "{\"status\":\"accepted\",\"duplicate\":false}");
        });
    }

    /**
     * Encode a conversion as the journal keeps it: the header time is the edge's receive time, the sender's own time
     * a field (see {@link ReportedTime}).
     *
     * @param buffer with room for {@link ConversionEventFlyweight#MAX_LENGTH} bytes.
     * @return the encoded length.
     */
    static int encode(final Conversion conversion, final int programNumber, final byte source, final long receivedMs,
        final MutableDirectBuffer buffer)
    {
        final ConversionEventFlyweight encoder = new ConversionEventFlyweight().wrapForEncode(
            buffer, 0, receivedMs, conversion.reportedMs(), conversion.kind(), source,
            programNumber, conversion.currency(), conversion.amountMinor());
        if (null != conversion.clickId())
        {
            encoder.clickId(IdCodec.decodeHi(conversion.clickId(), 0), IdCodec.decodeLo(conversion.clickId(), 0));
        }
        if (conversion.cumulativeReversal())
        {
            encoder.cumulativeReversal();
        }
        return encoder.ids(conversion.externalId(), conversion.originalExternalId(),
            conversion.customerId(), conversion.coupon()).encodedLength();
    }

    private void deadLetter(final int programNumber, final byte source, final IntakeOutcome outcome,
        final byte[] body, final Responder responder)
    {
        final byte[] event = new byte[EventHeaderDescriptor.MAX_EVENT_LENGTH];
        final int length = DeadLetterEventFlyweight.encode(
            new UnsafeBuffer(event), 0, epochClock.time(), source, programNumber, outcome.message(), body);
        offer(event, length, responder, () ->
        {
            counters.increment(TrackerCounter.DEAD_LETTERS);
            responder.respond(outcome.status(), json("status", "dead_letter", "reason", outcome.message()));
        });
    }

    private void offer(final byte[] event, final int length, final Responder responder, final Runnable onDurable)
    {
        final boolean queued = writer.offer(event, length, index ->
        {
            if (Journal.NULL_INDEX == index)
            {
                unavailable(responder);
            }
            else
            {
                onDurable.run();
            }
        });
        if (!queued)
        {
            unavailable(responder);
        }
    }

    private void unavailable(final Responder responder)
    {
        counters.increment(TrackerCounter.DURABLE_APPEND_FAILURES);
        responder.respond(503, "{\"error\":\"journal unavailable: nothing was recorded, retry\"}");
    }

    private static String json(final String... keysAndValues)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2)
        {
            fields.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        try
        {
            return StrictJson.MAPPER.writeValueAsString(fields);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
