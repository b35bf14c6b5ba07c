package dev.ricochet.tracker;

import dev.ricochet.ingest.DistinctErrorPrinter;
import dev.ricochet.ingest.DurableJournalWriter;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalSpaceMonitor;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProcessFailure;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.Settings;
import dev.ricochet.tracker.conversion.ConversionIntake;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.net.InetSocketAddress;
import java.nio.file.FileStore;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static dev.ricochet.tracker.TrackerConfiguration.*;

/**
 * The edge HTTP server: answers partner links with a 302 and the pixel with a GIF, journaling every hit first.
 *
 * <p>Usage: {@code try (TrackerServer server = TrackerServer.launch(new TrackerServer.Context().journal(j)
 * .linkDirectory(d))) { ... }}. Uses native epoll where available, NIO otherwise; one journal appender per event
 * loop, created and closed on that loop.
 */
public final class TrackerServer implements AutoCloseable
{
    /**
     * Settings and wiring of the edge, with defaults from {@link TrackerConfiguration}; validated by
     * {@link #conclude()}.
     */
    public static final class Context
    {
        private boolean isConcluded;
        private int port = Settings.integer(PORT_PROP_NAME, PORT_DEFAULT, 0, 65_535);
        private String bindAddress = Settings.string(BIND_ADDRESS_PROP_NAME, BIND_ADDRESS_DEFAULT);
        private int eventLoopThreads = Settings.integer(
            EVENT_LOOP_THREADS_PROP_NAME, EVENT_LOOP_THREADS_DEFAULT, 0, 1024);
        private String visitorCookieName = Settings.string(VISITOR_COOKIE_NAME_PROP_NAME, VISITOR_COOKIE_NAME_DEFAULT);
        private long visitorCookieMaxAgeMs = Settings.durationMs(
            VISITOR_COOKIE_MAX_AGE_PROP_NAME, VISITOR_COOKIE_MAX_AGE_DEFAULT);
        private boolean visitorCookieSecure = Settings.bool(VISITOR_COOKIE_SECURE_PROP_NAME, false);
        private String clickAppendFailure = Settings.string(
            CLICK_APPEND_FAILURE_PROP_NAME, CLICK_APPEND_FAILURE_DEFAULT);
        private String clickDurability = Settings.string(CLICK_DURABILITY_PROP_NAME, CLICK_DURABILITY_DEFAULT);
        private int maxRequestLineLength = Settings.integer(
            MAX_REQUEST_LINE_LENGTH_PROP_NAME, MAX_REQUEST_LINE_LENGTH_DEFAULT, 256, 65_536);
        private int maxHeaderSize = Settings.integer(MAX_HEADER_SIZE_PROP_NAME, MAX_HEADER_SIZE_DEFAULT, 1024, 65_536);
        private int maxBodySize = Settings.integer(MAX_BODY_SIZE_PROP_NAME, MAX_BODY_SIZE_DEFAULT, 1024, 16 << 20);
        private long bodyTimeoutMs = Settings.durationMs(BODY_TIMEOUT_PROP_NAME, BODY_TIMEOUT_DEFAULT);
        private long bodiesInFlightMaxBytes =
            Settings.sizeBytes(BODIES_IN_FLIGHT_MAX_PROP_NAME, BODIES_IN_FLIGHT_MAX_DEFAULT);
        private BodyBudget bodyBudget;
        private long journalMinFreeBytes = Settings.sizeBytes(JOURNAL_MIN_FREE_PROP_NAME, JOURNAL_MIN_FREE_DEFAULT);
        private String journalLowSpaceClicks = Settings.string(
            JOURNAL_LOW_SPACE_CLICKS_PROP_NAME, JOURNAL_LOW_SPACE_CLICKS_DEFAULT);
        private String rateLimitAddress = Settings.string(RATE_LIMIT_ADDRESS_PROP_NAME, RATE_LIMIT_ADDRESS_DEFAULT);
        private int rateLimitAddressBurst = Settings.integer(
            RATE_LIMIT_ADDRESS_BURST_PROP_NAME, RATE_LIMIT_ADDRESS_BURST_DEFAULT, 1, 100_000_000);
        private String rateLimitLink = Settings.string(RATE_LIMIT_LINK_PROP_NAME, RATE_LIMIT_LINK_DEFAULT);
        private int rateLimitLinkBurst = Settings.integer(
            RATE_LIMIT_LINK_BURST_PROP_NAME, RATE_LIMIT_LINK_BURST_DEFAULT, 1, 100_000_000);
        private String rateLimitExempt = System.getProperty(RATE_LIMIT_EXEMPT_PROP_NAME, RATE_LIMIT_EXEMPT_DEFAULT);
        private String rateLimitAction = Settings.string(RATE_LIMIT_ACTION_PROP_NAME, RATE_LIMIT_ACTION_DEFAULT);
        private int rateLimitSlots =
            Settings.integer(RATE_LIMIT_SLOTS_PROP_NAME, RATE_LIMIT_SLOTS_DEFAULT, 1024, 1 << 24);
        private RateLimits rateLimits;
        private long overloadLagMs = Settings.durationMs(OVERLOAD_LAG_PROP_NAME, OVERLOAD_LAG_DEFAULT);
        private final EdgeOverload overload = new EdgeOverload();
        private String botClassifier = Settings.string(BOT_CLASSIFIER_PROP_NAME, BOT_CLASSIFIER_DEFAULT);
        private UserAgentVerdicts userAgentVerdicts;
        private long botClassifierDelayMs = BOT_CLASSIFIER_DELAY_MS;
        private LongSupplier journalUsableSpace;
        private JournalSpaceMonitor journalSpace;
        private long idleTimeoutMs = 60_000;
        private long headerTimeoutMs = Settings.durationMs(HEADER_TIMEOUT_PROP_NAME, HEADER_TIMEOUT_DEFAULT);
        private ProgramDirectory programDirectory;
        private ConversionIntake conversionIntake;
        private DurableJournalWriter durableWriter;
        private Journal journal;
        private LinkDirectory linkDirectory;
        private EpochClock epochClock;
        private ErrorHandler errorHandler;
        private TrackerCounters counters;
        private IpSalts ipSalts;
        private VisitorKey visitorKey;

        /**
         * Validate and fill in defaults; called by {@link TrackerServer#launch}.
         *
         * @return this for a fluent API.
         * @throws IllegalArgumentException naming the setting that is invalid.
         */
        public Context conclude()
        {
            if (isConcluded)
            {
                throw new IllegalStateException("Context already concluded");
            }
            isConcluded = true;
            Objects.requireNonNull(journal, "journal");
            Objects.requireNonNull(linkDirectory, "linkDirectory");
            Settings.requireRange(PORT_PROP_NAME, port, 0, 65_535);
            if (!"redirect".equals(clickAppendFailure) && !"unavailable".equals(clickAppendFailure))
            {
                throw new IllegalArgumentException(
                    CLICK_APPEND_FAILURE_PROP_NAME + "=" + clickAppendFailure + ": expected redirect or unavailable");
            }
            if (!CLICK_DURABILITY_PAGE_CACHE.equals(clickDurability) &&
                !CLICK_DURABILITY_POWER_SAFE.equals(clickDurability) && !CLICK_DURABILITY_OFF.equals(clickDurability))
            {
                throw new IllegalArgumentException(CLICK_DURABILITY_PROP_NAME + "=" + clickDurability +
                    ": expected page-cache, power-safe or off");
            }
            if (!RequestPath.isValidCode(visitorCookieName, 0, visitorCookieName.length()))
            {
                throw new IllegalArgumentException(
                    VISITOR_COOKIE_NAME_PROP_NAME + "=" + visitorCookieName + ": expected [A-Za-z0-9_-]{1,64}");
            }
            if (headerTimeoutMs < 100 || headerTimeoutMs > 600_000)
            {
                throw new IllegalArgumentException(HEADER_TIMEOUT_PROP_NAME + ": must be between 100ms and 10m");
            }
            if (bodyTimeoutMs < 100 || bodyTimeoutMs > 600_000)
            {
                throw new IllegalArgumentException(BODY_TIMEOUT_PROP_NAME + ": must be between 100ms and 10m");
            }
            Settings.requireRange(MAX_BODY_SIZE_PROP_NAME, maxBodySize, 1024, 16 << 20);
            if (bodiesInFlightMaxBytes < maxBodySize)
            {
                throw new IllegalArgumentException(BODIES_IN_FLIGHT_MAX_PROP_NAME + "=" + bodiesInFlightMaxBytes +
                    ": must be at least " + MAX_BODY_SIZE_PROP_NAME + " (" + maxBodySize + ")");
            }
            bodyBudget = new BodyBudget(bodiesInFlightMaxBytes);
            if (journalMinFreeBytes < 0)
            {
                throw new IllegalArgumentException(
                    JOURNAL_MIN_FREE_PROP_NAME + "=" + journalMinFreeBytes + ": must be 0 (off) or a size such as 512m");
            }
            if (!"redirect".equals(journalLowSpaceClicks) && !"unavailable".equals(journalLowSpaceClicks))
            {
                throw new IllegalArgumentException(JOURNAL_LOW_SPACE_CLICKS_PROP_NAME + "=" + journalLowSpaceClicks +
                    ": expected redirect or unavailable");
            }
            if (!RATE_LIMIT_ACTION_REDIRECT.equals(rateLimitAction) &&
                !RATE_LIMIT_ACTION_REJECT.equals(rateLimitAction))
            {
                throw new IllegalArgumentException(
                    RATE_LIMIT_ACTION_PROP_NAME + "=" + rateLimitAction + ": expected redirect or 429");
            }
            Settings.requireRange(RATE_LIMIT_ADDRESS_BURST_PROP_NAME, rateLimitAddressBurst, 1, 100_000_000);
            Settings.requireRange(RATE_LIMIT_LINK_BURST_PROP_NAME, rateLimitLinkBurst, 1, 100_000_000);
            if (Integer.bitCount(rateLimitSlots) != 1 || rateLimitSlots < 1024 || rateLimitSlots > (1 << 24))
            {
                throw new IllegalArgumentException(RATE_LIMIT_SLOTS_PROP_NAME + "=" + rateLimitSlots +
                    ": must be a power of two between 1024 and 16777216");
            }
            rateLimits = new RateLimits(
                RateLimits.parseIntervalUs(RATE_LIMIT_ADDRESS_PROP_NAME, rateLimitAddress), rateLimitAddressBurst,
                RateLimits.parseIntervalUs(RATE_LIMIT_LINK_PROP_NAME, rateLimitLink), rateLimitLinkBurst,
                new AddressBlocks(RATE_LIMIT_EXEMPT_PROP_NAME, rateLimitExempt),
                RATE_LIMIT_ACTION_REJECT.equals(rateLimitAction), rateLimitSlots);
            if (0 != overloadLagMs && (overloadLagMs < 1 || overloadLagMs > 60_000))
            {
                throw new IllegalArgumentException(OVERLOAD_LAG_PROP_NAME + "=" + overloadLagMs +
                    "ms: must be 0 (off) or between 1ms and 60s");
            }
            if (BOT_CLASSIFIER_YAUAA.equals(botClassifier))
            {
                userAgentVerdicts = UserAgentVerdicts.shared();
            }
            else if (!BOT_CLASSIFIER_TOKENS.equals(botClassifier))
            {
                throw new IllegalArgumentException(
                    BOT_CLASSIFIER_PROP_NAME + "=" + botClassifier + ": expected yauaa or tokens");
            }
            if (visitorCookieMaxAgeMs < 1000 || visitorCookieMaxAgeMs > 400 * 86_400_000L)
            {
                // Browsers cap a cookie's Max-Age at 400 days (RFC 6265bis): a longer one would be a false promise.
                throw new IllegalArgumentException(VISITOR_COOKIE_MAX_AGE_PROP_NAME + ": between 1s and 400d");
            }
            if (0 == eventLoopThreads)
            {
                eventLoopThreads = Runtime.getRuntime().availableProcessors();
            }
            if (null == epochClock)
            {
                epochClock = SystemEpochClock.INSTANCE;
            }
            if (null == errorHandler)
            {
                errorHandler = new DistinctErrorPrinter(System.err);
            }
            if (null == counters)
            {
                counters = new TrackerCounters();
            }
            if (null == programDirectory)
            {
                programDirectory = new ProgramDirectory();
            }
            if (null == ipSalts)
            {
                ipSalts = IpSalts.inMemory();
            }
            if (null == visitorKey)
            {
                visitorKey = VisitorKey.random();
            }
            if (null == journalUsableSpace && journalMinFreeBytes > 0)
            {
                journalUsableSpace = JournalSpaceMonitor.usableSpaceOf(journal.dir());
            }
            journalSpace = new JournalSpaceMonitor(journalMinFreeBytes, journalUsableSpace, errorHandler);
            return this;
        }

        /**
         * @param port to listen on, 0 for an ephemeral port.
         * @return this for a fluent API.
         */
        public Context port(final int port)
        {
            this.port = port;
            return this;
        }

        /**
         * @return the configured port.
         */
        public int port()
        {
            return port;
        }

        /**
         * @param bindAddress address to bind.
         * @return this for a fluent API.
         */
        public Context bindAddress(final String bindAddress)
        {
            this.bindAddress = bindAddress;
            return this;
        }

        /**
         * @param eventLoopThreads number of event loops, 0 for one per core.
         * @return this for a fluent API.
         */
        public Context eventLoopThreads(final int eventLoopThreads)
        {
            this.eventLoopThreads = eventLoopThreads;
            return this;
        }

        /**
         * @param journal the journal every hit is appended to; the caller owns and closes it.
         * @return this for a fluent API.
         */
        public Context journal(final Journal journal)
        {
            this.journal = journal;
            return this;
        }

        /**
         * @param linkDirectory the link routes to answer from; kept current by the catalog.
         * @return this for a fluent API.
         */
        public Context linkDirectory(final LinkDirectory linkDirectory)
        {
            this.linkDirectory = linkDirectory;
            return this;
        }

        /**
         * @return the link directory.
         */
        public LinkDirectory linkDirectory()
        {
            return linkDirectory;
        }

        /**
         * @param programDirectory program routes (currency, intake secrets); kept current by the catalog.
         * @return this for a fluent API.
         */
        public Context programDirectory(final ProgramDirectory programDirectory)
        {
            this.programDirectory = programDirectory;
            return this;
        }

        /**
         * @param epochClock clock for event times; settable for tests.
         * @return this for a fluent API.
         */
        public Context epochClock(final EpochClock epochClock)
        {
            this.epochClock = epochClock;
            return this;
        }

        /**
         * @return clock for event times.
         */
        public EpochClock epochClock()
        {
            return epochClock;
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
         * @return receives unexpected errors.
         */
        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        /**
         * @return the edge's counters.
         */
        public TrackerCounters counters()
        {
            return counters;
        }

        /**
         * @param ipSalts the rotating salts of the client-address hash; {@link IpSalts#persistent} in a data
         *                directory keeps a day's hashes comparable across restarts. Defaults to salts in memory.
         * @return this for a fluent API.
         */
        public Context ipSalts(final IpSalts ipSalts)
        {
            this.ipSalts = ipSalts;
            return this;
        }

        IpSalts ipSalts()
        {
            return ipSalts;
        }

        /**
         * @param visitorKey the key that signs visitor cookies; {@link VisitorKey#persistent} in a data directory
         *                   keeps visitors across restarts. Defaults to a random key in memory.
         * @return this for a fluent API.
         */
        public Context visitorKey(final VisitorKey visitorKey)
        {
            this.visitorKey = visitorKey;
            return this;
        }

        VisitorKey visitorKey()
        {
            return visitorKey;
        }

        /**
         * @param secure mark the visitor cookie Secure (edge served over https).
         * @return this for a fluent API.
         */
        public Context visitorCookieSecure(final boolean secure)
        {
            this.visitorCookieSecure = secure;
            return this;
        }

        /**
         * @param policy {@code redirect} or {@code unavailable}, see
         *               {@link TrackerConfiguration#CLICK_APPEND_FAILURE_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context clickAppendFailure(final String policy)
        {
            this.clickAppendFailure = policy;
            return this;
        }

        /**
         * @param durability {@code page-cache}, {@code power-safe} or {@code off}, see
         *                   {@link TrackerConfiguration#CLICK_DURABILITY_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context clickDurability(final String durability)
        {
            this.clickDurability = durability;
            return this;
        }

        /**
         * @return how durable a click is before its redirect is sent.
         */
        public String clickDurability()
        {
            return clickDurability;
        }

        /**
         * @param minFreeBytes free space the journal's filesystem must keep, 0 for no watermark, see
         *                     {@link TrackerConfiguration#JOURNAL_MIN_FREE_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context journalMinFreeBytes(final long minFreeBytes)
        {
            this.journalMinFreeBytes = minFreeBytes;
            return this;
        }

        /**
         * @param policy {@code redirect} or {@code unavailable}, see
         *               {@link TrackerConfiguration#JOURNAL_LOW_SPACE_CLICKS_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context journalLowSpaceClicks(final String policy)
        {
            this.journalLowSpaceClicks = policy;
            return this;
        }

        /**
         * @param usableSpace bytes usable on the journal's filesystem, read off the hot path every
         *                    {@value JournalSpaceMonitor#CHECK_INTERVAL_MS} ms; defaults to the journal directory's
         *                    {@link FileStore#getUsableSpace()}; settable for tests.
         * @return this for a fluent API.
         */
        public Context journalUsableSpace(final LongSupplier usableSpace)
        {
            this.journalUsableSpace = usableSpace;
            return this;
        }

        JournalSpaceMonitor journalSpace()
        {
            return journalSpace;
        }

        /**
         * @param rate  sustained browser hits per client address ({@code 20/s}, {@code 1/m}), {@code 0} for no limit,
         *              see {@link TrackerConfiguration#RATE_LIMIT_ADDRESS_PROP_NAME}.
         * @param burst hits at once above the sustained rate.
         * @return this for a fluent API.
         */
        public Context rateLimitAddress(final String rate, final int burst)
        {
            this.rateLimitAddress = rate;
            this.rateLimitAddressBurst = burst;
            return this;
        }

        /**
         * @param rate  sustained clicks per link ({@code 2000/s}, {@code 1/m}), {@code 0} for no limit, see
         *              {@link TrackerConfiguration#RATE_LIMIT_LINK_PROP_NAME}.
         * @param burst clicks at once above the sustained rate.
         * @return this for a fluent API.
         */
        public Context rateLimitLink(final String rate, final int burst)
        {
            this.rateLimitLink = rate;
            this.rateLimitLinkBurst = burst;
            return this;
        }

        /**
         * @param cidrBlocks comma-separated addresses or CIDR blocks exempt from the per-address limit, empty for none.
         * @return this for a fluent API.
         */
        public Context rateLimitExempt(final String cidrBlocks)
        {
            this.rateLimitExempt = cidrBlocks;
            return this;
        }

        /**
         * @param action {@code redirect} or {@code 429}, see {@link TrackerConfiguration#RATE_LIMIT_ACTION_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context rateLimitAction(final String action)
        {
            this.rateLimitAction = action;
            return this;
        }

        RateLimits rateLimits()
        {
            return rateLimits;
        }

        /**
         * @param lagMs event-loop lag over which a loop sheds, 0 for never, see
         *              {@link TrackerConfiguration#OVERLOAD_LAG_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context overloadLagMs(final long lagMs)
        {
            this.overloadLagMs = lagMs;
            return this;
        }

        EdgeOverload overload()
        {
            return overload;
        }

        /**
         * @param classifier {@code yauaa} or {@code tokens}, see {@link TrackerConfiguration#BOT_CLASSIFIER_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context botClassifier(final String classifier)
        {
            this.botClassifier = classifier;
            return this;
        }

        /**
         * @param delayMs how long after the edge starts serving the yauaa analyzer starts building; settable for tests.
         * @return this for a fluent API.
         */
        public Context botClassifierDelayMs(final long delayMs)
        {
            this.botClassifierDelayMs = delayMs;
            return this;
        }

        /**
         * @return the yauaa verdicts, or null when the token list judges alone.
         */
        UserAgentVerdicts userAgentVerdicts()
        {
            return userAgentVerdicts;
        }

        boolean failClosedOnLowSpace()
        {
            return "unavailable".equals(journalLowSpaceClicks);
        }

        /**
         * @param idleTimeoutMs close connections idle this long.
         * @return this for a fluent API.
         */
        public Context idleTimeoutMs(final long idleTimeoutMs)
        {
            this.idleTimeoutMs = idleTimeoutMs;
            return this;
        }

        /**
         * @param headerTimeoutMs longest time from a request's first byte to the end of its headers.
         * @return this for a fluent API.
         */
        public Context headerTimeoutMs(final long headerTimeoutMs)
        {
            this.headerTimeoutMs = headerTimeoutMs;
            return this;
        }

        long headerTimeoutMs()
        {
            return headerTimeoutMs;
        }

        /**
         * @param bodyTimeoutMs longest time from the end of a request's head to the end of its body.
         * @return this for a fluent API.
         */
        public Context bodyTimeoutMs(final long bodyTimeoutMs)
        {
            this.bodyTimeoutMs = bodyTimeoutMs;
            return this;
        }

        long bodyTimeoutMs()
        {
            return bodyTimeoutMs;
        }

        /**
         * @param maxBytes bytes of request bodies held at once across all connections, see
         *                 {@link TrackerConfiguration#BODIES_IN_FLIGHT_MAX_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context bodiesInFlightMaxBytes(final long maxBytes)
        {
            this.bodiesInFlightMaxBytes = maxBytes;
            return this;
        }

        /**
         * @param maxBodySize largest conversion or webhook body, see {@link TrackerConfiguration#MAX_BODY_SIZE_PROP_NAME}.
         * @return this for a fluent API.
         */
        public Context maxBodySize(final int maxBodySize)
        {
            this.maxBodySize = maxBodySize;
            return this;
        }

        BodyBudget bodyBudget()
        {
            return bodyBudget;
        }

        String visitorCookieName()
        {
            return visitorCookieName;
        }

        long visitorCookieMaxAgeMs()
        {
            return visitorCookieMaxAgeMs;
        }

        boolean visitorCookieSecure()
        {
            return visitorCookieSecure;
        }

        boolean failClosedOnAppendFailure()
        {
            return "unavailable".equals(clickAppendFailure);
        }

        int maxRequestLineLength()
        {
            return maxRequestLineLength;
        }

        int maxHeaderSize()
        {
            return maxHeaderSize;
        }

        long idleTimeoutMs()
        {
            return idleTimeoutMs;
        }

        int maxBodySize()
        {
            return maxBodySize;
        }

        ConversionIntake conversionIntake()
        {
            return conversionIntake;
        }

        /**
         * Wire conversions to the grouped-sync writer, after {@link #conclude()}: the server does it at launch; a test
         * driving the pipeline on an embedded channel does it with a writer of its own.
         */
        Context durableWriter(final DurableJournalWriter writer)
        {
            durableWriter = writer;
            conversionIntake = new ConversionIntake(writer, programDirectory, epochClock, counters);
            return this;
        }

        DurableJournalWriter durableWriter()
        {
            return durableWriter;
        }

        boolean isPowerSafe()
        {
            return CLICK_DURABILITY_POWER_SAFE.equals(clickDurability);
        }

        boolean isJournalOff()
        {
            return CLICK_DURABILITY_OFF.equals(clickDurability);
        }

        @Override
        public String toString()
        {
            return "tracker{port=" + port + ", bindAddress=" + bindAddress + ", eventLoopThreads=" + eventLoopThreads +
                ", transport=" + (Epoll.isAvailable() ? "epoll" : "nio") + ", visitorCookie=" + visitorCookieName +
                ", visitorCookieMaxAgeMs=" + visitorCookieMaxAgeMs + ", visitorCookieSecure=" + visitorCookieSecure +
                ", clickAppendFailure=" + clickAppendFailure + ", clickDurability=" + clickDurability +
                ", maxRequestLineLength=" + maxRequestLineLength +
                ", maxHeaderSize=" + maxHeaderSize + ", maxBodySize=" + maxBodySize +
                ", bodyTimeoutMs=" + bodyTimeoutMs + ", bodiesInFlightMaxBytes=" + bodiesInFlightMaxBytes +
                ", journalMinFreeBytes=" + journalMinFreeBytes + ", journalLowSpaceClicks=" + journalLowSpaceClicks +
                ", rateLimitAddress=" + rateLimitAddress + " burst " + rateLimitAddressBurst +
                ", rateLimitLink=" + rateLimitLink + " burst " + rateLimitLinkBurst +
                ", rateLimitExempt=" + rateLimitExempt + ", rateLimitAction=" + rateLimitAction +
                ", rateLimitSlots=" + rateLimitSlots + ", overloadLagMs=" + overloadLagMs +
                ", botClassifier=" + botClassifier + "}";
        }
    }

    private final Context context;
    private final EventLoopGroup group;
    private final Map<EventExecutor, EdgeLoopResources> loopResources = new IdentityHashMap<>();
    private final Channel serverChannel;
    // Stays closed: a connection accepted just before the close registers after it, and is closed as it joins.
    private final ChannelGroup connections = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE, true);
    private final DurableJournalWriter durableWriter;
    private volatile boolean closing;

    private TrackerServer(final Context context) throws InterruptedException
    {
        this.context = context;
        durableWriter = new DurableJournalWriter(context.journal, "ricochet-edge-durable");
        context.durableWriter(durableWriter);
        if (context.isJournalOff())
        {
            System.err.println("ricochet: WARNING " + CLICK_DURABILITY_PROP_NAME + "=off: clicks and pixel hits are " +
                "NOT journaled (benchmark mode); they are counted as clicks_unjournaled");
        }
        final boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(
            context.eventLoopThreads,
            new DefaultThreadFactory("ricochet-edge", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try
        {
            // Read once before the first request: an edge started on a nearly full disk is low from the start.
            final JournalSpaceMonitor journalSpace = context.journalSpace;
            journalSpace.check();
            if (journalSpace.isEnabled())
            {
                // One statfs per interval on one loop, never one per request; the task ends with the group.
                group.next().scheduleWithFixedDelay(journalSpace::check, JournalSpaceMonitor.CHECK_INTERVAL_MS,
                    JournalSpaceMonitor.CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
            }
            // Today's and tomorrow's salts exist before the first request, expired ones are deleted; then once a minute,
            // off the request path, so that a salt is gone within a minute of its day's end.
            final IpSalts ipSalts = context.ipSalts;
            ipSalts.rotate(context.epochClock.time());
            group.next().scheduleWithFixedDelay(() ->
            {
                try
                {
                    ipSalts.rotate(context.epochClock.time());
                }
                catch (final RuntimeException ex)
                {
                    context.errorHandler.onError(ex);
                }
            }, 1, 1, TimeUnit.MINUTES);
            // Each loop creates its own appender: Chronicle appenders belong to one thread.
            for (final EventExecutor executor : group)
            {
                // A loop that stops while the edge serves (an Error escaped it) leaves its connections unanswered:
                // the process fails loudly instead of serving on with a deaf loop.
                executor.terminationFuture().addListener(stopped ->
                {
                    if (!closing)
                    {
                        ProcessFailure.fail("an edge event loop stopped while serving");
                    }
                });
                final EdgeLoopResources resources = executor.submit(
                    () -> new EdgeLoopResources(context.journal.newAppender())).sync().getNow();
                loopResources.put(executor, resources);
                if (context.overloadLagMs > 0)
                {
                    resources.lag.start(
                        executor, TimeUnit.MILLISECONDS.toNanos(context.overloadLagMs), context.counters);
                    context.overload.register(resources.lag);
                }
            }
            final Class<? extends ServerChannel> channelClass =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
            serverChannel = new ServerBootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client that shuts down its output after its request still gets the answer: the pipeline gate
                // closes once the requests it accepted are answered.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new TrackerChannelInitializer(context, loopResources, connections))
                .bind(new InetSocketAddress(context.bindAddress, context.port))
                .sync()
                .channel();
            if (null != context.userAgentVerdicts)
            {
                // After the bind, and a little later still: the analyzer builds in the background while the edge
                // already answers, without competing with its first requests for the cores.
                context.userAgentVerdicts.start(context.errorHandler, context.botClassifierDelayMs);
            }
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            closing = true;
            closeLoops();
            throw ex;
        }
    }

    /**
     * Start the edge.
     *
     * @param context settings; concluded here.
     * @return the running server.
     * @throws InterruptedException if interrupted while binding.
     */
    public static TrackerServer launch(final Context context) throws InterruptedException
    {
        return new TrackerServer(context.conclude());
    }

    /**
     * @return an event loop that serves connections but does not accept them, for a test that stops one while the
     * edge serves; null with a single loop.
     */
    EventExecutor connectionOnlyLoop()
    {
        for (final EventExecutor executor : group)
        {
            if (executor != serverChannel.eventLoop())
            {
                return executor;
            }
        }
        return null;
    }

    /**
     * @return the port the edge listens on (the ephemeral one if 0 was configured).
     */
    public int port()
    {
        return ((InetSocketAddress)serverChannel.localAddress()).getPort();
    }

    /**
     * @return the concluded context.
     */
    public Context context()
    {
        return context;
    }

    @Override
    public void close()
    {
        closing = true;
        serverChannel.close().syncUninterruptibly();
        // Connections first, journal after: a request read once the appenders are closed could only be answered
        // unjournaled. A close runs on the connection's loop, after the request it is handling; pipelined requests
        // not yet read get no answer, and browsers retry those on a new connection.
        connections.close().awaitUninterruptibly();
        closeLoops();
    }

    private void closeLoops()
    {
        // Appenders are closed on their own loop, before the loops stop.
        for (final Map.Entry<EventExecutor, EdgeLoopResources> entry : loopResources.entrySet())
        {
            entry.getKey().submit(() -> entry.getValue().appender.close()).syncUninterruptibly();
        }
        loopResources.clear();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        // After the loops: no request can queue a conversion any more, queued ones are still written.
        durableWriter.close();
    }
}
