package dev.ricochet.tracker;

/**
 * The rate limits as resolved from their settings, see {@link TrackerConfiguration#RATE_LIMIT_ADDRESS_PROP_NAME}.
 *
 * @param addressIntervalUs microseconds between a client address's tokens, 0 for no limit.
 * @param addressBurst      bucket size per client address.
 * @param linkIntervalUs    microseconds between a link's tokens, 0 for no limit.
 * @param linkBurst         bucket size per link.
 * @param exempt            addresses the per-address limit skips.
 * @param action            what a hit over a limit gets.
 * @param slots             buckets per limiter, a power of two.
 */
record RateLimitSettings(
    long addressIntervalUs,
    int addressBurst,
    long linkIntervalUs,
    int linkBurst,
    AddressBlocks exempt,
    RateLimitAction action,
    int slots)
{
    /**
     * @return new limiters with these settings (each holds its buckets).
     */
    RateLimits newRateLimits()
    {
        return new RateLimits(addressIntervalUs, addressBurst, linkIntervalUs, linkBurst, exempt,
            RateLimitAction.REJECT == action, slots);
    }
}
