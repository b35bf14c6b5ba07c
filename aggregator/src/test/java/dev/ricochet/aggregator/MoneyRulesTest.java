package dev.ricochet.aggregator;

import dev.ricochet.aggregator.attribution.AttributionEngine;
import dev.ricochet.aggregator.attribution.ConversionRecord;
import dev.ricochet.aggregator.attribution.ConversionTable;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.ledger.Commission;
import dev.ricochet.aggregator.ledger.LedgerTable;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The money rules of docs/money.md as the aggregator applies them from a real journal into a real RocksDB: one
 * commission per (conversion, partner) however often the partner is on the path, reached whole by refunds and holds;
 * the attribution window in both directions; no program change for a partner with money. Program p (number 1) has
 * alice (partner 1, links a1 = 1 and a2 = 2) and bob (partner 2, link b1 = 3).
 */
class MoneyRulesTest extends LedgerScript
{
    private static final int BOB = 2;
    private static final int A1 = 1;
    private static final int A2 = 2;
    private static final int B1 = 3;
    private long nextClick = 1_000;

    @Test
    void aPartnerTwiceOnThePathEarnsOneCommissionOnTheSumOfItsTouches()
    {
        // Given a linear program and one visitor who clicked alice's a1, bob's b1, then alice's a2
        programWithModel("linear");
        click(A1, ALICE, T0);
        click(B1, BOB, T0 + 1_000);
        final long last = click(A2, ALICE, T0 + 2_000);

        // When a sale of 100.00 comes through the last click
        sale("o1", 10_000, last, T0 + HOUR_MS);
        apply();

        // Then the touches get 33.33, 33.34 and 33.33; alice has one credit of 66.66, one commission and one
        // accrual of 6.67 (666.6 rounded); bob 3.33
        final ConversionRecord record = record("o1");
        assertEquals(List.of(ALICE, BOB), record.credits().stream().map(ConversionRecord.Credit::partnerNumber)
            .toList());
        assertEquals(6_666, record.credits().get(0).revenue());
        assertEquals(3_334, record.credits().get(1).revenue());
        assertEquals(3, record.path().size());
        assertEquals(List.of("accrual:667:null->pending"), entries());
        assertEquals(667, account().pending());
        assertEquals(6_666, commission("o1", T0 + HOUR_MS).revenue());
        assertEquals(333, account(BOB).pending());
    }

    @Test
    void aFullRefundReversesTheWholeOfARepeatedPartnersCommission()
    {
        // Given alice twice and bob once on a linear path, and a sale of 100.00
        programWithModel("linear");
        click(A1, ALICE, T0);
        click(B1, BOB, T0 + 1_000);
        sale("o1", 10_000, click(A2, ALICE, T0 + 2_000), T0 + HOUR_MS);

        // When it is refunded in two parts that add up to the whole
        refund("r1", 3_333, "o1", T0 + 2 * HOUR_MS);
        refund("r2", 6_667, "o1", T0 + 3 * HOUR_MS);
        apply();

        // Then all of alice's commission is reversed, nothing more: her balances are 0
        final Commission commission = commission("o1", T0 + HOUR_MS);
        assertEquals(commission.earned(), commission.reversed());
        assertEquals(0, account().pending());
        assertEquals(0, account(BOB).pending());
        assertEquals(List.of("accrual:667:null->pending", "reversal:-222:null->pending",
            "reversal:-445:null->pending"), entries());
    }

    @Test
    void aHoldTakesTheWholeOfARepeatedPartnersCommission()
    {
        // Given alice twice on a position-based path with bob between
        programWithModel("position_based");
        click(A1, ALICE, T0);
        click(B1, BOB, T0 + 1_000);
        sale("o1", 10_000, click(A2, ALICE, T0 + 2_000), T0 + HOUR_MS);
        apply();

        // When finance holds alice's commission on the sale
        review("o1", T0 + HOUR_MS, "hold", T0 + 2 * HOUR_MS);
        apply();

        // Then all of it (10% of 40.00 + 40.00) is held and nothing is left pending
        assertEquals(800, account().held());
        assertEquals(0, account().pending());
    }

    @Test
    void aLeadSharedByARepeatedPartnerSplitsTheFlatCommissionByMergedWeights()
    {
        // Given a linear program paying 3.00 a lead, and alice twice and bob once on the path
        programWithModel("linear",
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\",\"leadCommission\":300}],");
        click(A1, ALICE, T0);
        click(B1, BOB, T0 + 1_000);
        final long last = click(A2, ALICE, T0 + 2_000);

        // When a lead comes through the last click
        conversion(ConversionEventFlyweight.KIND_LEAD, "lead-1", 0, last, null, null,
            T0 + HOUR_MS);
        apply();

        // Then alice has one commission of 2.00 (weight 2 of 3), bob 1.00: one accrual each
        assertEquals(List.of("accrual:200:null->pending"), entries());
        assertEquals(100, account(BOB).pending());
    }

    @Test
    void aClickMadeMoreThanTheSkewAfterTheConversionIsNotCredited()
    {
        // Given a click on alice's link dated after the skew past the sale reported with it
        programWithModel("last_click");
        final long click = click(A1, ALICE, T0 + AttributionEngine.CLICK_SKEW_MS + 1);

        // When the sale is applied
        sale("o1", 10_000, click, T0);
        apply();

        // Then nothing is credited, and the record says why
        assertEquals("click after the conversion", record("o1").unattributedReason());
        assertEquals(List.of(), record("o1").credits());
        assertEquals(List.of(), entries());
    }

    @Test
    void aClickWithinTheSkewAfterTheConversionIsCredited()
    {
        // Given a click dated exactly the skew after the sale (two edges' clocks apart)
        programWithModel("last_click");
        final long click = click(A1, ALICE, T0 + AttributionEngine.CLICK_SKEW_MS);

        // When the sale is applied
        sale("o1", 10_000, click, T0);
        apply();

        // Then it is credited to alice
        assertEquals(List.of("accrual:1000:null->pending"), entries());
    }

    @Test
    void aPartnerWithMoneyIsNotMovedToAnotherProgramByAJournaledChange()
    {
        // Given alice with a commission in program p, and a program q in euros
        programWithModel("last_click");
        sale("o1", 10_000, click(A1, ALICE, T0), T0 + HOUR_MS);
        catalog(CatalogEventFlyweight.KIND_PROGRAM, "{\"id\":\"q\",\"number\":0,\"spec\":{\"name\":\"Q\"," +
            "\"currency\":\"EUR\",\"clickParam\":\"rcid\",\"secrets\":{}}}", T0 + HOUR_MS);

        // When a change moving alice to q is journaled (a race with the API's check, or an earlier version)
        catalog(CatalogEventFlyweight.KIND_PARTNER, "{\"id\":\"alice\",\"number\":0,\"spec\":{\"programId\":\"q\"," +
            "\"name\":\"A\",\"status\":\"active\"}}", T0 + 2 * HOUR_MS);
        apply();

        // Then alice stays in p, and her money in dollars
        assertEquals("p", agentCatalogPartnerProgram());
        assertEquals(1_000, account().pending());
    }

    @Test
    void aReplayOfTheJournalRebuildsTheSameStateWithRepeatedPartners()
    {
        // Given a history with alice twice on time-decay paths, partial refunds and a payout
        programWithModel("time_decay");
        click(A1, ALICE, T0);
        click(B1, BOB, T0 + HOUR_MS);
        sale("o1", 9_999, click(A2, ALICE, T0 + 2 * HOUR_MS), T0 + 3 * HOUR_MS);
        refund("r1", 1_234, "o1", T0 + 4 * HOUR_MS);
        tick(DAY0 + 1);
        payoutRun("run1", "2025-11-09", (DAY0 + 1) * DAY_MS);
        refund("r2", 8_765, "o1", (DAY0 + 1) * DAY_MS + HOUR_MS);
        apply();

        // When the journal is replayed into an empty store
        final Map<String, String> replayed;
        final Path replayDir = dir.resolve("replay");
        try (StateStore fresh = StateStore.open(replayDir))
        {
            final CachedEpochClock replayClock = new CachedEpochClock();
            replayClock.update(clock.time()); // the wall clock after the journal's events, as for a live replay
            final AggregatorAgent replay = new AggregatorAgent(journal, fresh,
                new Catalog(new LinkDirectory(), new ProgramDirectory()), replayClock, HOUR_MS, 100, 20_000);
            replay.onStart();
            runUntilIdle(replay, replayClock);
            replay.onClose();
            replayed = tables(fresh);
        }

        // Then every table is byte-identical to the live state
        assertEquals(tables(store), replayed);
    }

    @Test
    void aConversionInAnotherCurrencyThanItsProgramsIsNotCredited()
    {
        // Given a dollar program (whose currency may have changed while the event was on its way)
        programWithModel("last_click");
        final long click = click(A1, ALICE, T0);

        // When a sale in euros names alice's click
        conversionIn("EUR", ConversionEventFlyweight.KIND_SALE, "o1", 10_000, click, null,
            T0 + HOUR_MS);
        apply();

        // Then it is kept, not credited, with the reason
        assertEquals("currency EUR is not the program's USD", record("o1").unattributedReason());
        assertEquals(List.of(), entries());
    }

    @Test
    void aRefundInAnotherCurrencyThanItsSalesIsNotApplied()
    {
        // Given alice's commission on a dollar sale
        programWithModel("last_click");
        sale("o1", 10_000, click(A1, ALICE, T0), T0 + HOUR_MS);

        // When a refund of it arrives in yen
        conversionIn("JPY", ConversionEventFlyweight.KIND_REFUND, "r1", 10_000, 0, "o1",
            T0 + 2 * HOUR_MS);
        apply();

        // Then nothing is reversed
        assertEquals(0, record("o1").reversedAmount());
        assertEquals(List.of("accrual:1000:null->pending"), entries());
    }

    @Test
    void aRefundThatWaitedForItsSaleInAnotherCurrencyIsNotApplied()
    {
        // Given a refund in yen journaled before its sale (a program whose currency changed while it waited)
        programWithModel("last_click");
        conversionIn("JPY", ConversionEventFlyweight.KIND_REFUND, "r1", 10_000, 0, "o1",
            T0 + HOUR_MS);

        // When the sale arrives in dollars
        sale("o1", 10_000, click(A1, ALICE, T0), T0 + 2 * HOUR_MS);
        apply();

        // Then the yen are not reversed from it as if they were cents
        assertEquals(0, record("o1").reversedAmount());
        assertEquals(List.of("accrual:1000:null->pending"), entries());
    }

    private void conversionIn(final String currency, final byte kind, final String externalId, final long amount,
        final long clickId, final String original, final long timeMs)
    {
        appendConversion(appender, currency, kind, externalId, amount, clickId, original, null, timeMs);
    }

    private void programWithModel(final String model)
    {
        programWithModel(model, "");
    }

    private void programWithModel(final String model, final String extra)
    {
        final String spec = "{\"name\":\"P\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," + extra +
            "\"attribution\":{\"model\":\"" + model + "\",\"windowDays\":30},\"holdDays\":14," +
            "\"fraud\":{\"minClickToConversionSeconds\":0,\"maxRefundRatePercent\":0}," +
            (extra.contains("\"tiers\"") ? "" : "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}],") +
            "\"secrets\":{}}";
        catalog(CatalogEventFlyweight.KIND_PROGRAM, "{\"id\":\"p\",\"number\":0,\"spec\":" + spec + "}", T0 - HOUR_MS);
        for (final String partner : new String[]{ "alice", "bob" })
        {
            catalog(CatalogEventFlyweight.KIND_PARTNER, "{\"id\":\"" + partner + "\",\"number\":0,\"spec\":" +
                "{\"programId\":\"p\",\"name\":\"" + partner + "\",\"status\":\"active\"}}", T0 - HOUR_MS);
        }
        for (final String[] link : new String[][]{ { "a1", "alice" }, { "a2", "alice" }, { "b1", "bob" } })
        {
            catalog(CatalogEventFlyweight.KIND_LINK, "{\"id\":\"" + link[0] + "\",\"number\":0,\"spec\":" +
                "{\"partnerId\":\"" + link[1] + "\",\"destination\":\"https://s.example/\"}}", T0 - HOUR_MS);
        }
    }

    /**
     * A real click by visitor 42 on a link.
     */
    private long click(final int linkNumber, final int partnerNumber, final long timeMs)
    {
        final long clickId = nextClick++;
        journaledAt(timeMs);
        final ClickEventFlyweight click = appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, timeMs)
            .clickId(clickId, 0).visitorId(0, 42).link(linkNumber, partnerNumber, 1).userAgent("Mozilla/5.0");
        appender.append(click.encodedLength());
        return clickId;
    }

    private ConversionRecord record(final String externalId)
    {
        return (ConversionRecord)new ConversionTable(store).find(1, externalId);
    }

    private PartnerAccount account(final int partnerNumber)
    {
        final PartnerAccount stored = new LedgerTable(store).account(partnerNumber);
        return null == stored ? PartnerAccount.empty() : stored;
    }

    private String agentCatalogPartnerProgram()
    {
        final List<String> programIds = new ArrayList<>();
        store.forEachEntry((table, key, value) ->
        {
            if ("catalog".equals(table) && new String(value, StandardCharsets.UTF_8)
                .contains("\"id\":\"alice\""))
            {
                final String json = new String(value, StandardCharsets.UTF_8);
                final int at = json.indexOf("\"programId\":\"") + 13;
                programIds.add(json.substring(at, json.indexOf('"', at)));
            }
        });
        assertEquals(1, programIds.size(), programIds.toString());
        return programIds.get(0);
    }

    private static Map<String, String> tables(final StateStore state)
    {
        final Map<String, String> entries = new TreeMap<>();
        state.forEachEntry((table, key, value) ->
        {
            if (!"outbox".equals(table))
            {
                entries.put(table + "/" + HexFormat.of().formatHex(key), HexFormat.of().formatHex(value));
            }
        });
        return entries;
    }

}
