package dev.ricochet.aggregator.csv;

/**
 * The columns of a links file, import and export alike; all three are required in an import.
 */
public enum LinkColumn
{
    /** The link's code, {@code /r/{code}}. */
    CODE("code"),
    /** The partner credited, one of the program's. */
    PARTNER_ID("partnerId"),
    /** Absolute http(s) URL the shopper lands on. */
    DESTINATION("destination");

    private final String header;

    LinkColumn(final String header)
    {
        this.header = header;
    }

    /**
     * @return the column's name in the header.
     */
    public String header()
    {
        return header;
    }

    /**
     * @param header a column name.
     * @return the column, or null if it is not one of these.
     */
    public static LinkColumn of(final String header)
    {
        for (final LinkColumn column : values())
        {
            if (column.header.equals(header))
            {
                return column;
            }
        }
        return null;
    }
}
