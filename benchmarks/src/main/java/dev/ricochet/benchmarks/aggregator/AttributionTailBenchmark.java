package dev.ricochet.benchmarks.aggregator;

import dev.ricochet.benchmarks.ChronicleForkedBenchmark;
import dev.ricochet.benchmarks.BenchmarkFiles;
import dev.ricochet.aggregator.AggregatorAgent;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalEventHandler;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SystemEpochClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The aggregator's per-event work (journal tail, decode, attribution and counters, commits) against a bare tail of
 * the same journal.
 *
 * <p>Each invocation replays the whole pre-filled journal of {@link #EVENTS} events ({@link SyntheticJournal}: the
 * catalog, then 99% clicks over 1,000 partners and 10,000 links and 1% conversions, over {@link #spanDays} days) from
 * its start, so the score is SingleShotTime per event: ns per event, events/s = 1e9 / score. {@link #aggregate}
 * drives the real {@link AggregatorAgent#doWork()} until the journal is drained, on a fresh RocksDB state directory
 * per iteration (its commits every 20,000 events and at each new day are part of the work). {@link #tail} is the
 * anchor: a {@link JournalPoller} (the agent's own tail, which copies each event out of Chronicle) whose handler reads
 * each event's header, over the same journal.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class AttributionTailBenchmark extends ChronicleForkedBenchmark
{
    /**
     * Events in the journal, catalog included; also the operations per invocation.
     */
    static final int EVENTS = 1_000_000;

    private static final int POLL_LIMIT = 1000; // the agent's own poll limit

    /**
     * Days the journal's traffic spans. Every new hour gives each active partner a new hour bucket, whose first
     * write also range-deletes the partner's expired hours; those tombstones pile up in the hour table's memtable and
     * every later hour-bucket read re-fragments them, so the cost per event grows with the span and the journal's
     * length. One day keeps that effect small enough to measure the rest; 30 days (ReplayRun's default) is dominated
     * by it and, at this journal size, takes many minutes per invocation.
     */
    @Param({ "1" })
    int spanDays;

    private Path journalDir;
    private Journal journal;
    private SyntheticJournal.Summary summary;

    /**
     * Write the journal once per fork.
     */
    @Setup(Level.Trial)
    public void writeJournal()
    {
        journalDir = BenchmarkFiles.newTempDir("ricochet-tail-journal");
        journal = Journal.open(new Journal.Context().dir(journalDir));
        summary = SyntheticJournal.write(journal, EVENTS, 42, spanDays * SyntheticJournal.DAY_MS);
    }

    /**
     * Close and delete the journal.
     */
    @TearDown(Level.Trial)
    public void deleteJournal()
    {
        journal.close();
        BenchmarkFiles.delete(journalDir);
    }

    /**
     * A real aggregator agent on a fresh state directory, at the start of the journal.
     */
    @State(Scope.Thread)
    public static class Aggregation
    {
        Path stateDir;
        StateStore store;
        AggregatorAgent agent;
        Journal journal;

        /**
         * Fresh state per iteration: every iteration replays the same journal into an empty store.
         *
         * @param benchmark holds the journal.
         */
        @Setup(Level.Iteration)
        public void open(final AttributionTailBenchmark benchmark)
        {
            journal = benchmark.journal;
            stateDir = BenchmarkFiles.newTempDir("ricochet-tail-state");
            store = StateStore.open(stateDir);
            agent = AggregatorAgents.newAgent(
                journal, store, new Catalog(new LinkDirectory(), new ProgramDirectory()), SystemEpochClock.INSTANCE);
            agent.onStart();
        }

        /**
         * Check the answer (everything applied and committed), then discard the state.
         */
        @TearDown(Level.Iteration)
        public void close()
        {
            try
            {
                if (agent.hasFailed() || agent.committedIndex() != journal.lastIndex())
                {
                    throw new IllegalStateException("replay incomplete: committed " +
                        Long.toHexString(agent.committedIndex()) + ", journal ends at " +
                        Long.toHexString(journal.lastIndex()));
                }
            }
            finally
            {
                agent.onClose();
                store.close();
                BenchmarkFiles.delete(stateDir);
            }
        }
    }

    /**
     * The anchor's tail at the start of the journal, and what its handler reads.
     */
    @State(Scope.Thread)
    public static class Tail implements JournalEventHandler
    {
        JournalPoller poller;
        long events;
        long checksum;

        /**
         * A new poller per iteration, as the agent gets one per iteration.
         *
         * @param benchmark holds the journal.
         */
        @Setup(Level.Iteration)
        public void open(final AttributionTailBenchmark benchmark)
        {
            poller = benchmark.journal.newPoller(Journal.NULL_INDEX);
            events = 0;
        }

        /**
         * Check that every event was read.
         *
         * @param benchmark holds the journal's summary.
         */
        @TearDown(Level.Iteration)
        public void close(final AttributionTailBenchmark benchmark)
        {
            poller.close();
            if (events != benchmark.summary.events())
            {
                throw new IllegalStateException("tail read " + events + " of " + benchmark.summary.events());
            }
        }

        @Override
        public void onEvent(final DirectBuffer buffer, final int length, final long index)
        {
            // What the agent reads before it decides what to do with an event: type and timestamp.
            checksum += buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET) +
                buffer.getLong(EventHeaderDescriptor.TIMESTAMP_OFFSET, EventHeaderDescriptor.BYTE_ORDER) + length;
            events++;
        }
    }

    /**
     * Replay the journal through the real agent until it is drained and committed.
     *
     * @param aggregation the agent.
     * @return the committed journal index, so the work cannot be eliminated.
     */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long aggregate(final Aggregation aggregation)
    {
        final AggregatorAgent agent = aggregation.agent;
        while (0 != agent.doWork())
        {
            // doWork polls up to 1,000 events and commits when due; 0 means drained and committed.
        }
        return agent.committedIndex();
    }

    /**
     * Anchor: read every event of the same journal with the same poller and touch its header.
     *
     * @param tail the poller.
     * @return a checksum of what was read.
     */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long tail(final Tail tail)
    {
        final JournalPoller poller = tail.poller;
        int polled;
        do
        {
            polled = poller.poll(tail, POLL_LIMIT);
        }
        while (0 != polled);
        return tail.checksum;
    }
}
