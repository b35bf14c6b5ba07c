package dev.ricochet.tracker;

import dev.ricochet.ingest.JournalSpaceMonitor;
import dev.ricochet.ingest.ProcessFailure;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;

import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.ricochet.tracker.TrackerConfiguration.CLICK_DURABILITY_PROP_NAME;

/**
 * The edge HTTP server: answers partner links with a 302 and the pixel with a GIF, journaling every hit first.
 *
 * <p>Usage: {@code try (TrackerServer server = TrackerServer.launch(new TrackerServer.Context().journal(j)
 * .linkDirectory(d))) { ... }}. Uses native epoll where available, NIO otherwise; one journal appender per event
 * loop, created and closed on that loop.
 */
public final class TrackerServer implements AutoCloseable
{
    /**
     * Settings of the edge and the parts it is given, with defaults from {@link TrackerConfiguration}; validated and
     * resolved by {@link #conclude()}. The setters are those of {@link TrackerSettings}.
     */
    public static final class Context extends TrackerSettings<Context>
    {
        @Override
        protected Context self()
        {
            return this;
        }
    }

    private final Context context;
    private final EventLoopGroup group;
    private final Map<EventExecutor, EdgeLoopResources> loopResources = new IdentityHashMap<>();
    private final Channel serverChannel;
    // Stays closed: a connection accepted just before the close registers after it, and is closed as it joins.
    private final ChannelGroup connections = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE, true);
    private final EdgeRuntime runtime;
    private volatile boolean closing;

    private TrackerServer(final Context context) throws InterruptedException
    {
        this.context = context;
        runtime = new EdgeRuntime(context, "ricochet-edge-durable");
        if (ClickDurability.OFF == context.clickDurability())
        {
            System.err.println("ricochet: WARNING " + CLICK_DURABILITY_PROP_NAME + "=off: clicks and pixel hits are " +
                "NOT journaled (benchmark mode); they are counted as clicks_unjournaled");
        }
        final boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(
            context.eventLoopThreads(),
            new DefaultThreadFactory("ricochet-edge", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try
        {
            scheduleHousekeeping();
            startLoops();
            final Class<? extends ServerChannel> channelClass =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
            serverChannel = new ServerBootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client that shuts down its output after its request still gets the answer: the pipeline gate
                // closes once the requests it accepted are answered.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new TrackerChannelInitializer(context, runtime, loopResources::get, connections))
                .bind(new InetSocketAddress(context.bindAddress(), context.port()))
                .sync()
                .channel();
            if (null != runtime.userAgentVerdicts)
            {
                // After the bind, and a little later still: the analyzer builds in the background while the edge
                // already answers, without competing with its first requests for the cores.
                runtime.userAgentVerdicts.start(context.errorHandler(), context.botClassifierDelayMs());
            }
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            closing = true;
            closeLoops();
            throw ex;
        }
    }

    /**
     * The edge's periodic work, off the request path: the journal's free-space check and the salts' rotation.
     */
    private void scheduleHousekeeping()
    {
        // Read once before the first request: an edge started on a nearly full disk is low from the start.
        final JournalSpaceMonitor journalSpace = runtime.journalSpace;
        journalSpace.check();
        if (journalSpace.isEnabled())
        {
            // One statfs per interval on one loop, never one per request; the task ends with the group.
            group.next().scheduleWithFixedDelay(journalSpace::check, JournalSpaceMonitor.CHECK_INTERVAL_MS,
                JournalSpaceMonitor.CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
        }
        // Today's and tomorrow's salts exist before the first request, expired ones are deleted; then once a minute,
        // off the request path, so that a salt is gone within a minute of its day's end.
        final IpSalts ipSalts = context.ipSalts();
        ipSalts.rotate(context.epochClock().time());
        group.next().scheduleWithFixedDelay(() ->
        {
            try
            {
                ipSalts.rotate(context.epochClock().time());
            }
            catch (final RuntimeException ex)
            {
                context.errorHandler().onError(ex);
            }
        }, 1, 1, TimeUnit.MINUTES);
    }

    /**
     * Give each event loop its own resources (Chronicle appenders belong to one thread) and its overload probe, and
     * fail the process if a loop stops while the edge serves.
     */
    private void startLoops() throws InterruptedException
    {
        // Each loop creates its own appender: Chronicle appenders belong to one thread.
        for (final EventExecutor executor : group)
        {
            // A loop that stops while the edge serves (an Error escaped it) leaves its connections unanswered:
            // the process fails loudly instead of serving on with a deaf loop.
            executor.terminationFuture().addListener(stopped ->
            {
                if (!closing)
                {
                    ProcessFailure.fail("an edge event loop stopped while serving");
                }
            });
            final EdgeLoopResources resources = executor.submit(
                () -> new EdgeLoopResources(context.journal().newAppender())).sync().getNow();
            loopResources.put(executor, resources);
            if (context.overloadLagMs() > 0)
            {
                resources.lag.start(
                    executor, TimeUnit.MILLISECONDS.toNanos(context.overloadLagMs()), context.counters());
                runtime.overload.register(resources.lag);
            }
        }
    }

    /**
     * Start the edge.
     *
     * @param context settings; concluded here.
     * @return the running server.
     * @throws InterruptedException if interrupted while binding.
     */
    public static TrackerServer launch(final Context context) throws InterruptedException
    {
        return new TrackerServer(context.conclude());
    }

    /**
     * @return an event loop that serves connections but does not accept them, for a test that stops one while the
     * edge serves; null with a single loop.
     */
    EventExecutor connectionOnlyLoop()
    {
        for (final EventExecutor executor : group)
        {
            if (executor != serverChannel.eventLoop())
            {
                return executor;
            }
        }
        return null;
    }

    /**
     * @return the budget of request bodies in flight, for a test that watches it.
     */
    BodyBudget bodyBudget()
    {
        return runtime.bodyBudget;
    }

    /**
     * @return the port the edge listens on (the ephemeral one if 0 was configured).
     */
    public int port()
    {
        return ((InetSocketAddress)serverChannel.localAddress()).getPort();
    }

    /**
     * @return the concluded context.
     */
    public Context context()
    {
        return context;
    }

    @Override
    public void close()
    {
        closing = true;
        serverChannel.close().syncUninterruptibly();
        // Connections first, journal after: a request read once the appenders are closed could only be answered
        // unjournaled. A close runs on the connection's loop, after the request it is handling; pipelined requests
        // not yet read get no answer, and browsers retry those on a new connection.
        connections.close().awaitUninterruptibly();
        closeLoops();
    }

    private void closeLoops()
    {
        // Appenders are closed on their own loop, before the loops stop.
        for (final Map.Entry<EventExecutor, EdgeLoopResources> entry : loopResources.entrySet())
        {
            entry.getKey().submit(() -> entry.getValue().appender.close()).syncUninterruptibly();
        }
        loopResources.clear();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        // After the loops: no request can queue a conversion any more, queued ones are still written.
        runtime.close();
    }
}
