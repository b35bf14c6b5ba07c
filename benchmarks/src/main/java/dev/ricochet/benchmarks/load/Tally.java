package dev.ricochet.benchmarks.load;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Counts and latency histograms of a run: one per event loop, written only by that loop, merged for the report.
 */
final class Tally
{
    /**
     * Latencies are recorded in nanoseconds to 3 significant digits; anything slower than this is clamped (the
     * request timeout is far below it).
     */
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.MINUTES.toNanos(1);
    static final int SIGNIFICANT_DIGITS = 3;
    static final int MAX_STATUS = 599;

    final Histogram[] latencyNsByKind = new Histogram[RequestKind.values().length];
    final Histogram sendLagNs = newHistogram();
    final long[] requestsByKind = new long[RequestKind.values().length];
    final long[] errorsByKind = new long[ErrorKind.values().length];
    final long[] responsesByStatus = new long[MAX_STATUS + 1];
    long warmupRequests;
    long scheduled;
    long notSent;
    long reconnects;

    Tally()
    {
        for (int i = 0; i < latencyNsByKind.length; i++)
        {
            latencyNsByKind[i] = newHistogram();
        }
    }

    static Histogram newHistogram()
    {
        return new Histogram(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    }

    static long clamp(final long valueNs)
    {
        return Math.max(0, Math.min(valueNs, HIGHEST_TRACKABLE_NS));
    }

    /**
     * @param other counts to add to these.
     */
    void add(final Tally other)
    {
        for (int i = 0; i < latencyNsByKind.length; i++)
        {
            latencyNsByKind[i].add(other.latencyNsByKind[i]);
            requestsByKind[i] += other.requestsByKind[i];
        }
        sendLagNs.add(other.sendLagNs);
        for (int i = 0; i < errorsByKind.length; i++)
        {
            errorsByKind[i] += other.errorsByKind[i];
        }
        for (int i = 0; i < responsesByStatus.length; i++)
        {
            responsesByStatus[i] += other.responsesByStatus[i];
        }
        warmupRequests += other.warmupRequests;
        scheduled += other.scheduled;
        notSent += other.notSent;
        reconnects += other.reconnects;
    }

    /**
     * @return a copy, taken on the owning event loop, that another thread may read.
     */
    Tally copy()
    {
        final Tally copy = new Tally();
        copy.add(this);
        return copy;
    }

    long requests()
    {
        long sum = 0;
        for (final long count : requestsByKind)
        {
            sum += count;
        }
        return sum;
    }

    long errors()
    {
        long sum = 0;
        for (final long count : errorsByKind)
        {
            sum += count;
        }
        return sum;
    }

    Histogram latencyNs()
    {
        final Histogram all = newHistogram();
        for (final Histogram histogram : latencyNsByKind)
        {
            all.add(histogram);
        }
        return all;
    }
}
