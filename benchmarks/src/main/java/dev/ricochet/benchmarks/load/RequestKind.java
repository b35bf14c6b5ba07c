package dev.ricochet.benchmarks.load;

/**
 * What one request of a workload is: a partner link's redirect, a pixel hit, or a signed Stripe conversion.
 */
enum RequestKind
{
    REDIRECT("redirect"),
    PIXEL("pixel"),
    CONVERSION("conversion");

    private final String label;

    RequestKind(final String label)
    {
        this.label = label;
    }

    String label()
    {
        return label;
    }
}
