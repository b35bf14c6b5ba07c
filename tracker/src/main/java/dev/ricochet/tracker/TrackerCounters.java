package dev.ricochet.tracker;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
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
     * The counters that measure the business itself (how many clicks, previews, pixel hits and conversions it takes):
     * a competitor or a partner must not read them, so they are not on the public edge's {@code /metrics} but on the
     * admin port's (the launcher wires {@link #businessVolumePrometheusText()} there). The rest are operational.
     */
    public static final Set<TrackerCounter> BUSINESS_VOLUME = Collections.unmodifiableSet(EnumSet.of(
        TrackerCounter.CLICKS_RECORDED, TrackerCounter.PREVIEWS_RECORDED, TrackerCounter.BOT_CLICKS_RECORDED,
        TrackerCounter.PIXEL_HITS_RECORDED, TrackerCounter.CONVERSIONS_RECORDED, TrackerCounter.CONVERSIONS_DUPLICATE,
        TrackerCounter.PIXEL_CONVERSIONS_RECORDED));

    /**
     * @return the operational counters (errors, refusals, shedding; not {@link #BUSINESS_VOLUME}) in the Prometheus
     * text exposition format, for the edge's public {@code /metrics}.
     */
    public String toPrometheusText()
    {
        return prometheusText(false);
    }

    /**
     * @return the {@link #BUSINESS_VOLUME} counters in the Prometheus text exposition format, for the admin port.
     */
    public String businessVolumePrometheusText()
    {
        return prometheusText(true);
    }

    private String prometheusText(final boolean isBusinessVolume)
    {
        final StringBuilder text = new StringBuilder(1024);
        for (final TrackerCounter counter : TrackerCounter.values())
        {
            if (BUSINESS_VOLUME.contains(counter) != isBusinessVolume)
            {
                continue;
            }
            final String name = "ricochet_tracker_" + counter.label() + "_total";
            text.append("# HELP ").append(name).append(' ').append(counter.description()).append('\n')
                .append("# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(get(counter)).append('\n');
        }
        return text.toString();
    }
}
