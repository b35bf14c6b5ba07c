package dev.ricochet.benchmarks.load;

import dev.ricochet.testsupport.StripeSigner;

import java.nio.charset.StandardCharsets;

/**
 * Builds {@code checkout.session.completed} webhook deliveries for one program as Stripe sends them: a unique
 * session, payment intent and customer per checkout, the shopper's click id as {@code client_reference_id}, and a
 * {@code Stripe-Signature} of HMAC-SHA256 over {@code "{t}.{payload}"} keyed with the endpoint secret.
 *
 * <p>One per event loop: a {@link StripeSigner} is not thread-safe. Conversions are 1% of the mixed workload, so the body is
 * built per request; its ids must be unique anyway.
 */
final class StripeCheckout
{
    private static final String API_VERSION = "2025-10-29.clover";

    private final byte[] head;
    private final String currency;
    private final String idPrefix;
    private final StripeSigner signer;
    private long sequence;

    /**
     * @param hostHeader value of the Host header.
     * @param programId  the program whose webhook endpoint receives the checkouts.
     * @param secret     the endpoint's {@code whsec_} secret; its UTF-8 bytes are the key, as Stripe does.
     * @param currency   ISO-4217 code, lower case as Stripe writes it.
     * @param runId      distinguishes this run's ids from earlier runs against the same service.
     * @param worker     distinguishes the event loops' ids.
     */
    StripeCheckout(
        final String hostHeader,
        final String programId,
        final String secret,
        final String currency,
        final String runId,
        final int worker)
    {
        this.head = RequestTemplates.ascii("POST /webhooks/stripe/" + programId + " HTTP/1.1\r\n" +
            "Host: " + hostHeader + "\r\n" +
            "User-Agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)\r\n" +
            "Accept: */*; q=0.5, application/xml\r\n" +
            "Cache-Control: no-cache\r\n" +
            "Content-Type: application/json; charset=utf-8\r\n");
        this.currency = currency;
        this.idPrefix = runId + "_" + worker + "_";
        this.signer = new StripeSigner(secret);
    }

    /**
     * @param clickId     the shopper's click id from an earlier redirect, or null for a checkout without one.
     * @param amountMinor amount_total in minor units.
     * @param nowSeconds  Unix time: the event's {@code created} and the signature's {@code t}.
     * @return the whole HTTP request.
     */
    byte[] request(final CharSequence clickId, final long amountMinor, final long nowSeconds)
    {
        final String id = idPrefix + sequence++;
        final StringBuilder session = new StringBuilder(512)
            .append("{\"id\":\"cs_load_").append(id).append("\",\"object\":\"checkout.session\",")
            .append("\"mode\":\"payment\",\"status\":\"complete\",\"payment_status\":\"paid\",")
            .append("\"amount_subtotal\":").append(amountMinor).append(",\"amount_total\":").append(amountMinor)
            .append(",\"currency\":\"").append(currency).append("\",");
        if (null != clickId)
        {
            session.append("\"client_reference_id\":\"").append(clickId).append("\",");
        }
        session.append("\"customer\":\"cus_load_").append(id).append("\",\"payment_intent\":\"pi_load_")
            .append(id).append("\",\"created\":").append(nowSeconds).append('}');
        final byte[] payload = ("{\"id\":\"evt_load_" + id + "\",\"object\":\"event\",\"api_version\":\"" +
            API_VERSION + "\",\"created\":" + nowSeconds + ",\"livemode\":true,\"pending_webhooks\":1," +
            "\"type\":\"checkout.session.completed\",\"data\":{\"object\":" + session + "}}")
            .getBytes(StandardCharsets.UTF_8);

        final byte[] headers = RequestTemplates.ascii("Stripe-Signature: " + signer.header(nowSeconds, payload) +
            "\r\nContent-Length: " + payload.length + "\r\n\r\n");

        final byte[] request = new byte[head.length + headers.length + payload.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(headers, 0, request, head.length, headers.length);
        System.arraycopy(payload, 0, request, head.length + headers.length, payload.length);
        return request;
    }
}
