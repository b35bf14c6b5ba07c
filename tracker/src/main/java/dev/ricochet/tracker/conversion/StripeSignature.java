package dev.ricochet.tracker.conversion;

import dev.ricochet.ingest.HmacSha256;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Verifies a {@code Stripe-Signature} header exactly as Stripe specifies: HMAC-SHA256 of {@code "{t}.{raw body}"}
 * keyed with the endpoint's {@code whsec_} secret, any one of several {@code v1} signatures, compared in constant
 * time, and a timestamp within the tolerance in both directions (stripe-java itself accepts any future timestamp;
 * a replay window must be closed on both sides).
 */
public final class StripeSignature
{
    /**
     * How far the signature's timestamp may be from now, either way.
     */
    public static final long TOLERANCE_SECONDS = 300;

    private StripeSignature()
    {
    }

    /**
     * @return null if valid, else why not (for the 400 answer; never echoes a secret).
     */
    public static String verify(final String header, final byte[] body, final String secret, final long nowSeconds)
    {
        if (null == header || header.isBlank())
        {
            return "missing Stripe-Signature header";
        }
        long timestamp = -1;
        final List<String> signatures = new ArrayList<>();
        for (final String part : header.split(","))
        {
            final int equals = part.indexOf('=');
            if (equals <= 0)
            {
                return "malformed Stripe-Signature header";
            }
            final String key = part.substring(0, equals).trim();
            final String value = part.substring(equals + 1).trim();
            if ("t".equals(key))
            {
                try
                {
                    timestamp = Long.parseLong(value);
                }
                catch (final NumberFormatException ex)
                {
                    return "malformed Stripe-Signature timestamp";
                }
            }
            else if ("v1".equals(key))
            {
                signatures.add(value);
            }
        }
        if (timestamp < 0)
        {
            return "Stripe-Signature has no timestamp";
        }
        if (signatures.isEmpty())
        {
            return "Stripe-Signature has no v1 signature";
        }
        if (Math.abs(nowSeconds - timestamp) > TOLERANCE_SECONDS)
        {
            return "Stripe-Signature timestamp is outside the " + TOLERANCE_SECONDS + " s tolerance";
        }
        final byte[] expected = HexFormat.of().formatHex(
            HmacSha256.of(secret, (timestamp + ".").getBytes(StandardCharsets.US_ASCII), body))
            .getBytes(StandardCharsets.US_ASCII);
        boolean matched = false;
        for (final String signature : signatures)
        {
            // No early exit: every candidate is compared in constant time.
            matched |= MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
        }
        return matched ? null : "no valid Stripe signature for this endpoint's secret";
    }
}
