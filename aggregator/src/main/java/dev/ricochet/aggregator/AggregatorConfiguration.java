package dev.ricochet.aggregator;

/**
 * Property names and defaults of the aggregator and its admin API; each is read once into
 * {@link Aggregator.Context}. Environment form: {@code RICOCHET_AGGREGATOR_COMMIT_INTERVAL}.
 */
public final class AggregatorConfiguration
{
    /**
     * A visitor's clicks on one link count as one unique click per this window.
     */
    public static final String UNIQUE_CLICK_WINDOW_PROP_NAME = "ricochet.aggregator.unique.click.window";

    /**
     * Default for {@link #UNIQUE_CLICK_WINDOW_PROP_NAME}.
     */
    public static final String UNIQUE_CLICK_WINDOW_DEFAULT = "1h";

    /**
     * Longest time applied events wait before they are committed (and visible to reports).
     */
    public static final String COMMIT_INTERVAL_PROP_NAME = "ricochet.aggregator.commit.interval";

    /**
     * Default for {@link #COMMIT_INTERVAL_PROP_NAME}.
     */
    public static final String COMMIT_INTERVAL_DEFAULT = "100ms";

    /**
     * Most events applied before a commit is forced.
     */
    public static final String COMMIT_MAX_EVENTS_PROP_NAME = "ricochet.aggregator.commit.max.events";

    /**
     * Default for {@link #COMMIT_MAX_EVENTS_PROP_NAME}.
     */
    public static final int COMMIT_MAX_EVENTS_DEFAULT = 20_000;

    /**
     * Port of the admin and reporting API; 0 picks a free port.
     */
    public static final String ADMIN_PORT_PROP_NAME = "ricochet.admin.port";

    /**
     * Default for {@link #ADMIN_PORT_PROP_NAME}.
     */
    public static final int ADMIN_PORT_DEFAULT = 8081;

    /**
     * Address the admin API binds to; loopback by default, since it holds the keys to the program.
     */
    public static final String ADMIN_BIND_ADDRESS_PROP_NAME = "ricochet.admin.bind.address";

    /**
     * Default for {@link #ADMIN_BIND_ADDRESS_PROP_NAME}.
     */
    public static final String ADMIN_BIND_ADDRESS_DEFAULT = "127.0.0.1";

    /**
     * Bearer token of the admin role; when absent, one is generated on first start and kept in the data directory.
     */
    public static final String ADMIN_TOKEN_PROP_NAME = "ricochet.admin.token";

    private AggregatorConfiguration()
    {
    }
}
