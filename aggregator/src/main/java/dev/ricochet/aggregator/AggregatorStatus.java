package dev.ricochet.aggregator;

import dev.ricochet.aggregator.admin.AdminApi;

/**
 * The aggregator as the admin API's health, readiness and metrics see it, from their own threads: every value is read
 * from a volatile field the agent's thread alone writes ({@link AggregatorProgress}, and the agent's and the counters'
 * own counts).
 */
final class AggregatorStatus implements AdminApi.AggregatorView
{
    private final AggregatorAgent agent;
    private final AggregatorProgress progress;
    private final long stallTimeoutMs;

    /**
     * @param agent          the running agent.
     * @param stallTimeoutMs how long the agent may apply nothing while events wait before readiness fails.
     */
    AggregatorStatus(final AggregatorAgent agent, final long stallTimeoutMs)
    {
        this.agent = agent;
        this.progress = agent.progress();
        this.stallTimeoutMs = stallTimeoutMs;
    }

    @Override
    public long appliedIndex()
    {
        return progress.appliedIndex();
    }

    @Override
    public long committedIndex()
    {
        return progress.committedIndex();
    }

    @Override
    public boolean hasFailed()
    {
        return progress.hasFailed();
    }

    @Override
    public long eventsApplied()
    {
        return progress.eventsApplied();
    }

    @Override
    public String stallReason()
    {
        return progress.stallReason();
    }

    @Override
    public String progressStall()
    {
        return progress.progressStall(stallTimeoutMs);
    }

    @Override
    public long headerTimesBounded()
    {
        return progress.headerTimesBounded();
    }

    @Override
    public long storeFailures()
    {
        return progress.storeFailures();
    }

    @Override
    public long storeRecoveries()
    {
        return progress.storeRecoveries();
    }

    @Override
    public long amountsRefused()
    {
        return agent.amountsRefused();
    }

    @Override
    public long auditSeqOf(final long journalIndex)
    {
        return agent.auditSeqOf(journalIndex);
    }

    @Override
    public long counterSaturations()
    {
        return agent.counterSaturations();
    }

    @Override
    public long lagEvents()
    {
        return progress.lagEvents();
    }
}
