package dev.ricochet.aggregator.directory;

/**
 * What a partner list is sorted by; ties are broken by partner id, ascending, whatever the order.
 */
public enum DirectorySort
{
    CLICKS("clicks"),
    CONVERSIONS("conversions"),
    REVENUE("revenue"),
    COMMISSION("commission"),
    EPC("epc"),
    CONVERSION_RATE("conversionRate"),
    HEALTH("health"),
    JOINED("joined"),
    NAME("name");

    private final String parameter;

    DirectorySort(final String parameter)
    {
        this.parameter = parameter;
    }

    /**
     * @return the value of the {@code sort} parameter.
     */
    public String parameter()
    {
        return parameter;
    }

    /**
     * @param value a {@code sort} parameter.
     * @return the sort, or null if there is none by that name.
     */
    public static DirectorySort of(final String value)
    {
        for (final DirectorySort sort : values())
        {
            if (sort.parameter.equals(value))
            {
                return sort;
            }
        }
        return null;
    }

    /**
     * @param entry  a partner.
     * @param health its health score (read only for {@link #HEALTH}).
     * @return the partner's numeric key ({@link #NAME} has none: 0).
     */
    long key(final DirectoryEntry entry, final int health)
    {
        return switch (this)
        {
            case CLICKS -> entry.clicks();
            case CONVERSIONS -> entry.conversions();
            case REVENUE -> entry.revenue();
            case COMMISSION -> entry.commission();
            case EPC -> entry.epc();
            case CONVERSION_RATE -> entry.conversionRate();
            case HEALTH -> health;
            case JOINED -> entry.joinedMs();
            case NAME -> 0;
        };
    }

    /**
     * @param entry a partner.
     * @return the partner's text key (lower-cased name for {@link #NAME}, else empty).
     */
    String text(final DirectoryEntry entry)
    {
        return NAME == this ? entry.nameKey() : "";
    }
}
