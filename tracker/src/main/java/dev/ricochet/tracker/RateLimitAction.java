package dev.ricochet.tracker;

/**
 * What a browser hit over a rate limit gets, see {@link TrackerConfiguration#RATE_LIMIT_ACTION_PROP_NAME}.
 */
enum RateLimitAction
{
    /**
     * Served (the shopper lands, the page gets its GIF), nothing journaled.
     */
    REDIRECT(TrackerConfiguration.RATE_LIMIT_ACTION_REDIRECT),
    /**
     * 429 with Retry-After.
     */
    REJECT(TrackerConfiguration.RATE_LIMIT_ACTION_REJECT);

    private final String value;

    RateLimitAction(final String value)
    {
        this.value = value;
    }

    static RateLimitAction parse(final String value)
    {
        for (final RateLimitAction action : values())
        {
            if (action.value.equals(value))
            {
                return action;
            }
        }
        throw new IllegalArgumentException(
            TrackerConfiguration.RATE_LIMIT_ACTION_PROP_NAME + "=" + value + ": expected redirect or 429");
    }
}
