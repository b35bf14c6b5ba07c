package dev.ricochet.aggregator;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.ledger.Commission;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.ledger.CommissionTable;
import dev.ricochet.aggregator.ledger.LedgerEntry;
import dev.ricochet.aggregator.ledger.LedgerTable;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.timeline.TimelineEvent;
import dev.ricochet.aggregator.timeline.TimelineTable;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalAppender;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Base of the tests that script a journal (catalog, clicks, conversions, clock ticks and ledger commands), let a real
 * {@link AggregatorAgent} apply it into a real RocksDB, and read the committed money state: one program {@code p}
 * (number 1) with one partner, alice (number 1), and her link.
 */
abstract class LedgerScript
{
    static final long HOUR_MS = 3_600_000L;
    static final long DAY_MS = 24 * HOUR_MS;
    static final int DAY0 = 20_400; // 2025-11-08
    static final long T0 = DAY0 * DAY_MS + 9 * HOUR_MS;
    static final int ALICE = 1;

    @TempDir
    Path dir;

    final CachedEpochClock clock = new CachedEpochClock();
    Journal journal;
    JournalAppender appender;
    StateStore store;
    AggregatorAgent agent;
    private long nextClickId = 1;

    @BeforeEach
    void setUp()
    {
        clock.update(T0);
        journal = Journal.open(new Journal.Context().dir(dir.resolve("journal")));
        appender = journal.newAppender();
        store = StateStore.open(dir.resolve("state"));
        agent = new AggregatorAgent(journal, store, new Catalog(new LinkDirectory(), new ProgramDirectory()), clock,
            HOUR_MS, 100, 20_000);
        agent.onStart();
    }

    @AfterEach
    void tearDown()
    {
        agent.onClose();
        store.close();
        appender.close();
        journal.close();
    }

    /**
     * The program with the given extra fields, alice (active, no email) and her link.
     */
    void program(final String fields)
    {
        program(fields, "");
    }

    /**
     * The program with the given extra fields, alice with the given extra fields and her link.
     */
    void program(final String fields, final String partnerFields)
    {
        final String spec = "{\"name\":\"P\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"attribution\":{\"model\":\"last_click\",\"windowDays\":30},\"recurringMonths\":12," +
            (fields.contains("\"secrets\"") ? "" : "\"secrets\":{},") + fields + "}";
        catalog(CatalogEventFlyweight.KIND_PROGRAM, "{\"id\":\"p\",\"number\":0,\"spec\":" + spec + "}", T0 - HOUR_MS);
        catalog(CatalogEventFlyweight.KIND_PARTNER, "{\"id\":\"alice\",\"number\":0,\"spec\":{\"programId\":\"p\"," +
            "\"name\":\"A\",\"status\":\"active\"" + partnerFields + "}}", T0 - HOUR_MS);
        catalog(CatalogEventFlyweight.KIND_LINK,
            "{\"id\":\"a1\",\"number\":0,\"spec\":{\"partnerId\":\"alice\",\"destination\":\"https://s.example/\"}}",
            T0 - HOUR_MS);
    }

    long click(final long timeMs)
    {
        journaledAt(timeMs);
        final ClickEventFlyweight click = appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, timeMs)
            .clickId(nextClickId++, 0).visitorId(0, 42).link(1, ALICE, 1).userAgent("Mozilla/5.0");
        appender.append(click.encodedLength());
        return nextClickId - 1;
    }

    void sale(final String externalId, final long amount, final long clickId, final long timeMs)
    {
        conversion(ConversionEventFlyweight.KIND_SALE, externalId, amount, clickId, null, null, timeMs);
    }

    void refund(final String externalId, final long amount, final String original, final long timeMs)
    {
        conversion(ConversionEventFlyweight.KIND_REFUND, externalId, amount, 0, original, null, timeMs);
    }

    /**
     * @param clickId    the click passed back by the checkout, or 0.
     * @param original   the conversion a refund reverses, or null.
     * @param customerId the checkout's customer id, or null.
     */
    void conversion(final byte kind, final String externalId, final long amount, final long clickId,
        final String original, final String customerId, final long timeMs)
    {
        journaledAt(timeMs);
        appendConversion(appender, "USD", kind, externalId, amount, clickId, original, customerId, timeMs);
    }

    /**
     * Journal a conversion reported through the API of program number 1, at {@code timeMs}.
     *
     * @param clickId    the click passed back by the checkout, or 0.
     * @param original   the conversion a refund reverses, or null.
     * @param customerId the checkout's customer id, or null.
     */
    static void appendConversion(final JournalAppender appender, final String currency, final byte kind,
        final String externalId, final long amount, final long clickId, final String original,
        final String customerId, final long timeMs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ConversionEventFlyweight.MAX_LENGTH]);
        final ConversionEventFlyweight conversion = new ConversionEventFlyweight().wrapForEncode(
            buffer, 0, timeMs, timeMs, kind, ConversionEventFlyweight.SOURCE_API, 1, currency, amount);
        if (0 != clickId)
        {
            conversion.clickId(clickId, 0);
        }
        appender.append(buffer, 0, conversion.ids(externalId, original, customerId, null).encodedLength());
    }

    void tick(final int epochDay)
    {
        catalog(CatalogEventFlyweight.KIND_CLOCK_TICK, "{}", epochDay * DAY_MS);
    }

    void payoutRun(final String runId, final String periodEnd, final long timeMs)
    {
        catalog(CatalogEventFlyweight.KIND_PAYOUT_RUN,
            "{\"runId\":\"" + runId + "\",\"programId\":\"p\",\"periodEnd\":\"" + periodEnd + "\"}", timeMs);
    }

    void approveRun(final String runId, final long timeMs)
    {
        catalog(CatalogEventFlyweight.KIND_PAYOUT_APPROVAL, "{\"runId\":\"" + runId + "\"}", timeMs);
    }

    void review(final String externalId, final long conversionTimeMs, final String action, final long timeMs)
    {
        catalog(CatalogEventFlyweight.KIND_COMMISSION_REVIEW, "{\"partnerId\":\"alice\",\"externalId\":\"" +
            externalId + "\",\"conversionTimeMs\":" + conversionTimeMs + ",\"action\":\"" + action +
            "\",\"reason\":\"fraud review\"}", timeMs);
    }

    void catalog(final byte kind, final String json, final long timeMs)
    {
        journaledAt(timeMs);
        final byte[] document = json.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[document.length + 32]);
        appender.append(event, 0, CatalogEventFlyweight.encode(event, 0, timeMs, kind, document));
    }

    /**
     * The wall clock follows what is journaled, as on a live edge: the agent bounds every header time by it.
     */
    void journaledAt(final long timeMs)
    {
        clock.update(Math.max(clock.time(), timeMs));
    }

    /**
     * Let the agent apply and commit everything journaled so far.
     */
    void apply()
    {
        runUntilIdle(agent, clock);
        assertTrue(!agent.hasFailed());
    }

    /**
     * Let an agent apply and commit everything journaled so far: it works until three passes in a row find nothing,
     * the clock a millisecond further each pass.
     */
    static void runUntilIdle(final AggregatorAgent agent, final CachedEpochClock clock)
    {
        int idle = 0;
        while (idle < 3)
        {
            idle = agent.doWork() == 0 ? idle + 1 : 0;
            clock.advance(1);
        }
    }

    PartnerAccount account()
    {
        final PartnerAccount stored = new LedgerTable(store).account(ALICE);
        return null == stored ? PartnerAccount.empty() : stored;
    }

    /**
     * @return alice's committed commission on a conversion of program p, or null.
     */
    Commission commission(final String externalId, final long conversionTimeMs)
    {
        return new CommissionTable(store).find(new CommissionKey(ALICE, conversionTimeMs, 1, externalId));
    }

    List<LedgerEntry> ledger()
    {
        final List<LedgerEntry> entries = new ArrayList<>();
        new LedgerTable(store).forEachEntry(ALICE, -1, entries::add);
        return entries;
    }

    /**
     * @return alice's ledger as {@code type:amount:from->to} lines.
     */
    List<String> entries()
    {
        final List<String> lines = new ArrayList<>();
        for (final LedgerEntry entry : ledger())
        {
            lines.add(entry.type() + ":" + entry.amount() + ":" + entry.from() + "->" + entry.to());
        }
        return lines;
    }

    /**
     * @return alice's timeline, newest first.
     */
    List<TimelineEvent> timeline()
    {
        final List<TimelineEvent> events = new ArrayList<>();
        new TimelineTable(store).forEachNewestFirst(ALICE,
            json -> events.add(CatalogJson.read(json, TimelineEvent.class)));
        return events;
    }
}
