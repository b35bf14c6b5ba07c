package dev.ricochet.tracker;

/**
 * Judges a browser hit's user agent: the token list first (it sees every hit at once); then the yauaa library's
 * verdict for the user agent if it has one. Without one yet, the token list's verdict stands for this hit and the
 * user agent is queued, so its later hits get the library's. Either way the verdict is journaled with the hit and
 * never recomputed. One per channel.
 */
final class BotVerdicts
{
    private final BotClassifier botClassifier = new BotClassifier();
    private final UserAgentVerdicts verdicts;
    private final TrackerCounters counters;
    private final EdgeLoopResources loop;

    /**
     * @param verdicts the yauaa verdicts, or null when the token list judges alone.
     */
    BotVerdicts(final UserAgentVerdicts verdicts, final TrackerCounters counters, final EdgeLoopResources loop)
    {
        this.verdicts = verdicts;
        this.counters = counters;
        this.loop = loop;
    }

    boolean isBot(final String userAgent)
    {
        if (botClassifier.isBot(userAgent))
        {
            return true;
        }
        if (null == verdicts)
        {
            return false;
        }
        if (!verdicts.isReady())
        {
            counters.increment(TrackerCounter.BOT_VERDICTS_PENDING);
            return false;
        }
        // Not null here: the token list calls a hit without a user agent a bot.
        final long hash = UserAgentVerdicts.hash(userAgent);
        final int verdict = verdicts.verdict(hash);
        if (UserAgentVerdicts.BOT == verdict)
        {
            counters.increment(TrackerCounter.BOTS_BY_LIBRARY);
            return true;
        }
        if (UserAgentVerdicts.UNKNOWN == verdict)
        {
            counters.increment(TrackerCounter.BOT_VERDICTS_PENDING);
            if (loop.markOffered(hash) && !verdicts.offer(userAgent))
            {
                counters.increment(TrackerCounter.BOT_VERDICT_QUEUE_FULL);
                loop.unmarkOffered(hash);
            }
        }
        return false;
    }
}
