package dev.ricochet.aggregator.directory;

import dev.ricochet.aggregator.health.HealthScore;
import dev.ricochet.aggregator.store.StateStore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The partners' health scores ({@link HealthScore}, a 90-day scan each), computed when first needed and kept until
 * the partner's counters change (a commit writes new totals for it: its {@link DirectoryEntry#countersStamp()}
 * moves) or the day changes. A score is therefore always the one {@link HealthScore} gives for the committed buckets
 * of the day asked about. Any thread.
 */
final class HealthCache
{
    private record Score(int day, long stamp, int score)
    {
    }

    private final StateStore store;
    private final Map<Integer, Score> scores = new ConcurrentHashMap<>();

    HealthCache(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param entry a partner.
     * @param today the UTC epoch day asked about.
     * @return its score.
     */
    int score(final DirectoryEntry entry, final int today)
    {
        final Score cached = scores.get(entry.number());
        if (null != cached && cached.day == today && cached.stamp == entry.countersStamp())
        {
            return cached.score;
        }
        // The entry's stamp was published after the commit that wrote its counters: the store holds at least those.
        final int score = HealthScore.of(store, entry.number(), today).score();
        scores.put(entry.number(), new Score(today, entry.countersStamp(), score));
        return score;
    }
}
