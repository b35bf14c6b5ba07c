package dev.ricochet.tracker.conversion;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * HMAC-SHA256 keyed with a webhook secret (its UTF-8 bytes, as Stripe and Shopify both do) over message parts.
 */
final class HmacSha256
{
    private HmacSha256()
    {
    }

    static byte[] of(final String secret, final byte[]... parts)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            for (final byte[] part : parts)
            {
                mac.update(part);
            }
            return mac.doFinal();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 unavailable", ex);
        }
    }
}
