package dev.ricochet.tracker;

import dev.ricochet.ingest.Settings;

import static dev.ricochet.tracker.TrackerConfiguration.*;

/**
 * The limits the edge holds each HTTP request to: request line, headers, body, and how long each may take; the first
 * layer of {@link TrackerSettings}.
 *
 * @param <C> the concrete context.
 */
public abstract class HttpLimitSettings<C extends HttpLimitSettings<C>>
{
    private int maxRequestLineLength = Settings.integer(
        MAX_REQUEST_LINE_LENGTH_PROP_NAME, MAX_REQUEST_LINE_LENGTH_DEFAULT, 256, 65_536);
    private int maxHeaderSize = Settings.integer(MAX_HEADER_SIZE_PROP_NAME, MAX_HEADER_SIZE_DEFAULT, 1024, 65_536);
    private int maxBodySize = Settings.integer(MAX_BODY_SIZE_PROP_NAME, MAX_BODY_SIZE_DEFAULT, 1024, 16 << 20);
    private long bodyTimeoutMs = Settings.durationMs(BODY_TIMEOUT_PROP_NAME, BODY_TIMEOUT_DEFAULT);
    private long bodiesInFlightMaxBytes =
        Settings.sizeBytes(BODIES_IN_FLIGHT_MAX_PROP_NAME, BODIES_IN_FLIGHT_MAX_DEFAULT);
    private long idleTimeoutMs = 60_000;
    private long headerTimeoutMs = Settings.durationMs(HEADER_TIMEOUT_PROP_NAME, HEADER_TIMEOUT_DEFAULT);

    /**
     * @return this, as the concrete context.
     */
    protected abstract C self();

    /**
     * Validate the limits; part of {@link TrackerSettings#conclude()}.
     */
    void concludeHttpLimits()
    {
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
    }

    /**
     * @param idleTimeoutMs close connections idle this long.
     * @return this for a fluent API.
     */
    public C idleTimeoutMs(final long idleTimeoutMs)
    {
        this.idleTimeoutMs = idleTimeoutMs;
        return self();
    }

    long idleTimeoutMs()
    {
        return idleTimeoutMs;
    }

    /**
     * @param headerTimeoutMs longest time from a request's first byte to the end of its headers.
     * @return this for a fluent API.
     */
    public C headerTimeoutMs(final long headerTimeoutMs)
    {
        this.headerTimeoutMs = headerTimeoutMs;
        return self();
    }

    long headerTimeoutMs()
    {
        return headerTimeoutMs;
    }

    /**
     * @param bodyTimeoutMs longest time from the end of a request's head to the end of its body.
     * @return this for a fluent API.
     */
    public C bodyTimeoutMs(final long bodyTimeoutMs)
    {
        this.bodyTimeoutMs = bodyTimeoutMs;
        return self();
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
    public C bodiesInFlightMaxBytes(final long maxBytes)
    {
        this.bodiesInFlightMaxBytes = maxBytes;
        return self();
    }

    long bodiesInFlightMaxBytes()
    {
        return bodiesInFlightMaxBytes;
    }

    /**
     * @param maxBodySize largest conversion or webhook body, see {@link TrackerConfiguration#MAX_BODY_SIZE_PROP_NAME}.
     * @return this for a fluent API.
     */
    public C maxBodySize(final int maxBodySize)
    {
        this.maxBodySize = maxBodySize;
        return self();
    }

    int maxBodySize()
    {
        return maxBodySize;
    }

    int maxRequestLineLength()
    {
        return maxRequestLineLength;
    }

    int maxHeaderSize()
    {
        return maxHeaderSize;
    }

    String httpLimitsText()
    {
        return ", maxRequestLineLength=" + maxRequestLineLength +
            ", maxHeaderSize=" + maxHeaderSize + ", maxBodySize=" + maxBodySize +
            ", bodyTimeoutMs=" + bodyTimeoutMs + ", bodiesInFlightMaxBytes=" + bodiesInFlightMaxBytes;
    }
}
