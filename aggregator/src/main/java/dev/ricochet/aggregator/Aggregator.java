package dev.ricochet.aggregator;

import dev.ricochet.aggregator.admin.AdminApi;
import dev.ricochet.aggregator.admin.AdminRoles;
import dev.ricochet.aggregator.admin.AdminServer;
import dev.ricochet.aggregator.admin.AdminToken;
import dev.ricochet.aggregator.admin.CatalogWriter;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogEntity;
import dev.ricochet.aggregator.catalog.CatalogTable;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.token.TokenRegistry;
import dev.ricochet.aggregator.token.TokenTable;
import dev.ricochet.aggregator.webhook.WebhookDispatcher;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.DistinctErrorPrinter;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalSpaceMonitor;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.Settings;
import org.agrona.ErrorHandler;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemEpochClock;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static dev.ricochet.aggregator.AggregatorConfiguration.*;

/**
 * The core: restores the catalog, runs the {@link AggregatorAgent} on its own thread, and serves the admin API.
 *
 * <p>Usage: {@code try (Aggregator aggregator = Aggregator.launch(new Aggregator.Context().journal(j)
 * .dataDir(dir).linkDirectory(d))) { ... }}. The catalog is restored from RocksDB before the edge starts serving, so
 * every link known at the last commit answers at once; newer changes arrive with the journal replay.
 */
public final class Aggregator implements AutoCloseable
{
    /**
     * Settings and wiring of the aggregator, with defaults from {@link AggregatorConfiguration}.
     */
    public static final class Context
    {
        private boolean isConcluded;
        private Path dataDir;
        private Journal journal;
        private LinkDirectory linkDirectory;
        private ProgramDirectory programDirectory;
        private EpochClock epochClock;
        private ErrorHandler errorHandler;
        private IdleStrategy idleStrategy;
        private long uniqueClickWindowMs =
            Settings.durationMs(UNIQUE_CLICK_WINDOW_PROP_NAME, UNIQUE_CLICK_WINDOW_DEFAULT);
        private long commitIntervalMs = Settings.durationMs(COMMIT_INTERVAL_PROP_NAME, COMMIT_INTERVAL_DEFAULT);
        private int commitMaxEvents = Settings.integer(
            COMMIT_MAX_EVENTS_PROP_NAME, COMMIT_MAX_EVENTS_DEFAULT, 1, 10_000_000);
        private long stateMemoryBytes = Settings.sizeBytes(STATE_MEMORY_PROP_NAME, STATE_MEMORY_DEFAULT);
        private int adminPort = Settings.integer(ADMIN_PORT_PROP_NAME, ADMIN_PORT_DEFAULT, 0, 65_535);
        private String adminBindAddress = Settings.string(ADMIN_BIND_ADDRESS_PROP_NAME, ADMIN_BIND_ADDRESS_DEFAULT);
        private long adminRequestTimeoutMs =
            Settings.durationMs(ADMIN_REQUEST_TIMEOUT_PROP_NAME, ADMIN_REQUEST_TIMEOUT_DEFAULT);
        private String adminTokenValue = Settings.string(ADMIN_TOKEN_PROP_NAME, null);
        private AdminToken adminToken;
        private String financeTokenValue = Settings.string(FINANCE_TOKEN_PROP_NAME, null);
        private AdminToken financeToken;
        private String analystTokenValue = Settings.string(ANALYST_TOKEN_PROP_NAME, null);
        private AdminToken analystToken;
        private AdminRoles adminRoles;
        private TokenRegistry tokens;
        private long clockTickIntervalMs =
            Settings.durationMs(CLOCK_TICK_INTERVAL_PROP_NAME, CLOCK_TICK_INTERVAL_DEFAULT);
        private long webhookInitialBackoffMs = Settings.durationMs(
            WEBHOOK_INITIAL_BACKOFF_PROP_NAME, WEBHOOK_INITIAL_BACKOFF_DEFAULT);
        private Supplier<String> adminMetrics = () -> "";
        private boolean webhookAllowPrivateNetworks = Settings.bool(
            WEBHOOK_ALLOW_PRIVATE_NETWORKS_PROP_NAME, WEBHOOK_ALLOW_PRIVATE_NETWORKS_DEFAULT);
        private long storeRetryMaxMs = Settings.durationMs(STORE_RETRY_MAX_PROP_NAME, STORE_RETRY_MAX_DEFAULT);
        private long storeMinFreeBytes = Settings.sizeBytes(STORE_MIN_FREE_PROP_NAME, STORE_MIN_FREE_DEFAULT);
        private long stallTimeoutMs = Settings.durationMs(STALL_TIMEOUT_PROP_NAME, STALL_TIMEOUT_DEFAULT);
        private long journalMinFreeBytes = Settings.sizeBytes(
            JournalSpaceMonitor.MIN_FREE_PROP_NAME, JournalSpaceMonitor.MIN_FREE_DEFAULT);
        private LongSupplier journalUsableSpace;

        /**
         * Validate and fill in defaults.
         *
         * @return this for a fluent API.
         * @throws IllegalArgumentException naming the invalid setting.
         */
        public Context conclude()
        {
            if (isConcluded)
            {
                throw new IllegalStateException("Context already concluded");
            }
            isConcluded = true;
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(journal, "journal");
            linkDirectory = Objects.requireNonNullElseGet(linkDirectory, LinkDirectory::new);
            programDirectory = Objects.requireNonNullElseGet(programDirectory, ProgramDirectory::new);
            require(uniqueClickWindowMs >= 1 && uniqueClickWindowMs <= 365 * 86_400_000L,
                UNIQUE_CLICK_WINDOW_PROP_NAME + ": between 1ms and 365d");
            require(commitIntervalMs <= 60_000, COMMIT_INTERVAL_PROP_NAME + ": at most 60s, reports would lag");
            Settings.requireRange(ADMIN_PORT_PROP_NAME, adminPort, 0, 65_535);
            require(adminRequestTimeoutMs >= 100 && adminRequestTimeoutMs <= 600_000,
                ADMIN_REQUEST_TIMEOUT_PROP_NAME + ": must be between 100ms and 10m");
            if (stateMemoryBytes < StateStore.MIN_MEMORY_BYTES)
            {
                throw new IllegalArgumentException(STATE_MEMORY_PROP_NAME + ": at least " +
                    (StateStore.MIN_MEMORY_BYTES >> 20) + "m, was " + stateMemoryBytes + " bytes");
            }
            epochClock = Objects.requireNonNullElse(epochClock, SystemEpochClock.INSTANCE);
            errorHandler = Objects.requireNonNullElseGet(errorHandler, () -> new DistinctErrorPrinter(System.err));
            idleStrategy = Objects.requireNonNullElseGet(idleStrategy, () -> new BackoffIdleStrategy(
                100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1)));
            require(webhookInitialBackoffMs >= 1 && webhookInitialBackoffMs <= 3_600_000L,
                WEBHOOK_INITIAL_BACKOFF_PROP_NAME + ": between 1ms and 1h");
            require(storeRetryMaxMs >= 1 && storeRetryMaxMs <= 600_000L,
                STORE_RETRY_MAX_PROP_NAME + ": between 1ms and 10m");
            require(stallTimeoutMs >= 1_000 && stallTimeoutMs <= 3_600_000L,
                STALL_TIMEOUT_PROP_NAME + ": between 1s and 1h");
            require(storeMinFreeBytes >= 0, STORE_MIN_FREE_PROP_NAME + ": 0 (no check) or a size such as 128m");
            require(journalMinFreeBytes >= 0,
                JournalSpaceMonitor.MIN_FREE_PROP_NAME + ": 0 (off) or a size such as 512m");
            if (null == journalUsableSpace && journalMinFreeBytes > 0)
            {
                journalUsableSpace = JournalSpaceMonitor.usableSpaceOf(journal.dir());
            }
            require(clockTickIntervalMs >= 0 && clockTickIntervalMs <= 3_600_000L,
                CLOCK_TICK_INTERVAL_PROP_NAME + ": between 0 (off) and 1h");
            adminToken = AdminToken.resolve(adminTokenValue, dataDir);
            financeToken = AdminToken.resolve(financeTokenValue, dataDir, AdminToken.FINANCE_FILE_NAME,
                FINANCE_TOKEN_PROP_NAME);
            require(!financeToken.value().equals(adminToken.value()),
                FINANCE_TOKEN_PROP_NAME + ": must differ from the admin token");
            analystToken = AdminToken.resolve(analystTokenValue, dataDir, AdminToken.ANALYST_FILE_NAME,
                ANALYST_TOKEN_PROP_NAME);
            require(!analystToken.value().equals(adminToken.value()) &&
                !analystToken.value().equals(financeToken.value()),
                ANALYST_TOKEN_PROP_NAME + ": must differ from the admin and finance tokens");
            tokens = new TokenRegistry();
            adminRoles = new AdminRoles(adminToken, financeToken, analystToken, tokens);
            return this;
        }

        private static void require(final boolean isValid, final String message)
        {
            if (!isValid)
            {
                throw new IllegalArgumentException(message);
            }
        }

        /**
         * @param dataDir directory for the state store and the admin token.
         * @return this for a fluent API.
         */
        public Context dataDir(final Path dataDir)
        {
            this.dataDir = dataDir;
            return this;
        }

        /**
         * @param journal journal to tail (and to append admin changes to); the caller owns it.
         * @return this for a fluent API.
         */
        public Context journal(final Journal journal)
        {
            this.journal = journal;
            return this;
        }

        /**
         * @param linkDirectory the edge's directory to keep current.
         * @return this for a fluent API.
         */
        public Context linkDirectory(final LinkDirectory linkDirectory)
        {
            this.linkDirectory = linkDirectory;
            return this;
        }

        /**
         * @return the edge's directory.
         */
        public LinkDirectory linkDirectory()
        {
            return linkDirectory;
        }

        /**
         * @param programDirectory the edge's program routes to keep current.
         * @return this for a fluent API.
         */
        public Context programDirectory(final ProgramDirectory programDirectory)
        {
            this.programDirectory = programDirectory;
            return this;
        }

        /**
         * @param epochClock clock for commits and report defaults; settable for tests.
         * @return this for a fluent API.
         */
        public Context epochClock(final EpochClock epochClock)
        {
            this.epochClock = epochClock;
            return this;
        }

        /**
         * @param errorHandler receives unexpected errors.
         * @return this for a fluent API.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * @param memoryBytes RocksDB's memory budget, block cache and memtables together.
         * @return this for a fluent API.
         */
        public Context stateMemoryBytes(final long memoryBytes)
        {
            this.stateMemoryBytes = memoryBytes;
            return this;
        }

        /**
         * @param windowMs unique-click window.
         * @return this for a fluent API.
         */
        public Context uniqueClickWindowMs(final long windowMs)
        {
            this.uniqueClickWindowMs = windowMs;
            return this;
        }

        /**
         * @param commitIntervalMs longest wait before applied events are committed.
         * @return this for a fluent API.
         */
        public Context commitIntervalMs(final long commitIntervalMs)
        {
            this.commitIntervalMs = commitIntervalMs;
            return this;
        }

        /**
         * @param adminPort port of the admin API, 0 for ephemeral.
         * @return this for a fluent API.
         */
        public Context adminPort(final int adminPort)
        {
            this.adminPort = adminPort;
            return this;
        }

        /**
         * @param timeoutMs longest time from an admin request's first byte to its last, see
         *                  {@link AggregatorConfiguration#ADMIN_REQUEST_TIMEOUT_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context adminRequestTimeoutMs(final long timeoutMs)
        {
            this.adminRequestTimeoutMs = timeoutMs;
            return this;
        }

        /**
         * @param adminToken admin bearer token (at least 16 characters).
         * @return this for a fluent API.
         */
        public Context adminToken(final String adminToken)
        {
            this.adminTokenValue = adminToken;
            return this;
        }

        /**
         * @param financeToken finance bearer token (at least 16 characters).
         * @return this for a fluent API.
         */
        public Context financeToken(final String financeToken)
        {
            this.financeTokenValue = financeToken;
            return this;
        }

        /**
         * @return the resolved finance token (after {@link #conclude()}).
         */
        public AdminToken financeToken()
        {
            return financeToken;
        }

        /**
         * @param analystToken analyst bearer token (at least 16 characters).
         * @return this for a fluent API.
         */
        public Context analystToken(final String analystToken)
        {
            this.analystTokenValue = analystToken;
            return this;
        }

        /**
         * @return the resolved analyst token (after {@link #conclude()}).
         */
        public AdminToken analystToken()
        {
            return analystToken;
        }

        /**
         * @return the roles of the admin API (after {@link #conclude()}); also issues partner tokens.
         */
        public AdminRoles adminRoles()
        {
            return adminRoles;
        }

        /**
         * @param intervalMs how often the clock is checked for a new hour to journal; 0 for no ticks.
         * @return this for a fluent API.
         */
        public Context clockTickIntervalMs(final long intervalMs)
        {
            this.clockTickIntervalMs = intervalMs;
            return this;
        }

        /**
         * @param backoffMs wait after a webhook delivery fails, doubling per failure up to an hour.
         * @return this for a fluent API.
         */
        public Context webhookInitialBackoffMs(final long backoffMs)
        {
            this.webhookInitialBackoffMs = backoffMs;
            return this;
        }

        /**
         * @param metrics more Prometheus text for the admin port's {@code /metrics}: the edge's business volume,
         *                which the public edge port does not show.
         * @return this for a fluent API.
         */
        public Context adminMetrics(final Supplier<String> metrics)
        {
            this.adminMetrics = metrics;
            return this;
        }

        /**
         * @param allow let programs post webhooks to loopback, private, link-local and reserved addresses (tests, or
         *              a receiver on the operator's own network); off by default.
         * @return this for a fluent API.
         */
        public Context webhookAllowPrivateNetworks(final boolean allow)
        {
            this.webhookAllowPrivateNetworks = allow;
            return this;
        }

        /**
         * @param retryMaxMs longest wait between attempts to write a commit the state store refused.
         * @return this for a fluent API.
         */
        public Context storeRetryMaxMs(final long retryMaxMs)
        {
            this.storeRetryMaxMs = retryMaxMs;
            return this;
        }

        /**
         * @param stallTimeoutMs how long the aggregator may apply nothing while events wait before {@code /readyz}
         *                       answers 503; between 1 s and 1 h.
         * @return this for a fluent API.
         */
        public Context stallTimeoutMs(final long stallTimeoutMs)
        {
            this.stallTimeoutMs = stallTimeoutMs;
            return this;
        }

        /**
         * @param minFreeBytes free space the state disk needs before a refused commit is retried; 0 for no check.
         * @return this for a fluent API.
         */
        public Context storeMinFreeBytes(final long minFreeBytes)
        {
            this.storeMinFreeBytes = minFreeBytes;
            return this;
        }

        /**
         * @param minFreeBytes the journal's free-space watermark: below it admin changes answer 503 and the ledger
         *                     clock waits, as the edge stops appending; 0 turns it off. Default from
         *                     {@link JournalSpaceMonitor#MIN_FREE_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context journalMinFreeBytes(final long minFreeBytes)
        {
            this.journalMinFreeBytes = minFreeBytes;
            return this;
        }

        /**
         * @param usableSpace bytes usable on the journal's filesystem, read before each catalog append; defaults to
         *                    the journal directory's filesystem; settable for tests.
         * @return this for a fluent API.
         */
        public Context journalUsableSpace(final LongSupplier usableSpace)
        {
            this.journalUsableSpace = usableSpace;
            return this;
        }

        /**
         * @return the resolved admin token (after {@link #conclude()}).
         */
        public AdminToken adminToken()
        {
            return adminToken;
        }

        @Override
        public String toString()
        {
            return "aggregator{dataDir=" + dataDir + ", uniqueClickWindowMs=" + uniqueClickWindowMs +
                ", commitIntervalMs=" + commitIntervalMs + ", commitMaxEvents=" + commitMaxEvents +
                ", stateMemoryBytes=" + stateMemoryBytes +
                ", clockTickIntervalMs=" + clockTickIntervalMs + ", storeRetryMaxMs=" + storeRetryMaxMs +
                ", storeMinFreeBytes=" + storeMinFreeBytes + ", journalMinFreeBytes=" + journalMinFreeBytes +
                ", stallTimeoutMs=" + stallTimeoutMs +
                ", adminBindAddress=" + adminBindAddress +
                ", adminPort=" + adminPort + "}";
        }
    }

    private final Context context;
    private final StateStore store;
    private final AggregatorAgent agent;
    private final AggregatorStatus status;
    private final AgentRunner runner;
    private final CatalogWriter catalogWriter;
    private final AgentRunner clockRunner;
    private final WebhookDispatcher webhooks;
    private final AdminServer adminServer;

    private Aggregator(final Context context) throws InterruptedException
    {
        this.context = context;
        store = StateStore.open(context.dataDir.resolve("state"), context.stateMemoryBytes);
        final Catalog catalog = new Catalog(context.linkDirectory, context.programDirectory);
        new CatalogTable(store).forEach((kind, json) -> CatalogEntity.restore(catalog, kind, json));
        new TokenTable(store).restoreInto(context.tokens);
        agent = new AggregatorAgent(context.journal, store, catalog, context.epochClock,
            context.uniqueClickWindowMs, context.commitIntervalMs, context.commitMaxEvents,
            new CommitWriter.StoreRetry(context.storeRetryMaxMs, context.storeMinFreeBytes), context.tokens);
        status = new AggregatorStatus(agent, context.stallTimeoutMs);
        runner = new AgentRunner(context.idleStrategy, context.errorHandler, null, agent);
        AgentRunner.startOnThread(runner);
        catalogWriter = new CatalogWriter(context.journal, context.epochClock,
            new JournalSpaceMonitor(context.journalMinFreeBytes, context.journalUsableSpace, context.errorHandler));
        clockRunner = 0 == context.clockTickIntervalMs ? null : new AgentRunner(
            new SleepingMillisIdleStrategy(context.clockTickIntervalMs), context.errorHandler, null,
            new LedgerClock(catalogWriter, context.epochClock));
        if (null != clockRunner)
        {
            AgentRunner.startOnThread(clockRunner);
        }
        // Outbound webhooks only to the URL a program configured, signed with its key; never blocks the agent.
        webhooks = new WebhookDispatcher(store, programId ->
        {
            final CatalogEntry<ProgramSpec> program = catalog.program(programId);
            return null == program || null == program.spec().webhookUrl() ? null :
                new WebhookDispatcher.Target(program.spec().webhookUrl(), program.spec().secrets().webhook());
        }, context.epochClock, context.errorHandler, context.webhookInitialBackoffMs, 3_600_000L, 20,
            context.webhookAllowPrivateNetworks).start();
        final AdminApi api = new AdminApi(catalog, store, catalogWriter, status, context.epochClock,
            context.webhookAllowPrivateNetworks, context.adminMetrics, context.adminRoles);
        try
        {
            adminServer = new AdminServer(context.adminBindAddress, context.adminPort, api, context.adminRoles,
                context.errorHandler, context.adminRequestTimeoutMs);
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            closeAllButAdmin();
            throw ex;
        }
    }

    /**
     * Start the aggregator and its admin API.
     *
     * @param context settings; concluded here.
     * @return the running aggregator.
     * @throws InterruptedException if interrupted while binding.
     */
    public static Aggregator launch(final Context context) throws InterruptedException
    {
        return new Aggregator(context.conclude());
    }

    /**
     * @return the port of the admin API.
     */
    public int adminPort()
    {
        return adminServer.port();
    }

    /**
     * @return the concluded context.
     */
    public Context context()
    {
        return context;
    }

    /**
     * @return index of the last journal event whose effects are committed (visible to reads of RocksDB).
     */
    public long committedIndex()
    {
        return status.committedIndex();
    }

    /**
     * @return true if the aggregator stopped on a failure.
     */
    public boolean hasFailed()
    {
        return status.hasFailed();
    }

    /**
     * @return why the aggregator is not applying events while it waits for its state store, or null.
     */
    public String stallReason()
    {
        return status.stallReason();
    }

    /**
     * @return stalls that ended with the refused commit written.
     */
    public long storeRecoveries()
    {
        return status.storeRecoveries();
    }

    /**
     * @return events applied with their header time bounded (ahead of the wall clock, or before 1970) since start.
     */
    public long headerTimesBounded()
    {
        return status.headerTimesBounded();
    }

    @Override
    public void close()
    {
        // Stop intake of admin changes first, then the agent (it commits what it applied), then the store.
        adminServer.close();
        closeAllButAdmin();
    }

    private void closeAllButAdmin()
    {
        webhooks.close();
        CloseHelper.close(clockRunner);
        catalogWriter.close();
        runner.close();
        store.close();
    }
}
