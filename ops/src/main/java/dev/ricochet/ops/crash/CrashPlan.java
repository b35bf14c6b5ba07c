package dev.ricochet.ops.crash;

/**
 * What a run does.
 *
 * @param rounds            rounds of one hit of every crash point plus the SIGKILLs.
 * @param sigkillsPerRound  SIGKILLs at random moments per round.
 * @param negativeHits      crashes of the deliberately broken aggregator at the end.
 * @param edgePauseMs       SIGSTOP of the whole service (0: none).
 * @param aggregatorPauseMs the aggregator's thread frozen while the edge serves (0: none); edge and aggregator
 *                          are one process, so a SIGSTOP cannot freeze the aggregator alone.
 * @param rate              requests per second the generator offers.
 * @param armDelayMs        how long an incarnation serves before a point is armed or a SIGKILL may come.
 * @param crashTimeoutMs    how long an armed incarnation may run before its point counts as missed.
 */
public record CrashPlan(int rounds, int sigkillsPerRound, int negativeHits, long edgePauseMs, long aggregatorPauseMs,
    int rate, long armDelayMs, long crashTimeoutMs)
{
    /**
     * @return the run for the normal test suite: three hits of each point, three SIGKILLs, an aggregator freeze of
     * 3 s and a SIGSTOP of 1 s, two negative controls.
     */
    public static CrashPlan fast()
    {
        return new CrashPlan(3, 1, 2, 1_000, 3_000, 300, 800, 30_000);
    }

    /**
     * @return the long run: every point hit 20 times, 20 SIGKILLs, a SIGSTOP of 30 s and an aggregator freeze of
     * 120 s, 20 negative controls.
     */
    public static CrashPlan longRun()
    {
        return new CrashPlan(20, 1, 20, 30_000, 120_000, 400, 1_500, 60_000);
    }

    CrashPlan withRounds(final int n)
    {
        return new CrashPlan(n, sigkillsPerRound, negativeHits, edgePauseMs, aggregatorPauseMs, rate, armDelayMs,
            crashTimeoutMs);
    }

    CrashPlan withNegativeHits(final int n)
    {
        return new CrashPlan(rounds, sigkillsPerRound, n, edgePauseMs, aggregatorPauseMs, rate, armDelayMs,
            crashTimeoutMs);
    }

    CrashPlan withPauses(final long edgeMs, final long aggregatorMs)
    {
        return new CrashPlan(rounds, sigkillsPerRound, negativeHits, edgeMs, aggregatorMs, rate, armDelayMs,
            crashTimeoutMs);
    }

    CrashPlan withRate(final int requestsPerSecond)
    {
        return new CrashPlan(rounds, sigkillsPerRound, negativeHits, edgePauseMs, aggregatorPauseMs, requestsPerSecond,
            armDelayMs, crashTimeoutMs);
    }
}
