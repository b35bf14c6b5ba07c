package dev.ricochet.aggregator;

import dev.ricochet.aggregator.attribution.ClickTable;
import dev.ricochet.aggregator.attribution.ConversionTable;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalAppender;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AggregatorAgentTest
{
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;
    private static final long T0 = 20_400 * DAY_MS; // 2025-11-08T00:00Z
    private static final int DAY0 = 20_400;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final LinkDirectory directory = new LinkDirectory();
    private Journal journal;
    private JournalAppender appender;
    private StateStore store;
    private Catalog catalog;
    private AggregatorAgent agent;
    private long nextClickId = 1;

    @BeforeEach
    void setUp()
    {
        clock.update(T0 + 365 * DAY_MS); // the wall clock is after every event these tests journal
        journal = Journal.open(new Journal.Context().dir(dir.resolve("journal")));
        appender = journal.newAppender();
        store = StateStore.open(dir.resolve("state"));
        catalog = new Catalog(directory, new ProgramDirectory());
        agent = newAgent();
        appendCatalog(CatalogEventFlyweight.KIND_PROGRAM,
            "{\"id\":\"p\",\"number\":0,\"spec\":{\"name\":\"P\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"attribution\":{\"model\":\"last_click\",\"windowDays\":30},\"recurringMonths\":12," +
            "\"tiers\":[],\"holdDays\":30,\"secrets\":{}}}");
        appendCatalog(CatalogEventFlyweight.KIND_PARTNER,
            "{\"id\":\"alice\",\"number\":0,\"spec\":{\"programId\":\"p\",\"name\":\"A\",\"status\":\"active\"}}");
        appendCatalog(CatalogEventFlyweight.KIND_LINK,
            "{\"id\":\"a1\",\"number\":0,\"spec\":{\"partnerId\":\"alice\",\"destination\":\"https://s.example/\"}}");
    }

    @AfterEach
    void tearDown()
    {
        agent.onClose();
        store.close();
        appender.close();
        journal.close();
    }

    @Test
    void shouldPublishLinkRoutesFromCatalogEvents()
    {
        // When the catalog events are applied
        doWorkUntilIdle();

        // Then the edge's directory knows the link, with the assigned catalog numbers
        assertNotNull(directory.lookup("a1"));
        assertEquals(1, directory.lookup("a1").partnerId());
        final StringBuilder location = new StringBuilder();
        directory.lookup("a1").appendLocationPrefix(location);
        assertEquals("https://s.example/?rcid=", location.toString());
    }

    @Test
    void shouldCountFirstClickOfAVisitorOnALinkAsUniqueWithinTheWindow()
    {
        // Given one visitor clicking at 0h, 0.5h and 1.5h, and a second visitor once
        appendClick(T0, 1, 0);
        appendClick(T0 + HOUR_MS / 2, 1, 0);
        appendClick(T0 + 3 * HOUR_MS / 2, 1, 0);
        appendClick(T0 + HOUR_MS, 2, 0);

        // When applied
        doWorkUntilIdle();

        // Then 4 clicks of which 3 unique: the window restarts only at a unique click
        final long[] day = day(1, DAY0);
        assertEquals(4, day[CounterField.CLICKS.ordinal()]);
        assertEquals(3, day[CounterField.UNIQUE_CLICKS.ordinal()]);
    }

    @Test
    void shouldRememberUniqueVisitsAcrossCommits()
    {
        appendClick(T0, 1, 0);
        doWorkUntilIdle();
        appendClick(T0 + 10 * 60_000, 1, 0);
        doWorkUntilIdle();

        final long[] day = day(1, DAY0);
        assertEquals(2, day[CounterField.CLICKS.ordinal()]);
        assertEquals(1, day[CounterField.UNIQUE_CLICKS.ordinal()]);
    }

    @Test
    void shouldCountPreviewsAndBotsApartFromClicks()
    {
        appendClick(T0, 1, ClickEventFlyweight.FLAG_PREVIEW);
        appendClick(T0, 2, ClickEventFlyweight.FLAG_BOT);
        appendClick(T0, 3, 0);
        doWorkUntilIdle();

        final long[] day = day(1, DAY0);
        assertEquals(1, day[CounterField.CLICKS.ordinal()]);
        assertEquals(1, day[CounterField.BOT_CLICKS.ordinal()]);
        assertEquals(1, day[CounterField.PREVIEWS.ordinal()]);
    }

    @Test
    void shouldRollPartnerCountersAtTheUtcDayBoundary()
    {
        appendClick(T0 + DAY_MS - 1, 1, 0);
        appendClick(T0 + DAY_MS, 2, 0);
        doWorkUntilIdle();

        assertEquals(1, day(1, DAY0)[CounterField.CLICKS.ordinal()]);
        assertEquals(1, day(1, DAY0 + 1)[CounterField.CLICKS.ordinal()]);
    }

    @Test
    void shouldKeepHourBucketsForTheRetentionThenDropThem()
    {
        // Given a click, then another one hour within the retention later
        final int hour0 = (int)(T0 / HOUR_MS);
        appendClick(T0, 1, 0);
        appendClick(T0 + (CounterTable.HOUR_BUCKET_RETENTION_HOURS - 1) * HOUR_MS, 2, 0);
        doWorkUntilIdle();
        assertEquals(1, new CounterTable(store).hour(1, hour0)[CounterField.CLICKS.ordinal()]);

        // When a click arrives in the first hour past the first hour's retention
        appendClick(T0 + (CounterTable.HOUR_BUCKET_RETENTION_HOURS + 1) * HOUR_MS, 3, 0);
        doWorkUntilIdle();

        // Then the first hour bucket is gone, the newer ones and every day bucket stay
        assertEquals(null, new CounterTable(store).hour(1, hour0));
        assertEquals(1, new CounterTable(store).hour(1, hour0 + CounterTable.HOUR_BUCKET_RETENTION_HOURS - 1)
            [CounterField.CLICKS.ordinal()]);
        assertEquals(1, day(1, DAY0)[CounterField.CLICKS.ordinal()]);
    }

    @Test
    void shouldAddToCachedBucketsAcrossManyCommits()
    {
        // Given clicks on the same hour, each applied and committed on its own
        for (int visitor = 1; visitor <= 5; visitor++)
        {
            appendClick(T0 + visitor, visitor, 0);
            doWorkUntilIdle();
        }

        // When the store is reopened by a fresh agent and one more click applied
        agent.onClose();
        agent = newAgent();
        appendClick(T0 + 10, 6, 0);
        doWorkUntilIdle();

        // Then every commit wrote the running total, and the fresh agent read it back before adding
        assertEquals(6, day(1, DAY0)[CounterField.CLICKS.ordinal()]);
        assertEquals(6, new CounterTable(store).hour(1, (int)(T0 / HOUR_MS))[CounterField.CLICKS.ordinal()]);
    }

    @Test
    void shouldStoreEachClickRecordByItsId()
    {
        appendClick(T0, 1, 0);
        doWorkUntilIdle();
        final ClickTable.StoredClick record = new ClickTable(store).find(nextClickId - 1, 0);
        assertNotNull(record);
        assertEquals(1, record.partnerNumber());
        assertEquals(T0, record.timeMs());
    }

    @Test
    void shouldResumeFromCommittedPositionAfterACrash()
    {
        // Given 100 clicks applied and committed
        for (int i = 0; i < 100; i++)
        {
            appendClick(T0 + i, 1000 + i, 0);
        }
        doWorkUntilIdle();

        // And 50 more applied in memory but never committed when the aggregator thread dies
        for (int i = 0; i < 50; i++)
        {
            appendClick(T0 + 1000 + i, 2000 + i, 0);
        }
        final long committedBefore = store.journalPosition();
        assertEquals(50, agent.doWork());
        assertEquals(committedBefore, store.journalPosition(), "the 50 must still be uncommitted");
        // The thread dies here: its in-memory state is gone, the journal and the committed store remain.

        // When a new agent starts on the same store and journal
        agent = newAgent();
        doWorkUntilIdle();

        // Then every click is counted exactly once
        final long[] day = day(1, DAY0);
        assertEquals(150, day[CounterField.CLICKS.ordinal()]);
        assertEquals(150, day[CounterField.UNIQUE_CLICKS.ordinal()]);
        assertEquals(journal.lastIndex(), store.journalPosition());
    }

    @Test
    void shouldStopWithoutCommittingOnAnUnknownEventVersion()
    {
        // Given a committed click, then an event from a future encoding version
        appendClick(T0, 1, 0);
        doWorkUntilIdle();
        final long committed = store.journalPosition();
        final UnsafeBuffer future = new UnsafeBuffer(new byte[128]);
        final int length = new ClickEventFlyweight()
            .wrapForEncode(future, 0, EventHeaderDescriptor.TYPE_CLICK, T0).encodedLength();
        future.putByte(EventHeaderDescriptor.VERSION_OFFSET, (byte)99);
        appender.append(future, 0, length);

        // When the agent reaches it, it stops rather than skip it, and nothing more is committed
        assertThrows(AgentTerminationException.class, this::doWorkUntilIdle);
        agent.onClose();
        assertEquals(committed, store.journalPosition());
        agent = newAgent();
    }

    @Test
    void shouldStopWithoutCommittingAtAnEventWhoseFieldRunsPastItsEnd()
    {
        // Given a committed click, then a pixel hit whose query claims more bytes than the event holds
        appendClick(T0, 1, 0);
        doWorkUntilIdle();
        final long committed = store.journalPosition();
        final UnsafeBuffer corrupt = new UnsafeBuffer(new byte[256]);
        final int length = new ClickEventFlyweight().wrapForEncode(corrupt, 0, EventHeaderDescriptor.TYPE_PIXEL, T0)
            .query("e=conversion").referrerHost("").userAgent("").encodedLength();
        corrupt.putShort(72, (short)5_000, EventHeaderDescriptor.BYTE_ORDER); // the query's length prefix
        appender.append(corrupt, 0, length);

        // When the agent reaches it, it stops there, naming the position, rather than read whatever lies past the
        // event (the previous event's bytes, in the poller's buffer)
        final AgentTerminationException stopped = assertThrows(AgentTerminationException.class, this::doWorkUntilIdle);
        assertTrue(stopped.getCause().getMessage().contains("runs past the end of its event"),
            stopped.getCause().getMessage());
        assertTrue(stopped.getCause().getMessage().startsWith("journal index "), stopped.getCause().getMessage());
        agent.onClose();
        assertEquals(committed, store.journalPosition());
        agent = newAgent();
    }

    @Test
    void shouldProduceIdenticalStateWhenTheJournalIsReplayedIntoAFreshStore()
    {
        for (int i = 0; i < 500; i++)
        {
            appendClick(T0 + i * 60_000L, i % 7, (i % 11 == 0) ? ClickEventFlyweight.FLAG_BOT : 0);
        }
        doWorkUntilIdle();

        try (StateStore fresh = StateStore.open(dir.resolve("replay")))
        {
            final AggregatorAgent replay = new AggregatorAgent(
                journal, fresh, new Catalog(new LinkDirectory(), new ProgramDirectory()), clock, HOUR_MS, 100, 20_000);
            replay.onStart();
            while (replay.doWork() > 0)
            {
                clock.advance(1);
            }
            replay.onClose();
            assertArrayEquals(day(1, DAY0), new CounterTable(fresh).day(1, DAY0));
            assertEquals(store.journalPosition(), fresh.journalPosition());
        }
    }

    @Test
    void shouldCreditASaleToThePartnerOfItsClick()
    {
        // Given a click, then a sale that carries its click id a day later
        final long clickId = appendClick(T0, 1, 0);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "order-1", 12_345, clickId, null, null, T0 + DAY_MS);

        // When applied
        doWorkUntilIdle();

        // Then the partner has one sale and its revenue on the sale's day
        final long[] day = day(1, DAY0 + 1);
        assertEquals(1, day[CounterField.SALES.ordinal()]);
        assertEquals(12_345, day[CounterField.REVENUE.ordinal()]);
    }

    @Test
    void shouldApplyEachExternalIdOnceWhateverTheRetries()
    {
        final long clickId = appendClick(T0, 1, 0);
        for (int i = 0; i < 3; i++)
        {
            appendConversion(ConversionEventFlyweight.KIND_SALE, "order-1", 1000, clickId, null, null, T0 + 1);
            doWorkUntilIdle();
        }
        assertEquals(1, day(1, DAY0)[CounterField.SALES.ordinal()]);
        assertEquals(1000, day(1, DAY0)[CounterField.REVENUE.ordinal()]);
    }

    @Test
    void shouldReverseRevenueInProportionToPartialRefundsAndNeverMoreThanCredited()
    {
        final long clickId = appendClick(T0, 1, 0);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "order-1", 1000, clickId, null, null, T0 + 1);
        appendConversion(ConversionEventFlyweight.KIND_REFUND, "refund-1", 300, 0, null, "order-1", T0 + 2);
        doWorkUntilIdle();
        assertEquals(700, day(1, DAY0)[CounterField.REVENUE.ordinal()]);

        // A second refund larger than what is left reverses only what is left
        appendConversion(ConversionEventFlyweight.KIND_REFUND, "refund-2", 5000, 0, null, "order-1", T0 + 3);
        appendConversion(ConversionEventFlyweight.KIND_REFUND, "refund-2", 5000, 0, null, "order-1", T0 + 3);
        doWorkUntilIdle();
        assertEquals(0, day(1, DAY0)[CounterField.REVENUE.ordinal()]);
        assertEquals(1, day(1, DAY0)[CounterField.SALES.ordinal()]);
    }

    @Test
    void shouldEndAtTheLargestCumulativeRefundWhateverTheOrder()
    {
        // Given Stripe's cumulative amount_refunded arriving out of order: 4000 before 1500
        final long clickId = appendClick(T0, 1, 0);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "pi_1", 5000, clickId, null, null, T0 + 1);
        appendCumulativeRefund("refund:ch_1:4000", 4000, "pi_1", T0 + 3);
        appendCumulativeRefund("refund:ch_1:1500", 1500, "pi_1", T0 + 2);
        appendCumulativeRefund("refund:ch_1:4000", 4000, "pi_1", T0 + 3);
        doWorkUntilIdle();

        // Then exactly 4000 of the 5000 is reversed
        assertEquals(1000, day(1, DAY0)[CounterField.REVENUE.ordinal()]);
    }

    @Test
    void shouldApplyARefundThatArrivesBeforeItsSaleWhenTheSaleArrives()
    {
        final long clickId = appendClick(T0, 1, 0);
        appendConversion(ConversionEventFlyweight.KIND_REFUND, "refund-1", 400, 0, null, "order-1", T0 + 1);
        doWorkUntilIdle();
        assertEquals(0, day(1, DAY0)[CounterField.REVENUE.ordinal()]);

        appendConversion(ConversionEventFlyweight.KIND_SALE, "order-1", 1000, clickId, null, null, T0 + 2);
        doWorkUntilIdle();
        assertEquals(600, day(1, DAY0)[CounterField.REVENUE.ordinal()]);
        assertEquals(1, day(1, DAY0)[CounterField.SALES.ordinal()]);
    }

    @Test
    void shouldNotCreditAConversionAfterTheAttributionWindowOrForAnUnknownClick()
    {
        final long clickId = appendClick(T0, 1, 0);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "late", 1000, clickId, null, null, T0 + 31 * DAY_MS);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "unknown", 1000, 999_999, null, null, T0 + 1);
        doWorkUntilIdle();

        assertEquals(0, day(1, DAY0 + 31)[CounterField.SALES.ordinal()]);
        assertEquals(0, day(1, DAY0)[CounterField.SALES.ordinal()]);
        assertNotNull(new ConversionTable(store).find(1, "late"), "kept, unattributed");
        assertTrue(conversionJson("late").contains("outside the attribution window"));
        assertTrue(conversionJson("unknown").contains("unknown click id"));
    }

    @Test
    void shouldNotCreditAConversionThroughABotsClickCommittedOrNot()
    {
        // Given a bot's click committed before a sale naming it, and another bot's click in the same batch as its sale
        final long committedBotClick = appendClick(T0, 1, ClickEventFlyweight.FLAG_BOT);
        doWorkUntilIdle();
        appendConversion(ConversionEventFlyweight.KIND_SALE, "via-committed", 1000, committedBotClick, null, null,
            T0 + 1);
        final long pendingBotClick = appendClick(T0 + 2, 2, ClickEventFlyweight.FLAG_BOT);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "via-pending", 1000, pendingBotClick, null, null, T0 + 3);

        // When applied
        doWorkUntilIdle();

        // Then neither sale is credited, and each says why
        assertEquals(0, day(1, DAY0)[CounterField.SALES.ordinal()]);
        for (final String order : new String[]{ "via-committed", "via-pending" })
        {
            assertTrue(conversionJson(order).contains("classified as a bot"),
                order);
        }
    }

    @Test
    void shouldCreditRecurringInvoicesOfAReferredCustomer()
    {
        final long clickId = appendClick(T0, 1, 0);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "sub-first", 2000, clickId, "cus_1", null, T0 + 1);
        appendConversion(ConversionEventFlyweight.KIND_RECURRING, "inv-2", 2000, 0, "cus_1", null, T0 + 30 * DAY_MS);
        appendConversion(ConversionEventFlyweight.KIND_RECURRING, "inv-late", 2000, 0, "cus_1", null,
            T0 + 400 * DAY_MS);
        doWorkUntilIdle();

        assertEquals(2000, day(1, DAY0 + 30)[CounterField.REVENUE.ordinal()]);
        assertEquals(0, day(1, DAY0 + 30)[CounterField.SALES.ordinal()], "recurring is not a new sale");
        assertEquals(0, day(1, DAY0 + 400)[CounterField.REVENUE.ordinal()], "after recurringMonths");
    }

    @Test
    void shouldSplitASaleOverTheVisitorsTouchPathByTheProgramsModel()
    {
        // Given a linear program and a visitor who clicked alice's link, then bob's, then bought through bob's click
        appendCatalog(CatalogEventFlyweight.KIND_PROGRAM,
            "{\"id\":\"p\",\"number\":0,\"spec\":{\"name\":\"P\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"attribution\":{\"model\":\"linear\",\"windowDays\":30},\"tiers\":[],\"holdDays\":30,\"secrets\":{}}}");
        appendCatalog(CatalogEventFlyweight.KIND_PARTNER,
            "{\"id\":\"bob\",\"number\":0,\"spec\":{\"programId\":\"p\",\"name\":\"B\",\"status\":\"active\"}}");
        appendClick(T0, 7, 0, 1, 1);
        final long bobClick = appendClick(T0 + HOUR_MS, 7, 0, 2, 2);
        appendClick(T0 + HOUR_MS, 8, 0, 1, 1); // another visitor: not on this path
        appendConversion(ConversionEventFlyweight.KIND_SALE, "order-1", 1001, bobClick, null, null, T0 + 2 * HOUR_MS);

        // When applied
        doWorkUntilIdle();

        // Then each partner gets half and one sale each; the odd cent goes where the running total crosses a half,
        // rounded to even: round(500.5) = 500 for alice, 1001 - 500 = 501 for bob
        assertEquals(500, day(1, DAY0)[CounterField.REVENUE.ordinal()]);
        assertEquals(501, day(2, DAY0)[CounterField.REVENUE.ordinal()]);
        assertEquals(1, day(1, DAY0)[CounterField.SALES.ordinal()]);
        assertEquals(1, day(2, DAY0)[CounterField.SALES.ordinal()]);
    }

    @Test
    void shouldCreditAConversionWithoutAClickToThePartnerOfItsCoupon()
    {
        appendCatalog(CatalogEventFlyweight.KIND_COUPON,
            "{\"id\":\"spring10\",\"number\":0,\"spec\":{\"partnerId\":\"alice\"}}");
        final UnsafeBuffer buffer = new UnsafeBuffer(
            new byte[ConversionEventFlyweight.MAX_LENGTH]);
        final int length = new ConversionEventFlyweight().wrapForEncode(buffer, 0, T0, T0,
            ConversionEventFlyweight.KIND_SALE, ConversionEventFlyweight.SOURCE_SHOPIFY, 1, "USD", 2500)
            .ids("order-9", null, null, "SPRING10").encodedLength();
        appender.append(buffer, 0, length);
        doWorkUntilIdle();

        assertEquals(2500, day(1, DAY0)[CounterField.REVENUE.ordinal()]);
        assertTrue(conversionJson("order-9").contains("\"coupon\""));
    }

    @Test
    void shouldCreditABrowserReportedConversionThroughTheVisitorsEarlierClick()
    {
        appendClick(T0, 42, 0);
        final UnsafeBuffer buffer = new UnsafeBuffer(
            new byte[ConversionEventFlyweight.MAX_LENGTH]);
        final int length = new ConversionEventFlyweight().wrapForEncode(buffer, 0, T0 + DAY_MS, T0 + DAY_MS,
            ConversionEventFlyweight.KIND_LEAD, ConversionEventFlyweight.SOURCE_API, 1, "USD", 0)
            .visitorId(0, 42).ids("signup-1", null, null, null).encodedLength();
        appender.append(buffer, 0, length);
        doWorkUntilIdle();

        assertEquals(1, day(1, DAY0 + 1)[CounterField.LEADS.ordinal()]);
    }

    @Test
    void shouldCreditAPixelReportedConversionThroughTheVisitorsClick()
    {
        // Given a program that accepts pixel conversions and a visitor who clicked alice's link
        appendPixelProgram();
        appendClick(T0, 42, 0);

        // When the edge journals the thank-you page's report twice (a reload) and a stranger's report too
        appendPixelConversion(T0 + HOUR_MS, 42, "o-1", 1500);
        appendPixelConversion(T0 + HOUR_MS + 5, 42, "o-1", 1500);
        appendPixelConversion(T0 + HOUR_MS, 99, "o-2", 9999);
        doWorkUntilIdle();

        // Then the sale counts once, for alice; the stranger's report credits nobody
        assertEquals(1, day(1, DAY0)[CounterField.SALES.ordinal()]);
        assertEquals(1500, day(1, DAY0)[CounterField.REVENUE.ordinal()]);
    }

    @Test
    void shouldReadAPixelHitOfAnOldJournalAsAHitOnly()
    {
        // Given a journal written when the aggregator still read conversions out of pixel queries
        appendPixelProgram();
        appendClick(T0, 42, 0);
        appendPixel(T0 + HOUR_MS, 42, "e=conversion&program=p&order_id=o-1&amount=1500");
        doWorkUntilIdle();

        // Then its pixel hits book nothing: the edge decides pixel conversions and journals them as conversions
        assertEquals(0, day(1, DAY0)[CounterField.SALES.ordinal()]);
        assertEquals(null, new ConversionTable(store).find(1, "o-1"));
        assertFalse(agent.hasFailed());
    }

    private void appendPixelProgram()
    {
        appendCatalog(CatalogEventFlyweight.KIND_PROGRAM,
            "{\"id\":\"p\",\"number\":0,\"spec\":{\"name\":\"P\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"attribution\":{\"model\":\"last_click\",\"windowDays\":30},\"pixelConversions\":true," +
            "\"tiers\":[],\"holdDays\":30,\"secrets\":{}}}");
    }

    @Test
    void shouldLeaveOutAJournaledConversionWhoseAmountIsPastTheBoundAndKeepApplying()
    {
        // Given a journal written before the edge bounded amounts: two sales of 5x10^18 (their sum passes a long,
        // which gave negative revenue), then an ordinary sale
        final long clickId = appendClick(T0, 1, 0);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "big-1", 5_000_000_000_000_000_000L, clickId, null, null,
            T0 + 1);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "big-2", 5_000_000_000_000_000_000L, clickId, null, null,
            T0 + 2);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "ok-1", 2500, clickId, null, null, T0 + 3);

        // When the aggregator applies it
        doWorkUntilIdle();

        // Then the two are left out and counted, the ordinary sale counts, and the aggregator is still running
        assertEquals(1, day(1, DAY0)[CounterField.SALES.ordinal()]);
        assertEquals(2500, day(1, DAY0)[CounterField.REVENUE.ordinal()]);
        assertEquals(2, agent.amountsRefused());
        assertFalse(agent.hasFailed());
    }

    @Test
    void shouldReplaceAPixelReportedConversionWhenTheCheckoutReportsTheSameOrder()
    {
        appendCatalog(CatalogEventFlyweight.KIND_PROGRAM,
            "{\"id\":\"p\",\"number\":0,\"spec\":{\"name\":\"P\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"attribution\":{\"model\":\"last_click\",\"windowDays\":30},\"pixelConversions\":true," +
            "\"tiers\":[],\"holdDays\":30,\"secrets\":{}}}");
        final long clickId = appendClick(T0, 42, 0);
        // The browser claims a cheap order first (or an attacker guessed the order id)
        appendPixelConversion(T0 + HOUR_MS, 42, "o-1", 1);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "o-1", 5000, clickId, null, null, T0 + 2 * HOUR_MS);
        doWorkUntilIdle();

        assertEquals(1, day(1, DAY0)[CounterField.SALES.ordinal()]);
        assertEquals(5000, day(1, DAY0)[CounterField.REVENUE.ordinal()]);
        final List<String> listed = new ArrayList<>();
        new ConversionTable(store).forEachOfPartner(1, 10, (programNumber, externalId) -> listed.add(externalId));
        assertEquals(List.of("o-1"), listed, "listed once, as the verified conversion");
    }

    @Test
    void shouldCountAPaymentReportedUnderBothItsIdsOnceAndReverseItByEither()
    {
        // Given a subscription's first payment: checkout reports the invoice, invoice.paid the payment intent too
        final long clickId = appendClick(T0, 1, 0);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "in_1", 3000, clickId, null, null, T0 + 1);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "pi_1", 3000, clickId, null, "in_1", T0 + 2);
        // And a refund that names the payment intent, and one that arrives before its sale under an alias
        appendConversion(ConversionEventFlyweight.KIND_REFUND, "re_1", 1000, 0, null, "pi_1", T0 + 3);
        appendConversion(ConversionEventFlyweight.KIND_REFUND, "re_2", 500, 0, null, "pi_2", T0 + 4);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "in_2", 2000, clickId, null, "pi_2", T0 + 5);
        doWorkUntilIdle();

        assertEquals(2, day(1, DAY0)[CounterField.SALES.ordinal()]);
        assertEquals(3000 - 1000 + 2000 - 500, day(1, DAY0)[CounterField.REVENUE.ordinal()]);
    }

    @Test
    void shouldKeepRunningAfterAPixelWithAMalformedQuery()
    {
        appendPixel(T0, 42, "e=conversion&program=p&order_id=%zz&amount=1%");
        appendClick(T0 + 1, 1, 0);
        doWorkUntilIdle();
        assertEquals(1, day(1, DAY0)[CounterField.CLICKS.ordinal()]);
    }

    @Test
    void shouldAddChargebacksToCumulativeRefundTotalsWithoutLosingEither()
    {
        final long clickId = appendClick(T0, 1, 0);
        appendConversion(ConversionEventFlyweight.KIND_SALE, "pi_1", 1000, clickId, null, null, T0 + 1);
        appendConversion(ConversionEventFlyweight.KIND_CHARGEBACK, "dp_1", 700, 0, null, "pi_1", T0 + 2);
        appendCumulativeRefund("refund:ch_1:300", 300, "pi_1", T0 + 3);
        doWorkUntilIdle();
        assertEquals(0, day(1, DAY0)[CounterField.REVENUE.ordinal()]);
    }

    /**
     * A conversion the edge decided from a pixel hit's report, as it journals it (program p is the catalog's first,
     * number 1).
     */
    private void appendPixelConversion(final long timeMs, final long visitor, final String orderId, final long amount)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(
            new byte[ConversionEventFlyweight.MAX_LENGTH]);
        final int length = new ConversionEventFlyweight().wrapForEncode(buffer, 0, timeMs, timeMs,
                ConversionEventFlyweight.KIND_SALE, ConversionEventFlyweight.SOURCE_PIXEL, 1, "USD", amount)
            .visitorId(0, visitor).ids(orderId, null, null, null).encodedLength();
        appender.append(buffer, 0, length);
    }

    private void appendPixel(final long timeMs, final long visitor, final String query)
    {
        final ClickEventFlyweight hit = appender.claimClick(EventHeaderDescriptor.TYPE_PIXEL, timeMs)
            .visitorId(0, visitor).query(query).userAgent("Mozilla/5.0");
        appender.append(hit.encodedLength());
    }

    private AggregatorAgent newAgent()
    {
        final AggregatorAgent newAgent = new AggregatorAgent(journal, store, catalog, clock, HOUR_MS, 100, 20_000);
        newAgent.onStart();
        return newAgent;
    }

    private void doWorkUntilIdle()
    {
        LedgerScript.runUntilIdle(agent, clock);
    }

    private void appendConversion(final byte kind, final String externalId, final long amount, final long clickId,
        final String customerId, final String originalExternalId, final long timeMs)
    {
        LedgerScript.appendConversion(appender, "USD", kind, externalId, amount, clickId, originalExternalId,
            customerId, timeMs);
    }

    private void appendCumulativeRefund(final String externalId, final long total, final String original,
        final long timeMs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(
            new byte[ConversionEventFlyweight.MAX_LENGTH]);
        final int length = new ConversionEventFlyweight().wrapForEncode(buffer, 0, timeMs, timeMs,
            ConversionEventFlyweight.KIND_REFUND, ConversionEventFlyweight.SOURCE_STRIPE, 1, "USD", total)
            .cumulativeReversal().ids(externalId, original, null, null).encodedLength();
        appender.append(buffer, 0, length);
    }

    private long appendClick(final long timeMs, final long visitor, final int flags)
    {
        return appendClick(timeMs, visitor, flags, 1, 1);
    }

    private long appendClick(final long timeMs, final long visitor, final int flags, final int link, final int partner)
    {
        final ClickEventFlyweight click = appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, timeMs)
            .flags((short)flags)
            .clickId(nextClickId++, 0)
            .visitorId(0, visitor)
            .link(link, partner, 1)
            .userAgent("Mozilla/5.0");
        appender.append(click.encodedLength());
        return nextClickId - 1;
    }

    private void appendCatalog(final byte kind, final String json)
    {
        final byte[] document = json.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[1024]);
        appender.append(event, 0, CatalogEventFlyweight.encode(event, 0, T0, kind, document));
    }

    private long[] day(final int partnerNumber, final int epochDay)
    {
        return new CounterTable(store).day(partnerNumber, epochDay);
    }

    private String conversionJson(final String externalId)
    {
        return new String(CatalogJson.write(new ConversionTable(store).find(1, externalId)), StandardCharsets.UTF_8);
    }
}
