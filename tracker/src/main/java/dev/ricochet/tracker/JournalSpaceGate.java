package dev.ricochet.tracker;

import dev.ricochet.ingest.JournalSpaceMonitor;
import io.netty.channel.ChannelHandlerContext;

/**
 * The free-space watermark at the door: while the journal's disk is low nothing is appended. Money (conversions,
 * webhooks, postbacks) is refused with 503 and Retry-After, so senders retry once space is back; browser hits get
 * 503 only under the {@code unavailable} policy, otherwise their caller answers them without journaling.
 */
final class JournalSpaceGate
{
    private final JournalSpaceMonitor journalSpace;
    private final UnjournaledClicks onLowSpace;
    private final boolean isJournalOff;
    private final TrackerCounters counters;

    JournalSpaceGate(
        final JournalSpaceMonitor journalSpace,
        final UnjournaledClicks onLowSpace,
        final ClickDurability durability,
        final TrackerCounters counters)
    {
        this.journalSpace = journalSpace;
        this.onLowSpace = onLowSpace;
        this.isJournalOff = ClickDurability.OFF == durability;
        this.counters = counters;
    }

    /**
     * @param isMoney true for conversions and webhooks, which are always refused while low.
     * @return true if the journal is low on space: a 503 was written (always for money), or, for a browser hit under
     * the {@code redirect} policy, the caller answers it unjournaled (see {@link #servesBrowserHits()}).
     */
    boolean isLow(final ChannelHandlerContext ctx, final boolean isMoney)
    {
        if (!journalSpace.isLow() || (!isMoney && isJournalOff))
        {
            return false;
        }
        if (isMoney || UnjournaledClicks.UNAVAILABLE == onLowSpace)
        {
            counters.increment(TrackerCounter.JOURNAL_LOW_SPACE_REJECTIONS);
            ctx.write(Responses.lowSpace(journalSpace.reason()), ctx.voidPromise());
        }
        else
        {
            counters.increment(TrackerCounter.CLICKS_UNJOURNALED);
        }
        return true;
    }

    /**
     * @return true if browser hits are still answered (unjournaled) while the journal is low on space.
     */
    boolean servesBrowserHits()
    {
        return UnjournaledClicks.REDIRECT == onLowSpace;
    }
}
