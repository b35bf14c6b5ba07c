package dev.ricochet.testsupport;

import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.ingest.Journal;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waiting for the service from outside: a caller that wrote to the journal waits until the aggregator has applied
 * it, rather than sleeping. Every wait is bounded and ends in an {@link AssertionError} naming what did not happen.
 */
public final class Await
{
    /**
     * How long a wait lasts before it fails.
     */
    public static final long TIMEOUT_NS = 30_000_000_000L;

    private Await()
    {
    }

    /**
     * Wait (up to 30 s) until the aggregator has committed everything in the journal.
     *
     * @param aggregator the aggregator tailing the journal.
     * @param journal    the journal written to.
     * @throws InterruptedException if interrupted while waiting.
     */
    public static void committed(final Aggregator aggregator, final Journal journal) throws InterruptedException
    {
        committed(aggregator, journal, TIMEOUT_NS);
    }

    /**
     * Wait until the aggregator has committed everything in the journal.
     *
     * @param aggregator the aggregator tailing the journal.
     * @param journal    the journal written to.
     * @param timeoutNs  how long to wait before failing.
     * @throws InterruptedException if interrupted while waiting.
     */
    public static void committed(final Aggregator aggregator, final Journal journal, final long timeoutNs)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (aggregator.committedIndex() < journal.lastIndex())
        {
            if (aggregator.hasFailed())
            {
                throw new AssertionError("the aggregator stopped on a failure (see stderr)");
            }
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("the aggregator did not commit the journal within " +
                    TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s: committed " +
                    Long.toHexString(aggregator.committedIndex()) + ", last " + Long.toHexString(journal.lastIndex()));
            }
            Thread.sleep(1);
        }
    }

    /**
     * Poll (every millisecond, up to 30 s) until the condition holds.
     *
     * @param what      what is awaited, for the failure message.
     * @param condition polled until true.
     * @throws InterruptedException if interrupted while waiting.
     */
    public static void until(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(1);
        }
    }
}
