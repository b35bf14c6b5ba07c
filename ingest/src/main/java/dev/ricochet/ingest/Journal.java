package dev.ricochet.ingest;

import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The durable, replayable log of every event the edge accepted: a Chronicle Queue with a daily roll.
 *
 * <p>Usage: {@code Journal.open(new Journal.Context().dir(path))}, then one {@link JournalAppender} per writing
 * thread, created and closed on that thread ({@link #newAppender()}), and one {@link JournalPoller} per reader. The
 * journal is the source of truth: all aggregator state can be rebuilt by replaying it.
 */
public final class Journal implements AutoCloseable
{
    /**
     * System property that must be {@code true}: Chronicle's usage analytics would otherwise phone home at start.
     */
    public static final String ANALYTICS_DISABLE_PROP_NAME = "chronicle.analytics.disable";

    /**
     * Index returned when an append did not happen.
     */
    public static final long NULL_INDEX = -1;

    /**
     * How often the journal starts a new cycle file: a name of Chronicle's {@link RollCycles} (FAST_DAILY, the
     * default, or FAST_HOURLY, ...) or, for crash tests only, of its {@link TestRollCycles} (TEST_SECONDLY). Fixed
     * when the journal is created: Chronicle keeps the first one.
     */
    public static final String ROLL_CYCLE_PROP_NAME = "ricochet.journal.roll.cycle";

    /**
     * Default of {@link #ROLL_CYCLE_PROP_NAME}.
     */
    public static final String ROLL_CYCLE_DEFAULT = "FAST_DAILY";

    /**
     * Settings of a journal, with defaults.
     */
    public static final class Context
    {
        private Path dir;
        private RollCycle rollCycle = RollCycles.FAST_DAILY;
        private TimeProvider timeProvider = SystemTimeProvider.INSTANCE;
        private boolean readOnly;

        /**
         * @param dir directory holding the queue's cycle files.
         * @return this for a fluent API.
         */
        public Context dir(final Path dir)
        {
            this.dir = dir;
            return this;
        }

        /**
         * @return directory holding the queue's cycle files.
         */
        public Path dir()
        {
            return dir;
        }

        /**
         * @param rollCycle how often a new cycle file starts; daily by default.
         * @return this for a fluent API.
         */
        public Context rollCycle(final RollCycle rollCycle)
        {
            this.rollCycle = rollCycle;
            return this;
        }

        /**
         * @param timeProvider clock deciding the cycle an append lands in; settable so tests can cross a roll.
         * @return this for a fluent API.
         */
        public Context timeProvider(final TimeProvider timeProvider)
        {
            this.timeProvider = timeProvider;
            return this;
        }

        /**
         * @param readOnly open for reading only (tools, replays of a copied journal).
         * @return this for a fluent API.
         */
        public Context readOnly(final boolean readOnly)
        {
            this.readOnly = readOnly;
            return this;
        }
    }

    private final ChronicleQueue queue;

    /**
     * @return the roll cycle {@link #ROLL_CYCLE_PROP_NAME} names.
     * @throws IllegalArgumentException naming the key if it names no roll cycle.
     */
    public static RollCycle configuredRollCycle()
    {
        return rollCycle(Settings.string(ROLL_CYCLE_PROP_NAME, ROLL_CYCLE_DEFAULT));
    }

    /**
     * @param name a name of {@link RollCycles} or {@link TestRollCycles}.
     * @return the roll cycle.
     * @throws IllegalArgumentException naming {@link #ROLL_CYCLE_PROP_NAME} if there is no such roll cycle.
     */
    public static RollCycle rollCycle(final String name)
    {
        for (final RollCycle cycle : RollCycles.all())
        {
            if (cycle.toString().equals(name))
            {
                return cycle;
            }
        }
        for (final RollCycle cycle : TestRollCycles.values())
        {
            if (cycle.toString().equals(name))
            {
                return cycle;
            }
        }
        throw new IllegalArgumentException(ROLL_CYCLE_PROP_NAME + "=" + name +
            ": not a roll cycle; use FAST_DAILY, FAST_HOURLY or another name of Chronicle's RollCycles");
    }

    /**
     * Makes each cycle file owner-only when Chronicle first maps it (once per roll, off the hot path's steady state).
     */
    private static final StoreFileListener OWNER_ONLY_FILES = new StoreFileListener()
    {
        @Override
        public void onAcquired(final int cycle, final File file)
        {
            try
            {
                OwnerOnly.setMode(file.toPath(), OwnerOnly.FILE);
            }
            catch (final IOException ex)
            {
                // The directory is owner-only already: a file it holds stays unreachable to others.
            }
        }

        @Override
        public void onReleased(final int cycle, final File file)
        {
        }
    };

    private Journal(final ChronicleQueue queue)
    {
        this.queue = queue;
    }

    /**
     * Open (or create) a journal.
     *
     * @param context settings.
     * @return the open journal.
     * @throws IllegalStateException if Chronicle's analytics were explicitly enabled.
     */
    public static Journal open(final Context context)
    {
        Objects.requireNonNull(context.dir, "journal dir");
        ensureAnalyticsDisabled();
        // Chronicle's default sync mode, not SYNC: in SYNC mode Chronicle also msyncs each whole 64 MiB chunk with
        // MS_SYNC, synchronously, on whichever thread releases it (an event loop, every few seconds under load).
        // Durability is explicit instead: only the grouped writer (DurableJournalWriter) syncs, through
        // JournalAppender.sync(), which asks for MS_SYNC itself and covers exactly what was appended.
        final ChronicleQueue queue = ChronicleQueue.singleBuilder(context.dir)
            .rollCycle(context.rollCycle)
            .timeProvider(context.timeProvider)
            .readOnly(context.readOnly)
            .storeFileListener(context.readOnly ? StoreFileListener.noOp() : OWNER_ONLY_FILES)
            .build();
        if (!context.readOnly)
        {
            // The journal holds program secrets (catalog events): its directory and the files present once open
            // (metadata, earlier cycles) are owner-only, and so is every cycle file it adds later (the listener).
            try
            {
                OwnerOnly.tightenFiles(context.dir);
            }
            catch (final IOException ex)
            {
                queue.close();
                throw new UncheckedIOException("cannot make the journal directory " + context.dir +
                    " owner-only", ex);
            }
        }
        return new Journal(queue);
    }

    /**
     * Make sure Chronicle's usage analytics are off before any Chronicle class reads the setting.
     *
     * @throws IllegalStateException if the property was explicitly set to anything but {@code true}.
     */
    public static void ensureAnalyticsDisabled()
    {
        final String value = System.getProperty(ANALYTICS_DISABLE_PROP_NAME);
        if (null == value)
        {
            System.setProperty(ANALYTICS_DISABLE_PROP_NAME, "true");
        }
        else if (!"true".equals(value))
        {
            throw new IllegalStateException(
                ANALYTICS_DISABLE_PROP_NAME + "=" + value + ": Ricochet never phones home, it must be true");
        }
    }

    /**
     * Create an appender for the calling thread. Chronicle appenders are not thread-safe: create, use and close
     * each one on a single thread (one per event loop).
     *
     * @return a new appender.
     */
    public JournalAppender newAppender()
    {
        return new JournalAppender(queue.createAppender(), (SingleChronicleQueue)queue);
    }

    /**
     * Create a poller that delivers the events after {@code afterIndex}.
     *
     * @param afterIndex index of the last event already processed, or {@link #NULL_INDEX} to start at the beginning.
     * @return a new poller.
     * @throws IllegalStateException if {@code afterIndex} is not in the journal (retention removed it).
     */
    public JournalPoller newPoller(final long afterIndex)
    {
        return new JournalPoller(queue.createTailer(), afterIndex);
    }

    /**
     * @return index of the last event in the journal, or {@link #NULL_INDEX} if empty.
     */
    public long lastIndex()
    {
        final long lastIndex = queue.lastIndex();
        return lastIndex < 0 ? NULL_INDEX : lastIndex;
    }

    /**
     * How far a reader is behind the writers, in events: the aggregator's lag.
     *
     * @param index index of the last event the reader processed, or {@link #NULL_INDEX} if none.
     * @return number of events after {@code index}.
     */
    public long eventsAfter(final long index)
    {
        final long last = queue.lastIndex();
        if (last < 0 || index >= last)
        {
            return 0;
        }
        // countExcerpts counts from its first index inclusive up to its second exclusive.
        return index < 0 ?
            ((SingleChronicleQueue)queue).countExcerpts(queue.firstIndex(), last) + 1 :
            ((SingleChronicleQueue)queue).countExcerpts(index, last);
    }

    /**
     * @return index of the last event an appender's {@link JournalAppender#sync()} has forced to the storage device,
     *         or {@link #NULL_INDEX}; kept by Chronicle in the queue's metadata, so it covers every appender.
     */
    public long lastIndexSynced()
    {
        final long synced = ((SingleChronicleQueue)queue).lastIndexMSynced();
        return synced < 0 ? NULL_INDEX : synced;
    }

    /**
     * @return the directory of the journal.
     */
    public Path dir()
    {
        return queue.file().toPath();
    }

    @Override
    public void close()
    {
        queue.close();
    }
}
