package dev.ricochet.aggregator;

import dev.ricochet.aggregator.attribution.AttributionEngine;
import dev.ricochet.aggregator.attribution.PendingClicks;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.commission.CommissionEngine;
import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.directory.DirectoryTiers;
import dev.ricochet.aggregator.directory.PartnerDirectory;
import dev.ricochet.aggregator.directory.PartnerTotals;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.aggregator.payout.PayoutRuns;
import dev.ricochet.aggregator.report.ProgramCounterBackfill;
import dev.ricochet.aggregator.report.ProgramCounters;
import dev.ricochet.aggregator.timeline.Timeline;
import dev.ricochet.aggregator.token.TokenChanges;
import dev.ricochet.aggregator.token.TokenRegistry;
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
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.rocksdb.WriteBatch;

/**
 * The single writer of all aggregate state, as an adapter: tails the journal, decodes each event and dispatches it to
 * the role that applies it to in-memory pending state, and commits that state with the journal position in one
 * atomic RocksDB batch. Roles: {@link ClickCounting}, {@link CatalogApplication}, {@link LedgerDay}, the
 * {@link AttributionEngine} (conversions), {@link CommitWriter} (the write, and the stall and retry when RocksDB
 * refuses it) and {@link AggregatorProgress} (what other threads read).
 *
 * <p>Duty cycle: poll a bounded number of events, then commit when the batch is full, the commit interval has
 * passed, or the journal is drained (end of batch). After a crash the agent resumes after the committed position,
 * so every event is applied exactly once. A decode failure stops the agent without committing: skipping an
 * event would corrupt payouts, and a restart resumes from the last good commit. A commit RocksDB refuses stalls the
 * agent instead: it stops polling until the refused batch is written, then reads on right after it.
 */
public final class AggregatorAgent implements Agent, JournalEventHandler
{
    static final int POLL_LIMIT = 1000;

    /**
     * Furthest an event's header time may be ahead of the aggregator's wall clock; a later one is read as wall clock
     * plus this (docs/time.md), so no event in a journal, whoever wrote it, moves a clock far ahead.
     */
    static final long MAX_HEADER_AHEAD_MS = 300_000L;

    private final Journal journal;
    private final Catalog catalog;
    private final EpochClock epochClock;
    private final long commitIntervalMs;
    private final int commitMaxEvents;
    private final ClickEventFlyweight click = new ClickEventFlyweight();
    private final CatalogEventFlyweight catalogEvent = new CatalogEventFlyweight();
    private final ConversionEventFlyweight conversion = new ConversionEventFlyweight();
    private final PendingClicks pendingClicks = new PendingClicks();
    private final AttributionEngine attribution;
    private final CounterBuckets counters;
    private final ProgramCounters programCounters; // part 8 item 6
    private final Ledger ledger;
    private final Timeline timeline;
    private final PayoutRuns payouts;
    private final WriteBatch batch = new WriteBatch();
    private final UnsafeBuffer boundedEvent = new UnsafeBuffer(new byte[EventHeaderDescriptor.MAX_EVENT_LENGTH]);
    private final ClickCounting clicks;
    private final LedgerDay ledgerDay;
    private final CatalogApplication catalogChanges;
    private final AggregatorProgress progress;
    private final CommitWriter commits;
    private final PartnerTotals totals; // part 8, item 1
    private final PartnerDirectory directory; // part 8, item 1

    private JournalPoller poller;
    private long lastAppliedIndex;
    private long latestHeaderMs;
    private long lastCommitMs;
    private int uncommittedEvents;
    private volatile long amountsRefused;

    public AggregatorAgent(
        final Journal journal,
        final StateStore store,
        final Catalog catalog,
        final EpochClock epochClock,
        final long uniqueClickWindowMs,
        final long commitIntervalMs,
        final int commitMaxEvents)
    {
        this(journal, store, catalog, epochClock, uniqueClickWindowMs, commitIntervalMs, commitMaxEvents,
            CommitWriter.StoreRetry.fromSettings());
    }

    AggregatorAgent(
        final Journal journal,
        final StateStore store,
        final Catalog catalog,
        final EpochClock epochClock,
        final long uniqueClickWindowMs,
        final long commitIntervalMs,
        final int commitMaxEvents,
        final CommitWriter.StoreRetry storeRetry)
    {
        this(journal, store, catalog, epochClock, uniqueClickWindowMs, commitIntervalMs, commitMaxEvents, storeRetry,
            new TokenRegistry());
    }

    AggregatorAgent(
        final Journal journal,
        final StateStore store,
        final Catalog catalog,
        final EpochClock epochClock,
        final long uniqueClickWindowMs,
        final long commitIntervalMs,
        final int commitMaxEvents,
        final CommitWriter.StoreRetry storeRetry,
        final TokenRegistry tokens)
    {
        this.journal = journal;
        this.catalog = catalog;
        this.epochClock = epochClock;
        this.commitIntervalMs = commitIntervalMs;
        this.commitMaxEvents = commitMaxEvents;
        // part 8 item 6: the program reports' buckets, counted with the partners' (tiers read from the ledger)
        ProgramCounterBackfill.runOnce(store, catalog);
        this.programCounters = new ProgramCounters(store, catalog, this::tierOf);
        this.totals = PartnerTotals.restore(store); // part 8, item 1
        this.counters = new CounterBuckets(store, (partner, timeMs, field, delta) ->
        {
            programCounters.onAdd(partner, timeMs, field, delta);
            totals.onAdd(partner, timeMs, field, delta);
        });
        this.ledger = new Ledger(store, counters);
        this.timeline = new Timeline(store, ledger);
        final CommissionEngine commissions = new CommissionEngine(catalog, counters, ledger, timeline,
            LedgerDay.restore(store, epochClock.time() + MAX_HEADER_AHEAD_MS));
        // Part 8, item 1: the partner directory, told of catalog changes and of each commit.
        this.directory = new PartnerDirectory(catalog, store, totals, (partner, program) -> DirectoryTiers.name(
            program.spec(), partner.spec(), ledger.account(partner.number()).tier(), commissions.today()),
            commissions::today);
        catalog.onChanges(directory);
        this.payouts = new PayoutRuns(store, catalog, ledger, timeline);
        this.attribution = new AttributionEngine(store, catalog, pendingClicks, counters::add, commissions);
        this.clicks = new ClickCounting(store, batch, counters, pendingClicks, uniqueClickWindowMs);
        this.ledgerDay = new LedgerDay(store, batch, commissions, this::commitApplied);
        this.catalogChanges = new CatalogApplication(catalog, store, batch, commissions, payouts,
            timeline, new TokenChanges(store, tokens), this::commitApplied);
        this.progress = new AggregatorProgress(journal, store.journalPosition());
        this.commits = new CommitWriter(store, batch, storeRetry, progress);
        this.lastAppliedIndex = progress.committedIndex();
    }

    @Override
    public void onStart()
    {
        poller = journal.newPoller(progress.committedIndex());
        lastCommitMs = epochClock.time();
        progress.onStart();
    }

    @Override
    public int doWork()
    {
        if (progress.hasFailed())
        {
            throw new AgentTerminationException("aggregator stopped after a failure; restart resumes from commit");
        }
        if (commits.isStalled())
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
            directory.refresh(); // part 8, item 1: catalog changes listed once applied, like the catalog's reads
            if (CrashPoints.ENABLED && polled > 0)
            {
                CrashPoints.hit(CrashPoints.Point.AGGREGATOR_AFTER_READ);
            }
            // A poll returned: progress, or caught up (nothing to read). A stuck event never gets here.
            progress.onPoll(poller.lastIndex(), polled);
            return polled + commitIfDue(epochClock.time(), 0 == polled);
        }
        catch (final CommitWriter.CommitStalled ex)
        {
            return 1; // the store refused the commit: nothing is lost, retryStalledCommit takes it from here
        }
        catch (final RuntimeException | Error ex)
        {
            // Whatever went wrong, the poller may be past an event whose effects are half applied: never commit.
            progress.onFailed();
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
                progress.onHeaderTimeBounded();
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
        ledgerDay.advanceTo(buffer.getLong(EventHeaderDescriptor.TIMESTAMP_OFFSET, EventHeaderDescriptor.BYTE_ORDER));
        // part 8 item 6: entering a new week records its partners per tier
        programCounters.onEventTime(buffer.getLong(EventHeaderDescriptor.TIMESTAMP_OFFSET,
            EventHeaderDescriptor.BYTE_ORDER));
        switch (type)
        {
            case EventHeaderDescriptor.TYPE_CLICK:
                onClick(buffer, length);
                break;
            case EventHeaderDescriptor.TYPE_PIXEL:
                // Checked like every event, then a hit for reports only: the edge decides a conversion it reports.
                click.wrap(buffer, 0, length);
                break;
            case EventHeaderDescriptor.TYPE_CATALOG:
                onCatalogChange(buffer, length, index);
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
     * Part 8 item 6: a partner's current tier index, for the program reports' tier buckets.
     */
    private int tierOf(final int partnerNumber)
    {
        return ledger.account(partnerNumber).tier();
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
        clicks.onClick(click.wrap(buffer, 0, length));
    }

    private void onCatalogChange(final DirectBuffer buffer, final int length, final long index)
    {
        catalogEvent.wrap(buffer, 0, length);
        catalogChanges.onCatalogChange(catalogEvent, index);
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
        programCounters.flush(batch); // part 8 item 6
        totals.flush(batch); // part 8, item 1
        clicks.flush();
        ledgerDay.flush();
        final long position = lastAppliedIndex;
        commits.write(position, nowMs);
        committed(position, nowMs);
    }

    /**
     * Write the refused commit again, once {@link CommitWriter} says it may; then read on from exactly what is
     * committed: the refused commit may have happened inside an event (a new ledger day commits first), after the
     * poller had read that event.
     */
    private int retryStalledCommit(final long nowMs)
    {
        final long position;
        try
        {
            position = commits.retry(nowMs);
        }
        catch (final AgentTerminationException ex)
        {
            progress.onFailed(); // the store changed under the agent
            throw ex;
        }
        if (Journal.NULL_INDEX == position)
        {
            return 0;
        }
        committed(position, nowMs);
        poller.close();
        poller = journal.newPoller(progress.committedIndex());
        commits.recovered();
        return 1;
    }

    private void committed(final long position, final long nowMs)
    {
        clicks.committed();
        uncommittedEvents = 0;
        lastCommitMs = nowMs;
        directory.committed(); // part 8, item 1: published before the position says it is committed
        progress.onCommitted(position);
    }

    /**
     * @return the partner directory this agent maintains (part 8, item 1).
     */
    public PartnerDirectory directory()
    {
        return directory;
    }

    /**
     * @return what other threads may read of the agent's progress.
     */
    AggregatorProgress progress()
    {
        return progress;
    }

    /**
     * @return index of the last journal event whose effects are committed.
     */
    public long committedIndex()
    {
        return progress.committedIndex();
    }

    /**
     * @return true if the agent stopped on a failure.
     */
    public boolean hasFailed()
    {
        return progress.hasFailed();
    }

    /**
     * @return why the agent is not applying events while it waits for the state store, or null if it is not.
     */
    public String stallReason()
    {
        return progress.stallReason();
    }

    /**
     * @return conversions left out since start because their amount is outside
     * {@link Money#MAX_AMOUNT} (or no integer).
     */
    public long amountsRefused()
    {
        return amountsRefused;
    }

    /**
     * @param journalIndex the journal index of an admin change.
     * @return the sequence number of its audit record if it is the last change applied, else -1 (any thread).
     */
    public long auditSeqOf(final long journalIndex)
    {
        return catalogChanges.auditSeqOf(journalIndex);
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
            if (!progress.hasFailed() && !commits.isStalled() && null != poller && uncommittedEvents > 0)
            {
                commit(epochClock.time());
            }
        }
        catch (final CommitWriter.CommitStalled ex)
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
}
