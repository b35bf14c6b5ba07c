package dev.ricochet.tracker;

/**
 * Which classifier judges user agents, see {@link TrackerConfiguration#BOT_CLASSIFIER_PROP_NAME}.
 */
enum BotClassifierKind
{
    /**
     * The token list alone.
     */
    TOKENS(TrackerConfiguration.BOT_CLASSIFIER_TOKENS),
    /**
     * The token list, then the yauaa library's verdicts built in the background.
     */
    YAUAA(TrackerConfiguration.BOT_CLASSIFIER_YAUAA);

    private final String value;

    BotClassifierKind(final String value)
    {
        this.value = value;
    }

    static BotClassifierKind parse(final String value)
    {
        for (final BotClassifierKind kind : values())
        {
            if (kind.value.equals(value))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException(
            TrackerConfiguration.BOT_CLASSIFIER_PROP_NAME + "=" + value + ": expected yauaa or tokens");
    }
}
