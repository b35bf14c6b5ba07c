package dev.ricochet.benchmarks.load;

/**
 * The request mixes the harness sends; the static ones are the same requests aimed at a server that answers
 * without doing any work (nginx {@code return 302} / {@code empty_gif}), the baseline to compare against.
 */
enum Workload
{
    REDIRECT("redirect", false),
    PIXEL("pixel", false),
    MIXED("mixed", false),
    STATIC_REDIRECT("static-redirect", true),
    STATIC_PIXEL("static-pixel", true);

    /**
     * Per 100 requests of the mixed workload; the order is shuffled once so the kinds interleave.
     */
    static final int MIXED_PIXELS_PER_100 = 4;
    static final int MIXED_CONVERSIONS_PER_100 = 1;

    private final String label;
    private final boolean isStatic;

    Workload(final String label, final boolean isStatic)
    {
        this.label = label;
        this.isStatic = isStatic;
    }

    String label()
    {
        return label;
    }

    /**
     * @return true if the target is a stand-in that cannot know link destinations or click ids.
     */
    boolean isStatic()
    {
        return isStatic;
    }

    boolean sendsRedirects()
    {
        return this == REDIRECT || this == MIXED || this == STATIC_REDIRECT;
    }

    static Workload of(final String label)
    {
        for (final Workload workload : values())
        {
            if (workload.label.equals(label))
            {
                return workload;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + label + "': expected redirect, pixel, mixed, " +
            "static-redirect or static-pixel");
    }
}
