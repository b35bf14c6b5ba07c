package dev.ricochet.ops.crash;

import dev.ricochet.testsupport.StripeSigner;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The requests the {@link LoadGenerator} sends, as a browser and Stripe send them: a browser's GET of a link or the
 * pixel, and a {@code checkout.session.completed} delivery signed with the endpoint secret. One per event loop (the
 * signer is not thread safe).
 */
final class LoadRequests
{
    private static final String BROWSER =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

    private final int port;
    private final String program;
    private final StripeSigner signer;

    /**
     * @param port         the edge's port on 127.0.0.1.
     * @param program      program receiving the conversions.
     * @param stripeSecret the program's Stripe endpoint secret.
     */
    LoadRequests(final int port, final String program, final String stripeSecret)
    {
        this.port = port;
        this.program = program;
        this.signer = new StripeSigner(stripeSecret);
    }

    /**
     * @param uri path and query.
     * @return a browser's GET of it.
     */
    FullHttpRequest get(final String uri)
    {
        final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + port)
            .set(HttpHeaderNames.USER_AGENT, BROWSER)
            .set(HttpHeaderNames.ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8");
        return request;
    }

    /**
     * A {@code checkout.session.completed} delivery as Stripe sends it, signed with the endpoint secret.
     *
     * @param orderId the payment intent ({@code pi_...}): the order id the ack log records.
     * @param clickId the shopper's click id, the session's {@code client_reference_id}.
     * @return the signed POST.
     */
    FullHttpRequest stripeCheckout(final String orderId, final String clickId)
    {
        final long nowSeconds = System.currentTimeMillis() / 1000;
        final long amount = 1000 + ThreadLocalRandom.current().nextInt(9000);
        final String session = "cs_" + orderId.substring(3);
        final byte[] payload = ("{\"id\":\"evt_" + orderId.substring(3) + "\",\"object\":\"event\"," +
            "\"api_version\":\"2025-10-29.clover\",\"created\":" + nowSeconds + ",\"livemode\":true," +
            "\"type\":\"checkout.session.completed\",\"data\":{\"object\":{\"id\":\"" + session + "\"," +
            "\"object\":\"checkout.session\",\"mode\":\"payment\",\"status\":\"complete\"," +
            "\"payment_status\":\"paid\",\"amount_total\":" + amount + ",\"currency\":\"usd\"," +
            "\"client_reference_id\":\"" + clickId + "\",\"payment_intent\":\"" + orderId + "\"," +
            "\"created\":" + nowSeconds + "}}}").getBytes(StandardCharsets.UTF_8);
        final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
            "/webhooks/stripe/" + program, Unpooled.wrappedBuffer(payload));
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + port)
            .set(HttpHeaderNames.USER_AGENT, "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            .set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
            .set(HttpHeaderNames.CONTENT_LENGTH, payload.length)
            .set(StripeSigner.HEADER, signer.header(nowSeconds, payload));
        return request;
    }
}
