package dev.ricochet.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Signs a webhook body the way Shopify does: {@code X-Shopify-Hmac-Sha256: {base64 HMAC-SHA256 of the raw body keyed
 * with the app's secret}}. Computed with the JDK's {@link javax.crypto.Mac}, independently of the edge's verifier.
 */
public final class ShopifySigner
{
    /**
     * The header that carries the signature.
     */
    public static final String HEADER = "X-Shopify-Hmac-Sha256";

    private ShopifySigner()
    {
    }

    /**
     * @param secret the shop's webhook secret.
     * @param body   the raw body, as sent.
     * @return the {@code X-Shopify-Hmac-Sha256} header value.
     */
    public static String header(final String secret, final byte[] body)
    {
        return Base64.getEncoder().encodeToString(Hmac.keyedWith(secret).doFinal(body));
    }

    /**
     * @param secret the shop's webhook secret.
     * @param body   the body, as sent (UTF-8).
     * @return the {@code X-Shopify-Hmac-Sha256} header value.
     */
    public static String header(final String secret, final String body)
    {
        return header(secret, body.getBytes(StandardCharsets.UTF_8));
    }
}
