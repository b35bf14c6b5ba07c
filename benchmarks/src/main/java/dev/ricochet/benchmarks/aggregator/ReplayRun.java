package dev.ricochet.benchmarks.aggregator;

import dev.ricochet.benchmarks.BenchmarkFiles;
import dev.ricochet.aggregator.AggregatorAgent;
import dev.ricochet.aggregator.AggregatorConfiguration;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.Settings;
import org.agrona.concurrent.SystemEpochClock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Replays a journal into a fresh state directory with the real aggregator agent and reports its throughput; generates
 * the journal first if its directory is empty.
 *
 * <pre>
 * java &lt;BenchmarkJvm flags&gt; -cp benchmarks.jar dev.ricochet.benchmarks.aggregator.ReplayRun \
 *     --journal DIR --events 10000000 --state DIR [--json out.json] [--seed 42] [--days 30]
 * </pre>
 *
 * {@code --days} is the time the generated traffic spans (30 by default). Generation ({@link SyntheticJournal}) and a
 * counting pass over the journal (which also brings it into the page cache) are not timed. The timed part starts with
 * the agent's first poll and ends after its final commit, so it covers catalog, clicks, conversions, day rolls and
 * every RocksDB batch. A state directory that is not empty is
 * refused, unless it holds a RocksDB database (a previous run's state), which is deleted.
 */
public final class ReplayRun
{
    private static final long PROGRESS_INTERVAL_NS = 10_000_000_000L;

    private ReplayRun()
    {
    }

    /**
     * @param args see the class comment.
     * @throws IOException if the JSON file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        // Before any Chronicle class loads: the process must not phone home even if started without the flags.
        setIfAbsent("chronicle.analytics.disable", "true");
        setIfAbsent("chronicle.announcer.disable", "true");

        Path journalDir = null;
        Path stateDir = null;
        Path jsonFile = null;
        long events = 10_000_000;
        long seed = 42;
        long days = 30;
        for (int i = 0; i < args.length; i += 2)
        {
            final String value = i + 1 < args.length ? args[i + 1] : usage("missing value for " + args[i]);
            switch (args[i])
            {
                case "--journal":
                    journalDir = Path.of(value);
                    break;
                case "--state":
                    stateDir = Path.of(value);
                    break;
                case "--json":
                    jsonFile = Path.of(value);
                    break;
                case "--events":
                    events = Long.parseLong(value.replace("_", ""));
                    break;
                case "--seed":
                    seed = Long.parseLong(value);
                    break;
                case "--days":
                    days = Long.parseLong(value);
                    break;
                default:
                    usage("unknown option " + args[i]);
            }
        }
        if (null == journalDir || null == stateDir)
        {
            usage("--journal and --state are required");
        }

        final String json = run(journalDir, stateDir, events, seed, days * SyntheticJournal.DAY_MS);
        System.out.println(json);
        if (null != jsonFile)
        {
            Files.writeString(jsonFile, json + System.lineSeparator(), StandardCharsets.UTF_8);
        }
    }

    private static String run(
        final Path journalDir, final Path stateDir, final long events, final long seed, final long spanMs)
    {
        final boolean generate = BenchmarkFiles.isEmpty(journalDir);
        try (Journal journal = Journal.open(new Journal.Context().dir(journalDir)))
        {
            if (generate)
            {
                final long startNs = System.nanoTime();
                final SyntheticJournal.Summary summary = SyntheticJournal.write(journal, events, seed, spanMs);
                final double seconds = (System.nanoTime() - startNs) / 1e9;
                System.err.printf(Locale.ROOT, "generated %,d events (%,d clicks, %,d conversions) in %.1f s%n",
                    summary.events(), summary.clicks(), summary.conversions(), seconds);
            }
            final long count = countEvents(journal);
            if (!generate && count != events)
            {
                System.err.printf(Locale.ROOT, "journal holds %,d events; --events %,d ignored%n", count, events);
            }

            prepareStateDir(stateDir);
            final double seconds;
            try (StateStore store = StateStore.open(stateDir, Settings.sizeBytes(
                AggregatorConfiguration.STATE_MEMORY_PROP_NAME, AggregatorConfiguration.STATE_MEMORY_DEFAULT)))
            {
                final AggregatorAgent agent = AggregatorAgents.newAgent(journal, store,
                    new Catalog(new LinkDirectory(), new ProgramDirectory()), SystemEpochClock.INSTANCE);
                seconds = replay(agent);
                if (agent.hasFailed() || agent.committedIndex() != journal.lastIndex())
                {
                    throw new IllegalStateException("replay incomplete: committed " +
                        Long.toHexString(agent.committedIndex()) + ", journal ends at " +
                        Long.toHexString(journal.lastIndex()));
                }
            }

            return String.format(Locale.ROOT,
                "{\"events\":%d,\"seconds\":%.3f,\"eventsPerSecond\":%.0f,\"journalBytes\":%d,\"stateBytes\":%d}",
                count, seconds, count / seconds, BenchmarkFiles.sizeBytes(journalDir),
                BenchmarkFiles.sizeBytes(stateDir));
        }
    }

    /**
     * Drive the agent as its AgentRunner would, without idling, until the journal is drained and committed.
     *
     * @return seconds taken.
     */
    private static double replay(final AggregatorAgent agent)
    {
        final long startNs = System.nanoTime();
        long nextProgressNs = startNs + PROGRESS_INTERVAL_NS;
        long work = 0;
        agent.onStart();
        try
        {
            int workCount;
            do
            {
                workCount = agent.doWork();
                work += workCount;
                final long nowNs = System.nanoTime();
                if (nowNs >= nextProgressNs)
                {
                    // Work counts events plus one per commit: close enough to show the rate over time.
                    System.err.printf(Locale.ROOT, "... %,d events in %.0f s%n", work, (nowNs - startNs) / 1e9);
                    nextProgressNs += PROGRESS_INTERVAL_NS;
                }
            }
            while (0 != workCount);
        }
        finally
        {
            agent.onClose();
        }
        return (System.nanoTime() - startNs) / 1e9;
    }

    /**
     * Count the journal's events with a bare poller; this also brings the journal into the page cache, so that the
     * replay measures the aggregator rather than the disk.
     */
    private static long countEvents(final Journal journal)
    {
        final long[] count = new long[1];
        try (JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            while (0 != poller.poll((buffer, length, index) -> count[0]++, 10_000))
            {
                // poll until drained
            }
        }
        return count[0];
    }

    private static void prepareStateDir(final Path stateDir)
    {
        if (BenchmarkFiles.isEmpty(stateDir))
        {
            return;
        }
        if (!Files.exists(stateDir.resolve("CURRENT")))
        {
            throw new IllegalArgumentException(
                stateDir + " is not empty and holds no RocksDB state: refusing to delete");
        }
        // A previous run's state: the replay must start from nothing.
        BenchmarkFiles.delete(stateDir);
    }

    private static void setIfAbsent(final String name, final String value)
    {
        if (null == System.getProperty(name))
        {
            System.setProperty(name, value);
        }
    }

    private static String usage(final String problem)
    {
        System.err.println(problem);
        System.err.println(
            "usage: ReplayRun --journal DIR --events N --state DIR [--json out.json] [--seed S] [--days D]");
        System.exit(2);
        return null;
    }
}
