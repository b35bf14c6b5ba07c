package dev.ricochet.tracker;

import dev.ricochet.ingest.JournalAppender;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The edge's request pipeline without sockets or event loops of its own: the handlers and services
 * {@link TrackerServer} builds, for a harness that drives channels on one thread (an embedded channel in a
 * benchmark), appending with the harness's appender.
 *
 * <p>Usage: {@code try (EdgePipeline edge = EdgePipeline.open(context, journal.newAppender())) {
 * channel.pipeline().addLast(edge.initializer()); ... }}.
 */
public final class EdgePipeline implements AutoCloseable
{
    private final TrackerServer.Context context;
    private final EdgeRuntime runtime;
    private final TrackerChannelInitializer initializer;

    private EdgePipeline(final TrackerServer.Context context, final JournalAppender appender)
    {
        this.context = context;
        this.runtime = new EdgeRuntime(context, "ricochet-edge-pipeline-durable");
        final EdgeLoopResources loop = new EdgeLoopResources(appender);
        this.initializer = new TrackerChannelInitializer(
            context, runtime, eventLoop -> loop, new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE));
    }

    /**
     * @param context  settings; concluded here.
     * @param appender appends every hit; used only on the harness's thread, and closed by the caller.
     * @return the pipeline's parts; close it to stop its grouped-sync writer.
     */
    public static EdgePipeline open(final TrackerServer.Context context, final JournalAppender appender)
    {
        return new EdgePipeline(context.conclude(), appender);
    }

    /**
     * @return the handler that sets up the edge's whole pipeline on a channel it is added to.
     */
    public ChannelHandler initializer()
    {
        return initializer;
    }

    /**
     * Add the handlers ahead of the router (timeouts, the HTTP codec with the edge's limits, pipeline gate, flow
     * control, keep-alive), for an anchor that answers through exactly these.
     *
     * @param pipeline a channel's pipeline.
     */
    public void addHttpHandlers(final ChannelPipeline pipeline)
    {
        TrackerChannelInitializer.addHttpHandlers(pipeline, context);
    }

    /**
     * With the yauaa classifier on, start it now and wait until it has judged the user agent, so that a measured
     * hit takes the steady state's path (one table read), not the start-up's. Nothing to do with the token list.
     *
     * @param userAgent the user agent the harness sends.
     * @throws IllegalStateException if no verdict came within 5 minutes.
     */
    public void awaitBotVerdict(final String userAgent)
    {
        final UserAgentVerdicts verdicts = runtime.userAgentVerdicts;
        if (null == verdicts)
        {
            return;
        }
        verdicts.start(context.errorHandler(), 0);
        final long hash = UserAgentVerdicts.hash(userAgent);
        final long deadlineNs = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!verdicts.isReady() || UserAgentVerdicts.UNKNOWN == verdicts.verdict(hash))
        {
            if (verdicts.isReady())
            {
                verdicts.offer(userAgent);
            }
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("no yauaa verdict for " + userAgent + " within 5 minutes");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /**
     * Stops the grouped-sync writer; the appender and the journal are the caller's.
     */
    @Override
    public void close()
    {
        runtime.close();
    }
}
