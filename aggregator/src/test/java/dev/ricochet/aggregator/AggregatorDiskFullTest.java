package dev.ricochet.aggregator;

import dev.ricochet.aggregator.catalog.Catalog;
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
import dev.ricochet.ingest.test.SizeLimitedTmpfs;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The aggregator's RocksDB on a real, full disk: a 64 MiB tmpfs holds the state and another file fills it. RocksDB
 * refuses the commit cleanly; the aggregator must then stop applying without skipping anything, keep its committed
 * position, say why, and once space is back resume so exactly that its state equals a fresh replay of the journal.
 * Skipped, saying why, where a tmpfs cannot be mounted.
 */
class AggregatorDiskFullTest
{
    /**
     * Smaller than the write-ahead log RocksDB preallocates (1.1x the memtable budget: 32 MiB with the default
     * memory budget), so that preallocation fails and the first write after the filler took the rest is refused;
     * with a larger disk the preallocated log would absorb that many megabytes of commits first.
     */
    private static final long FS_SIZE = 24L << 20;
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;
    private static final long T0 = 20_400 * DAY_MS;
    private static final int DAY0 = 20_400;
    /**
     * The agents' wall clock: after every event the tests journal (the agent bounds header times by it).
     */
    private static final long WALL_MS = T0 + 30 * DAY_MS;
    private static final CommitWriter.StoreRetry RETRY = new CommitWriter.StoreRetry(200, 1L << 20);
    private static final String TOKEN = "disk-full-admin-token-0123";
    /**
     * Tables compared with a fresh replay: all but the outbox, a delivery queue the webhook thread empties.
     */
    private static final String OUTBOX = "outbox";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private SizeLimitedTmpfs tmpfs;
    private Journal journal;
    private JournalAppender appender;
    private long nextClickId = 1;

    @BeforeEach
    void mountStateDiskAndOpenJournal() throws Exception
    {
        tmpfs = SizeLimitedTmpfs.mountOrSkip(dir.resolve("fs"), FS_SIZE);
        journal = Journal.open(new Journal.Context().dir(dir.resolve("journal")));
        appender = journal.newAppender();
    }

    @AfterEach
    void closeJournalAndUnmount() throws Exception
    {
        if (null != appender)
        {
            appender.close();
            journal.close();
        }
        if (null != tmpfs)
        {
            tmpfs.unmount();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldStopApplyingAndSayWhyWhileTheStateDiskIsFullThenResumeExactlyWhenItIsFreed() throws Exception
    {
        final Path filler = tmpfs.dir().resolve("filler");
        try (Aggregator aggregator = Aggregator.launch(new Aggregator.Context().dataDir(tmpfs.dir()).journal(journal)
            .adminPort(0).adminToken(TOKEN).financeToken(TOKEN + "-finance").analystToken(TOKEN + "-analyst")
            .clockTickIntervalMs(0).storeRetryMaxMs(RETRY.maxBackoffMs())
            .storeMinFreeBytes(RETRY.minFreeBytes())))
        {
            // Given an aggregator with its state on a 64 MiB disk, ready, that has committed clicks and sales
            appendCatalog();
            appendTraffic(T0, 200, 20);
            await("the first traffic committed", () -> aggregator.committedIndex() == journal.lastIndex());
            assertEquals(200, get(aggregator, "/readyz").statusCode());

            // When another file takes every byte left, and traffic goes on across a UTC day boundary
            tmpfs.fill(filler, 0);
            appendTraffic(T0 + HOUR_MS, 1000, 40);
            appendTraffic(T0 + DAY_MS, 1000, 40);

            // Then the aggregator stops, and /readyz and /metrics say why
            await("the aggregator to report the refused commit", () -> null != aggregator.stallReason());
            final HttpResponse<String> readyz = get(aggregator, "/readyz");
            assertEquals(503, readyz.statusCode());
            assertTrue(readyz.body().contains("state store write failed") &&
                readyz.body().contains("No space left on device"), readyz.body());
            assertTrue(get(aggregator, "/metrics").body().contains("ricochet_aggregator_store_stalled 1\n"));

            // And it keeps checking, with backoff, for space to retry, but holds its committed position meanwhile:
            // nothing it could not write is skipped, and what it committed can still be read
            final long stalledAt = aggregator.committedIndex();
            await("a check for free space", () -> String.valueOf(aggregator.stallReason()).contains("bytes free"));
            Thread.sleep(1000);
            assertEquals(stalledAt, aggregator.committedIndex());
            assertTrue(stalledAt < journal.lastIndex());
            assertTrue(aggregator.stallReason().contains("No space left on device"), aggregator.stallReason());
            assertFalse(aggregator.hasFailed());
            final HttpResponse<String> stats = get(aggregator, "/v1/partners/alice/stats");
            assertEquals(200, stats.statusCode(), stats.body());

            // When the file is deleted
            Files.delete(filler);

            // Then it resumes by itself, commits the whole journal and is ready again
            await("the aggregator to resume", () -> null == aggregator.stallReason() &&
                aggregator.committedIndex() == journal.lastIndex());
            assertEquals(200, get(aggregator, "/readyz").statusCode());
            final String metrics = get(aggregator, "/metrics").body();
            assertTrue(metrics.contains("ricochet_aggregator_store_stalled 0\n"), metrics);
            assertTrue(aggregator.storeRecoveries() >= 1);
        }

        // And its state is exactly a fresh replay of the journal: no event skipped, none applied twice
        final Map<String, String> state = tables(tmpfs.dir().resolve("state"));
        assertEquals(replay(), state);
        try (StateStore store = StateStore.open(tmpfs.dir().resolve("state")))
        {
            assertEquals(1200, new CounterTable(store).day(1, DAY0)[CounterField.CLICKS.ordinal()]);
            assertEquals(1000, new CounterTable(store).day(1, DAY0 + 1)[CounterField.CLICKS.ordinal()]);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReadTheEventAgainWhenTheCommitItForcedWasRefused() throws Exception
    {
        // Given an agent with its state on a 64 MiB disk that has committed a day of clicks
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(WALL_MS);
        final Path filler = tmpfs.dir().resolve("filler");
        try (StateStore store = StateStore.open(tmpfs.dir().resolve("state")))
        {
            final AggregatorAgent agent = new AggregatorAgent(journal, store,
                new Catalog(new LinkDirectory(), new ProgramDirectory()), clock, HOUR_MS, 100, 20_000, RETRY);
            agent.onStart();
            appendCatalog();
            appendTraffic(T0, 10, 0);
            doWorkUntilIdle(agent, clock);
            final long committed = agent.committedIndex();

            // When the disk is full and a poll applies clicks, then meets the first event of a new day, whose commit
            // of what came before it (a new ledger day reads committed state) is refused
            tmpfs.fill(filler, 0);
            appendTraffic(T0 + HOUR_MS, 800, 0);
            final long lastOfTheDay = journal.lastIndex();
            appendTraffic(T0 + DAY_MS, 10, 0);
            assertEquals(1, agent.doWork());

            // Then the agent stalls at its committed position, holding a batch that ends right before the new day
            assertTrue(agent.stallReason().contains("write failed at journal index " +
                Long.toHexString(lastOfTheDay)), agent.stallReason());
            for (int i = 0; i < 20; i++)
            {
                clock.advance(250);
                assertEquals(0, agent.doWork());
            }
            assertEquals(committed, agent.committedIndex());
            assertTrue(agent.stallReason().contains("bytes free"), agent.stallReason());

            // When space returns, the refused commit is written and the new day's first event is read again
            Files.delete(filler);
            clock.advance(250);
            doWorkUntilIdle(agent, clock);
            agent.onClose();
            assertNull(agent.stallReason());
            assertEquals(journal.lastIndex(), agent.committedIndex());
            assertEquals(810, new CounterTable(store).day(1, DAY0)[CounterField.CLICKS.ordinal()]);
            assertEquals(10, new CounterTable(store).day(1, DAY0 + 1)[CounterField.CLICKS.ordinal()]);
        }

        // And the state equals a fresh replay
        assertEquals(replay(), tables(tmpfs.dir().resolve("state")));
    }

    /**
     * Replay the whole journal into a fresh store on another disk.
     *
     * @return the replayed tables.
     */
    private Map<String, String> replay()
    {
        final Path replayDir = dir.resolve("replay");
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(WALL_MS);
        try (StateStore fresh = StateStore.open(replayDir))
        {
            final AggregatorAgent replay = new AggregatorAgent(journal, fresh,
                new Catalog(new LinkDirectory(), new ProgramDirectory()), clock, HOUR_MS, 100, 20_000, RETRY);
            replay.onStart();
            doWorkUntilIdle(replay, clock);
            replay.onClose();
            assertEquals(journal.lastIndex(), fresh.journalPosition());
        }
        return tables(replayDir);
    }

    /**
     * @return every entry of every table but the outbox, as hex, keyed by table and key.
     */
    private static Map<String, String> tables(final Path stateDir)
    {
        final Map<String, String> entries = new TreeMap<>();
        try (StateStore store = StateStore.open(stateDir))
        {
            store.forEachEntry((table, key, value) ->
            {
                if (!OUTBOX.equals(table))
                {
                    entries.put(table + "/" + HexFormat.of().formatHex(key), HexFormat.of().formatHex(value));
                }
            });
        }
        assertFalse(entries.isEmpty());
        return entries;
    }

    private static void doWorkUntilIdle(final AggregatorAgent agent, final CachedEpochClock clock)
    {
        LedgerScript.runUntilIdle(agent, clock);
    }

    private HttpResponse<String> get(final Aggregator aggregator, final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + aggregator.adminPort() + path))
            .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private void appendCatalog()
    {
        appendCatalog(CatalogEventFlyweight.KIND_PROGRAM,
            "{\"id\":\"p\",\"number\":0,\"spec\":{\"name\":\"P\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"attribution\":{\"model\":\"last_click\",\"windowDays\":30}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}],\"holdDays\":30,\"secrets\":{}}}");
        appendCatalog(CatalogEventFlyweight.KIND_PARTNER,
            "{\"id\":\"alice\",\"number\":0,\"spec\":{\"programId\":\"p\",\"name\":\"A\",\"status\":\"active\"}}");
        appendCatalog(CatalogEventFlyweight.KIND_LINK,
            "{\"id\":\"a1\",\"number\":0,\"spec\":{\"partnerId\":\"alice\",\"destination\":\"https://s.example/\"}}");
    }

    private void appendCatalog(final byte kind, final String json)
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[1024]);
        appender.append(event, 0,
            CatalogEventFlyweight.encode(event, 0, T0, kind, json.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Clicks from distinct visitors a second apart, every one of the first {@code sales} followed by a sale naming it.
     */
    private void appendTraffic(final long fromMs, final int clicks, final int sales)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ConversionEventFlyweight.MAX_LENGTH]);
        for (int i = 0; i < clicks; i++)
        {
            final long timeMs = fromMs + i * 1000L;
            final long clickId = nextClickId++;
            final ClickEventFlyweight click = appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, timeMs)
                .clickId(clickId, 0).visitorId(0, clickId).link(1, 1, 1).userAgent("Mozilla/5.0");
            appender.append(click.encodedLength());
            if (i < sales)
            {
                final int length = new ConversionEventFlyweight().wrapForEncode(buffer, 0, timeMs + 500, timeMs + 500,
                    ConversionEventFlyweight.KIND_SALE, ConversionEventFlyweight.SOURCE_API, 1, "USD", 1000 + i)
                    .clickId(clickId, 0).ids("order-" + clickId, null, null, null).encodedLength();
                appender.append(buffer, 0, length);
            }
        }
    }
}
