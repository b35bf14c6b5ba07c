package dev.ricochet.tracker;

import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.TimeUnit;

/**
 * One event loop's overload signal: how late a probe task scheduled on the loop runs. A loop that cannot get back
 * to its scheduled work in time cannot get back to its sockets either, so the lag is how long a request already waits
 * in the kernel before the edge reads it.
 *
 * <p>The loop sheds (answers 503 with Retry-After, see {@link TrackingHandler}) once {@value #LATE_PROBES_TO_SHED}
 * probes in a row ran later than the threshold, and serves again at the first probe that is on time. One late probe
 * is not overload: a collector pause or a page fault delays everything once, and the backlog it leaves drains by
 * itself. The probe runs on the loop it measures, so the handlers of that loop read its state without
 * synchronisation; other threads (metrics) only read it.
 */
final class LoopLag implements Runnable
{
    /**
     * Consecutive late probes before the loop sheds.
     */
    static final int LATE_PROBES_TO_SHED = 2;

    private EventExecutor loop;
    private TrackerCounters counters;
    private long thresholdNs;
    private long intervalNs;
    private long dueNs;
    private int lateProbes;
    private volatile boolean shedding;
    private volatile long lastLagNs;

    /**
     * Start probing; until then (and with a threshold of 0) the loop never sheds.
     *
     * @param loop        the event loop to measure; the probe runs on it.
     * @param thresholdNs lag over which a probe is late.
     * @param counters    where episodes of shedding are counted.
     */
    void start(final EventExecutor loop, final long thresholdNs, final TrackerCounters counters)
    {
        this.loop = loop;
        this.thresholdNs = thresholdNs;
        this.counters = counters;
        this.intervalNs = probeIntervalNs(thresholdNs);
        dueNs = System.nanoTime() + intervalNs;
        loop.schedule(this, intervalNs, TimeUnit.NANOSECONDS);
    }

    /**
     * @return how often the loop is probed: a fifth of the threshold, between 1 ms and 100 ms, so that shedding
     * starts within about twice the threshold of sustained lag and stops within 100 ms of the loop catching up.
     */
    static long probeIntervalNs(final long thresholdNs)
    {
        return Math.min(TimeUnit.MILLISECONDS.toNanos(100), Math.max(TimeUnit.MILLISECONDS.toNanos(1),
            thresholdNs / 5));
    }

    @Override
    public void run()
    {
        final long nowNs = System.nanoTime();
        final long lagNs = Math.max(0, nowNs - dueNs);
        lastLagNs = lagNs;
        if (lagNs > thresholdNs)
        {
            if (++lateProbes == LATE_PROBES_TO_SHED)
            {
                shedding = true;
                counters.increment(TrackerCounter.OVERLOAD_EPISODES);
            }
        }
        else
        {
            lateProbes = 0;
            shedding = false;
        }
        dueNs = nowNs + intervalNs;
        if (!loop.isShuttingDown())
        {
            loop.schedule(this, intervalNs, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * @return true while the loop is overloaded and answers requests with 503.
     */
    boolean isShedding()
    {
        return shedding;
    }

    /**
     * @return the lag the last probe measured, in nanoseconds.
     */
    long lastLagNs()
    {
        return lastLagNs;
    }
}
