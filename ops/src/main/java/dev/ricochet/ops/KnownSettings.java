package dev.ricochet.ops;

import dev.ricochet.aggregator.AggregatorConfiguration;
import dev.ricochet.ingest.CrashPoints;
import dev.ricochet.ingest.Journal;
import dev.ricochet.tracker.TrackerConfiguration;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one list of {@code ricochet.*} settings the service reads, so that a misspelt key stops start-up naming the
 * nearest known one instead of being ignored. Each key is the constant its module reads it by.
 */
final class KnownSettings
{
    /**
     * Every key, in the order of ops/CONFIGURATION.md.
     */
    static final List<String> KEYS = List.of(
        Launcher.DATA_DIR_PROP_NAME,
        TrackerConfiguration.PORT_PROP_NAME,
        TrackerConfiguration.BIND_ADDRESS_PROP_NAME,
        TrackerConfiguration.EVENT_LOOP_THREADS_PROP_NAME,
        TrackerConfiguration.VISITOR_COOKIE_NAME_PROP_NAME,
        TrackerConfiguration.VISITOR_COOKIE_MAX_AGE_PROP_NAME,
        TrackerConfiguration.VISITOR_COOKIE_SECURE_PROP_NAME,
        TrackerConfiguration.CLICK_APPEND_FAILURE_PROP_NAME,
        TrackerConfiguration.CLICK_DURABILITY_PROP_NAME,
        TrackerConfiguration.JOURNAL_MIN_FREE_PROP_NAME,
        TrackerConfiguration.JOURNAL_LOW_SPACE_CLICKS_PROP_NAME,
        TrackerConfiguration.RATE_LIMIT_ADDRESS_PROP_NAME,
        TrackerConfiguration.RATE_LIMIT_ADDRESS_BURST_PROP_NAME,
        TrackerConfiguration.RATE_LIMIT_EXEMPT_PROP_NAME,
        TrackerConfiguration.RATE_LIMIT_LINK_PROP_NAME,
        TrackerConfiguration.RATE_LIMIT_LINK_BURST_PROP_NAME,
        TrackerConfiguration.RATE_LIMIT_ACTION_PROP_NAME,
        TrackerConfiguration.RATE_LIMIT_SLOTS_PROP_NAME,
        TrackerConfiguration.OVERLOAD_LAG_PROP_NAME,
        TrackerConfiguration.BOT_CLASSIFIER_PROP_NAME,
        TrackerConfiguration.MAX_REQUEST_LINE_LENGTH_PROP_NAME,
        TrackerConfiguration.MAX_HEADER_SIZE_PROP_NAME,
        TrackerConfiguration.HEADER_TIMEOUT_PROP_NAME,
        TrackerConfiguration.MAX_BODY_SIZE_PROP_NAME,
        TrackerConfiguration.BODY_TIMEOUT_PROP_NAME,
        TrackerConfiguration.BODIES_IN_FLIGHT_MAX_PROP_NAME,
        Journal.ROLL_CYCLE_PROP_NAME,
        AggregatorConfiguration.UNIQUE_CLICK_WINDOW_PROP_NAME,
        AggregatorConfiguration.COMMIT_INTERVAL_PROP_NAME,
        AggregatorConfiguration.COMMIT_MAX_EVENTS_PROP_NAME,
        AggregatorConfiguration.STATE_MEMORY_PROP_NAME,
        AggregatorConfiguration.STORE_RETRY_MAX_PROP_NAME,
        AggregatorConfiguration.STORE_MIN_FREE_PROP_NAME,
        AggregatorConfiguration.STALL_TIMEOUT_PROP_NAME,
        AggregatorConfiguration.ADMIN_PORT_PROP_NAME,
        AggregatorConfiguration.ADMIN_BIND_ADDRESS_PROP_NAME,
        AggregatorConfiguration.ADMIN_REQUEST_TIMEOUT_PROP_NAME,
        AggregatorConfiguration.ADMIN_TOKEN_PROP_NAME,
        AggregatorConfiguration.FINANCE_TOKEN_PROP_NAME,
        AggregatorConfiguration.ANALYST_TOKEN_PROP_NAME,
        AggregatorConfiguration.CLOCK_TICK_INTERVAL_PROP_NAME,
        AggregatorConfiguration.WEBHOOK_INITIAL_BACKOFF_PROP_NAME,
        AggregatorConfiguration.WEBHOOK_ALLOW_PRIVATE_NETWORKS_PROP_NAME,
        CrashPoints.POINTS_PROP_NAME,
        CrashPoints.ONE_IN_PROP_NAME,
        CrashPoints.DELAY_PROP_NAME,
        CrashPoints.AGGREGATOR_FREEZE_PROP_NAME,
        CrashPoints.SPLIT_CHECKPOINT_PROP_NAME);

    /**
     * Environment variables named like settings that are not settings: the scripts' own ({@code ops/ricochet},
     * {@code benchmarks/compare}), which the launcher's environment carries.
     */
    static final Set<String> SCRIPT_VARIABLES =
        Set.of("RICOCHET_HEAP", "RICOCHET_JAVA_OPTS", "RICOCHET_REBUILD", "RICOCHET_BENCH_WORK");

    private static final Set<String> KEY_SET = Set.copyOf(KEYS);

    private KnownSettings()
    {
    }

    /**
     * @param key a setting's name.
     * @return whether the service reads it.
     */
    static boolean isKnown(final String key)
    {
        return KEY_SET.contains(key);
    }

    /**
     * @param key    a setting the service does not read.
     * @param source where it came from, e.g. "the environment (RICOCHET_TRACKER_PROT)".
     * @return the refusal naming the nearest known key.
     */
    static String refusal(final String key, final String source)
    {
        return "unknown setting '" + key + "' from " + source + ": did you mean " + nearest(key) +
            "? (every setting: ops/CONFIGURATION.md)";
    }

    /**
     * @param key any name.
     * @return the known key with the smallest edit distance to it (the first in list order on a tie).
     */
    static String nearest(final String key)
    {
        final String lower = key.toLowerCase(Locale.ROOT);
        String best = KEYS.get(0);
        int bestDistance = Integer.MAX_VALUE;
        for (final String known : KEYS)
        {
            final int distance = editDistance(lower, known);
            if (distance < bestDistance)
            {
                best = known;
                bestDistance = distance;
            }
        }
        return best;
    }

    /**
     * Levenshtein distance: insertions, deletions and substitutions, one each.
     */
    static int editDistance(final String a, final String b)
    {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
