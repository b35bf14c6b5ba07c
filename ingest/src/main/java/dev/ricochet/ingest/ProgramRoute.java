package dev.ricochet.ingest;

/**
 * What the edge needs to take a program's conversions: its catalog number, currency and intake secrets.
 *
 * @param programId      external id, as in {@code /webhooks/stripe/{programId}}.
 * @param programNumber  catalog number events carry.
 * @param currency       ISO-4217 code of the program.
 * @param clickParam     query parameter carrying the click id (also looked for in Shopify's landing site).
 * @param apiKey         bearer key of {@code POST /v1/conversions}, or null if not set.
 * @param stripeSecret   Stripe webhook signing secret ({@code whsec_...}), or null.
 * @param shopifySecret  Shopify webhook secret, or null.
 * @param postbackSecret token of {@code GET /postback}, or null.
 * @param pixelConversions true if the program takes conversions the browser reports through the pixel
 *                       ({@code /p.gif?e=conversion&...}); the edge decides them and journals them as conversions.
 *
 * <p>A secret that is empty or only whitespace is no secret: it is held as null, so its intake is off (404). The admin
 * API refuses such secrets, but a catalog journaled before it did may still hold one, and an empty HMAC key would
 * throw on the event loop (and an empty postback token would match an empty {@code token=}).
 */
public record ProgramRoute(
    String programId,
    int programNumber,
    String currency,
    String clickParam,
    String apiKey,
    String stripeSecret,
    String shopifySecret,
    String postbackSecret,
    boolean pixelConversions)
{
    /**
     * A route of a program that takes no conversions from the pixel.
     *
     * @param programId      external id.
     * @param programNumber  catalog number events carry.
     * @param currency       ISO-4217 code of the program.
     * @param clickParam     query parameter carrying the click id.
     * @param apiKey         bearer key of {@code POST /v1/conversions}, or null.
     * @param stripeSecret   Stripe webhook signing secret, or null.
     * @param shopifySecret  Shopify webhook secret, or null.
     * @param postbackSecret token of {@code GET /postback}, or null.
     */
    public ProgramRoute(
        final String programId,
        final int programNumber,
        final String currency,
        final String clickParam,
        final String apiKey,
        final String stripeSecret,
        final String shopifySecret,
        final String postbackSecret)
    {
        this(programId, programNumber, currency, clickParam, apiKey, stripeSecret, shopifySecret, postbackSecret,
            false);
    }

    /**
     * Holds an empty or blank secret as null (the intake is off).
     */
    public ProgramRoute
    {
        apiKey = usableSecret(apiKey);
        stripeSecret = usableSecret(stripeSecret);
        shopifySecret = usableSecret(shopifySecret);
        postbackSecret = usableSecret(postbackSecret);
    }

    /**
     * @param secret as configured, or null.
     * @return the secret, or null if it is absent, empty or only whitespace.
     */
    public static String usableSecret(final String secret)
    {
        return null == secret || secret.isBlank() ? null : secret;
    }

    @Override
    public String toString()
    {
        return "ProgramRoute[" + programId + "#" + programNumber + ", secrets redacted]";
    }
}
