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
    @Override
    public String toString()
    {
        return "ProgramRoute[" + programId + "#" + programNumber + ", secrets redacted]";
    }
}
