package dev.ricochet.tracker;

/**
 * How durable a click is before its redirect is sent, see {@link TrackerConfiguration#CLICK_DURABILITY_PROP_NAME}.
 */
enum ClickDurability
{
    /**
     * Appended to the memory-mapped journal: survives the process, not the machine.
     */
    PAGE_CACHE(TrackerConfiguration.CLICK_DURABILITY_PAGE_CACHE),
    /**
     * Synced to the storage device in groups before the redirect.
     */
    POWER_SAFE(TrackerConfiguration.CLICK_DURABILITY_POWER_SAFE),
    /**
     * Not journaled at all (benchmark mode); counted as unjournaled.
     */
    OFF(TrackerConfiguration.CLICK_DURABILITY_OFF);

    private final String value;

    ClickDurability(final String value)
    {
        this.value = value;
    }

    /**
     * @return the setting's value as configured.
     */
    String value()
    {
        return value;
    }

    static ClickDurability parse(final String value)
    {
        for (final ClickDurability durability : values())
        {
            if (durability.value.equals(value))
            {
                return durability;
            }
        }
        throw new IllegalArgumentException(TrackerConfiguration.CLICK_DURABILITY_PROP_NAME + "=" + value +
            ": expected page-cache, power-safe or off");
    }
}
