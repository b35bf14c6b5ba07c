package dev.ricochet.aggregator;

import dev.ricochet.aggregator.attribution.AttributionEngine;
import dev.ricochet.aggregator.attribution.ClickTable;
import dev.ricochet.aggregator.attribution.PendingClicks;
import dev.ricochet.aggregator.attribution.TouchTable;
import dev.ricochet.aggregator.attribution.VisitTable;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.CatalogTable;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.commission.CommissionEngine;
import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.aggregator.ledger.LedgerCommand;
import dev.ricochet.aggregator.ledger.LedgerTable;
import dev.ricochet.aggregator.payout.PayoutRuns;
import dev.ricochet.aggregator.timeline.Timeline;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.CrashPoints;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalEventHandler;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.MalformedEventException;
import dev.ricochet.ingest.Money;
import dev.ricochet.ingest.Settings;
import org.agrona.DirectBuffer;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.EpochClock;
import org.rocksdb.WriteBatch;

import java.util.Map;

/**
 * The single writer of all aggregate state: tails the journal, applies each event to in-memory pending state, and
 * commits that state together with the journal position in one atomic RocksDB batch.
 *
 * <p>Duty cycle: poll a bounded number of events, then commit when the batch is full, the commit interval has
 * passed, or the journal is drained (end of batch). After a crash the agent resumes after the committed position,
 * so every event is applied exactly once. A decode failure stops the agent without committing: skipping an
 * event would corrupt payouts, and a restart resumes from the last good commit.
 *
 * <p>A commit RocksDB refuses (disk full, I/O error) stalls the agent instead: it stops polling, keeps the refused
 * batch and everything it applied in memory, and retries with a doubling backoff (up to {@code storeRetry.maxBackoffMs()}):
 * reopen the store (RocksDB refuses every write after a failed one), then write the same batch. Its committed
 * position never moves past what RocksDB holds, and once the write succeeds the journal is read again right after
 * it, so the events that follow are applied exactly once. {@link #stallReason()} says why meanwhile.
 */
public final class AggregatorAgent implements Agent, JournalEventHandler
{
    static final int POLL_LIMIT = 1000;
    static final long STORE_RETRY_INITIAL_MS = 100;

    /**
     * Furthest an event's header time may be ahead of the aggregator's wall clock; a later one is read as wall clock
     * plus this (docs/time.md), so no event in a journal, whoever wrote it, moves a clock far ahead.
     */
    static final long MAX_HEADER_AHEAD_MS = 300_000L;
    private static final long DAY_MS = 86_400_000L;

    /**
     * Identifies a visitor on a link, for unique-click detection.
     */
    private record VisitKey(long visitorHi, long visitorLo, int linkNumber)
    {
    }

    private final Journal journal;
    private final StateStore store;
    private final ClickTable clickTable;
    private final TouchTable touchTable;
    private final VisitTable visitTable;
    private final CatalogTable catalogTable;
    private final LedgerTable ledgerTable;
    private final Catalog catalog;
    private final EpochClock epochClock;
    private final long uniqueClickWindowMs;
    private final long commitIntervalMs;
    private final int commitMaxEvents;
    private final StoreRetry storeRetry;
    private final ClickEventFlyweight click = new ClickEventFlyweight();
    private final CatalogEventFlyweight catalogEvent = new CatalogEventFlyweight();
    private final ConversionEventFlyweight conversion = new ConversionEventFlyweight();
    private final org.agrona.concurrent.UnsafeBuffer pixelConversionBuffer =
        new org.agrona.concurrent.UnsafeBuffer(new byte[ConversionEventFlyweight.MAX_LENGTH]);
    private final PendingClicks pendingClicks = new PendingClicks();
    private final AttributionEngine attribution;
    private final CounterBuckets counters;
    private final Ledger ledger;
    private final Timeline timeline;
    private final CommissionEngine commissions;
    private final PayoutRuns payouts;
    private final Object2LongHashMap<VisitKey> pendingVisits = new Object2LongHashMap<>(-1);
    private final WriteBatch batch = new WriteBatch();
    private final org.agrona.concurrent.UnsafeBuffer boundedEvent =
        new org.agrona.concurrent.UnsafeBuffer(new byte[EventHeaderDescriptor.MAX_EVENT_LENGTH]);

    private JournalPoller poller;
    private long lastAppliedIndex;
    private long latestHeaderMs;
    private long lastCommitMs;
    private int uncommittedEvents;
    private boolean failed;
    private long stalledPosition = Journal.NULL_INDEX;
    private String stalledBecause;
    private long storeRetryAtMs;
    private long storeRetryBackoffMs;
    private volatile String stallReason;
    private volatile long storeFailures;
    private volatile long storeRecoveries;
    private volatile long appliedIndex;
    private volatile long committedIndex;
    private volatile long eventsApplied;
    private volatile long amountsRefused;
    private volatile long lastProgressNs;
    private volatile long headerTimesBounded;

    AggregatorAgent(
        final Journal journal,
        final StateStore store,
        final Catalog catalog,
        final EpochClock epochClock,
        final long uniqueClickWindowMs,
        final long commitIntervalMs,
        final int commitMaxEvents)
    {
        this(journal, store, catalog, epochClock, uniqueClickWindowMs, commitIntervalMs, commitMaxEvents,
            new StoreRetry(
                Settings.durationMs(AggregatorConfiguration.STORE_RETRY_MAX_PROP_NAME,
                    AggregatorConfiguration.STORE_RETRY_MAX_DEFAULT),
                Settings.sizeBytes(AggregatorConfiguration.STORE_MIN_FREE_PROP_NAME,
                    AggregatorConfiguration.STORE_MIN_FREE_DEFAULT)));
    }

    /**
     * How the agent retries a commit the state store refused.
     *
     * @param maxBackoffMs longest wait between two attempts; the first is after 100 ms, doubling.
     * @param minFreeBytes free space the state disk needs before a reopen is tried: below it the store stays open
     *                     (reads keep working) and the agent keeps waiting. A reopen flushes the recovered memtable
     *                     into a table file and deletes the old WAL, so trying it on a full disk would fail, or succeed
     *                     only by the space RocksDB itself gives back.
     */
    record StoreRetry(long maxBackoffMs, long minFreeBytes)
    {
    }

    AggregatorAgent(
        final Journal journal,
        final StateStore store,
        final Catalog catalog,
        final EpochClock epochClock,
        final long uniqueClickWindowMs,
        final long commitIntervalMs,
        final int commitMaxEvents,
        final StoreRetry storeRetry)
    {
        this.storeRetry = storeRetry;
        this.journal = journal;
        this.store = store;
        this.clickTable = new ClickTable(store);
        this.touchTable = new TouchTable(store);
        this.visitTable = new VisitTable(store);
        this.catalogTable = new CatalogTable(store);
        this.ledgerTable = new LedgerTable(store);
        this.catalog = catalog;
        this.epochClock = epochClock;
        this.uniqueClickWindowMs = uniqueClickWindowMs;
        this.commitIntervalMs = commitIntervalMs;
        this.commitMaxEvents = commitMaxEvents;
        this.counters = new CounterBuckets(store);
        this.ledger = new Ledger(store, counters);
        this.timeline = new Timeline(store, ledger);
        final int ledgerDay = ledgerTable.ledgerDay();
        // A ledger day stored ahead of the wall clock was set by a sender's time (before issue 15): brought back to
        // today, so that the ledger's approvals and reviews run again from here instead of waiting for that day.
        final int latestDay = (int)Math.floorDiv(epochClock.time() + MAX_HEADER_AHEAD_MS, DAY_MS);
        this.commissions = new CommissionEngine(catalog, counters, ledger, timeline,
            Integer.MIN_VALUE == ledgerDay ? Integer.MIN_VALUE : Math.min(ledgerDay, latestDay));
        this.payouts = new PayoutRuns(store, catalog, ledger, timeline);
        this.attribution = new AttributionEngine(store, catalog, pendingClicks, counters::add, commissions);
        this.committedIndex = store.journalPosition();
        this.appliedIndex = committedIndex;
        this.lastAppliedIndex = committedIndex;
    }

    @Override
    public void onStart()
    {
        poller = journal.newPoller(committedIndex);
        lastCommitMs = epochClock.time();
        lastProgressNs = System.nanoTime();
    }

    @Override
    public int doWork()
    {
        if (failed)
        {
            throw new AgentTerminationException("aggregator stopped after a failure; restart resumes from commit");
        }
        if (Journal.NULL_INDEX != stalledPosition)
        {
            return retryStalledCommit(epochClock.time());
        }
        final int polled;
        try
        {
            if (CrashPoints.ENABLED)
            {
                CrashPoints.freezeAggregatorOnce();
            }
            latestHeaderMs = epochClock.time() + MAX_HEADER_AHEAD_MS;
            polled = poller.poll(this, POLL_LIMIT);
            if (CrashPoints.ENABLED && polled > 0)
            {
                CrashPoints.hit(CrashPoints.Point.AGGREGATOR_AFTER_READ);
            }
            appliedIndex = poller.lastIndex();
            if (polled > 0)
            {
                // Single writer: a plain add published by a volatile store, once per poll.
                eventsApplied = eventsApplied + polled;
            }
            // A poll returned: progress, or caught up (nothing to read). A stuck event never gets here. Monotonic
            // time, not the epoch clock: a clock set back or forward is no stall.
            lastProgressNs = System.nanoTime();
            return polled + commitIfDue(epochClock.time(), 0 == polled);
        }
        catch (final CommitStalled ex)
        {
            return 1; // the store refused the commit: nothing is lost, retryStalledCommit takes it from here
        }
        catch (final RuntimeException | Error ex)
        {
            // Whatever went wrong, the poller may be past an event whose effects are half applied: never commit.
            failed = true;
            throw new AgentTerminationException(ex);
        }
    }

    @Override
    public void onEvent(final DirectBuffer buffer, final int length, final long index)
    {
        if (length < EventHeaderDescriptor.HEADER_LENGTH)
        {
            throw new IllegalStateException(
                "journal index " + Long.toHexString(index) + ": event of " + length + " bytes has no header");
        }
        try
        {
            final long timestampMs =
                buffer.getLong(EventHeaderDescriptor.TIMESTAMP_OFFSET, EventHeaderDescriptor.BYTE_ORDER);
            if (timestampMs > latestHeaderMs)
            {
                // Appended after this poll read the clock: read it again before judging the event ahead of it.
                latestHeaderMs = epochClock.time() + MAX_HEADER_AHEAD_MS;
            }
            if (timestampMs >= 0 && timestampMs <= latestHeaderMs)
            {
                apply(buffer, length, index);
            }
            else
            {
                // Rare: a header time from a bad clock, or from an older edge that wrote a sender's time there.
                // Applied from a copy whose header time is bounded, so every reader sees the same bounded time.
                final int copied = Math.min(length, boundedEvent.capacity()); // an event is never longer
                boundedEvent.putBytes(0, buffer, 0, copied);
                boundedEvent.putLong(EventHeaderDescriptor.TIMESTAMP_OFFSET,
                    Math.max(0, Math.min(timestampMs, latestHeaderMs)), EventHeaderDescriptor.BYTE_ORDER);
                headerTimesBounded = headerTimesBounded + 1;
                apply(boundedEvent, copied, index);
            }
        }
        catch (final MalformedEventException ex)
        {
            // Fatal like any decode failure (doWork stops the agent), but saying where.
            throw new IllegalStateException("journal index " + Long.toHexString(index) + ": " + ex.getMessage(), ex);
        }
        uncommittedEvents++;
        lastAppliedIndex = index;
    }

    private void apply(final DirectBuffer buffer, final int length, final long index)
    {
        final byte version = buffer.getByte(EventHeaderDescriptor.VERSION_OFFSET);
        if (EventHeaderDescriptor.CURRENT_VERSION != version)
        {
            throw new IllegalStateException(
                "journal index " + Long.toHexString(index) + ": unknown event version " + version);
        }
        final byte type = buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET);
        advanceLedgerClock(buffer.getLong(EventHeaderDescriptor.TIMESTAMP_OFFSET, EventHeaderDescriptor.BYTE_ORDER));
        switch (type)
        {
            case EventHeaderDescriptor.TYPE_CLICK:
                onClick(buffer, length);
                break;
            case EventHeaderDescriptor.TYPE_PIXEL:
                onPixel(buffer, length);
                break;
            case EventHeaderDescriptor.TYPE_CATALOG:
                onCatalogChange(buffer, length);
                break;
            case EventHeaderDescriptor.TYPE_CONVERSION:
                conversion.wrap(buffer, 0, length);
                if (!Money.isWithinBound(conversion.amountMinor()))
                {
                    // Journaled before the edge bounded amounts: applied, it would wrap a counter or a balance, and
                    // a checked one would stop every replay here. Left out, and counted.
                    amountsRefused = amountsRefused + 1;
                    break;
                }
                attribution.onConversion(conversion);
                break;
            case EventHeaderDescriptor.TYPE_DEAD_LETTER:
                break; // kept in the journal with its reason, for the operator; no aggregate state

            default:
                throw new IllegalStateException(
                    "journal index " + Long.toHexString(index) + ": unknown event type " + type);
        }
    }

    /**
     * The ledger's clock is the journal's: the latest event time seen. Entering a new day approves what is due and
     * reviews tiers, which reads committed state, so what is applied so far is committed first.
     */
    private void advanceLedgerClock(final long timestampMs)
    {
        final int day = (int)Math.floorDiv(timestampMs, DAY_MS);
        if (day > commissions.today())
        {
            commitApplied();
            commissions.advanceTo(day);
        }
    }

    /**
     * Commit everything applied before the current event, so that a command reading committed state sees it.
     */
    private void commitApplied()
    {
        if (uncommittedEvents > 0)
        {
            commit(epochClock.time());
        }
    }

    private void onClick(final DirectBuffer buffer, final int length)
    {
        click.wrap(buffer, 0, length);
        final long timestampMs = click.timestampMs();
        final int partner = click.partnerId();
        if (click.hasFlag(ClickEventFlyweight.FLAG_PREVIEW))
        {
            counters.add(partner, timestampMs, CounterField.PREVIEWS, 1);
            return;
        }
        if (click.hasFlag(ClickEventFlyweight.FLAG_BOT))
        {
            counters.add(partner, timestampMs, CounterField.BOT_CLICKS, 1);
        }
        else
        {
            counters.add(partner, timestampMs, CounterField.CLICKS, 1);
            if (isUniqueClick(timestampMs))
            {
                counters.add(partner, timestampMs, CounterField.UNIQUE_CLICKS, 1);
            }
        }
        final boolean isBot = click.hasFlag(ClickEventFlyweight.FLAG_BOT);
        clickTable.put(batch, click.clickIdHi(), click.clickIdLo(), click.visitorIdHi(), click.visitorIdLo(),
            timestampMs, partner, click.programId(), isBot);
        // Only real clicks are touches: a bot's click must never earn a partner credit.
        pendingClicks.add(click.clickIdHi(), click.clickIdLo(), click.visitorIdHi(), click.visitorIdLo(),
            timestampMs, partner, click.programId(), !isBot);
        if (!isBot)
        {
            touchTable.put(batch, click.visitorIdHi(), click.visitorIdLo(), timestampMs, click.clickIdHi(),
                click.clickIdLo(), partner, click.programId());
        }
    }

    /**
     * A click is unique when its visitor has no unique click on the same link in the window before it; repeated
     * clicks inside the window do not extend it, so an active visitor counts once per window.
     */
    private boolean isUniqueClick(final long timestampMs)
    {
        final VisitKey key = new VisitKey(click.visitorIdHi(), click.visitorIdLo(), click.linkId());
        long lastUniqueMs = pendingVisits.getValue(key);
        if (-1 == lastUniqueMs && !click.hasFlag(ClickEventFlyweight.FLAG_NEW_VISITOR))
        {
            lastUniqueMs = visitTable.lastUniqueClickMs(key.visitorHi(), key.visitorLo(), key.linkNumber());
        }
        if (-1 != lastUniqueMs && timestampMs - lastUniqueMs < uniqueClickWindowMs)
        {
            return false;
        }
        pendingVisits.put(key, timestampMs);
        return true;
    }

    /**
     * A pixel hit reporting a conversion ({@code e=conversion}) becomes a browser-reported conversion, credited
     * only through the visitor's earlier real clicks, for programs that accept them; other hits leave no state.
     */
    private void onPixel(final DirectBuffer buffer, final int length)
    {
        click.wrap(buffer, 0, length);
        final String query = click.query();
        if (!query.contains("e=conversion"))
        {
            return;
        }
        final java.util.Map<String, java.util.List<String>> parameters;
        try
        {
            // Only '&' separates parameters (WHATWG URL): "e=conversion;amount=1" is one parameter, not two.
            parameters = io.netty.handler.codec.http.QueryStringDecoder.builder().hasPath(false)
                .semicolonIsNormalChar(true).build(query).parameters();
        }
        catch (final IllegalArgumentException ex)
        {
            return; // a malformed escape in a browser's query: not a usable report, and never a reason to stop
        }
        // The report is the parameter e=conversion, not any text containing it (page=conversion); a parameter given
        // twice is ambiguous (which value would the page have meant?), so such a report is dropped.
        if (!"conversion".equals(first(parameters, "e")) || parameters.values().stream().anyMatch(v -> v.size() > 1))
        {
            return;
        }
        final String programId = first(parameters, "program");
        final CatalogEntry<ProgramSpec> program = null == programId ? null : catalog.program(programId);
        final String orderId = first(parameters, "order_id");
        final String kindName = first(parameters, "kind");
        final String currency = first(parameters, "currency");
        final long amount;
        try
        {
            final String amountText = first(parameters, "amount");
            if (null != amountText && !Money.isPlainInteger(amountText))
            {
                throw new NumberFormatException(); // "+5", "0100", "١٠٠": one spelling per number
            }
            amount = null == amountText ? 0 : Long.parseLong(amountText);
        }
        catch (final NumberFormatException ex)
        {
            amountsRefused = amountsRefused + 1;
            return; // a browser report with a malformed amount is dropped: the pixel is not a trusted source
        }
        if (!Money.isWithinBound(amount))
        {
            // Anyone can load the pixel: an amount past the bound is dropped, never booked (amount=Long.MAX_VALUE
            // booked a commission of 9x10^17).
            amountsRefused = amountsRefused + 1;
            return;
        }
        if (null == program || !Boolean.TRUE.equals(program.spec().pixelConversions()) || null == orderId ||
            orderId.length() > ConversionEventFlyweight.MAX_ID_LENGTH ||
            (null != currency && !currency.equalsIgnoreCase(program.spec().currency())))
        {
            return;
        }
        final byte kind = "lead".equals(kindName) ? ConversionEventFlyweight.KIND_LEAD :
            ConversionEventFlyweight.KIND_SALE;
        conversion.wrapForEncode(pixelConversionBuffer, 0, click.timestampMs(), click.timestampMs(),
            kind, ConversionEventFlyweight.SOURCE_PIXEL, program.number(), program.spec().currency(), amount)
            .visitorId(click.visitorIdHi(), click.visitorIdLo())
            .ids(orderId, null, null, first(parameters, "coupon"))
            .encodedLength();
        attribution.onConversion(conversion.wrap(pixelConversionBuffer, 0));
    }

    private static String first(final java.util.Map<String, java.util.List<String>> parameters, final String name)
    {
        final java.util.List<String> values = parameters.get(name);
        return null == values || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }

    private void onCatalogChange(final DirectBuffer buffer, final int length)
    {
        catalogEvent.wrap(buffer, 0, length);
        final byte kind = catalogEvent.kind();
        final byte[] document = catalogEvent.document();
        final CatalogEntry<?> applied;
        switch (kind)
        {
            case CatalogEventFlyweight.KIND_PROGRAM:
            {
                final CatalogEntry<ProgramSpec> program = CatalogJson.read(document, CatalogJson.PROGRAM);
                applied = relabelsMoney(program) ? null : catalog.applyProgram(program);
                break;
            }
            case CatalogEventFlyweight.KIND_PARTNER:
            {
                final CatalogEntry<dev.ricochet.aggregator.catalog.PartnerSpec> partner =
                    CatalogJson.read(document, CatalogJson.PARTNER);
                applied = movesMoney(partner) ? null : catalog.applyPartner(partner);
                break;
            }
            case CatalogEventFlyweight.KIND_LINK:
                applied = catalog.applyLink(CatalogJson.read(document, CatalogJson.LINK));
                break;
            case CatalogEventFlyweight.KIND_COUPON:
                applied = catalog.applyCoupon(CatalogJson.read(document, CatalogJson.COUPON));
                break;
            case CatalogEventFlyweight.KIND_PAYOUT_RUN:
            {
                commitApplied();
                final LedgerCommand.PayoutRun run = CatalogJson.read(document, LedgerCommand.PayoutRun.class);
                payouts.build(run.runId(), run.programId(), run.periodEnd(), catalogEvent.timestampMs());
                return;
            }
            case CatalogEventFlyweight.KIND_PAYOUT_APPROVAL:
            {
                commitApplied();
                payouts.approve(CatalogJson.read(document, LedgerCommand.PayoutApproval.class).runId(),
                    catalogEvent.timestampMs());
                return;
            }
            case CatalogEventFlyweight.KIND_COMMISSION_REVIEW:
                review(CatalogJson.read(document, LedgerCommand.CommissionReview.class), catalogEvent.timestampMs());
                return;
            case CatalogEventFlyweight.KIND_CLOCK_TICK:
                return; // its timestamp has already moved the ledger's clock
            default:
                throw new IllegalStateException("unknown catalog kind " + kind);
        }
        if (null != applied)
        {
            catalogTable.put(batch, kind, applied);
        }
    }

    /**
     * A partner with money history never changes program (the API answers 409; a change journaled anyway, by a race
     * or by an earlier version, is ignored here, the same way in a replay).
     */
    private boolean movesMoney(final CatalogEntry<dev.ricochet.aggregator.catalog.PartnerSpec> change)
    {
        final CatalogEntry<dev.ricochet.aggregator.catalog.PartnerSpec> existing = catalog.partner(change.id());
        if (null == existing || existing.spec().programId().equals(change.spec().programId()))
        {
            return false;
        }
        commitApplied();
        return Ledger.hasMoneyHistory(store, existing.number());
    }

    /**
     * A program whose partners have money history never changes currency (the API answers 409).
     */
    private boolean relabelsMoney(final CatalogEntry<ProgramSpec> change)
    {
        final CatalogEntry<ProgramSpec> existing = catalog.program(change.id());
        if (null == existing || java.util.Objects.equals(existing.spec().currency(), change.spec().currency()))
        {
            return false;
        }
        commitApplied();
        for (final CatalogEntry<dev.ricochet.aggregator.catalog.PartnerSpec> partner : catalog.partnersOf(change.id()))
        {
            if (Ledger.hasMoneyHistory(store, partner.number()))
            {
                return true;
            }
        }
        return false;
    }

    private void review(final LedgerCommand.CommissionReview review, final long timeMs)
    {
        final CatalogEntry<dev.ricochet.aggregator.catalog.PartnerSpec> partner = catalog.partner(review.partnerId());
        final CatalogEntry<ProgramSpec> program = null == partner ? null : catalog.program(partner.spec().programId());
        if (null != program)
        {
            commissions.review(partner, program, new CommissionKey(partner.number(), review.conversionTimeMs(),
                program.number(), review.externalId()), review.action(), review.reason(), timeMs);
        }
    }

    private int commitIfDue(final long nowMs, final boolean isEndOfBatch)
    {
        if (0 == uncommittedEvents ||
            !(isEndOfBatch || uncommittedEvents >= commitMaxEvents || nowMs - lastCommitMs >= commitIntervalMs))
        {
            return 0;
        }
        commit(nowMs);
        return 1;
    }

    private void commit(final long nowMs)
    {
        attribution.flush(batch);
        ledger.flush(batch);
        timeline.flush(batch);
        payouts.flush(batch);
        counters.flush(batch);
        pendingVisits.forEach((visit, timeMs) ->
            visitTable.putLastUniqueClick(batch, visit.visitorHi(), visit.visitorLo(), visit.linkNumber(), timeMs));
        if (Integer.MIN_VALUE != commissions.today())
        {
            ledgerTable.putLedgerDay(batch, commissions.today());
        }
        final long position = lastAppliedIndex;
        try
        {
            if (CrashPoints.SPLIT_CHECKPOINT)
            {
                writeStateThenCheckpoint(position);
            }
            else
            {
                store.putJournalPosition(batch, position);
                if (CrashPoints.ENABLED)
                {
                    CrashPoints.hit(CrashPoints.Point.AGGREGATOR_AFTER_BATCH);
                }
                store.write(batch);
            }
        }
        catch (final StateStore.WriteFailedException ex)
        {
            stall(position, ex.getMessage(), nowMs);
            throw CommitStalled.INSTANCE;
        }
        if (CrashPoints.ENABLED)
        {
            CrashPoints.hit(CrashPoints.Point.AGGREGATOR_AFTER_WRITE);
        }
        committed(position, nowMs);
    }

    /**
     * The store refused the batch holding everything applied up to {@code position}: keep the batch and the
     * in-memory state as they are (the flushes above have moved pending changes into the batch, so it must be written
     * as is, never rebuilt) and stop reading the journal until the batch is written.
     */
    private void stall(final long position, final String reason, final long nowMs)
    {
        stalledPosition = position;
        stalledBecause = reason;
        storeFailures = storeFailures + 1;
        storeRetryBackoffMs = 0;
        backOff(nowMs, "retrying");
    }

    /**
     * Reopen the store and write the refused batch again, once the backoff has passed. The position read back after
     * the reopen tells whether the refused write had in fact landed (then it is not written twice) or not; anything
     * else means the store changed under the agent, which is fatal.
     */
    private int retryStalledCommit(final long nowMs)
    {
        if (nowMs < storeRetryAtMs)
        {
            return 0;
        }
        final long usableBytes = store.usableBytes();
        if (usableBytes >= 0 && usableBytes < storeRetry.minFreeBytes())
        {
            backOff(nowMs, "waiting for " + storeRetry.minFreeBytes() + " bytes free on the state disk (" +
                usableBytes + " free)");
            return 0;
        }
        final long storedPosition;
        try
        {
            store.reopen();
            storedPosition = store.journalPosition();
            if (storedPosition == committedIndex)
            {
                store.write(batch);
            }
        }
        catch (final RuntimeException ex)
        {
            // Refused again, or not yet openable or readable: nothing was written, wait and try again.
            storeFailures = storeFailures + 1;
            backOff(nowMs, "the retry failed too: " + ex.getMessage());
            return 0;
        }
        if (storedPosition == stalledPosition)
        {
            batch.clear(); // the refused write had landed after all: nothing to write again
        }
        else if (storedPosition != committedIndex)
        {
            failed = true;
            throw new AgentTerminationException("state store holds journal index " +
                Long.toHexString(storedPosition) + " after a reopen, expected " + Long.toHexString(committedIndex) +
                " or " + Long.toHexString(stalledPosition));
        }
        committed(stalledPosition, nowMs);
        // The refused commit may have happened inside an event (a new ledger day commits first), after the poller
        // had read that event: read on from exactly what is now committed.
        poller.close();
        poller = journal.newPoller(committedIndex);
        stalledPosition = Journal.NULL_INDEX;
        stalledBecause = null;
        storeRecoveries = storeRecoveries + 1;
        stallReason = null;
        return 1;
    }

    private void backOff(final long nowMs, final String why)
    {
        // 100 ms after the refusal, then twice as long after each try, up to the configured longest wait.
        storeRetryBackoffMs = Math.min(Math.max(STORE_RETRY_INITIAL_MS, storeRetryBackoffMs * 2),
            storeRetry.maxBackoffMs());
        storeRetryAtMs = nowMs + storeRetryBackoffMs;
        stallReason = "state store write failed at journal index " + Long.toHexString(stalledPosition) +
            ", committed up to " + Long.toHexString(committedIndex) + ": " + stalledBecause + "; " + why +
            ", next try in " + storeRetryBackoffMs + " ms";
    }

    private void committed(final long position, final long nowMs)
    {
        pendingVisits.clear();
        pendingClicks.clear();
        uncommittedEvents = 0;
        lastCommitMs = nowMs;
        committedIndex = position;
    }

    /**
     * The negative control of the crash suite, never used in production: the checkpoint in a write of its own after
     * the state, so that a crash between the two makes a restart apply the same events again.
     */
    private void writeStateThenCheckpoint(final long position)
    {
        // A batch of one write holds only the ledger-day marker (a clock tick, pixel hits): applying it twice is
        // harmless, so the crash point waits for a batch whose double application would corrupt the state.
        final boolean changesState = batch.count() > 1;
        store.write(batch);
        if (changesState)
        {
            CrashPoints.hit(CrashPoints.Point.AGGREGATOR_BETWEEN_CHECKPOINT_WRITES);
        }
        store.putJournalPosition(batch, position);
        store.write(batch);
    }

    /**
     * @return index of the last event applied to in-memory state (visible to catalog readers).
     */
    public long appliedIndex()
    {
        return appliedIndex;
    }

    /**
     * @return index of the last event whose effects are committed to RocksDB (visible to reports).
     */
    public long eventsApplied()
    {
        return eventsApplied;
    }

    /**
     * @return index of the last journal event whose effects are committed.
     */
    public long committedIndex()
    {
        return committedIndex;
    }

    /**
     * @return {@link System#nanoTime()} at which the agent's last poll returned (having applied events, or found
     *         none); it does not move while one event holds the agent, whatever the reason.
     */
    public long lastProgressNs()
    {
        return lastProgressNs;
    }

    /**
     * @return events applied with their header time bounded, since start (see {@link #MAX_HEADER_AHEAD_MS}).
     */
    public long headerTimesBounded()
    {
        return headerTimesBounded;
    }

    /**
     * @return true if the agent stopped on a failure.
     */
    public boolean hasFailed()
    {
        return failed;
    }

    /**
     * @return why the agent is not applying events while it waits for the state store, or null if it is not.
     */
    public String stallReason()
    {
        return stallReason;
    }

    /**
     * @return failed attempts to commit since start: writes the state store refused and reopens that failed.
     */
    public long storeFailures()
    {
        return storeFailures;
    }

    /**
     * @return stalls that ended with the refused commit written.
     */
    public long storeRecoveries()
    {
        return storeRecoveries;
    }

    /**
     * @return conversions and pixel reports left out since start because their amount is outside
     * {@link Money#MAX_AMOUNT} (or no integer).
     */
    public long amountsRefused()
    {
        return amountsRefused;
    }

    /**
     * @return counter additions since start that stopped at the end of the range of a long instead of wrapping.
     */
    public long counterSaturations()
    {
        return counters.saturations();
    }

    @Override
    public void onClose()
    {
        try
        {
            if (!failed && Journal.NULL_INDEX == stalledPosition && null != poller && uncommittedEvents > 0)
            {
                commit(epochClock.time());
            }
        }
        catch (final CommitStalled ex)
        {
            // Nothing committed, nothing lost: the next start replays the journal from the last commit.
        }
        finally
        {
            if (null != poller)
            {
                poller.close();
            }
            batch.close();
        }
    }

    @Override
    public String roleName()
    {
        return "aggregator";
    }

    /**
     * Unwinds a commit the store refused out of the poll (it can happen inside an event); carries nothing, since the
     * agent keeps the state.
     */
    private static final class CommitStalled extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        private static final CommitStalled INSTANCE = new CommitStalled();

        private CommitStalled()
        {
            super("commit stalled", null, false, false);
        }
    }
}
