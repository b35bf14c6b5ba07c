package dev.ricochet.tracker;

import dev.ricochet.ingest.JournalSpaceMonitor;

/**
 * Property names and defaults of the edge; each is read once into {@link TrackerServer.Context}.
 *
 * <p>Every key can come from a properties file, the environment ({@code RICOCHET_TRACKER_PORT} for
 * {@code ricochet.tracker.port}) or a flag; {@code ops/CONFIGURATION.md} lists them all.
 */
public final class TrackerConfiguration
{
    /**
     * Port on which redirect and pixel requests are served; 0 picks a free port.
     */
    public static final String PORT_PROP_NAME = "ricochet.tracker.port";

    /**
     * Default for {@link #PORT_PROP_NAME}.
     */
    public static final int PORT_DEFAULT = 8080;

    /**
     * Address the edge binds to.
     */
    public static final String BIND_ADDRESS_PROP_NAME = "ricochet.tracker.bind.address";

    /**
     * Default for {@link #BIND_ADDRESS_PROP_NAME}.
     */
    public static final String BIND_ADDRESS_DEFAULT = "0.0.0.0";

    /**
     * Number of event-loop threads, each with its own journal appender; 0 means one per core.
     */
    public static final String EVENT_LOOP_THREADS_PROP_NAME = "ricochet.tracker.event.loop.threads";

    /**
     * Default for {@link #EVENT_LOOP_THREADS_PROP_NAME}.
     */
    public static final int EVENT_LOOP_THREADS_DEFAULT = 0;

    /**
     * Name of the first-party visitor cookie.
     */
    public static final String VISITOR_COOKIE_NAME_PROP_NAME = "ricochet.tracker.visitor.cookie.name";

    /**
     * Default for {@link #VISITOR_COOKIE_NAME_PROP_NAME}.
     */
    public static final String VISITOR_COOKIE_NAME_DEFAULT = "rv";

    /**
     * Lifetime of the visitor cookie; browsers cap it at 400 days.
     */
    public static final String VISITOR_COOKIE_MAX_AGE_PROP_NAME = "ricochet.tracker.visitor.cookie.max.age";

    /**
     * Default for {@link #VISITOR_COOKIE_MAX_AGE_PROP_NAME}: 400 days.
     */
    public static final String VISITOR_COOKIE_MAX_AGE_DEFAULT = "400d";

    /**
     * Mark the visitor cookie {@code Secure}; turn on when the edge is served over https (behind a TLS proxy).
     */
    public static final String VISITOR_COOKIE_SECURE_PROP_NAME = "ricochet.tracker.visitor.cookie.secure";

    /**
     * What a click does when its journal append fails: {@code redirect} (the shopper still lands, the loss is
     * counted) or {@code unavailable} (answer 503).
     */
    public static final String CLICK_APPEND_FAILURE_PROP_NAME = "ricochet.tracker.click.append.failure";

    /**
     * Default for {@link #CLICK_APPEND_FAILURE_PROP_NAME}.
     */
    public static final String CLICK_APPEND_FAILURE_DEFAULT = "redirect";

    /**
     * How durable a click is before its redirect is sent: {@code page-cache} (default: appended to the journal's
     * memory-mapped file, which survives a process crash but not a power loss), {@code power-safe} (the redirect
     * waits for a grouped sync of the journal, shared by every click that arrived during the previous sync, the way
     * conversions are acknowledged), or {@code off} (nothing journaled: only to measure the HTTP ceiling in
     * benchmarks; the edge warns loudly at start and counts every unjournaled click).
     */
    public static final String CLICK_DURABILITY_PROP_NAME = "ricochet.tracker.click.durability";

    /**
     * Default for {@link #CLICK_DURABILITY_PROP_NAME}.
     */
    public static final String CLICK_DURABILITY_DEFAULT = "page-cache";

    static final String CLICK_DURABILITY_PAGE_CACHE = "page-cache";
    static final String CLICK_DURABILITY_POWER_SAFE = "power-safe";
    static final String CLICK_DURABILITY_OFF = "off";

    /**
     * Free space the journal's filesystem must keep: below it nothing appends, so Chronicle never reaches a full disk.
     * 0 turns the watermark off. See {@link JournalSpaceMonitor#MIN_FREE_PROP_NAME}.
     */
    public static final String JOURNAL_MIN_FREE_PROP_NAME = JournalSpaceMonitor.MIN_FREE_PROP_NAME;

    /**
     * Default for {@link #JOURNAL_MIN_FREE_PROP_NAME}.
     */
    public static final String JOURNAL_MIN_FREE_DEFAULT = JournalSpaceMonitor.MIN_FREE_DEFAULT;

    /**
     * What clicks and pixel hits do while the journal's disk is below {@link #JOURNAL_MIN_FREE_PROP_NAME}:
     * {@code redirect} (the shopper still lands, nothing is journaled, counted in clicks_unjournaled) or
     * {@code unavailable} (answer 503). Conversions and webhooks always answer 503 then.
     */
    public static final String JOURNAL_LOW_SPACE_CLICKS_PROP_NAME = "ricochet.tracker.journal.low.space.clicks";

    /**
     * Default for {@link #JOURNAL_LOW_SPACE_CLICKS_PROP_NAME}.
     */
    public static final String JOURNAL_LOW_SPACE_CLICKS_DEFAULT = "redirect";

    /**
     * Longest request line accepted; longer ones get 414.
     */
    public static final String MAX_REQUEST_LINE_LENGTH_PROP_NAME = "ricochet.tracker.max.request.line.length";

    /**
     * Default for {@link #MAX_REQUEST_LINE_LENGTH_PROP_NAME}.
     */
    public static final int MAX_REQUEST_LINE_LENGTH_DEFAULT = 4096;

    /**
     * Largest header block accepted; larger ones get 431.
     */
    public static final String MAX_HEADER_SIZE_PROP_NAME = "ricochet.tracker.max.header.size";

    /**
     * Default for {@link #MAX_HEADER_SIZE_PROP_NAME}.
     */
    public static final int MAX_HEADER_SIZE_DEFAULT = 8192;

    /**
     * Absolute deadline for a request line and headers, from the request's first byte; a slower client gets 408
     * and is disconnected however steadily it trickles bytes (slowloris).
     */
    public static final String HEADER_TIMEOUT_PROP_NAME = "ricochet.tracker.header.timeout";

    /**
     * Default for {@link #HEADER_TIMEOUT_PROP_NAME}: ample for a phone on a poor network, short for a trickler.
     */
    public static final String HEADER_TIMEOUT_DEFAULT = "10s";

    /**
     * Largest conversion or webhook body accepted; larger ones get 413.
     */
    public static final String MAX_BODY_SIZE_PROP_NAME = "ricochet.tracker.max.body.size";

    /**
     * Default for {@link #MAX_BODY_SIZE_PROP_NAME}: 256 KiB, well above a Shopify order with many lines.
     */
    public static final int MAX_BODY_SIZE_DEFAULT = 256 * 1024;

    /**
     * Absolute deadline for a request's body, from the end of its head to its last byte; a slower body gets 408 and
     * the connection is closed (a body trickled byte by byte would otherwise hold its connection and its share of the
     * body budget for as long as the sender likes).
     */
    public static final String BODY_TIMEOUT_PROP_NAME = "ricochet.tracker.body.timeout";

    /**
     * Default for {@link #BODY_TIMEOUT_PROP_NAME}: a 256 KiB body in 10 s is 26 KB/s, far below any webhook sender.
     */
    public static final String BODY_TIMEOUT_DEFAULT = "10s";

    /**
     * Bytes of conversion and webhook bodies the edge holds at once across all connections, counted as they arrive;
     * a body that would pass it is refused with 503, {@code Retry-After: 1} and a close.
     */
    public static final String BODIES_IN_FLIGHT_MAX_PROP_NAME = "ricochet.tracker.bodies.in.flight.max";

    /**
     * Default for {@link #BODIES_IN_FLIGHT_MAX_PROP_NAME}: 32 MiB, 128 full-size bodies at once, an eighth of the
     * default 256 MB heap.
     */
    public static final String BODIES_IN_FLIGHT_MAX_DEFAULT = "32m";

    /**
     * Sustained rate of browser hits (clicks, previews and pixel hits) one client address may make, as
     * {@code N/s}, {@code N/m} or {@code N/h}; 0 turns the per-address limit off. IPv4 addresses are limited one by
     * one, IPv6 ones by /64 (what one subscriber gets).
     */
    public static final String RATE_LIMIT_ADDRESS_PROP_NAME = "ricochet.tracker.rate.limit.address";

    /**
     * Default for {@link #RATE_LIMIT_ADDRESS_PROP_NAME}: far above what a household or an office makes, so that the
     * shoppers behind one carrier-grade NAT address are not limited for each other.
     */
    public static final String RATE_LIMIT_ADDRESS_DEFAULT = "20/s";

    /**
     * Hits one client address may make at once above its sustained rate (the token bucket's size).
     */
    public static final String RATE_LIMIT_ADDRESS_BURST_PROP_NAME = "ricochet.tracker.rate.limit.address.burst";

    /**
     * Default for {@link #RATE_LIMIT_ADDRESS_BURST_PROP_NAME}.
     */
    public static final int RATE_LIMIT_ADDRESS_BURST_DEFAULT = 200;

    /**
     * Client addresses (CIDR blocks, comma-separated) the per-address limit does not apply to: proxies in front of
     * the edge, whose one address carries every client's hits. Empty for none.
     */
    public static final String RATE_LIMIT_EXEMPT_PROP_NAME = "ricochet.tracker.rate.limit.exempt";

    /**
     * Default for {@link #RATE_LIMIT_EXEMPT_PROP_NAME}: loopback, where a TLS-terminating proxy on the same host comes
     * from; no client on the internet can.
     */
    public static final String RATE_LIMIT_EXEMPT_DEFAULT = "127.0.0.0/8,::1/128";

    /**
     * Sustained rate of clicks and previews one link may take, as {@code N/s}, {@code N/m} or {@code N/h}; 0 turns
     * the per-link limit off.
     */
    public static final String RATE_LIMIT_LINK_PROP_NAME = "ricochet.tracker.rate.limit.link";

    /**
     * Default for {@link #RATE_LIMIT_LINK_PROP_NAME}: a link in a viral post stays well under it; a click flood from
     * many addresses on one link does not.
     */
    public static final String RATE_LIMIT_LINK_DEFAULT = "2000/s";

    /**
     * Clicks one link may take at once above its sustained rate.
     */
    public static final String RATE_LIMIT_LINK_BURST_PROP_NAME = "ricochet.tracker.rate.limit.link.burst";

    /**
     * Default for {@link #RATE_LIMIT_LINK_BURST_PROP_NAME}: ten seconds at the sustained rate.
     */
    public static final int RATE_LIMIT_LINK_BURST_DEFAULT = 20_000;

    /**
     * What a hit over a limit gets: {@code redirect} (the shopper still lands and the pixel still answers, but nothing
     * is journaled: no click, no credit) or {@code 429} (Too Many Requests with Retry-After).
     */
    public static final String RATE_LIMIT_ACTION_PROP_NAME = "ricochet.tracker.rate.limit.action";

    /**
     * Default for {@link #RATE_LIMIT_ACTION_PROP_NAME}.
     */
    public static final String RATE_LIMIT_ACTION_DEFAULT = "redirect";

    static final String RATE_LIMIT_ACTION_REDIRECT = "redirect";
    static final String RATE_LIMIT_ACTION_REJECT = "429";

    /**
     * Buckets each limiter keeps (a power of two, 8 bytes each): the bound on its memory. More clients or links than
     * this at once evict each other's buckets, which only ever lets hits through, never limits an innocent one.
     */
    public static final String RATE_LIMIT_SLOTS_PROP_NAME = "ricochet.tracker.rate.limit.slots";

    /**
     * Default for {@link #RATE_LIMIT_SLOTS_PROP_NAME}: 512 KiB per limiter.
     */
    public static final int RATE_LIMIT_SLOTS_DEFAULT = 65_536;

    /**
     * How late an event loop's probe may run before the loop counts as overloaded: over it on consecutive probes, the
     * loop answers requests with 503 and Retry-After until a probe is on time again. 0 turns shedding off.
     */
    public static final String OVERLOAD_LAG_PROP_NAME = "ricochet.tracker.overload.lag";

    /**
     * Default for {@link #OVERLOAD_LAG_PROP_NAME}: a request already waits this long before the edge reads it; a
     * closed-loop benchmark at peak keeps the lag near a millisecond.
     */
    public static final String OVERLOAD_LAG_DEFAULT = "500ms";

    /**
     * Which classifier judges a user agent a bot: {@code tokens} (the token list alone) or {@code yauaa} (the token
     * list, plus the yauaa library's verdict once it has one for that user agent; built in the background at start).
     */
    public static final String BOT_CLASSIFIER_PROP_NAME = "ricochet.tracker.bot.classifier";

    /**
     * Default for {@link #BOT_CLASSIFIER_PROP_NAME}: the token list alone. yauaa keeps about 90 MB of heap, which the
     * launcher's 256 MB heap cannot spare next to a million links (measured: redirects a quarter as fast, from
     * collections); turn it on with a bigger heap (README, Abuse at the edge).
     */
    public static final String BOT_CLASSIFIER_DEFAULT = "tokens";

    /**
     * How long after the edge starts serving the yauaa analyzer starts building, so that the first requests after a
     * start do not share the cores with the build.
     */
    static final long BOT_CLASSIFIER_DELAY_MS = 5_000;

    static final String BOT_CLASSIFIER_YAUAA = "yauaa";
    static final String BOT_CLASSIFIER_TOKENS = "tokens";

    private TrackerConfiguration()
    {
    }
}
