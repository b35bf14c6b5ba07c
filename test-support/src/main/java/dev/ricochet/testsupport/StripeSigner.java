package dev.ricochet.testsupport;

import javax.crypto.Mac;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Signs a webhook body the way Stripe does: {@code Stripe-Signature: t={seconds},v1={hex HMAC-SHA256 of "{t}.{body}"
 * keyed with the endpoint secret}}. Computed with the JDK's {@link Mac}, independently of the edge's verifier.
 *
 * <p>An instance keeps one {@link Mac} for one secret and is meant for one thread (load generators sign thousands of
 * bodies); the static {@link #header(String, String, long)} is for a test's single request.
 */
public final class StripeSigner
{
    /**
     * The header that carries the signature.
     */
    public static final String HEADER = "Stripe-Signature";

    private final Mac mac;

    /**
     * @param secret the endpoint's signing secret ({@code whsec_...}).
     */
    public StripeSigner(final String secret)
    {
        mac = Hmac.keyedWith(secret);
    }

    /**
     * @param secret           the endpoint's signing secret.
     * @param payload          the body, as sent (UTF-8).
     * @param timestampSeconds the signature's {@code t}.
     * @return the {@code Stripe-Signature} header value.
     */
    public static String header(final String secret, final String payload, final long timestampSeconds)
    {
        return new StripeSigner(secret).header(timestampSeconds, payload.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param timestampSeconds the signature's {@code t}.
     * @param body             the raw body, as sent.
     * @return the {@code Stripe-Signature} header value.
     */
    public String header(final long timestampSeconds, final byte[] body)
    {
        return "t=" + timestampSeconds + ",v1=" + signature(timestampSeconds, body);
    }

    /**
     * @param timestampSeconds the signature's {@code t}.
     * @param body             the raw body, as sent.
     * @return the hex {@code v1} signature alone.
     */
    public String signature(final long timestampSeconds, final byte[] body)
    {
        mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
