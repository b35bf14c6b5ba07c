package dev.ricochet.benchmarks.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end HTTP load harness for the edge: keep-alive connections sending browser clicks, pixel hits and signed
 * Stripe conversions in a closed or an open (constant-rate, coordinated-omission-corrected) loop, every answer
 * checked against the contract, latency in HdrHistogram. Run with {@code --help} for the options.
 *
 * <p>The client shares the machine's cores with the server it measures, so it is kept lean: one event loop by
 * default, requests pre-encoded, answers decoded without aggregation, nothing allocated per redirect beyond what
 * the decoder makes.
 */
public final class LoadHarness
{
    private static final long CONNECT_WAIT_MS = 10_000;
    private static final long START_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long DRAIN_GRACE_NS = TimeUnit.SECONDS.toNanos(2);

    private LoadHarness()
    {
    }

    /**
     * @param args see {@link LoadOptions#USAGE}.
     */
    public static void main(final String[] args)
    {
        // The shaded jar carries slf4j-api without a provider: keep Netty on JDK logging instead of its warning.
        // First, before any Netty class picks its logger.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        // A benchmark client may run without leak tracking; tests of the harness keep Netty's paranoid default.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        System.exit(run(args, System.out, System.err));
    }

    /**
     * @param args command line.
     * @param out  summary.
     * @param err  problems with the options or the target.
     * @return exit status: 0 a result, 1 not a result, 2 bad options or target unreachable.
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final LoadOptions options;
        try
        {
            options = LoadOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("load harness: " + ex.getMessage());
            err.print(LoadOptions.USAGE);
            return 2;
        }
        if (options.isHelp())
        {
            out.print(LoadOptions.USAGE);
            return 0;
        }
        try
        {
            final LoadReport report = execute(options);
            report.printSummary(out);
            if (null != options.json())
            {
                Files.writeString(options.json(), report.toJson(), StandardCharsets.UTF_8);
            }
            if (null != options.hgrm())
            {
                try (PrintStream hgrm = new PrintStream(Files.newOutputStream(options.hgrm()), false,
                    StandardCharsets.UTF_8))
                {
                    report.printPercentileDistribution(hgrm);
                }
            }
            return report.isResult() ? 0 : 1;
        }
        catch (final IllegalArgumentException | IOException ex)
        {
            err.println("load harness: " + ex.getMessage());
            return 2;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("load harness: interrupted");
            return 2;
        }
    }

    /**
     * Run the load described by the options and measure it.
     *
     * @param options what to send, where and how.
     * @return the report.
     * @throws IOException          if links cannot be loaded or the target does not accept the connections.
     * @throws InterruptedException if interrupted while the run is in progress.
     */
    static LoadReport execute(final LoadOptions options) throws IOException, InterruptedException
    {
        final LoadPlan plan = LoadPlan.prepare(options);
        final boolean isEpoll = Epoll.isAvailable();
        final Class<? extends Channel> channelClass = isEpoll ? EpollSocketChannel.class : NioSocketChannel.class;
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(options.threads(),
            new DefaultThreadFactory("ricochet-load", true),
            isEpoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try
        {
            final List<LoadWorker> workers = new ArrayList<>();
            for (final EventExecutor executor : group)
            {
                workers.add(new LoadWorker(workers.size(), (EventLoop)executor, plan, channelClass));
            }
            final List<LoadConnection> connections = new ArrayList<>();
            for (int i = 0; i < options.connections(); i++)
            {
                connections.add(workers.get(i % workers.size()).addConnection(i));
            }
            connectAll(connections, options);

            final long startNs = System.nanoTime() + START_DELAY_NS;
            final long measureStartNs = startNs + options.warmupNs();
            final long endNs = measureStartNs + options.durationNs();
            for (final LoadWorker worker : workers)
            {
                worker.loop().execute(() -> worker.begin(startNs, measureStartNs, endNs));
            }
            final AtomicLong cpuAtMeasureStartNs = new AtomicLong(-1);
            final AtomicLong cpuAtEndNs = new AtomicLong(-1);
            final EventLoop sampler = workers.get(0).loop();
            sampler.schedule(() -> cpuAtMeasureStartNs.set(processCpuNs()), measureStartNs - System.nanoTime(),
                TimeUnit.NANOSECONDS);
            sampler.schedule(() -> cpuAtEndNs.set(processCpuNs()), endNs - System.nanoTime(), TimeUnit.NANOSECONDS);

            boolean isDrained = true;
            final long deadlineNs = endNs + options.timeoutNs() + DRAIN_GRACE_NS;
            for (final LoadWorker worker : workers)
            {
                final long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
                isDrained &= worker.done().await(remainingMs);
            }

            final Tally tally = new Tally();
            for (final LoadWorker worker : workers)
            {
                try
                {
                    tally.add(worker.loop().submit(worker::snapshot).get());
                }
                catch (final ExecutionException ex)
                {
                    throw new IllegalStateException("could not collect a worker's counts", ex.getCause());
                }
            }
            // An open loop can finish its last slot just before the end: take the end sample now if it is not in.
            cpuAtEndNs.compareAndSet(-1, processCpuNs());
            final long cpuNs = cpuAtMeasureStartNs.get() < 0 || cpuAtEndNs.get() < 0 ? -1 :
                cpuAtEndNs.get() - cpuAtMeasureStartNs.get();
            return new LoadReport(options, isEpoll ? "epoll" : "nio", tally, cpuNs, isDrained);
        }
        finally
        {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void connectAll(final List<LoadConnection> connections, final LoadOptions options)
        throws ConnectException, InterruptedException
    {
        final List<ChannelFuture> futures = new ArrayList<>(connections.size());
        for (final LoadConnection connection : connections)
        {
            futures.add(connection.connect());
        }
        for (final ChannelFuture future : futures)
        {
            if (!future.await(CONNECT_WAIT_MS) || !future.isSuccess())
            {
                final ConnectException ex = new ConnectException("cannot open " + connections.size() +
                    " connections to " + options.url() + ": " + (null == future.cause() ? "timed out" :
                    future.cause().getMessage()));
                if (null != future.cause())
                {
                    ex.initCause(future.cause());
                }
                throw ex;
            }
        }
    }

    /**
     * @return CPU time of this process in nanoseconds, or -1 where the JVM does not tell.
     */
    static long processCpuNs()
    {
        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
        {
            return ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime();
        }
        return -1;
    }
}
