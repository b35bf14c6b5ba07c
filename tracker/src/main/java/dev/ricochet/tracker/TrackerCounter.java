package dev.ricochet.tracker;

/**
 * The edge's counters, with stable ids and Prometheus names; dashboards in {@code ops/} read these names.
 */
public enum TrackerCounter
{
    CLICKS_RECORDED(0, "clicks_recorded", "Clicks journaled and answered with a redirect"),
    PREVIEWS_RECORDED(1, "previews_recorded", "HEAD requests on links, journaled as previews"),
    BOT_CLICKS_RECORDED(2, "bot_clicks_recorded", "Clicks journaled with the bot flag"),
    PIXEL_HITS_RECORDED(3, "pixel_hits_recorded", "Pixel hits journaled"),
    UNKNOWN_LINK(4, "unknown_link", "Requests for a link code the directory does not know"),
    BAD_REQUESTS(5, "bad_requests", "Requests answered 4xx for malformed input"),
    JOURNAL_APPEND_FAILURES(6, "journal_append_failures", "Events the journal did not accept"),
    UNEXPECTED_ERRORS(7, "unexpected_errors", "Exceptions caught in the pipeline; the channel was closed"),
    CONVERSIONS_RECORDED(8, "conversions_recorded", "Conversions durably journaled and acknowledged"),
    CONVERSIONS_DUPLICATE(9, "conversions_duplicate", "Conversions this edge had already journaled (sender retries)"),
    CONVERSIONS_REJECTED(10, "conversions_rejected", "Conversion requests rejected: bad signature, key or body"),
    WEBHOOKS_IGNORED(11, "webhooks_ignored", "Authenticated webhooks of event types Ricochet does not use"),
    DEAD_LETTERS(12, "dead_letters", "Authenticated but unusable input kept in the journal with its reason"),
    DURABLE_APPEND_FAILURES(13, "durable_append_failures", "Conversions answered 503 because the journal sync failed"),
    CLICKS_UNJOURNALED(14, "clicks_unjournaled",
        "Clicks and pixel hits answered without a journal entry (durability off, or journal disk low on space)"),
    JOURNAL_LOW_SPACE_REJECTIONS(15, "journal_low_space_rejections",
        "Requests answered 503 because the journal's disk is below ricochet.tracker.journal.min.free"),
    SLOW_REQUESTS(16, "slow_requests",
        "Connections closed with 408: a request head or body not complete within its timeout"),
    EMBEDDED_HITS_REFUSED(17, "embedded_hits_refused",
        "Link hits loaded as an image, script or frame (Sec-Fetch-Dest), refused without a click: cookie stuffing"),
    RATE_LIMITED_ADDRESS(18, "rate_limited_address",
        "Browser hits over their client address's rate limit: answered 429, or served without a journal entry"),
    RATE_LIMITED_LINK(19, "rate_limited_link",
        "Clicks over their link's rate limit: answered 429, or redirected without a journal entry"),
    OVERLOAD_SHED(20, "overload_shed", "Requests answered 503 with Retry-After because their event loop was overloaded"),
    OVERLOAD_EPISODES(21, "overload_episodes", "Times an event loop started shedding after consecutive late probes"),
    BOTS_BY_LIBRARY(22, "bots_by_library",
        "Hits journaled as bots on the yauaa library's verdict, which the token list alone would have let through"),
    BOT_VERDICTS_PENDING(23, "bot_verdicts_pending",
        "Hits judged by the token list alone: yauaa was still building or had no verdict for the user agent yet"),
    BOT_VERDICT_QUEUE_FULL(24, "bot_verdict_queue_full",
        "User agents not queued for a yauaa verdict because the queue was full (queued again on a later hit)"),
    BODY_BUDGET_REFUSED(25, "body_budget_refused",
        "Request bodies refused with 503 and closed: the bytes of all bodies in flight had reached their budget"),
    PIPELINE_REFUSED(26, "pipeline_refused",
        "Pipelined requests refused unprocessed (503, close): more were waiting on one connection than the depth"),
    SPECULATIVE_HITS_REFUSED(27, "speculative_hits_refused",
        "Link prefetches and prerenders (Sec-Purpose, Purpose, X-Purpose, X-Moz) refused with 403, no click"),
    VISITOR_COOKIES_REPLACED(28, "visitor_cookies_replaced",
        "Visitor cookies whose MAC did not verify (forged, unsigned, another deployment's), replaced by a new id"),
    PIXEL_CONVERSIONS_RECORDED(29, "pixel_conversions_recorded",
        "Conversions reported by the browser through the pixel (e=conversion), decided at the edge and journaled"),
    PIXEL_AMOUNTS_REFUSED(30, "pixel_amounts_refused",
        "Pixel conversion reports dropped because their amount was no plain integer or past the bound");

    private final int id;
    private final String label;
    private final String description;

    TrackerCounter(final int id, final String label, final String description)
    {
        this.id = id;
        this.label = label;
        this.description = description;
    }

    /**
     * @return stable id of the counter.
     */
    public int id()
    {
        return id;
    }

    /**
     * @return metric name suffix.
     */
    public String label()
    {
        return label;
    }

    /**
     * @return one line for the metric's HELP text.
     */
    public String description()
    {
        return description;
    }
}
