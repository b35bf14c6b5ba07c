package dev.ricochet.tracker.conversion;

/**
 * Benchmark access to the package-private {@link StripeSignature}.
 */
public final class StripeSignatures
{
    /**
     * The tolerance of the signature's timestamp, in seconds.
     */
    public static final long TOLERANCE_SECONDS = StripeSignature.TOLERANCE_SECONDS;

    private StripeSignatures()
    {
    }

    /**
     * @param header     the Stripe-Signature header.
     * @param body       the raw request body.
     * @param secret     the endpoint's signing secret.
     * @param nowSeconds the current epoch second.
     * @return null if valid, else why not.
     */
    public static String verify(final String header, final byte[] body, final String secret, final long nowSeconds)
    {
        return StripeSignature.verify(header, body, secret, nowSeconds);
    }
}
