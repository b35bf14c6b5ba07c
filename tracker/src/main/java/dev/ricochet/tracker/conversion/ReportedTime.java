package dev.ricochet.tracker.conversion;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.DateTimeException;
import java.time.OffsetDateTime;

/**
 * A sender's own time for a conversion (Stripe's {@code created}, Shopify's {@code created_at}): data kept with the
 * event, never a clock. The journal header of every event is the edge's receive time; this is a field beside it.
 *
 * <p>Rule (docs/time.md): absent, it is the receive time; present but not a time (not an integer of seconds, not
 * ISO-8601, or a time whose milliseconds do not fit a long), the event is unusable and dead-lettered; otherwise it is
 * clamped into {@code [received - MAX_AGE_MS, received + MAX_AHEAD_MS]}. Clamping rather than refusing keeps a real,
 * signed sale whose sender's clock is wrong: its time is only data, so a wrong one can cost nothing.
 */
final class ReportedTime
{
    /**
     * Oldest reported time kept as is: 30 days, as long as Stripe keeps an event to resend.
     */
    static final long MAX_AGE_MS = 30L * 86_400_000L;

    /**
     * Furthest a reported time may be ahead of the receive time: 5 minutes of clock skew, Stripe's own signature
     * tolerance.
     */
    static final long MAX_AHEAD_MS = 300_000L;

    /**
     * Returned for a value that is present but not a time.
     */
    static final long NOT_A_TIME = Long.MIN_VALUE;

    private static final long MAX_SECONDS = Long.MAX_VALUE / 1000;

    private ReportedTime()
    {
    }

    /**
     * @param reportedMs the sender's time.
     * @param receivedMs the edge's receive time.
     * @return the reported time clamped into the window around the receive time.
     */
    static long bounded(final long reportedMs, final long receivedMs)
    {
        return Math.max(receivedMs - MAX_AGE_MS, Math.min(reportedMs, receivedMs + MAX_AHEAD_MS));
    }

    /**
     * @param seconds    a JSON value of Unix seconds (Stripe's {@code created}), possibly missing.
     * @param receivedMs the edge's receive time.
     * @return the bounded time in epoch ms, the receive time if missing, or {@link #NOT_A_TIME}.
     */
    static long fromUnixSeconds(final JsonNode seconds, final long receivedMs)
    {
        if (seconds.isMissingNode() || seconds.isNull())
        {
            return receivedMs;
        }
        // Seconds * 1000 past a long would wrap to any time at all: refused, like a number beyond a long.
        if (!seconds.isIntegralNumber() || !seconds.canConvertToLong() ||
            seconds.asLong() > MAX_SECONDS || seconds.asLong() < -MAX_SECONDS)
        {
            return NOT_A_TIME;
        }
        return bounded(seconds.asLong() * 1000, receivedMs);
    }

    /**
     * @param isoTime    an ISO-8601 time with offset (Shopify's {@code created_at}), or null if absent.
     * @param receivedMs the edge's receive time.
     * @return the bounded time in epoch ms, the receive time if absent, or {@link #NOT_A_TIME}.
     */
    static long fromIsoTime(final String isoTime, final long receivedMs)
    {
        if (null == isoTime)
        {
            return receivedMs;
        }
        try
        {
            // toEpochMilli throws ArithmeticException past a long (years up to 999999999 parse).
            return bounded(OffsetDateTime.parse(isoTime).toInstant().toEpochMilli(), receivedMs);
        }
        catch (final DateTimeException | ArithmeticException ex)
        {
            return NOT_A_TIME;
        }
    }
}
