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
     * RocksDB's memory, all of it: memtables (at most half) and the block cache share this one budget.
     */
    public static final String STATE_MEMORY_PROP_NAME = "ricochet.aggregator.state.memory";

    /**
     * Default for {@link #STATE_MEMORY_PROP_NAME}.
     */
    public static final String STATE_MEMORY_DEFAULT = "64m";

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
     * Longest time from an admin request's first byte to its last (head and body); a slower request gets 408 and
     * its connection closes (slowloris, a trickled body).
     */
    public static final String ADMIN_REQUEST_TIMEOUT_PROP_NAME = "ricochet.admin.request.timeout";

    /**
     * Default for {@link #ADMIN_REQUEST_TIMEOUT_PROP_NAME}.
     */
    public static final String ADMIN_REQUEST_TIMEOUT_DEFAULT = "10s";

    /**
     * Bearer token of the admin role; when absent, one is generated on first start and kept in the data directory.
     */
    public static final String ADMIN_TOKEN_PROP_NAME = "ricochet.admin.token";

    private AggregatorConfiguration()
    {
    }

    /**
     * Bearer token of the finance role (approves payout runs, holds and releases commissions); generated into
     * {@code finance.token} in the data directory if not set. The admin token cannot do these: building a payout
     * run and approving it are two people's decisions.
     */
    public static final String FINANCE_TOKEN_PROP_NAME = "ricochet.admin.finance.token";

    /**
     * Bearer token of the analyst role (reads the catalog and the reports, not the ledgers or payouts, changes
     * nothing); generated into {@code analyst.token} in the data directory if not set.
     */
    public static final String ANALYST_TOKEN_PROP_NAME = "ricochet.admin.analyst.token";

    /**
     * How often the clock is checked; each new hour is written to the journal as a tick, so that approvals and tier
     * reviews happen on time even when no traffic arrives. 0 disables ticks (a replay-only aggregator).
     */
    public static final String CLOCK_TICK_INTERVAL_PROP_NAME = "ricochet.aggregator.clock.tick.interval";

    /**
     * Default for {@link #CLOCK_TICK_INTERVAL_PROP_NAME}.
     */
    public static final String CLOCK_TICK_INTERVAL_DEFAULT = "1s";

    /**
     * Longest wait between two attempts to write a commit the state store refused (disk full, I/O error): the
     * aggregator stops applying events, reopens RocksDB and writes the commit again, waiting 100 ms, then twice as
     * long after each failure up to this.
     */
    public static final String STORE_RETRY_MAX_PROP_NAME = "ricochet.aggregator.store.retry.max";

    /**
     * Default for {@link #STORE_RETRY_MAX_PROP_NAME}.
     */
    public static final String STORE_RETRY_MAX_DEFAULT = "5s";

    /**
     * After a refused commit, free space the state store's disk needs before the aggregator reopens RocksDB and
     * writes the commit again; below it the aggregator keeps waiting (reads keep working). The reopen flushes the
     * recovered memtable (up to 64 MiB) into a table file.
     */
    public static final String STORE_MIN_FREE_PROP_NAME = "ricochet.aggregator.store.min.free";

    /**
     * Default for {@link #STORE_MIN_FREE_PROP_NAME}.
     */
    public static final String STORE_MIN_FREE_DEFAULT = "128m";

    /**
     * First wait after a failed outbound webhook delivery; it doubles per failure up to an hour, and a delivery is
     * given up after 20 attempts (about a day).
     */
    public static final String WEBHOOK_INITIAL_BACKOFF_PROP_NAME = "ricochet.webhook.initial.backoff";

    /**
     * Default for {@link #WEBHOOK_INITIAL_BACKOFF_PROP_NAME}.
     */
    public static final String WEBHOOK_INITIAL_BACKOFF_DEFAULT = "1s";

    /**
     * Let programs' webhooks go to loopback, private, link-local (cloud metadata) and reserved addresses: checked by
     * the admin API on the {@code webhookUrl}'s literal host and by the dispatcher on every address the host resolves
     * to before each delivery. Off by default (SSRF); on only for a receiver on the operator's own network.
     */
    public static final String WEBHOOK_ALLOW_PRIVATE_NETWORKS_PROP_NAME = "ricochet.webhook.allow.private.networks";

    /**
     * Default for {@link #WEBHOOK_ALLOW_PRIVATE_NETWORKS_PROP_NAME}.
     */
    public static final boolean WEBHOOK_ALLOW_PRIVATE_NETWORKS_DEFAULT = false;

    /**
     * How long the aggregator may apply nothing while the journal holds events it has not applied before its
     * {@code /readyz} answers 503 (a stall: one event holding it); see docs/time.md.
     */
    public static final String STALL_TIMEOUT_PROP_NAME = "ricochet.aggregator.stall.timeout";

    /**
     * Default for {@link #STALL_TIMEOUT_PROP_NAME}.
     */
    public static final String STALL_TIMEOUT_DEFAULT = "60s";
}
