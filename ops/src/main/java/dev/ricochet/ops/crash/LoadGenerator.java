package dev.ricochet.ops.crash;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The crash suite's and the soak's source of truth, run as a process of its own so that killing the service never
 * touches it: sends browser clicks, pixel hits and Stripe-signed conversions to the edge over keep-alive
 * connections and appends to an ack log every click id and order id the edge acknowledged (a 302 with the click id
 * in its Location, a 2xx for a conversion).
 *
 * <p>The ack log is one file per event loop ({@code acks-N.log} in {@code --ack-dir}), a line per
 * acknowledgement ({@code c <clickId>} or {@code o <orderId>}), each written with its own {@code write(2)} before
 * anything else happens on that loop: what the log holds is exactly what the edge promised, whatever happens to
 * either process later. Nothing is retried: a request cut by a kill is simply unacknowledged.
 *
 * <p>Open loop at {@code --rate} requests per second (0: closed loop, as fast as the connections go). While a run
 * is in progress, standard input takes {@code rate N}, {@code mix CLICK% PIXEL%} and {@code stop}; a
 * {@code stats key=value ...} line goes to standard output every second, and the final counts to
 * {@code generator.properties} in the ack directory.
 */
public final class LoadGenerator
{
    static final String ACK_FILE_PREFIX = "acks-";
    static final String FINAL_STATS_FILE = "generator.properties";
    private static final long RECONNECT_DELAY_MS = 100;
    private static final int RECENT_CLICKS = 64;

    private final LoadOptions options;
    private final EventLoopGroup group;
    private final List<Worker> workers = new ArrayList<>();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final long startNs = System.nanoTime();
    private volatile boolean stopping;
    private volatile int clickPercent;
    private volatile int pixelPercent;

    private LoadGenerator(final LoadOptions options) throws IOException
    {
        this.options = options;
        this.clickPercent = options.clickPercent();
        this.pixelPercent = options.pixelPercent();
        Files.createDirectories(options.ackDir());
        group = new MultiThreadIoEventLoopGroup(options.threads(), new DefaultThreadFactory("load", true),
            NioIoHandler.newFactory());
        int index = 0;
        for (final var executor : group)
        {
            workers.add(new Worker(index, (EventLoop)executor,
                options.ackDir().resolve(ACK_FILE_PREFIX + index + ".log")));
            index++;
        }
    }

    /**
     * @param args {@code --port P --ack-dir D [--rate R] [--connections C] ...}, see {@link Options}.
     * @throws Exception if the generator cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        final LoadGenerator generator = new LoadGenerator(LoadOptions.parse(args));
        generator.start();
        final Thread statsPrinter = new Thread(generator::printStatsEverySecond, "load-stats");
        statsPrinter.setDaemon(true);
        statsPrinter.start();
        try (BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = commands.readLine()))
            {
                final String command = line.trim();
                if (command.startsWith("rate "))
                {
                    generator.rate(Integer.parseInt(command.substring(5).trim()));
                }
                else if (command.startsWith("mix "))
                {
                    final String[] shares = command.substring(4).trim().split(" ");
                    generator.clickPercent = Integer.parseInt(shares[0]);
                    generator.pixelPercent = Integer.parseInt(shares[1]);
                }
                else if ("stop".equals(command))
                {
                    break;
                }
            }
        }
        generator.stop();
        System.out.println("stopped " + generator.statsLine());
        System.out.flush();
    }

    private void start()
    {
        final int perWorker = Math.max(1, options.connections() / workers.size());
        for (final Worker worker : workers)
        {
            worker.loop.execute(() -> worker.begin(perWorker, options.rate() / (double)workers.size()));
        }
    }

    private void rate(final int rate)
    {
        for (final Worker worker : workers)
        {
            worker.loop.execute(() -> worker.rate(rate / (double)workers.size()));
        }
    }

    private void stop() throws InterruptedException, IOException
    {
        stopping = true;
        final CountDownLatch drained = new CountDownLatch(workers.size());
        for (final Worker worker : workers)
        {
            worker.loop.execute(() -> worker.drain(drained));
        }
        drained.await(options.timeoutMs() + 2000, TimeUnit.MILLISECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        for (final Worker worker : workers)
        {
            worker.acks.close();
        }
        final StringBuilder text = new StringBuilder();
        snapshot().forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
        Files.writeString(options.ackDir().resolve(FINAL_STATS_FILE), text);
    }

    private void printStatsEverySecond()
    {
        while (!stopping)
        {
            try
            {
                Thread.sleep(1000);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            System.out.println("stats " + statsLine());
            System.out.flush();
        }
    }

    private String statsLine()
    {
        final StringBuilder line = new StringBuilder("elapsedMs=")
            .append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
        snapshot().forEach((name, value) -> line.append(' ').append(name).append('=').append(value));
        return line.toString();
    }

    private Map<String, Long> snapshot()
    {
        final Map<String, Long> values = new TreeMap<>();
        counters.forEach((name, adder) -> values.put(name, adder.sum()));
        return values;
    }

    private void count(final String name)
    {
        counters.computeIfAbsent(name, ignore -> new LongAdder()).increment();
    }

    /**
     * One event loop's connections, schedule and ack log; everything in it runs on that loop.
     */
    private final class Worker
    {
        private final int index;
        private final EventLoop loop;
        private final OutputStream acks;
        private final Bootstrap bootstrap;
        private final ArrayDeque<Connection> idle = new ArrayDeque<>();
        private final List<Connection> connections = new ArrayList<>();
        private final String[] recentClicks = new String[RECENT_CLICKS];
        private final LoadRequests requests;
        private int recentCount;
        private long sequence;
        private long orderSequence;
        private double ratePerNs;
        private long rateStartNs;
        private long issuedSinceRateStart;
        private CountDownLatch drained;

        Worker(final int index, final EventLoop loop, final Path ackFile) throws IOException
        {
            this.index = index;
            this.loop = loop;
            this.acks = new FileOutputStream(ackFile.toFile(), true);
            this.requests = new LoadRequests(options.port(), options.program(), options.stripeSecret());
            bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)Math.min(options.timeoutMs(), 3000));
        }

        void begin(final int connectionCount, final double rate)
        {
            rate(rate);
            for (int i = 0; i < connectionCount; i++)
            {
                connect(new Connection(this));
            }
            loop.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.MILLISECONDS);
        }

        void rate(final double rate)
        {
            ratePerNs = rate / 1e9;
            rateStartNs = System.nanoTime();
            issuedSinceRateStart = 0;
        }

        void connect(final Connection connection)
        {
            if (stopping)
            {
                return;
            }
            if (!connections.contains(connection))
            {
                connections.add(connection);
            }
            bootstrap.clone().handler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), connection);
                }
            }).connect("127.0.0.1", options.port()).addListener((ChannelFuture future) ->
            {
                if (!future.isSuccess())
                {
                    count("errors.connect");
                    loop.schedule(() -> connect(connection), RECONNECT_DELAY_MS, TimeUnit.MILLISECONDS);
                    return;
                }
                connection.channel = future.channel();
                connection.channel.closeFuture().addListener(closed -> onClosed(connection));
                becomeIdle(connection);
            });
        }

        private void onClosed(final Connection connection)
        {
            if (connection.busy)
            {
                count("errors.closed-in-flight");
                connection.busy = false;
            }
            idle.remove(connection);
            connection.channel = null;
            if (stopping)
            {
                checkDrained();
                return;
            }
            loop.schedule(() -> connect(connection), RECONNECT_DELAY_MS, TimeUnit.MILLISECONDS);
        }

        private void becomeIdle(final Connection connection)
        {
            if (stopping)
            {
                connection.channel.close();
                return;
            }
            if (0 == ratePerNs)
            {
                send(connection);
            }
            else
            {
                idle.addLast(connection);
            }
        }

        private void tick()
        {
            final long nowNs = System.nanoTime();
            for (final Connection connection : connections)
            {
                if (connection.busy && nowNs - connection.sentNs > TimeUnit.MILLISECONDS.toNanos(options.timeoutMs()))
                {
                    count("errors.timeout");
                    connection.busy = false;
                    connection.channel.close();
                }
            }
            if (stopping || 0 == ratePerNs)
            {
                return;
            }
            long due = (long)((nowNs - rateStartNs) * ratePerNs) - issuedSinceRateStart;
            // Never let a backlog pile up while the service is down: what is more than 100 ms late is not sent.
            final long maxBacklog = Math.max(1, (long)(ratePerNs * 1e8));
            if (due > maxBacklog)
            {
                counters.computeIfAbsent("skipped", ignore -> new LongAdder()).add(due - maxBacklog);
                issuedSinceRateStart += due - maxBacklog;
                due = maxBacklog;
            }
            while (due > 0 && !idle.isEmpty())
            {
                send(idle.pollFirst());
                issuedSinceRateStart++;
                due--;
            }
            if (due > 0 && connections.size() < options.maxConnections() / workers.size())
            {
                connect(new Connection(this));
            }
        }

        private void send(final Connection connection)
        {
            final long n = sequence++;
            final int slot = (int)(n % 100);
            final int clicks = clickPercent;
            final int pixels = pixelPercent;
            final FullHttpRequest request;
            if (slot < clicks || (slot >= clicks + pixels && 0 == recentCount))
            {
                final int partner = (int)((n / 7) % options.partners());
                final int link = (int)(n % options.linksPerPartner());
                request = requests.get("/r/p" + partner + "-l" + link + "?utm_source=load");
                connection.kind = Kind.CLICK;
            }
            else if (slot < clicks + pixels)
            {
                request = requests.get("/p.gif?e=pageview&page=%2Fcheckout");
                connection.kind = Kind.PIXEL;
            }
            else
            {
                connection.orderId = "pi_" + options.runId() + "_" + index + "_" + orderSequence++;
                request = requests.stripeCheckout(connection.orderId,
                    recentClicks[ThreadLocalRandom.current().nextInt(Math.min(recentCount, RECENT_CLICKS))]);
                connection.kind = Kind.CONVERSION;
            }
            count(connection.kind.label + ".sent");
            connection.busy = true;
            connection.sentNs = System.nanoTime();
            connection.channel.writeAndFlush(request);
        }

        void onResponse(final Connection connection, final FullHttpResponse response) throws IOException
        {
            if (!connection.busy)
            {
                return; // timed out and counted; the connection is closing
            }
            connection.busy = false;
            final int status = response.status().code();
            final Kind kind = connection.kind;
            if (Kind.CLICK == kind && 302 == status)
            {
                final String clickId = clickId(response.headers().get(HttpHeaderNames.LOCATION));
                if (null == clickId)
                {
                    count("errors.bad-location");
                }
                else
                {
                    acks.write(("c " + clickId + "\n").getBytes(StandardCharsets.US_ASCII));
                    recentClicks[recentCount++ % RECENT_CLICKS] = clickId;
                    count("click.acked");
                }
            }
            else if (Kind.CONVERSION == kind && status >= 200 && status < 300)
            {
                acks.write(("o " + connection.orderId + "\n").getBytes(StandardCharsets.US_ASCII));
                count("conversion.acked");
            }
            else if (Kind.PIXEL == kind && 200 == status)
            {
                count("pixel.acked");
            }
            else
            {
                count("errors.status-" + status);
            }
            if (stopping)
            {
                connection.channel.close();
            }
            else
            {
                becomeIdle(connection);
            }
        }

        private String clickId(final String location)
        {
            if (null == location)
            {
                return null;
            }
            final String marker = options.clickParam() + "=";
            final int start = location.indexOf(marker);
            if (start < 0)
            {
                return null;
            }
            final int from = start + marker.length();
            final int end = location.indexOf('&', from);
            final String id = location.substring(from, end < 0 ? location.length() : end);
            return 22 == id.length() ? id : null;
        }

        void drain(final CountDownLatch drained)
        {
            this.drained = drained;
            for (final Connection connection : idle)
            {
                connection.channel.close();
            }
            idle.clear();
            checkDrained();
        }

        private void checkDrained()
        {
            if (null == drained)
            {
                return;
            }
            for (final Connection connection : connections)
            {
                if (null != connection.channel && connection.channel.isOpen())
                {
                    return;
                }
            }
            drained.countDown();
            drained = null;
        }
    }

    private enum Kind
    {
        CLICK("click"), PIXEL("pixel"), CONVERSION("conversion");

        private final String label;

        Kind(final String label)
        {
            this.label = label;
        }
    }

    /**
     * One keep-alive connection, one request in flight; its handler instance follows it across reconnects.
     */
    @ChannelHandler.Sharable
    private static final class Connection extends SimpleChannelInboundHandler<FullHttpResponse>
    {
        private final Worker worker;
        private Channel channel;
        private boolean busy;
        private long sentNs;
        private Kind kind;
        private String orderId;

        Connection(final Worker worker)
        {
            this.worker = worker;
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpResponse response)
            throws IOException
        {
            worker.onResponse(this, response);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            // A reset by a killed service: the close listener counts a request cut in flight.
            ctx.close();
        }
    }
}
