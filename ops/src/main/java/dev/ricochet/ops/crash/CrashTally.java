package dev.ricochet.ops.crash;

import dev.ricochet.ingest.CrashPoints;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a run found.
 */
public final class CrashTally
{
    /**
     * Armed runs a point may miss (its incarnation SIGKILLed after the timeout), per planned hit, before the suite
     * gives up on it and fails: one, so a point that never fires costs the fast plan at most 3 x 30 s.
     */
    static final int MAX_MISSES_PER_HIT = 1;

    final int requiredHits;
    final int requiredNegativeHits;
    final Map<CrashPoints.Point, Integer> hits = new EnumMap<>(CrashPoints.Point.class);
    final Map<CrashPoints.Point, Integer> missed = new EnumMap<>(CrashPoints.Point.class);
    final List<String> failures = new ArrayList<>();
    final List<Long> drainMs = new ArrayList<>();
    int kills;
    int pauses;
    int audits;
    int mismatchedAudits;
    int negativeCaught;
    long ackedClicks;
    long ackedOrders;
    long journaledClicks;
    long journaledOrders;
    long sentClicks;
    long lost;
    long doubled;
    long duplicateClicks;
    long duplicateOrders;
    long elapsedMs;

    CrashTally(final CrashPlan plan)
    {
        requiredHits = plan.rounds();
        requiredNegativeHits = plan.negativeHits();
    }

    /**
     * @return true if nothing acknowledged was lost, nothing doubled, every audit matched, every crash point fired
     * as often as the plan asks and the negative control fired as often and was caught every time: a run whose
     * points did not fire proved nothing, so it does not pass.
     */
    public boolean passed()
    {
        return failures.isEmpty() && 0 == lost && 0 == doubled && 0 == duplicateClicks && 0 == duplicateOrders &&
            0 == mismatchedAudits && unfiredPoints().isEmpty() &&
            negativeCaught == hits(CrashPoints.Point.AGGREGATOR_BETWEEN_CHECKPOINT_WRITES);
    }

    /**
     * @return the points that fired fewer times than the plan asks, the negative control's included.
     */
    public List<String> unfiredPoints()
    {
        final List<String> unfired = new ArrayList<>();
        for (final CrashPoints.Point point : CrashPoints.Point.values())
        {
            final int required = CrashPoints.Point.AGGREGATOR_BETWEEN_CHECKPOINT_WRITES == point ?
                requiredNegativeHits : requiredHits;
            if (hits(point) < required)
            {
                unfired.add(point.label() + " fired " + hits(point) + " of " + required + " times");
            }
        }
        return unfired;
    }

    /**
     * @param point a crash point.
     * @return how many times it halted the service.
     */
    public int hits(final CrashPoints.Point point)
    {
        return hits.getOrDefault(point, 0);
    }

    void print(final PrintStream out)
    {
        out.println("crash suite: " + (passed() ? "PASSED" : "FAILED") + " in " + elapsedMs / 1000 + " s");
        out.println("  SIGKILLs " + kills + ", pauses " + pauses + " (lag drained after " + drainMs +
            " ms), audits " + audits + " (state differing from its replay: " + mismatchedAudits + ")");
        for (final CrashPoints.Point point : CrashPoints.Point.values())
        {
            out.println("  crash point " + point.label() + ": " + hits(point) + " hits" +
                (missed.containsKey(point) ? ", " + missed.get(point) + " armed runs without a hit" : ""));
        }
        out.println("  negative control caught " + negativeCaught + " of " +
            hits(CrashPoints.Point.AGGREGATOR_BETWEEN_CHECKPOINT_WRITES));
        out.println("  clicks sent " + sentClicks + ", acked " + ackedClicks + ", journaled " + journaledClicks +
            "; orders acked " + ackedOrders + ", journaled " + journaledOrders);
        out.println("  lost " + lost + ", doubled " + doubled + ", click ids journaled twice " + duplicateClicks +
            ", orders journaled twice " + duplicateOrders);
        unfiredPoints().forEach(point -> out.println("  FAILURE: " + point));
        failures.forEach(failure -> out.println("  FAILURE: " + failure));
    }
}
