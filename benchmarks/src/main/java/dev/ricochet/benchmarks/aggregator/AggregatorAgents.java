package dev.ricochet.benchmarks.aggregator;

import dev.ricochet.aggregator.AggregatorAgent;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.Settings;
import org.agrona.concurrent.EpochClock;

import static dev.ricochet.aggregator.AggregatorConfiguration.COMMIT_INTERVAL_DEFAULT;
import static dev.ricochet.aggregator.AggregatorConfiguration.COMMIT_INTERVAL_PROP_NAME;
import static dev.ricochet.aggregator.AggregatorConfiguration.COMMIT_MAX_EVENTS_DEFAULT;
import static dev.ricochet.aggregator.AggregatorConfiguration.COMMIT_MAX_EVENTS_PROP_NAME;
import static dev.ricochet.aggregator.AggregatorConfiguration.UNIQUE_CLICK_WINDOW_DEFAULT;
import static dev.ricochet.aggregator.AggregatorConfiguration.UNIQUE_CLICK_WINDOW_PROP_NAME;

/**
 * The real {@link AggregatorAgent} through its public constructor, with the settings the aggregator would resolve, so
 * that a benchmark drives it on its own thread without {@code Aggregator}'s admin server,
 * webhook dispatcher and clock thread.
 */
final class AggregatorAgents
{
    private AggregatorAgents()
    {
    }

    /**
     * An agent with the settings {@code Aggregator.Context} would resolve (defaults or system properties).
     *
     * @param journal    journal to tail.
     * @param store      state store; the agent resumes after its committed position.
     * @param catalog    catalog, restored by the caller if the store is not fresh.
     * @param epochClock clock for commit intervals.
     * @return the agent; the caller calls {@link AggregatorAgent#onStart()}, then doWork, then onClose.
     */
    static AggregatorAgent newAgent(
        final Journal journal, final StateStore store, final Catalog catalog, final EpochClock epochClock)
    {
        final long uniqueClickWindowMs =
            Settings.durationMs(UNIQUE_CLICK_WINDOW_PROP_NAME, UNIQUE_CLICK_WINDOW_DEFAULT);
        final long commitIntervalMs = Settings.durationMs(COMMIT_INTERVAL_PROP_NAME, COMMIT_INTERVAL_DEFAULT);
        final int commitMaxEvents = Settings.integer(
            COMMIT_MAX_EVENTS_PROP_NAME, COMMIT_MAX_EVENTS_DEFAULT, 1, 10_000_000);

        return new AggregatorAgent(
            journal, store, catalog, epochClock, uniqueClickWindowMs, commitIntervalMs, commitMaxEvents);
    }
}
