package dev.ricochet.tracker;

/**
 * What a click gets when it cannot be journaled (an append failed, or the journal's disk is low), see
 * {@link TrackerConfiguration#CLICK_APPEND_FAILURE_PROP_NAME} and
 * {@link TrackerConfiguration#JOURNAL_LOW_SPACE_CLICKS_PROP_NAME}.
 */
enum UnjournaledClicks
{
    /**
     * The shopper still lands, without a click id.
     */
    REDIRECT("redirect"),
    /**
     * 503: the shopper does not land.
     */
    UNAVAILABLE("unavailable");

    private final String value;

    UnjournaledClicks(final String value)
    {
        this.value = value;
    }

    static UnjournaledClicks parse(final String propName, final String value)
    {
        for (final UnjournaledClicks policy : values())
        {
            if (policy.value.equals(value))
            {
                return policy;
            }
        }
        throw new IllegalArgumentException(propName + "=" + value + ": expected redirect or unavailable");
    }
}
