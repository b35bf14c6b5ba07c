package dev.ricochet.tracker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The overload state of all the edge's event loops, for {@code /metrics}: how many shed and their latest lag.
 */
final class EdgeOverload
{
    private final List<LoopLag> loops = new CopyOnWriteArrayList<>();

    void register(final LoopLag loopLag)
    {
        loops.add(loopLag);
    }

    String toPrometheusText()
    {
        int shedding = 0;
        long maxLagNs = 0;
        for (final LoopLag loop : loops)
        {
            shedding += loop.isShedding() ? 1 : 0;
            maxLagNs = Math.max(maxLagNs, loop.lastLagNs());
        }
        return "# HELP ricochet_tracker_event_loops_shedding Event loops answering 503 because they are overloaded\n" +
            "# TYPE ricochet_tracker_event_loops_shedding gauge\n" +
            "ricochet_tracker_event_loops_shedding " + shedding + "\n" +
            "# HELP ricochet_tracker_event_loop_lag_seconds Latest lag of the most delayed event loop's probe\n" +
            "# TYPE ricochet_tracker_event_loop_lag_seconds gauge\n" +
            "ricochet_tracker_event_loop_lag_seconds " + maxLagNs / 1e9 + "\n";
    }
}
