package dev.ricochet.tracker.conversion;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The (program, external id) keys this edge journaled most recently, so a sender's retry is answered
 * {@code "duplicate": true} without a second journal entry. Bounded and best-effort: the aggregator's idempotency
 * on the same key is what makes a conversion count once.
 */
final class RecentConversions
{
    private final Map<String, Boolean> keys;

    RecentConversions(final int capacity)
    {
        keys = new LinkedHashMap<>(1024, 0.75f, true)
        {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<String, Boolean> eldest)
            {
                return size() > capacity;
            }
        };
    }

    static String key(final int programNumber, final String externalId)
    {
        return programNumber + "\u0000" + externalId;
    }

    synchronized boolean contains(final String key)
    {
        return keys.containsKey(key);
    }

    synchronized void add(final String key)
    {
        keys.put(key, Boolean.TRUE);
    }
}
