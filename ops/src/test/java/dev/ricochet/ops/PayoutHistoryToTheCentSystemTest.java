package dev.ricochet.ops;

import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.ricochet.ops.PayoutHistory.assertCoverage;
import static dev.ricochet.ops.PayoutScript.DAY_MS;
import static dev.ricochet.ops.PayoutScript.HISTORY_DAYS;
import static dev.ricochet.ops.PayoutScript.HOUR_MS;
import static dev.ricochet.ops.PayoutScript.PARTNERS;
import static dev.ricochet.ops.PayoutScript.START;
import static dev.ricochet.ops.PayoutScript.dateOf;

/**
 * A scripted history of one program (three tiers, twenty partners; {@link PayoutScript}) played day by day through
 * the public HTTP APIs of the real service on a test clock. Every tier change and every cent of every ledger is
 * predicted by a small model of the documented rules ({@link PayoutModel}) that reads only the script; the service's
 * answers must match it. The 120 days are played once for the class (every balance and ledger is compared with the
 * model right before each of the three payout runs as they go); each test then checks one outcome at the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PayoutHistoryToTheCentSystemTest
{
    private ServiceFixture service;
    private PayoutHistory history;

    @BeforeAll
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void playTheScriptedHistory(@TempDir final Path dataDir) throws Exception
    {
        // Given a program with three tiers and twenty partners of different habits, on a test clock
        final PayoutScript script = PayoutScript.generate(HISTORY_DAYS);
        final AtomicLong clock = new AtomicLong(START.toEpochDay() * DAY_MS + 7 * HOUR_MS);
        service = new ServiceFixture(dataDir, clock::get);
        history = new PayoutHistory(service, clock, true);
        history.setUp();

        // When 120 days of clicks, sales, leads, recurring invoices, refunds and three payout runs go through the
        // HTTP APIs (every balance and ledger is compared with the model right before each run)
        history.play(script, HISTORY_DAYS);
        // (and a last day passes on which nobody calls the service)
        history.idleInto(HISTORY_DAYS);

        final PayoutModel model = history.model;
        System.out.println("PayoutHistoryToTheCentSystemTest: " + PARTNERS + " partners, " + HISTORY_DAYS +
            " days, " + model.stats.conversions() + " conversions (" + model.stats.sales + " sales, " +
            model.stats.leads + " leads, " + model.stats.recurring + " recurring, " + model.stats.refunds +
            " refunds), " + model.stats.tierChanges() + " tier changes (" + model.stats.upgrades + " up, " +
            model.stats.downgrades + " down), " + history.runs.size() + " runs, total paid " +
            BigDecimal.valueOf(model.totalPaid(), 2).toPlainString() + " USD; " + history.requests +
            " HTTP requests");
    }

    @AfterAll
    void closeTheService()
    {
        if (null != service)
        {
            service.close();
        }
    }

    @Test
    void shouldExerciseEveryRuleTheScriptIsMeantTo()
    {
        // Then the script exercised what it is meant to (tier moves, refunds at every stage, rounding, carry-overs)
        assertCoverage(history.model, 3);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldHoldEveryPartnersTierBalancesAndLedgerToTheCent() throws Exception
    {
        // Then every partner's tier, tier history, balances and ledger entries are the model's, to the cent
        history.assertAllPartners("at the end, " + dateOf(HISTORY_DAYS), true);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldPayEachRunWhatTheModelSaysAndNobodyTwice() throws Exception
    {
        // Then every run paid what the model says, and nobody was paid twice
        history.assertRuns();
    }
}
