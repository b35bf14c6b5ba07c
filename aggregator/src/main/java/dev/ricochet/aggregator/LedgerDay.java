package dev.ricochet.aggregator;

import dev.ricochet.aggregator.commission.CommissionEngine;
import dev.ricochet.aggregator.ledger.LedgerTable;
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

    private final LedgerTable ledgerTable;
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
        this.ledgerTable = new LedgerTable(store);
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
        final int ledgerDay = new LedgerTable(store).ledgerDay();
        // A ledger day stored ahead of the wall clock was set by a sender's time (before issue 15): brought back to
        // today, so that the ledger's approvals and reviews run again from here instead of waiting for that day.
        final int latestDay = (int)Math.floorDiv(latestMs, DAY_MS);
        return Integer.MIN_VALUE == ledgerDay ? Integer.MIN_VALUE : Math.min(ledgerDay, latestDay);
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
            ledgerTable.putLedgerDay(batch, commissions.today());
        }
    }
}
