package dev.ricochet.ops.crash;

import dev.ricochet.ingest.CrashPoints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast crash suite (one hit of every crash point, SIGKILLs, two SIGSTOPs, two negative controls), run once; each
 * test states one thing the run must show. The long run is {@code ops/crash-suite --long}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashSuiteSystemTest
{
    @TempDir
    static Path runDir;

    private CrashTally tally;

    @BeforeAll
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void runTheFastCrashSuite() throws Exception
    {
        // Given the real service under load from a separate generator process, killed at random moments, halted at
        // every crash point, frozen twice, and finally run with its checkpoint deliberately split from its state
        tally = CrashSuite.run(CrashPlan.fast(), runDir, System.out);
        tally.print(System.out);
    }

    @Test
    void haltsTheServiceAtEveryCrashPointAndKillsItAtRandomMoments()
    {
        // A few hits of each point in the normal suite; the negative control's point is counted on its own below
        assertEquals(List.of(), tally.unfiredPoints());
        assertAll(Arrays.stream(CrashPoints.Point.values())
            .filter(point -> CrashPoints.Point.AGGREGATOR_BETWEEN_CHECKPOINT_WRITES != point)
            .map(point -> () -> assertTrue(tally.hits(point) >= 3, point.label() + " fired " + tally.hits(point))));
        assertTrue(tally.kills >= 3, "SIGKILLs: " + tally.kills);
    }

    @Test
    void losesNoAcknowledgedClickOrOrder()
    {
        assertTrue(tally.ackedClicks > 1000, "clicks acknowledged: " + tally.ackedClicks);
        assertTrue(tally.ackedOrders > 0, "orders acknowledged: " + tally.ackedOrders);
        assertEquals(0, tally.lost, String.join("\n", tally.failures));
    }

    @Test
    void journalsEachRequestAtMostOnce()
    {
        assertEquals(0, tally.duplicateClicks, "click ids journaled twice");
        assertEquals(0, tally.duplicateOrders, "orders journaled twice");
        assertTrue(tally.journaledClicks <= tally.sentClicks,
            tally.journaledClicks + " clicks journaled for " + tally.sentClicks + " requests");
    }

    @Test
    void leavesAStateEqualToAFreshReplayOfItsJournalAfterEveryDeath()
    {
        assertTrue(tally.audits >= CrashPoints.Point.values().length + 2, "audits: " + tally.audits);
        assertEquals(0, tally.mismatchedAudits, String.join("\n", tally.failures));
        assertEquals(0, tally.doubled, "counted twice");
    }

    @Test
    void drainsTheAggregatorsLagAfterItsStallAndAfterASigstop()
    {
        assertEquals(2, tally.pauses);
        // (a negative time means the lag did not drain)
        assertEquals(2, tally.drainMs.size(), "lag drained after " + tally.drainMs + " ms");
        assertTrue(tally.drainMs.stream().allMatch(ms -> ms >= 0), "lag drained after " + tally.drainMs + " ms");
    }

    @Test
    void catchesTheSplitCheckpointEveryTimeItsCrashPointFires()
    {
        // The negative control: a suite that cannot fail proves nothing.
        final int fired = tally.hits(CrashPoints.Point.AGGREGATOR_BETWEEN_CHECKPOINT_WRITES);
        assertTrue(fired >= 2, "the broken variant's crash point fired " + fired + " times");
        assertEquals(fired, tally.negativeCaught, String.join("\n", tally.failures));
    }

    @Test
    void passesAsAWhole()
    {
        assertTrue(tally.passed(), String.join("\n", tally.failures));
    }
}
