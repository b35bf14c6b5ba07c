package dev.ricochet.aggregator;

import dev.ricochet.ingest.Journal;

import java.util.concurrent.TimeUnit;

/**
 * How far the aggregator agent has got, as other threads see it: the admin API's health, readiness and metrics, the
 * launcher's shutdown and the ops tools read it while the agent's thread writes it.
 *
 * <p>Single writer: only the agent's thread calls the methods that change it. Every field is volatile, so a reader
 * sees each value the agent published, and a position once it is published; the agent writes them once per poll or
 * per commit, never per event (a bounded header time, rare, is the exception).
 */
final class AggregatorProgress
{
    private final Journal journal;
    private volatile long appliedIndex;
    private volatile long committedIndex;
    private volatile long eventsApplied;
    private volatile long lastProgressNs;
    private volatile long headerTimesBounded;
    private volatile boolean failed;
    private volatile String stallReason;
    private volatile long storeFailures;
    private volatile long storeRecoveries;

    /**
     * @param journal        the journal the agent tails, for the lag behind it.
     * @param committedIndex the journal position the state store holds at start.
     */
    AggregatorProgress(final Journal journal, final long committedIndex)
    {
        this.journal = journal;
        this.committedIndex = committedIndex;
        this.appliedIndex = committedIndex;
    }

    /**
     * The agent starts polling (agent thread only).
     */
    void onStart()
    {
        lastProgressNs = System.nanoTime();
    }

    /**
     * A poll returned (agent thread only): progress, or caught up (nothing to read). A stuck event never gets here.
     *
     * @param index  the poller's position after the poll.
     * @param polled events the poll applied.
     */
    void onPoll(final long index, final int polled)
    {
        appliedIndex = index;
        if (polled > 0)
        {
            // Single writer: a plain add published by a volatile store, once per poll.
            eventsApplied = eventsApplied + polled;
        }
        // Monotonic time, not the epoch clock: a clock set back or forward is no stall.
        lastProgressNs = System.nanoTime();
    }

    /**
     * Everything applied up to a position is committed (agent thread only).
     *
     * @param index the journal position now in the state store.
     */
    void onCommitted(final long index)
    {
        committedIndex = index;
    }

    /**
     * An event was applied with its header time bounded (agent thread only).
     */
    void onHeaderTimeBounded()
    {
        headerTimesBounded = headerTimesBounded + 1;
    }

    /**
     * The agent stopped on a failure (agent thread only); a restart resumes from the last commit.
     */
    void onFailed()
    {
        failed = true;
    }

    /**
     * The state store refused a write or a reopen (agent thread only).
     */
    void onStoreFailure()
    {
        storeFailures = storeFailures + 1;
    }

    /**
     * The agent waits for its state store (agent thread only).
     *
     * @param reason why, and when it tries again.
     */
    void onStalled(final String reason)
    {
        stallReason = reason;
    }

    /**
     * The refused commit is written (agent thread only).
     */
    void onRecovered()
    {
        storeRecoveries = storeRecoveries + 1;
        stallReason = null;
    }

    /**
     * @return index of the last event applied to in-memory state (visible to catalog readers).
     */
    long appliedIndex()
    {
        return appliedIndex;
    }

    /**
     * @return index of the last journal event whose effects are committed.
     */
    long committedIndex()
    {
        return committedIndex;
    }

    /**
     * @return journal events applied since start.
     */
    long eventsApplied()
    {
        return eventsApplied;
    }

    /**
     * @return {@link System#nanoTime()} at which the agent's last poll returned (having applied events, or found
     *         none); it does not move while one event holds the agent, whatever the reason.
     */
    long lastProgressNs()
    {
        return lastProgressNs;
    }

    /**
     * @return events applied with their header time bounded, since start.
     */
    long headerTimesBounded()
    {
        return headerTimesBounded;
    }

    /**
     * @return true if the agent stopped on a failure.
     */
    boolean hasFailed()
    {
        return failed;
    }

    /**
     * @return why the agent is not applying events while it waits for the state store, or null if it is not.
     */
    String stallReason()
    {
        return stallReason;
    }

    /**
     * @return failed attempts to commit since start: writes the state store refused and reopens that failed.
     */
    long storeFailures()
    {
        return storeFailures;
    }

    /**
     * @return stalls that ended with the refused commit written.
     */
    long storeRecoveries()
    {
        return storeRecoveries;
    }

    /**
     * @return journal events not yet applied: how far the aggregator is behind the edge.
     */
    long lagEvents()
    {
        return journal.eventsAfter(appliedIndex);
    }

    /**
     * Readiness: one event holding the agent longer than the stall timeout while events wait. A failed agent, or one
     * waiting for its state store, says so elsewhere.
     *
     * @param stallTimeoutMs how long the agent may apply nothing while events wait.
     * @return why the aggregator is making no progress, or null.
     */
    String progressStall(final long stallTimeoutMs)
    {
        final long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastProgressNs);
        if (idleMs < stallTimeoutMs || failed || null != stallReason)
        {
            return null;
        }
        final long lag = lagEvents();
        return lag <= 0 ? null : "the aggregator has applied nothing for " + idleMs + " ms while " + lag +
            " journal events wait (stall timeout " + stallTimeoutMs + " ms); a restart resumes from the last " +
            "commit";
    }
}
