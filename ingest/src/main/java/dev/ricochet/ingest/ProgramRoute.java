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
    String postbackSecret)
{
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
