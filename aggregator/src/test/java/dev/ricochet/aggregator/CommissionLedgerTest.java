package dev.ricochet.aggregator;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.ledger.LedgerTable;
import dev.ricochet.aggregator.payout.PayoutRun;
import dev.ricochet.aggregator.payout.PayoutRunTable;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.aggregator.timeline.TimelineEvent;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Commissions, tiers, the ledger and payout runs as the aggregator applies them from a real journal into a real
 * RocksDB; each test scripts the journal (catalog, clicks, conversions, ticks and ledger commands) and reads the
 * committed state.
 */
class CommissionLedgerTest extends LedgerScript
{
    private static final String TIERS = "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"," +
        "\"leadCommission\":200},{\"name\":\"silver\",\"minConversions\":2,\"windowDays\":30," +
        "\"commissionPercent\":\"12.5\",\"leadCommission\":300}]";

    @Test
    void accruesTheTierPercentOfASaleRoundedHalfEvenAsPending()
    {
        // Given a program paying 10% and a click on alice's link
        program(TIERS + ",\"holdDays\":14");
        final long click = click(T0);

        // When a sale of 123.45 arrives: 10% is 12.345
        sale("o1", 12_345, click, T0 + HOUR_MS);
        apply();

        // Then 12.34 accrues as pending (half-even to the cent), in one accrual entry and the commission counter
        assertEquals(1234, account().pending());
        assertEquals(List.of("accrual:1234:null->pending"), entries());
        assertEquals(1234, new CounterTable(store).day(ALICE, DAY0)[CounterField.COMMISSION.ordinal()]);
    }

    @Test
    void approvesACommissionWhenTheJournalClockReachesTheEndOfItsHold()
    {
        // Given a commission accrued on day 0 with a 14-day hold
        program(TIERS + ",\"holdDays\":14");
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);

        // When the journal's clock reaches day 13, then day 14
        tick(DAY0 + 13);
        apply();
        final long pendingOnDay13 = account().pending();
        tick(DAY0 + 14);
        apply();

        // Then it was still pending on day 13 and is approved on day 14, dated that day
        assertEquals(1000, pendingOnDay13);
        assertEquals(0, account().pending());
        assertEquals(1000, account().approved());
        assertEquals("2025-11-22", ledger().get(1).date());
        assertEquals("approval", ledger().get(1).type());
    }

    @Test
    void approvesOnItsOwnDayACommissionDueInsideAGapLongerThanTheClockWalksDayByDay()
    {
        // Given a commission accrued on day 0 with a 14-day hold
        program(TIERS + ",\"holdDays\":14");
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);

        // When the next event is 1,000 days later (more than the 366 days walked one by one)
        tick(DAY0 + 1_000);
        apply();

        // Then the commission is approved all the same, dated its own due day
        assertEquals(1000, account().approved());
        assertEquals("2025-11-22", ledger().get(1).date());
        assertEquals(DAY0 + 1_000, new LedgerTable(store).ledgerDay());
    }

    @Test
    void readsAHeaderTimeAheadOfTheWallClockAsTheWallClockPlusFiveMinutes()
    {
        // Given a pending commission with a 14-day hold, the wall clock an hour after the sale
        program(TIERS + ",\"holdDays\":14");
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);

        // When the journal holds clock ticks dated at the end of a long and 622 million days ahead (an older edge
        // wrote a sender's time there; wrapped milliseconds did the rest)
        for (final long headerMs : new long[]{ Long.MAX_VALUE, 622_000_000L * DAY_MS })
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[64]);
            appender.append(event, 0, CatalogEventFlyweight.encode(event, 0, headerMs,
                CatalogEventFlyweight.KIND_CLOCK_TICK, "{}".getBytes(StandardCharsets.US_ASCII)));
        }
        apply();

        // Then the ledger's day is still today and nothing was approved early
        assertEquals(DAY0, new LedgerTable(store).ledgerDay());
        assertEquals(1000, account().pending());
        assertEquals(0, account().approved());
    }

    @Test
    void bringsALedgerDayStoredAheadOfTheWallClockBackToToday()
    {
        // Given a state whose ledger day an older version moved ten thousand days ahead (a sender's time)
        agent.onClose();
        try (WriteBatch batch = new WriteBatch())
        {
            new LedgerTable(store).putLedgerDay(batch, DAY0 + 10_000);
            store.write(batch);
        }

        // When the aggregator starts on it, and a sale's hold period ends
        agent = new AggregatorAgent(journal, store, new Catalog(new LinkDirectory(), new ProgramDirectory()), clock,
            HOUR_MS, 100, 20_000);
        agent.onStart();
        program(TIERS + ",\"holdDays\":14");
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);
        tick(DAY0 + 14);
        apply();

        // Then its ledger works from today again: the commission is approved on its day
        assertEquals(1000, account().approved());
        assertEquals(DAY0 + 14, new LedgerTable(store).ledgerDay());
    }

    @Test
    void reversesTheRefundedShareOfAPendingCommission()
    {
        // Given a pending commission of 10.00 on a sale of 100.00
        program(TIERS + ",\"holdDays\":14");
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);

        // When 25.00 of the sale is refunded, then the rest
        refund("r1", 2_500, "o1", T0 + 2 * HOUR_MS);
        refund("r2", 7_500, "o1", T0 + 3 * HOUR_MS);
        apply();

        // Then the reversals take back 2.50 and 7.50 from pending, and nothing is left
        assertEquals(List.of("accrual:1000:null->pending", "reversal:-250:null->pending",
            "reversal:-750:null->pending"), entries());
        assertEquals(0, account().pending());
    }

    @Test
    void clawsBackARefundAfterPayoutFromTheApprovedBalance()
    {
        // Given a commission approved and paid in a run
        program(TIERS + ",\"holdDays\":0");
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);
        payoutRun("run-1", "2025-11-08", T0 + 2 * HOUR_MS);
        approveRun("run-1", T0 + 3 * HOUR_MS);

        // When the sale is refunded in full afterwards
        refund("r1", 10_000, "o1", T0 + 4 * HOUR_MS);
        apply();

        // Then the paid money stays paid and a clawback leaves the approved balance negative, for the next run
        assertEquals(1000, account().paid());
        assertEquals(-1000, account().approved());
        assertEquals("clawback:-1000:null->approved", entries().get(entries().size() - 1));
    }

    @Test
    void buildsOnePayoutRunPerPeriodAndPaysNobodyTwice()
    {
        // Given an approved balance of 10.00
        program(TIERS + ",\"holdDays\":0,\"minPayout\":500");
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);

        // When the same period's run is requested twice and approved twice
        payoutRun("run-1", "2025-11-08", T0 + 2 * HOUR_MS);
        payoutRun("run-2", "2025-11-08", T0 + 3 * HOUR_MS);
        approveRun("run-1", T0 + 4 * HOUR_MS);
        approveRun("run-1", T0 + 5 * HOUR_MS);
        apply();

        // Then there is one run, paid once
        assertEquals("run-1", new PayoutRunTable(store).runForPeriod(1, "2025-11-08"));
        final PayoutRun run = new PayoutRunTable(store).find("run-1");
        assertEquals(PayoutRun.PAID, run.status());
        assertEquals(1000, run.total());
        assertEquals(null, new PayoutRunTable(store).find("run-2"));
        assertEquals(1000, account().paid());
        assertEquals(0, account().approved());
        assertEquals(0, account().scheduled());
    }

    @Test
    void leavesABalanceBelowTheMinimumPayoutForALaterRun()
    {
        // Given an approved balance of 10.00 and a minimum payout of 50.00
        program(TIERS + ",\"holdDays\":0,\"minPayout\":5000");
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);

        // When a run is built
        payoutRun("run-1", "2025-11-08", T0 + 2 * HOUR_MS);
        apply();

        // Then alice is not in it and keeps her balance
        assertEquals(List.of(), new PayoutRunTable(store).find("run-1").lines());
        assertEquals(1000, account().approved());
    }

    @Test
    void upgradesAtTheConversionThatCrossesTheThresholdAndPaysItTheNewRate()
    {
        // Given silver needs 2 conversions in 30 days
        program(TIERS + ",\"holdDays\":14");

        // When alice makes two sales of 100.00
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);
        sale("o2", 10_000, click(T0 + DAY_MS), T0 + DAY_MS + HOUR_MS);
        apply();

        // Then the first earns bronze's 10% and the second, which crosses the threshold, silver's 12.5%
        assertEquals(List.of("accrual:1000:null->pending", "accrual:1250:null->pending"), entries());
        assertEquals(1, account().tier());
        assertEquals("tier.upgraded", timeline().get(0).type());
        assertEquals("silver", timeline().get(0).data().get("to"));
    }

    @Test
    void reratesUnpaidCommissionsInsideTheWindowOnAnUpgradeWhenRetroactive()
    {
        // Given a retroactive program and a first sale at bronze
        program(TIERS + ",\"holdDays\":14,\"retroactive\":true");
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);

        // When the second sale lifts alice to silver
        sale("o2", 10_000, click(T0 + DAY_MS), T0 + DAY_MS + HOUR_MS);
        apply();

        // Then the first commission is re-rated to 12.5% by an explicit entry before the second accrues
        assertEquals(List.of("accrual:1000:null->pending", "rerate:250:null->pending", "accrual:1250:null->pending"),
            entries());
        assertEquals(2500, account().pending());
    }

    @Test
    void downgradesOnlyAtTheMonthlyReview()
    {
        // Given alice reached silver in November with two sales
        program(TIERS + ",\"holdDays\":14");
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);
        sale("o2", 10_000, click(T0), T0 + 2 * HOUR_MS);
        apply();

        // When her window empties before the next review (Dec 1st is inside it, Jan 1st is not)
        tick(DAY0 + 23); // 2025-12-01: the window still holds both sales
        apply();
        final int tierAfterDecemberReview = account().tier();
        tick(DAY0 + 54); // 2026-01-01
        apply();

        // Then she kept silver at the December review and is downgraded at the January one
        assertEquals(1, tierAfterDecemberReview);
        assertEquals(0, account().tier());
        final TimelineEvent downgrade = timeline().get(0);
        assertEquals("tier.downgraded", downgrade.type());
        assertEquals("2026-01-01T00:00:00Z", downgrade.time());
        assertEquals("review", downgrade.data().get("reason"));
    }

    @Test
    void appliesEachBandsRateInGraduatedMode()
    {
        // Given bands of 10% up to 1,000.00 of revenue in 30 days and 20% above
        program("\"tierMode\":\"graduated\",\"holdDays\":14," +
            "\"tiers\":[{\"name\":\"base\",\"commissionPercent\":\"10\"}," +
            "{\"name\":\"plus\",\"minRevenue\":100000,\"windowDays\":30,\"commissionPercent\":\"20\"}]");

        // When alice sells 800.00, then 400.00
        sale("o1", 80_000, click(T0), T0 + HOUR_MS);
        sale("o2", 40_000, click(T0), T0 + 2 * HOUR_MS);
        apply();

        // Then the second sale earns 10% on the 200.00 left in the first band and 20% on the 200.00 above it
        assertEquals(List.of("accrual:8000:null->pending", "accrual:6000:null->pending"), entries());
    }

    @Test
    void capsWhatAPartnerAccruesInACalendarMonth()
    {
        // Given a monthly cap of 15.00
        program(TIERS + ",\"holdDays\":60,\"monthlyCap\":1500");

        // When alice earns 10.00 three times in November and once in December
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);
        sale("o2", 10_000, click(T0), T0 + 2 * HOUR_MS);
        sale("o3", 10_000, click(T0), T0 + 3 * HOUR_MS);
        sale("o4", 8_000, click(T0 + 23 * DAY_MS), T0 + 23 * DAY_MS + HOUR_MS);
        apply();

        // Then November stops at 15.00 (the third sale earns nothing) and December starts afresh, at silver's 12.5%
        assertEquals(List.of("accrual:1000:null->pending", "accrual:500:null->pending", "accrual:1000:null->pending"),
            entries());
    }

    @Test
    void holdsReleasesAndVoidsACommissionOnFinancesDecision()
    {
        // Given two pending commissions
        program(TIERS + ",\"holdDays\":14");
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);
        sale("o2", 10_000, click(T0), T0 + 2 * HOUR_MS);

        // When finance holds both, releases the first and voids the second
        review("o1", T0 + HOUR_MS, "hold", T0 + 3 * HOUR_MS);
        review("o2", T0 + 2 * HOUR_MS, "hold", T0 + 3 * HOUR_MS);
        review("o1", T0 + HOUR_MS, "release", T0 + 4 * HOUR_MS);
        review("o2", T0 + 2 * HOUR_MS, "void", T0 + 4 * HOUR_MS);
        apply();

        // Then the first is pending again and the second is gone, each step an entry and a timeline event
        assertEquals(List.of("accrual:1000:null->pending", "accrual:1250:null->pending", "hold:1000:pending->held",
            "hold:1250:pending->held", "release:1000:held->pending", "void:-1250:null->held"), entries());
        assertEquals(1000, account().pending());
        assertEquals(0, account().held());
        assertEquals("commission.voided", timeline().get(0).type());
    }

    @Test
    void writesTierChangesToTheOutboxOfAProgramWithAWebhook()
    {
        // Given a program subscribed to webhooks
        program(TIERS + ",\"holdDays\":14,\"webhookUrl\":\"https://hooks.example/ricochet\"," +
            "\"secrets\":{\"webhook\":\"whsec_0123456789abcdef\"}");

        // When alice is upgraded
        sale("o1", 10_000, click(T0), T0 + HOUR_MS);
        sale("o2", 10_000, click(T0), T0 + 2 * HOUR_MS);
        apply();

        // Then the upgrade is in the outbox, committed with the change it reports
        final List<String> outbox = new ArrayList<>();
        store.scan(Table.OUTBOX, new byte[0], new byte[]{ (byte)0xFF }, false, (key, value) ->
            outbox.add(CatalogJson.read(value, TimelineEvent.class).type()));
        assertEquals(List.of("tier.upgraded"), outbox);
    }
}
