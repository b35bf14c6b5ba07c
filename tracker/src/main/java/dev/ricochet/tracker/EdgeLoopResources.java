package dev.ricochet.tracker;

import dev.ricochet.ingest.IdGenerator;
import dev.ricochet.ingest.JournalAppender;

/**
 * What one event loop owns alone: its journal appender, id generator, Date header value, overload probe and the
 * user agents it recently queued for a bot verdict (none is thread-safe).
 */
final class EdgeLoopResources
{
    private static final int OFFERED_SLOTS = 1024;

    final JournalAppender appender;
    final IdGenerator ids = new IdGenerator();
    final HttpDate date = new HttpDate();
    final LoopLag lag = new LoopLag();
    private final long[] offeredUserAgents = new long[OFFERED_SLOTS];

    EdgeLoopResources(final JournalAppender appender)
    {
        this.appender = appender;
    }

    /**
     * Remember a user agent queued for a verdict, so that its next hits before the verdict do not queue it again.
     *
     * @param userAgentHash from {@link UserAgentVerdicts#hash}.
     * @return false if this loop queued it recently.
     */
    boolean markOffered(final long userAgentHash)
    {
        final int slot = (int)userAgentHash & (OFFERED_SLOTS - 1);
        if (offeredUserAgents[slot] == userAgentHash)
        {
            return false;
        }
        offeredUserAgents[slot] = userAgentHash;
        return true;
    }

    /**
     * Forget a user agent whose queueing failed, so that its next hit tries again.
     *
     * @param userAgentHash from {@link UserAgentVerdicts#hash}.
     */
    void unmarkOffered(final long userAgentHash)
    {
        offeredUserAgents[(int)userAgentHash & (OFFERED_SLOTS - 1)] = 0;
    }
}
