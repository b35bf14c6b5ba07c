package dev.ricochet.ingest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * HMAC-SHA256 keyed with a webhook secret (its UTF-8 bytes, as Stripe and Shopify both do) over message parts,
 * shared by the tracker's inbound verifiers and the aggregator's outbound signer so both sides use one scheme.
 */
public final class HmacSha256
{
    private HmacSha256()
    {
    }

    /**
     * @param secret the shared secret; its UTF-8 bytes are the key.
     * @param parts  message parts, MACed in order as if concatenated.
     * @return the 32-byte MAC.
     */
    public static byte[] of(final String secret, final byte[]... parts)
    {
        try
        {
            // A Mac is not thread-safe and getInstance is cheap next to a network round trip, so one per call.
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
