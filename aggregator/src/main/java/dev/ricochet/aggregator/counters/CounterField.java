package dev.ricochet.aggregator.counters;

/**
 * The per-partner counters kept in every hour and day bucket, in their stored order; append new fields at the end
 * (the storage layout).
 */
public enum CounterField
{
    CLICKS("clicks"),
    UNIQUE_CLICKS("uniqueClicks"),
    PREVIEWS("previews"),
    BOT_CLICKS("botClicks"),
    LEADS("leads"),
    SALES("sales"),
    REVENUE("revenue"),
    COMMISSION("commission"),
    /**
     * Revenue reversed by refunds and chargebacks, on the day of the reversal (REVENUE is already net of it).
     */
    REFUNDED("refunded");

    /**
     * Number of fields in a bucket.
     */
    public static final int COUNT = values().length;

    private final String jsonName;

    CounterField(final String jsonName)
    {
        this.jsonName = jsonName;
    }

    /**
     * @return the field's name in the stats API.
     */
    public String jsonName()
    {
        return jsonName;
    }
}
