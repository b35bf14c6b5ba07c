package dev.ricochet.aggregator;

import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.CrashPoints;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.Settings;
import org.agrona.concurrent.AgentTerminationException;
import org.rocksdb.WriteBatch;

/**
 * The agent's role for the state store: writes a commit, the batch together with its journal position in one atomic
 * RocksDB write, and stalls when RocksDB refuses it (disk full, I/O error).
 *
 * <p>A stall keeps the refused batch and everything the agent applied in memory; the agent stops polling and calls
 * {@link #retry(long)}, which waits with a doubling backoff (100 ms, up to
 * {@link StoreRetry#maxBackoffMs()}) and enough free space on the state disk, reopens the store
 * (RocksDB refuses every write after a failed one) and writes the same batch. The committed position never moves past
 * what RocksDB holds. {@link AggregatorProgress#stallReason()} says why meanwhile. Aggregator thread only.
 */
final class CommitWriter
{
    static final long STORE_RETRY_INITIAL_MS = 100;

    /**
     * How the agent retries a commit the state store refused.
     *
     * @param maxBackoffMs longest wait between two attempts; the first is after 100 ms, doubling.
     * @param minFreeBytes free space the state disk needs before a reopen is tried: below it the store stays open
     *                     (reads keep working) and the agent keeps waiting. A reopen flushes the recovered memtable
     *                     into a table file and deletes the old WAL, so trying it on a full disk would fail, or succeed
     *                     only by the space RocksDB itself gives back.
     */
    record StoreRetry(long maxBackoffMs, long minFreeBytes)
    {
        /**
         * @return the retry configured by {@link AggregatorConfiguration#STORE_RETRY_MAX_PROP_NAME} and
         *         {@link AggregatorConfiguration#STORE_MIN_FREE_PROP_NAME}, or their defaults.
         */
        static StoreRetry fromSettings()
        {
            return new StoreRetry(
                Settings.durationMs(AggregatorConfiguration.STORE_RETRY_MAX_PROP_NAME,
                    AggregatorConfiguration.STORE_RETRY_MAX_DEFAULT),
                Settings.sizeBytes(AggregatorConfiguration.STORE_MIN_FREE_PROP_NAME,
                    AggregatorConfiguration.STORE_MIN_FREE_DEFAULT));
        }
    }

    private final StateStore store;
    private final WriteBatch batch;
    private final StoreRetry storeRetry;
    private final AggregatorProgress progress;
    private long stalledPosition = Journal.NULL_INDEX;
    private String stalledBecause;
    private long storeRetryAtMs;
    private long storeRetryBackoffMs;

    /**
     * @param store      the state store.
     * @param batch      the agent's batch.
     * @param storeRetry how a refused commit is retried.
     * @param progress   the agent's progress, for the committed position.
     */
    CommitWriter(
        final StateStore store,
        final WriteBatch batch,
        final StoreRetry storeRetry,
        final AggregatorProgress progress)
    {
        this.store = store;
        this.batch = batch;
        this.storeRetry = storeRetry;
        this.progress = progress;
    }

    /**
     * Write the batch with the journal position it brings the state to.
     *
     * @param position journal index of the last event the batch holds the effects of.
     * @param nowMs    epoch clock.
     * @throws CommitStalled if the store refused the write: the agent is stalled.
     */
    void write(final long position, final long nowMs)
    {
        try
        {
            if (CrashPoints.SPLIT_CHECKPOINT)
            {
                writeStateThenCheckpoint(position);
            }
            else
            {
                store.putJournalPosition(batch, position);
                if (CrashPoints.ENABLED)
                {
                    CrashPoints.hit(CrashPoints.Point.AGGREGATOR_AFTER_BATCH);
                }
                store.write(batch);
            }
        }
        catch (final StateStore.WriteFailedException ex)
        {
            stall(position, ex.getMessage(), nowMs);
            throw CommitStalled.INSTANCE;
        }
        if (CrashPoints.ENABLED)
        {
            CrashPoints.hit(CrashPoints.Point.AGGREGATOR_AFTER_WRITE);
        }
    }

    /**
     * @return true while a refused commit waits to be written.
     */
    boolean isStalled()
    {
        return Journal.NULL_INDEX != stalledPosition;
    }

    /**
     * The store refused the batch holding everything applied up to {@code position}: keep the batch and the
     * in-memory state as they are (the flushes have moved pending changes into the batch, so it must be written
     * as is, never rebuilt) and stop reading the journal until the batch is written.
     */
    private void stall(final long position, final String reason, final long nowMs)
    {
        stalledPosition = position;
        stalledBecause = reason;
        progress.onStoreFailure();
        storeRetryBackoffMs = 0;
        backOff(nowMs, "retrying");
    }

    /**
     * Reopen the store and write the refused batch again, once the backoff has passed. The position read back after
     * the reopen tells whether the refused write had in fact landed (then it is not written twice) or not; anything
     * else means the store changed under the agent, which is fatal.
     *
     * @param nowMs epoch clock.
     * @return the journal position now committed, or {@link Journal#NULL_INDEX} while the agent still waits.
     * @throws AgentTerminationException if the store holds neither the committed nor the stalled position.
     */
    long retry(final long nowMs)
    {
        if (nowMs < storeRetryAtMs)
        {
            return Journal.NULL_INDEX;
        }
        final long usableBytes = store.usableBytes();
        if (usableBytes >= 0 && usableBytes < storeRetry.minFreeBytes())
        {
            backOff(nowMs, "waiting for " + storeRetry.minFreeBytes() + " bytes free on the state disk (" +
                usableBytes + " free)");
            return Journal.NULL_INDEX;
        }
        final long committedIndex = progress.committedIndex();
        final long storedPosition;
        try
        {
            store.reopen();
            storedPosition = store.journalPosition();
            if (storedPosition == committedIndex)
            {
                store.write(batch);
            }
        }
        catch (final RuntimeException ex)
        {
            // Refused again, or not yet openable or readable: nothing was written, wait and try again.
            progress.onStoreFailure();
            backOff(nowMs, "the retry failed too: " + ex.getMessage());
            return Journal.NULL_INDEX;
        }
        if (storedPosition == stalledPosition)
        {
            batch.clear(); // the refused write had landed after all: nothing to write again
        }
        else if (storedPosition != committedIndex)
        {
            throw new AgentTerminationException("state store holds journal index " +
                Long.toHexString(storedPosition) + " after a reopen, expected " + Long.toHexString(committedIndex) +
                " or " + Long.toHexString(stalledPosition));
        }
        return stalledPosition;
    }

    /**
     * The refused commit is written and the agent reads the journal again: the stall is over.
     */
    void recovered()
    {
        stalledPosition = Journal.NULL_INDEX;
        stalledBecause = null;
        progress.onRecovered();
    }

    private void backOff(final long nowMs, final String why)
    {
        // 100 ms after the refusal, then twice as long after each try, up to the configured longest wait.
        storeRetryBackoffMs = Math.min(Math.max(STORE_RETRY_INITIAL_MS, storeRetryBackoffMs * 2),
            storeRetry.maxBackoffMs());
        storeRetryAtMs = nowMs + storeRetryBackoffMs;
        progress.onStalled("state store write failed at journal index " + Long.toHexString(stalledPosition) +
            ", committed up to " + Long.toHexString(progress.committedIndex()) + ": " + stalledBecause + "; " + why +
            ", next try in " + storeRetryBackoffMs + " ms");
    }

    /**
     * The negative control of the crash suite, never used in production: the checkpoint in a write of its own after
     * the state, so that a crash between the two makes a restart apply the same events again.
     */
    private void writeStateThenCheckpoint(final long position)
    {
        // A batch of one write holds only the ledger-day marker (a clock tick, pixel hits): applying it twice is
        // harmless, so the crash point waits for a batch whose double application would corrupt the state.
        final boolean changesState = batch.count() > 1;
        store.write(batch);
        if (changesState)
        {
            CrashPoints.hit(CrashPoints.Point.AGGREGATOR_BETWEEN_CHECKPOINT_WRITES);
        }
        store.putJournalPosition(batch, position);
        store.write(batch);
    }

    /**
     * Unwinds a commit the store refused out of the poll (it can happen inside an event); carries nothing, since the
     * agent keeps the state.
     */
    static final class CommitStalled extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        private static final CommitStalled INSTANCE = new CommitStalled();

        private CommitStalled()
        {
            super("commit stalled", null, false, false);
        }
    }
}
