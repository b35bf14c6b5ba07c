package dev.ricochet.ops.crash;

import dev.ricochet.ingest.CrashPoints;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The crash suite's verdict: a run proves something only if its crash points and its negative control really fired.
 */
class CrashSuiteTallyTest
{
    private static final CrashPlan PLAN = CrashPlan.fast().withRounds(2).withNegativeHits(2);

    @Test
    void failsARunInWhichNoCrashPointFired()
    {
        // Given a run that lost nothing and audited nothing wrong, but in which no point ever fired
        final CrashTally tally = new CrashTally(PLAN);

        // Then it does not pass, and it names each point
        assertFalse(tally.passed());
        assertEquals(CrashPoints.Point.values().length, tally.unfiredPoints().size());
        assertTrue(tally.unfiredPoints().contains(
            CrashPoints.Point.AGGREGATOR_BETWEEN_CHECKPOINT_WRITES.label() + " fired 0 of 2 times"));
    }

    @Test
    void failsARunInWhichOnePointFiredFewerTimesThanPlanned()
    {
        // Given a run in which every point fired as planned but one, which fired once of twice
        final CrashTally tally = firedAsPlanned();
        tally.hits.put(CrashPoints.Point.EDGE_CYCLE_ROLL, 1);

        // Then it does not pass
        assertFalse(tally.passed());
        assertEquals(List.of(CrashPoints.Point.EDGE_CYCLE_ROLL.label() + " fired 1 of 2 times"), tally.unfiredPoints());
    }

    @Test
    void passesARunInWhichEveryPointFiredAsPlannedAndEveryNegativeControlWasCaught()
    {
        // Given a run in which every point fired as planned and both negative controls were caught
        final CrashTally tally = firedAsPlanned();
        tally.negativeCaught = 2;

        // Then it passes
        assertTrue(tally.passed());
    }

    private static CrashTally firedAsPlanned()
    {
        final CrashTally tally = new CrashTally(PLAN);
        for (final CrashPoints.Point point : CrashPoints.Point.values())
        {
            tally.hits.put(point, 2);
        }
        return tally;
    }
}
