package dev.ricochet.ops.crash;

import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalAppender;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.testsupport.Await;
import net.openhft.chronicle.queue.RollCycle;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A fresh aggregator's answer to "what should the state be": the journal's events up to a position copied into a
 * journal of their own, then applied by a new aggregator to an empty RocksDB.
 *
 * <p>The copy is what lets the replay stop exactly where the live state's checkpoint is, without a hook in the
 * aggregator; it changes only the events' indices, which no state but the checkpoint holds.
 */
final class Replay
{
    private static final String TOKEN = "crash-suite-replay-admin-token";
    private static final long TIMEOUT_MS = TimeUnit.MINUTES.toMillis(10);

    private Replay()
    {
    }

    /**
     * @param journalDir the service's journal.
     * @param rollCycle  its roll cycle.
     * @param lastIndex  the live state's checkpoint: the last event to replay, or {@link Journal#NULL_INDEX} for
     *                   none.
     * @param workDir    an empty directory; the replayed state ends up in {@code workDir/state}.
     * @return number of events replayed.
     * @throws InterruptedException if interrupted while the replay runs.
     */
    static long prefix(final Path journalDir, final RollCycle rollCycle, final long lastIndex, final Path workDir)
        throws InterruptedException
    {
        long copied = 0;
        try (Journal source = Journal.open(new Journal.Context().dir(journalDir).rollCycle(rollCycle));
            JournalPoller poller = source.newPoller(Journal.NULL_INDEX);
            Journal copy = Journal.open(new Journal.Context().dir(workDir.resolve("journal")));
            JournalAppender appender = copy.newAppender())
        {
            final boolean[] done = { Journal.NULL_INDEX == lastIndex };
            final long[] count = new long[1];
            while (!done[0] && poller.poll((buffer, length, index) ->
            {
                if (done[0] || index > lastIndex)
                {
                    done[0] = true;
                    return;
                }
                if (Journal.NULL_INDEX == appender.append(buffer, 0, length))
                {
                    throw new IllegalStateException("could not copy journal event " + Long.toHexString(index));
                }
                count[0]++;
                done[0] = index == lastIndex;
            }, 10_000) > 0)
            {
                // copy on
            }
            copied = count[0];

            final Aggregator aggregator = Aggregator.launch(new Aggregator.Context().dataDir(workDir).journal(copy)
                .adminPort(0).adminToken(TOKEN).financeToken(TOKEN + "-finance").analystToken(TOKEN + "-analyst")
                .clockTickIntervalMs(0));
            try
            {
                Await.committed(aggregator, copy, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
            }
            finally
            {
                aggregator.close();
            }
        }
        return copied;
    }
}
