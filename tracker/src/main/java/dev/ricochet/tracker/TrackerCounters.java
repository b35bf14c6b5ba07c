package dev.ricochet.tracker;

import java.util.concurrent.atomic.LongAdder;

/**
 * Current values of every {@link TrackerCounter}, incremented from any event loop without contention.
 */
public final class TrackerCounters
{
    private final LongAdder[] values = new LongAdder[TrackerCounter.values().length];

    /**
     * Create all counters at zero.
     */
    public TrackerCounters()
    {
        for (int i = 0; i < values.length; i++)
        {
            values[i] = new LongAdder();
        }
    }

    /**
     * @param counter to increment by one.
     */
    public void increment(final TrackerCounter counter)
    {
        values[counter.id()].increment();
    }

    /**
     * @param counter to read.
     * @return its current value.
     */
    public long get(final TrackerCounter counter)
    {
        return values[counter.id()].sum();
    }

    /**
     * @return every counter in the Prometheus text exposition format.
     */
    public String toPrometheusText()
    {
        final StringBuilder text = new StringBuilder(1024);
        for (final TrackerCounter counter : TrackerCounter.values())
        {
            final String name = "ricochet_tracker_" + counter.label() + "_total";
            text.append("# HELP ").append(name).append(' ').append(counter.description()).append('\n')
                .append("# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(get(counter)).append('\n');
        }
        return text.toString();
    }
}
