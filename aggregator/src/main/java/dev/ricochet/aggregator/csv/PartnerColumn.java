package dev.ricochet.aggregator.csv;

import java.util.List;

/**
 * The columns of a partners file, import and export alike, by their names in the header.
 */
public enum PartnerColumn
{
    /** The partner id (required in an import). */
    ID("id"),
    /** Display name. */
    NAME("name"),
    /** Contact address. */
    EMAIL("email"),
    /** pending, active, paused, suspended (and the statuses the lifecycle adds). */
    STATUS("status"),
    /** Free tags separated by {@value #TAG_SEPARATOR}. */
    TAGS("tags"),
    /** Where the partner is paid. */
    PAYOUT_ACCOUNT("payoutAccount"),
    /** Override of the tier's percent. */
    COMMISSION_PERCENT("commissionPercent"),
    /** Override of the tier's flat lead commission, minor units. */
    LEAD_COMMISSION("leadCommission"),
    /** Override of the program's monthly cap, minor units. */
    MONTHLY_CAP("monthlyCap"),
    /** When the partner joined (ISO-8601 instant). */
    JOINED_AT("joinedAt");

    /**
     * Separates the tags in the tags column.
     */
    public static final String TAG_SEPARATOR = ";";

    /**
     * Prefix of a custom attribute's column: {@code attr.<name>}.
     */
    public static final String ATTRIBUTE_PREFIX = "attr.";

    /**
     * The export's read-only columns: the import accepts and ignores them, so that an exported file imports as is.
     */
    public static final List<String> READ_ONLY = List.of("tier", "currency", "clicks", "uniqueClicks", "leads",
        "sales", "revenue", "commission");

    private final String header;

    PartnerColumn(final String header)
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
    public static PartnerColumn of(final String header)
    {
        for (final PartnerColumn column : values())
        {
            if (column.header.equals(header))
            {
                return column;
            }
        }
        return null;
    }
}
