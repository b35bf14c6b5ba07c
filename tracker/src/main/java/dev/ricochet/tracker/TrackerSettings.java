package dev.ricochet.tracker;

import dev.ricochet.ingest.DistinctErrorPrinter;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalSpaceMonitor;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.Settings;
import io.netty.channel.epoll.Epoll;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.nio.file.FileStore;
import java.util.Objects;
import java.util.function.LongSupplier;

import static dev.ricochet.tracker.TrackerConfiguration.*;

/**
 * The edge's settings, with defaults from {@link TrackerConfiguration}, and the parts it is given (journal, link and
 * program directories, clock, error handler, counters, keys); {@link #conclude()} validates them and resolves each
 * policy once into an enum or value, so that no request compares a setting's text. The services the edge runs on
 * (rate limiters, body budget, free-space watch, writers) are built by {@link TrackerServer}, not held here.
 *
 * <p>{@link TrackerServer.Context} is the concrete class; the setters return it, for a fluent API (the shape of
 * Netty's {@code AbstractBootstrap}); the limits of each HTTP request are in {@link HttpLimitSettings}.
 *
 * @param <C> the concrete context.
 */
public abstract class TrackerSettings<C extends TrackerSettings<C>> extends HttpLimitSettings<C>
{
    private boolean isConcluded;
    private int port = Settings.integer(PORT_PROP_NAME, PORT_DEFAULT, 0, 65_535);
    private String bindAddress = Settings.string(BIND_ADDRESS_PROP_NAME, BIND_ADDRESS_DEFAULT);
    private int eventLoopThreads = Settings.integer(EVENT_LOOP_THREADS_PROP_NAME, EVENT_LOOP_THREADS_DEFAULT, 0, 1024);
    private String visitorCookieName = Settings.string(VISITOR_COOKIE_NAME_PROP_NAME, VISITOR_COOKIE_NAME_DEFAULT);
    private long visitorCookieMaxAgeMs =
        Settings.durationMs(VISITOR_COOKIE_MAX_AGE_PROP_NAME, VISITOR_COOKIE_MAX_AGE_DEFAULT);
    private boolean visitorCookieSecure = Settings.bool(VISITOR_COOKIE_SECURE_PROP_NAME, false);
    private String clickAppendFailure = Settings.string(CLICK_APPEND_FAILURE_PROP_NAME, CLICK_APPEND_FAILURE_DEFAULT);
    private String clickDurability = Settings.string(CLICK_DURABILITY_PROP_NAME, CLICK_DURABILITY_DEFAULT);
    private long journalMinFreeBytes = Settings.sizeBytes(JOURNAL_MIN_FREE_PROP_NAME, JOURNAL_MIN_FREE_DEFAULT);
    private String journalLowSpaceClicks =
        Settings.string(JOURNAL_LOW_SPACE_CLICKS_PROP_NAME, JOURNAL_LOW_SPACE_CLICKS_DEFAULT);
    private String rateLimitAddress = Settings.string(RATE_LIMIT_ADDRESS_PROP_NAME, RATE_LIMIT_ADDRESS_DEFAULT);
    private int rateLimitAddressBurst = Settings.integer(
        RATE_LIMIT_ADDRESS_BURST_PROP_NAME, RATE_LIMIT_ADDRESS_BURST_DEFAULT, 1, 100_000_000);
    private String rateLimitLink = Settings.string(RATE_LIMIT_LINK_PROP_NAME, RATE_LIMIT_LINK_DEFAULT);
    private int rateLimitLinkBurst = Settings.integer(
        RATE_LIMIT_LINK_BURST_PROP_NAME, RATE_LIMIT_LINK_BURST_DEFAULT, 1, 100_000_000);
    private String rateLimitExempt = System.getProperty(RATE_LIMIT_EXEMPT_PROP_NAME, RATE_LIMIT_EXEMPT_DEFAULT);
    private String rateLimitAction = Settings.string(RATE_LIMIT_ACTION_PROP_NAME, RATE_LIMIT_ACTION_DEFAULT);
    private int rateLimitSlots = Settings.integer(RATE_LIMIT_SLOTS_PROP_NAME, RATE_LIMIT_SLOTS_DEFAULT, 1024, 1 << 24);
    private long overloadLagMs = Settings.durationMs(OVERLOAD_LAG_PROP_NAME, OVERLOAD_LAG_DEFAULT);
    private String botClassifier = Settings.string(BOT_CLASSIFIER_PROP_NAME, BOT_CLASSIFIER_DEFAULT);
    private long botClassifierDelayMs = BOT_CLASSIFIER_DELAY_MS;
    private LongSupplier journalUsableSpace;
    private ProgramDirectory programDirectory;
    private Journal journal;
    private LinkDirectory linkDirectory;
    private EpochClock epochClock;
    private ErrorHandler errorHandler;
    private TrackerCounters counters;
    private IpSalts ipSalts;
    private VisitorKey visitorKey;

    // Resolved by conclude().
    private UnjournaledClicks onAppendFailure;
    private UnjournaledClicks onLowSpace;
    private ClickDurability durability;
    private RateLimitSettings rateLimits;
    private BotClassifierKind botClassifierKind;

    /**
     * Validate, fill in defaults and resolve each policy; called by {@link TrackerServer#launch}.
     *
     * @return this for a fluent API.
     * @throws IllegalArgumentException naming the setting that is invalid.
     */
    public C conclude()
    {
        if (isConcluded)
        {
            throw new IllegalStateException("Context already concluded");
        }
        isConcluded = true;
        Objects.requireNonNull(journal, "journal");
        Objects.requireNonNull(linkDirectory, "linkDirectory");
        Settings.requireRange(PORT_PROP_NAME, port, 0, 65_535);
        onAppendFailure = UnjournaledClicks.parse(CLICK_APPEND_FAILURE_PROP_NAME, clickAppendFailure);
        durability = ClickDurability.parse(clickDurability);
        if (!RequestPath.isValidCode(visitorCookieName, 0, visitorCookieName.length()))
        {
            throw new IllegalArgumentException(
                VISITOR_COOKIE_NAME_PROP_NAME + "=" + visitorCookieName + ": expected [A-Za-z0-9_-]{1,64}");
        }
        concludeHttpLimits();
        if (journalMinFreeBytes < 0)
        {
            throw new IllegalArgumentException(
                JOURNAL_MIN_FREE_PROP_NAME + "=" + journalMinFreeBytes + ": must be 0 (off) or a size such as 512m");
        }
        onLowSpace = UnjournaledClicks.parse(JOURNAL_LOW_SPACE_CLICKS_PROP_NAME, journalLowSpaceClicks);
        rateLimits = resolveRateLimits();
        if (0 != overloadLagMs && (overloadLagMs < 1 || overloadLagMs > 60_000))
        {
            throw new IllegalArgumentException(OVERLOAD_LAG_PROP_NAME + "=" + overloadLagMs +
                "ms: must be 0 (off) or between 1ms and 60s");
        }
        botClassifierKind = BotClassifierKind.parse(botClassifier);
        if (visitorCookieMaxAgeMs < 1000 || visitorCookieMaxAgeMs > 400 * 86_400_000L)
        {
            // Browsers cap a cookie's Max-Age at 400 days (RFC 6265bis): a longer one would be a false promise.
            throw new IllegalArgumentException(VISITOR_COOKIE_MAX_AGE_PROP_NAME + ": between 1s and 400d");
        }
        fillInDefaults();
        return self();
    }

    private RateLimitSettings resolveRateLimits()
    {
        final RateLimitAction action = RateLimitAction.parse(rateLimitAction);
        Settings.requireRange(RATE_LIMIT_ADDRESS_BURST_PROP_NAME, rateLimitAddressBurst, 1, 100_000_000);
        Settings.requireRange(RATE_LIMIT_LINK_BURST_PROP_NAME, rateLimitLinkBurst, 1, 100_000_000);
        if (Integer.bitCount(rateLimitSlots) != 1 || rateLimitSlots < 1024 || rateLimitSlots > (1 << 24))
        {
            throw new IllegalArgumentException(RATE_LIMIT_SLOTS_PROP_NAME + "=" + rateLimitSlots +
                ": must be a power of two between 1024 and 16777216");
        }
        return new RateLimitSettings(
            RateLimits.parseIntervalUs(RATE_LIMIT_ADDRESS_PROP_NAME, rateLimitAddress), rateLimitAddressBurst,
            RateLimits.parseIntervalUs(RATE_LIMIT_LINK_PROP_NAME, rateLimitLink), rateLimitLinkBurst,
            new AddressBlocks(RATE_LIMIT_EXEMPT_PROP_NAME, rateLimitExempt), action, rateLimitSlots);
    }

    private void fillInDefaults()
    {
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
    }

    /**
     * @param port to listen on, 0 for an ephemeral port.
     * @return this for a fluent API.
     */
    public C port(final int port)
    {
        this.port = port;
        return self();
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
    public C bindAddress(final String bindAddress)
    {
        this.bindAddress = bindAddress;
        return self();
    }

    String bindAddress()
    {
        return bindAddress;
    }

    /**
     * @param eventLoopThreads number of event loops, 0 for one per core.
     * @return this for a fluent API.
     */
    public C eventLoopThreads(final int eventLoopThreads)
    {
        this.eventLoopThreads = eventLoopThreads;
        return self();
    }

    int eventLoopThreads()
    {
        return eventLoopThreads;
    }

    /**
     * @param journal the journal every hit is appended to; the caller owns and closes it.
     * @return this for a fluent API.
     */
    public C journal(final Journal journal)
    {
        this.journal = journal;
        return self();
    }

    Journal journal()
    {
        return journal;
    }

    /**
     * @param linkDirectory the link routes to answer from; kept current by the catalog.
     * @return this for a fluent API.
     */
    public C linkDirectory(final LinkDirectory linkDirectory)
    {
        this.linkDirectory = linkDirectory;
        return self();
    }

    /**
     * @return the link directory.
     */
    public LinkDirectory linkDirectory()
    {
        return linkDirectory;
    }

    /**
     * @param programDirectory program routes (currency, intake secrets, pixel conversions); kept current by the
     *                         catalog.
     * @return this for a fluent API.
     */
    public C programDirectory(final ProgramDirectory programDirectory)
    {
        this.programDirectory = programDirectory;
        return self();
    }

    ProgramDirectory programDirectory()
    {
        return programDirectory;
    }

    /**
     * @param epochClock clock for event times; settable for tests.
     * @return this for a fluent API.
     */
    public C epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return self();
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
    public C errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return self();
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
    public C ipSalts(final IpSalts ipSalts)
    {
        this.ipSalts = ipSalts;
        return self();
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
    public C visitorKey(final VisitorKey visitorKey)
    {
        this.visitorKey = visitorKey;
        return self();
    }

    /**
     * @param secure mark the visitor cookie Secure (edge served over https).
     * @return this for a fluent API.
     */
    public C visitorCookieSecure(final boolean secure)
    {
        this.visitorCookieSecure = secure;
        return self();
    }

    /**
     * @return a new visitor cookie codec with these settings (one per channel: it holds the buffers it formats in).
     */
    VisitorCookie newVisitorCookie()
    {
        return new VisitorCookie(visitorCookieName, visitorCookieMaxAgeMs / 1000, visitorCookieSecure, visitorKey);
    }

    /**
     * @param policy {@code redirect} or {@code unavailable}, see
     *               {@link TrackerConfiguration#CLICK_APPEND_FAILURE_PROP_NAME}.
     * @return this for a fluent API.
     */
    public C clickAppendFailure(final String policy)
    {
        this.clickAppendFailure = policy;
        return self();
    }

    UnjournaledClicks onAppendFailure()
    {
        return onAppendFailure;
    }

    /**
     * @param durability {@code page-cache}, {@code power-safe} or {@code off}, see
     *                   {@link TrackerConfiguration#CLICK_DURABILITY_PROP_NAME}.
     * @return this for a fluent API.
     */
    public C clickDurability(final String durability)
    {
        this.clickDurability = durability;
        return self();
    }

    /**
     * @return how durable a click is before its redirect is sent, once concluded.
     */
    ClickDurability clickDurability()
    {
        return durability;
    }

    /**
     * @param minFreeBytes free space the journal's filesystem must keep, 0 for no watermark, see
     *                     {@link TrackerConfiguration#JOURNAL_MIN_FREE_PROP_NAME}.
     * @return this for a fluent API.
     */
    public C journalMinFreeBytes(final long minFreeBytes)
    {
        this.journalMinFreeBytes = minFreeBytes;
        return self();
    }

    long journalMinFreeBytes()
    {
        return journalMinFreeBytes;
    }

    /**
     * @param policy {@code redirect} or {@code unavailable}, see
     *               {@link TrackerConfiguration#JOURNAL_LOW_SPACE_CLICKS_PROP_NAME}.
     * @return this for a fluent API.
     */
    public C journalLowSpaceClicks(final String policy)
    {
        this.journalLowSpaceClicks = policy;
        return self();
    }

    UnjournaledClicks onLowSpace()
    {
        return onLowSpace;
    }

    /**
     * @param usableSpace bytes usable on the journal's filesystem, read off the hot path every
     *                    {@value JournalSpaceMonitor#CHECK_INTERVAL_MS} ms; defaults to the journal directory's
     *                    {@link FileStore#getUsableSpace()}; settable for tests.
     * @return this for a fluent API.
     */
    public C journalUsableSpace(final LongSupplier usableSpace)
    {
        this.journalUsableSpace = usableSpace;
        return self();
    }

    LongSupplier journalUsableSpace()
    {
        return journalUsableSpace;
    }

    /**
     * @param rate  sustained browser hits per client address ({@code 20/s}, {@code 1/m}), {@code 0} for no limit,
     *              see {@link TrackerConfiguration#RATE_LIMIT_ADDRESS_PROP_NAME}.
     * @param burst hits at once above the sustained rate.
     * @return this for a fluent API.
     */
    public C rateLimitAddress(final String rate, final int burst)
    {
        this.rateLimitAddress = rate;
        this.rateLimitAddressBurst = burst;
        return self();
    }

    /**
     * @param rate  sustained clicks per link ({@code 2000/s}, {@code 1/m}), {@code 0} for no limit, see
     *              {@link TrackerConfiguration#RATE_LIMIT_LINK_PROP_NAME}.
     * @param burst clicks at once above the sustained rate.
     * @return this for a fluent API.
     */
    public C rateLimitLink(final String rate, final int burst)
    {
        this.rateLimitLink = rate;
        this.rateLimitLinkBurst = burst;
        return self();
    }

    /**
     * @param cidrBlocks comma-separated addresses or CIDR blocks exempt from the per-address limit, empty for none.
     * @return this for a fluent API.
     */
    public C rateLimitExempt(final String cidrBlocks)
    {
        this.rateLimitExempt = cidrBlocks;
        return self();
    }

    /**
     * @param action {@code redirect} or {@code 429}, see {@link TrackerConfiguration#RATE_LIMIT_ACTION_PROP_NAME}.
     * @return this for a fluent API.
     */
    public C rateLimitAction(final String action)
    {
        this.rateLimitAction = action;
        return self();
    }

    RateLimitSettings rateLimits()
    {
        return rateLimits;
    }

    /**
     * @param lagMs event-loop lag over which a loop sheds, 0 for never, see
     *              {@link TrackerConfiguration#OVERLOAD_LAG_PROP_NAME}.
     * @return this for a fluent API.
     */
    public C overloadLagMs(final long lagMs)
    {
        this.overloadLagMs = lagMs;
        return self();
    }

    long overloadLagMs()
    {
        return overloadLagMs;
    }

    /**
     * @param classifier {@code yauaa} or {@code tokens}, see {@link TrackerConfiguration#BOT_CLASSIFIER_PROP_NAME}.
     * @return this for a fluent API.
     */
    public C botClassifier(final String classifier)
    {
        this.botClassifier = classifier;
        return self();
    }

    BotClassifierKind botClassifier()
    {
        return botClassifierKind;
    }

    /**
     * @param delayMs how long after the edge starts serving the yauaa analyzer starts building; settable for tests.
     * @return this for a fluent API.
     */
    public C botClassifierDelayMs(final long delayMs)
    {
        this.botClassifierDelayMs = delayMs;
        return self();
    }

    long botClassifierDelayMs()
    {
        return botClassifierDelayMs;
    }

    @Override
    public String toString()
    {
        return "tracker{port=" + port + ", bindAddress=" + bindAddress + ", eventLoopThreads=" + eventLoopThreads +
            ", transport=" + (Epoll.isAvailable() ? "epoll" : "nio") + ", visitorCookie=" + visitorCookieName +
            ", visitorCookieMaxAgeMs=" + visitorCookieMaxAgeMs + ", visitorCookieSecure=" + visitorCookieSecure +
            ", clickAppendFailure=" + clickAppendFailure + ", clickDurability=" + clickDurability +
            httpLimitsText() +
            ", journalMinFreeBytes=" + journalMinFreeBytes + ", journalLowSpaceClicks=" + journalLowSpaceClicks +
            ", rateLimitAddress=" + rateLimitAddress + " burst " + rateLimitAddressBurst +
            ", rateLimitLink=" + rateLimitLink + " burst " + rateLimitLinkBurst +
            ", rateLimitExempt=" + rateLimitExempt + ", rateLimitAction=" + rateLimitAction +
            ", rateLimitSlots=" + rateLimitSlots + ", overloadLagMs=" + overloadLagMs +
            ", botClassifier=" + botClassifier + "}";
    }
}
