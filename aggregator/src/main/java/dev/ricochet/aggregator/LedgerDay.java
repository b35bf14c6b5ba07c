package dev.ricochet.aggregator;

import dev.ricochet.aggregator.commission.CommissionEngine;
import dev.ricochet.aggregator.store.StateStore;
import org.rocksdb.WriteBatch;

/**
 * The agent's role for the ledger's day. The ledger's clock is the journal's: the latest event time seen, saved as a
 * day with each commit. Entering a new day approves what is due and reviews tiers, which reads committed state, so
 * what is applied so far is committed first. Aggregator thread only.
 */
final class LedgerDay
{
    static final long DAY_MS = 86_400_000L;
    private static final String LEDGER_DAY = "ledger.day";

    private final StateStore store;
    private final WriteBatch batch;
    private final CommissionEngine commissions;
    private final Runnable commitApplied;

    /**
     * @param store         the state store.
     * @param batch         the agent's batch the day is written to.
     * @param commissions   the commission engine, whose day this is.
     * @param commitApplied commits everything applied before the current event.
     */
    LedgerDay(
        final StateStore store,
        final WriteBatch batch,
        final CommissionEngine commissions,
        final Runnable commitApplied)
    {
        this.store = store;
        this.batch = batch;
        this.commissions = commissions;
        this.commitApplied = commitApplied;
    }

    /**
     * @param store    the state store.
     * @param latestMs the latest event time the agent accepts now.
     * @return the ledger's day saved with the last commit, or {@link Integer#MIN_VALUE} if none.
     */
    static int restore(final StateStore store, final long latestMs)
    {
        final byte[] ledgerDay = store.meta(LEDGER_DAY);
        // A ledger day stored ahead of the wall clock was set by a sender's time (before issue 15): brought back to
        // today, so that the ledger's approvals and reviews run again from here instead of waiting for that day.
        final int latestDay = (int)Math.floorDiv(latestMs, DAY_MS);
        return null == ledgerDay ? Integer.MIN_VALUE :
            Math.min(java.nio.ByteBuffer.wrap(ledgerDay).getInt(), latestDay);
    }

    /**
     * Move the ledger's clock to an event's time.
     *
     * @param timestampMs the event's header time.
     */
    void advanceTo(final long timestampMs)
    {
        final int day = (int)Math.floorDiv(timestampMs, DAY_MS);
        if (day > commissions.today())
        {
            commitApplied.run();
            commissions.advanceTo(day);
        }
    }

    /**
     * Write the ledger's day into the batch of a commit.
     */
    void flush()
    {
        if (Integer.MIN_VALUE != commissions.today())
        {
            store.putMeta(batch, LEDGER_DAY, java.nio.ByteBuffer.allocate(4).putInt(commissions.today()).array());
        }
    }
}
