package dev.ricochet.ingest;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-test hooks: named points in the journal append and the aggregator's commit where the JVM halts, with
 * probability 1/N, so that a crash suite can prove recovery at exactly the moments a black-box kill rarely hits.
 *
 * <p>Off unless {@value #POINTS_PROP_NAME} names points; then each call site costs one test of the static final
 * {@link #ENABLED}, which the JIT folds away. Usage at a point: {@code if (CrashPoints.ENABLED) {
 * CrashPoints.hit(CrashPoints.Point.EDGE_BEFORE_APPEND); }}. A fired point prints its name on stderr and halts with
 * exit status {@link #EXIT_STATUS_BASE} + its ordinal (no shutdown hook, no final commit, as in a crash), so the
 * supervising process can count hits per point ({@link #fromExitStatus}).
 */
public final class CrashPoints
{
    /**
     * Comma-separated names of the armed points ({@link Point#label()}); unset or blank: crash points are off.
     */
    public static final String POINTS_PROP_NAME = "ricochet.crash.points";

    /**
     * An armed point halts on one pass in N, at random (default 1: the first pass).
     */
    public static final String ONE_IN_PROP_NAME = "ricochet.crash.one.in";

    /**
     * Points stay disarmed for this long after the class loads (a duration such as 2s), so a crash lands under load
     * rather than during start-up.
     */
    public static final String DELAY_PROP_NAME = "ricochet.crash.delay";

    /**
     * {@code true} makes the aggregator deliberately broken: its journal checkpoint is written in a separate write
     * after the state, with {@link Point#AGGREGATOR_BETWEEN_CHECKPOINT_WRITES} between the two. Only honoured while
     * crash points are on; it exists so the crash suite can show it catches the bug (a negative control).
     */
    public static final String SPLIT_CHECKPOINT_PROP_NAME = "ricochet.crash.split.checkpoint";

    /**
     * The aggregator's thread stops for this long (a duration such as 120s), once, when the delay has passed: what a
     * SIGSTOP of an aggregator process would do, while the edge, in the same process, goes on journaling. Unset: no
     * freeze.
     */
    public static final String AGGREGATOR_FREEZE_PROP_NAME = "ricochet.crash.aggregator.freeze";

    /**
     * How a freeze is announced on stderr, followed by its start (epoch ms): a supervisor reading the log knows when.
     */
    public static final String AGGREGATOR_FREEZE_LOG_LINE = "ricochet: crash test freezes the aggregator at ";

    /**
     * A process halted by a point exits with this plus the point's ordinal.
     */
    public static final int EXIT_STATUS_BASE = 100;

    /**
     * The points, in the order of their exit statuses.
     */
    public enum Point
    {
        /**
         * A journal append (edge click or pixel, synced conversion, catalog change) before anything is written.
         */
        EDGE_BEFORE_APPEND("edge-before-append"),
        /**
         * Inside the journal write: the document is written but not yet marked complete (Chronicle's header is
         * still "not ready", its write lock held).
         */
        EDGE_INSIDE_APPEND("edge-inside-append"),
        /**
         * The document is complete in the journal, its request not yet answered.
         */
        EDGE_AFTER_APPEND("edge-after-append"),
        /**
         * The first append of a new journal cycle: the appender has rolled (the old cycle closed, the new file
         * created) and holds the new cycle's first header, not yet complete.
         */
        EDGE_CYCLE_ROLL("edge-cycle-roll"),
        /**
         * The aggregator polled and applied events to its in-memory state; nothing of them is committed.
         */
        AGGREGATOR_AFTER_READ("aggregator-after-read"),
        /**
         * The aggregator built its commit batch (state and journal position) and has not written it.
         */
        AGGREGATOR_AFTER_BATCH("aggregator-after-batch"),
        /**
         * The batch is written to RocksDB; the aggregator has not read on.
         */
        AGGREGATOR_AFTER_WRITE("aggregator-after-write"),
        /**
         * Only with {@value #SPLIT_CHECKPOINT_PROP_NAME}: a state write that changed something is done, the
         * checkpoint not yet.
         */
        AGGREGATOR_BETWEEN_CHECKPOINT_WRITES("aggregator-between-checkpoint-writes");

        private final String label;

        Point(final String label)
        {
            this.label = label;
        }

        /**
         * @return the name used in {@value #POINTS_PROP_NAME}.
         */
        public String label()
        {
            return label;
        }

        /**
         * @param label a name from {@value #POINTS_PROP_NAME}.
         * @return the point.
         * @throws IllegalArgumentException naming the setting if there is no such point.
         */
        public static Point of(final String label)
        {
            for (final Point point : values())
            {
                if (point.label.equals(label.trim().toLowerCase(Locale.ROOT)))
                {
                    return point;
                }
            }
            throw new IllegalArgumentException(POINTS_PROP_NAME + ": unknown crash point '" + label.trim() +
                "', expected some of " + Arrays.stream(values()).map(Point::label).toList());
        }
    }

    /**
     * True when any point is named: the only thing a call site reads when crash points are off.
     */
    public static final boolean ENABLED = !Settings.string(POINTS_PROP_NAME, "").isEmpty() ||
        !Settings.string(AGGREGATOR_FREEZE_PROP_NAME, "").isEmpty();

    /**
     * True when the aggregator must write its checkpoint apart from its state (the negative control).
     */
    public static final boolean SPLIT_CHECKPOINT = ENABLED && Settings.bool(SPLIT_CHECKPOINT_PROP_NAME, false);

    private static final boolean[] ARMED = new boolean[Point.values().length];
    private static final int ONE_IN;
    private static final long ARM_AT_NS;
    private static final long AGGREGATOR_FREEZE_MS;
    private static boolean isAggregatorFrozen;

    static
    {
        if (ENABLED)
        {
            for (final String label : Settings.string(POINTS_PROP_NAME, "").split(","))
            {
                if (!label.isBlank())
                {
                    ARMED[Point.of(label).ordinal()] = true;
                }
            }
            ONE_IN = Settings.integer(ONE_IN_PROP_NAME, 1, 1, Integer.MAX_VALUE);
            ARM_AT_NS = System.nanoTime() + 1_000_000L * Settings.durationMs(DELAY_PROP_NAME, "0ms");
            AGGREGATOR_FREEZE_MS = Settings.durationMs(AGGREGATOR_FREEZE_PROP_NAME, "0ms");
        }
        else
        {
            ONE_IN = 1;
            ARM_AT_NS = 0;
            AGGREGATOR_FREEZE_MS = 0;
        }
    }

    private CrashPoints()
    {
    }

    /**
     * Halt the JVM with probability 1/{@value #ONE_IN_PROP_NAME} if the point is armed and its delay has passed.
     * Call only under {@code if (CrashPoints.ENABLED)}.
     *
     * @param point where the caller is.
     */
    public static void hit(final Point point)
    {
        if (ARMED[point.ordinal()] && System.nanoTime() - ARM_AT_NS >= 0 &&
            (1 == ONE_IN || 0 == ThreadLocalRandom.current().nextInt(ONE_IN)))
        {
            System.err.println("ricochet: crash point " + point.label() + " fired, halting");
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_STATUS_BASE + point.ordinal());
        }
    }

    /**
     * Stop the calling aggregator thread for {@value #AGGREGATOR_FREEZE_PROP_NAME}, the first time it is called after
     * the delay. Call only from the aggregator's duty cycle, under {@code if (CrashPoints.ENABLED)}.
     */
    public static void freezeAggregatorOnce()
    {
        if (AGGREGATOR_FREEZE_MS > 0 && !isAggregatorFrozen && System.nanoTime() - ARM_AT_NS >= 0)
        {
            isAggregatorFrozen = true;
            System.err.println(AGGREGATOR_FREEZE_LOG_LINE + System.currentTimeMillis() + " for " +
                AGGREGATOR_FREEZE_MS +
                " ms");
            System.err.flush();
            try
            {
                Thread.sleep(AGGREGATOR_FREEZE_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * @return what is armed, for the start-up banner; empty when crash points are off.
     */
    public static String describe()
    {
        if (!ENABLED)
        {
            return "";
        }
        final EnumSet<Point> armed = EnumSet.noneOf(Point.class);
        for (final Point point : Point.values())
        {
            if (ARMED[point.ordinal()])
            {
                armed.add(point);
            }
        }
        return "CRASH POINTS ARMED (crash tests only): " + armed.stream().map(Point::label).toList() + ", one in " +
            ONE_IN + (SPLIT_CHECKPOINT ? ", checkpoint deliberately split from state" : "") +
            (AGGREGATOR_FREEZE_MS > 0 ? ", aggregator freezes for " + AGGREGATOR_FREEZE_MS + " ms" : "");
    }

    /**
     * @param exitStatus a halted process's exit status.
     * @return the point that halted it, or null if the status is not a crash point's.
     */
    public static Point fromExitStatus(final int exitStatus)
    {
        final int ordinal = exitStatus - EXIT_STATUS_BASE;
        return ordinal >= 0 && ordinal < Point.values().length ? Point.values()[ordinal] : null;
    }
}
