package dev.ricochet.benchmarks.edge;

import dev.ricochet.benchmarks.BenchmarkFiles;
import dev.ricochet.benchmarks.BenchmarkJvm;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalAppender;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.tracker.EdgePipeline;
import dev.ricochet.tracker.TrackerConfiguration;
import dev.ricochet.tracker.TrackerCounter;
import dev.ricochet.tracker.TrackerCounters;
import dev.ricochet.tracker.TrackerServer;
import dev.ricochet.tracker.VisitorKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the edge's click path (parse, look up, journal, build the redirect) over the same Netty pipeline answering
 * every request with a prebuilt copy of the same 302.
 *
 * <p>{@code redirect} drives one keep-alive request through the edge's real pipeline ({@link EdgePipeline}: the
 * handlers and services {@code TrackerServer} builds) on an {@link EmbeddedChannel}, appending to a real journal. {@code staticResponse} is the anchor: the same handlers
 * ahead of the tracking handler, then a handler writing a duplicate of a prebuilt response with the headers of a
 * real redirect. The request is one fixed variant: a returning visitor (visitor cookie present) following a link
 * from a news page in desktop Chrome, no query string. Compare redirect/static throughput and, with
 * {@code -prof gc}, the difference of {@code gc.alloc.rate.norm}: that is what the edge adds per click.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    BenchmarkJvm.EXPORT_MISC, BenchmarkJvm.EXPORT_REF, BenchmarkJvm.EXPORT_UTIL, BenchmarkJvm.EXPORT_NIO_CH,
    BenchmarkJvm.EXPORT_JAVAC_FILE, BenchmarkJvm.EXPORT_SUN_MISC, BenchmarkJvm.OPEN_IO, BenchmarkJvm.OPEN_LANG,
    BenchmarkJvm.OPEN_REFLECT, BenchmarkJvm.OPEN_UTIL, BenchmarkJvm.OPEN_NIO, BenchmarkJvm.OPEN_JAVAC,
    BenchmarkJvm.NO_ANALYTICS, BenchmarkJvm.NO_ANNOUNCER, RedirectPipelineBenchmark.NO_LEAK_DETECTION })
@State(Scope.Thread)
public class RedirectPipelineBenchmark
{
    /**
     * Leak detection samples buffers and wraps them in trackers: noise in both B/op figures, so off here only.
     */
    static final String NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";

    private static final String LINK_CODE = "spring-sale";
    private static final String DESTINATION = "https://shop.example.com/landing/spring?campaign=s26";
    /**
     * A fixed key, so the request's visitor cookie verifies: the measured click is a returning visitor's.
     */
    private static final VisitorKey VISITOR_KEY = new VisitorKey(0x0123_4567_89AB_CDEFL, 0x0FED_CBA9_8765_4321L);
    private static final InetSocketAddress CLIENT_ADDRESS = new InetSocketAddress("203.0.113.7", 52_144);

    private Path journalDir;
    private Journal journal;
    private JournalAppender appender;
    private EdgePipeline edge;
    private TrackerServer.Context context;
    private EmbeddedChannel redirectChannel;
    private EmbeddedChannel staticChannel;
    private ByteBuf request;

    @Setup(Level.Trial)
    public void setup()
    {
        // Pooled and direct, like the buffers a socket read hands to the pipeline.
        final byte[] requestBytes = requestText().getBytes(StandardCharsets.US_ASCII);
        request = PooledByteBufAllocator.DEFAULT.directBuffer(requestBytes.length).writeBytes(requestBytes);
        openRedirectPipeline();

        final FullHttpResponse redirect = verifiedRedirect();
        try
        {
            final int redirectBytes = exchange(redirectChannel);
            staticChannel = newStaticChannel(copyOf(redirect));
            final int staticBytes = exchange(staticChannel);
            // Same status and headers, and a click id of fixed length: the anchor must write exactly as many bytes.
            if (staticBytes != redirectBytes)
            {
                throw new IllegalStateException(
                    "static response is " + staticBytes + " bytes, the redirect " + redirectBytes + " bytes");
            }
            System.out.println("request " + request.readableBytes() + " bytes, response " + redirectBytes + " bytes");
        }
        finally
        {
            redirect.release();
        }
    }

    @Setup(Level.Iteration)
    public void keepJournalSmall()
    {
        if (BenchmarkFiles.sizeBytes(journalDir) > BenchmarkFiles.MAX_QUEUE_DIR_BYTES)
        {
            checkAndCloseRedirectPipeline();
            openRedirectPipeline();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        try
        {
            checkAndCloseRedirectPipeline();
            if (staticChannel.finishAndReleaseAll())
            {
                throw new IllegalStateException("static pipeline left messages behind");
            }
        }
        finally
        {
            request.release();
        }
    }

    @Benchmark
    public int redirect()
    {
        return exchange(redirectChannel);
    }

    @Benchmark
    public int staticResponse()
    {
        return exchange(staticChannel);
    }

    /**
     * One request in, every response buffer out and released, as the socket would consume them.
     *
     * @return bytes written, for the blackhole.
     */
    private int exchange(final EmbeddedChannel channel)
    {
        // writeInbound ends with channelReadComplete, where both pipelines flush.
        channel.writeInbound(request.retainedDuplicate());
        int bytes = 0;
        ByteBuf out;
        while (null != (out = channel.readOutbound()))
        {
            bytes += out.readableBytes();
            out.release();
        }
        return bytes;
    }

    private void openRedirectPipeline()
    {
        journalDir = BenchmarkFiles.newTempDir("ricochet-jmh-edge-");
        journal = Journal.open(new Journal.Context().dir(journalDir));
        final LinkDirectory links = new LinkDirectory();
        links.put(new LinkRoute(LINK_CODE, 42, 7, 3, DESTINATION, "rclid"));
        // One client address at hundreds of thousands of clicks a second: the limits are set far above that, so the
        // limiter runs on every click (its cost is measured) and never refuses one (every click is journaled).
        context = new TrackerServer.Context().journal(journal).linkDirectory(links).visitorKey(VISITOR_KEY)
            .rateLimitAddress("1000000/s", 1_000_000).rateLimitLink("1000000/s", 1_000_000);
        // Created on the benchmark thread, which is the only one to use it, as an event loop would.
        appender = journal.newAppender();
        edge = EdgePipeline.open(context, appender);
        // With the yauaa classifier on (-Dricochet.tracker.bot.classifier=yauaa), a click looks its user agent's
        // verdict up in a table filled by a background thread: wait for it, so the measured path is the steady
        // state's (hash the user agent, one table read), not the start-up's. Nothing to wait for with the token list.
        edge.awaitBotVerdict(requestText().lines().filter(line -> line.startsWith("User-Agent: ")).findFirst()
            .orElseThrow().substring("User-Agent: ".length()));

        redirectChannel = new ClientChannel();
        redirectChannel.pipeline().addLast(edge.initializer());
    }

    private void checkAndCloseRedirectPipeline()
    {
        try
        {
            final TrackerCounters counters = context.counters();
            // The handler redirects even when the append fails: only the counters tell.
            if (0 != counters.get(TrackerCounter.JOURNAL_APPEND_FAILURES) ||
                0 != counters.get(TrackerCounter.UNEXPECTED_ERRORS) ||
                0 != counters.get(TrackerCounter.BOT_CLICKS_RECORDED) ||
                0 != counters.get(TrackerCounter.RATE_LIMITED_ADDRESS) ||
                0 != counters.get(TrackerCounter.RATE_LIMITED_LINK) ||
                0 != counters.get(TrackerCounter.BOT_VERDICTS_PENDING) ||
                0 == counters.get(TrackerCounter.CLICKS_RECORDED))
            {
                throw new IllegalStateException("edge counters show a problem:\n" + counters.toPrometheusText());
            }
            if (redirectChannel.finishAndReleaseAll())
            {
                throw new IllegalStateException("redirect pipeline left messages behind");
            }
        }
        finally
        {
            edge.close();
            appender.close();
            journal.close();
            BenchmarkFiles.delete(journalDir);
        }
    }

    /**
     * Sends one request through the real pipeline and checks the answer is a redirect to the link's destination
     * and that the click reached the journal.
     *
     * @return the decoded response, to be released by the caller.
     */
    private FullHttpResponse verifiedRedirect()
    {
        final EmbeddedChannel decoder = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(8192));
        redirectChannel.writeInbound(request.retainedDuplicate());
        ByteBuf out;
        while (null != (out = redirectChannel.readOutbound()))
        {
            decoder.writeInbound(out);
        }
        final FullHttpResponse response = decoder.readInbound();
        decoder.finishAndReleaseAll();

        final String location = null == response ? null : response.headers().get(HttpHeaderNames.LOCATION);
        if (null == response || !HttpResponseStatus.FOUND.equals(response.status()) || null == location ||
            !location.startsWith(DESTINATION + "&rclid=") ||
            !response.headers().contains(HttpHeaderNames.SET_COOKIE) ||
            Journal.NULL_INDEX == journal.lastIndex() || 1 != context.counters().get(TrackerCounter.CLICKS_RECORDED))
        {
            throw new IllegalStateException("not a journaled 302 to the link's destination: " + response);
        }
        if (!redirectChannel.inboundMessages().isEmpty())
        {
            throw new IllegalStateException("the pipeline passed a request through unhandled");
        }
        System.out.println("redirect: " + response.status() + ", " + response.headers().names());
        return response;
    }

    private static FullHttpResponse copyOf(final FullHttpResponse redirect)
    {
        final FullHttpResponse response =
            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, redirect.status(), Unpooled.EMPTY_BUFFER);
        // Names as AsciiString, as the edge's HttpHeaderNames constants are, so both encode names the same way.
        redirect.headers().forEach(
            (entry) -> response.headers().add(AsciiString.cached(entry.getKey()), entry.getValue()));
        return response;
    }

    private EmbeddedChannel newStaticChannel(final FullHttpResponse response)
    {
        final EmbeddedChannel channel = new ClientChannel();
        // The edge's handlers and limits, with a prebuilt answer in place of the tracking handler.
        edge.addHttpHandlers(channel.pipeline());
        channel.pipeline().addLast(new StaticResponseHandler(response));
        return channel;
    }

    private static String requestText()
    {
        return "GET /r/" + LINK_CODE + " HTTP/1.1\r\n" +
            "Host: go.ricochet.example\r\n" +
            "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " +
            "Chrome/131.0.0.0 Safari/537.36\r\n" +
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;" +
            "q=0.8,application/signed-exchange;v=b3;q=0.7\r\n" +
            "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
            "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n" +
            "Referer: https://news.example.com/2026/11/best-spring-deals?ref=home\r\n" +
            "Cookie: " + TrackerConfiguration.VISITOR_COOKIE_NAME_DEFAULT + "=" +
            VISITOR_KEY.cookieValue(0x0000_0193_1A2B_3C4DL, 0x5E6F_7081_92A3_B4C5L) + "\r\n" +
            "\r\n";
    }

    /**
     * An embedded channel reporting a fixed client address, as a socket channel would: the edge hashes it, and the
     * default embedded address is not an {@link InetSocketAddress}, so the hash would be skipped.
     */
    private static final class ClientChannel extends EmbeddedChannel
    {
        @Override
        protected SocketAddress remoteAddress0()
        {
            return CLIENT_ADDRESS;
        }
    }

    /**
     * Answers every request with a duplicate of one prebuilt response, flushed once per read batch like the edge.
     */
    private static final class StaticResponseHandler extends ChannelInboundHandlerAdapter
    {
        private final FullHttpResponse response;

        StaticResponseHandler(final FullHttpResponse response)
        {
            this.response = response;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof HttpRequest)
                {
                    ctx.write(response.retainedDuplicate(), ctx.voidPromise());
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            ctx.flush();
        }
    }
}
