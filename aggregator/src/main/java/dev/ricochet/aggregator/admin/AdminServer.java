package dev.ricochet.aggregator.admin;

import dev.ricochet.ingest.ProcessFailure;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import org.agrona.ErrorHandler;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admin and reporting API's HTTP server, on its own port and threads, apart from the edge.
 */
public final class AdminServer implements AutoCloseable
{
    /**
     * Largest request body the admin API accepts; larger ones get 413.
     */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    /**
     * Bytes of request bodies the admin API holds at once across all connections, counted as they arrive; a body
     * that would pass it gets 503 with Retry-After and its connection closes. 128 bodies of the largest size.
     */
    public static final long MAX_BODIES_IN_FLIGHT_BYTES = 128L * MAX_BODY_BYTES;

    /**
     * Longest time from a request's first byte to its last, by default; a slower request gets 408 and a close.
     */
    public static final long REQUEST_TIMEOUT_MS_DEFAULT = 10_000;

    private final AtomicLong bodiesInFlightBytes = new AtomicLong();
    private volatile boolean closing;

    private final EventLoopGroup group;
    private final EventExecutorGroup handlerGroup;
    private final Channel serverChannel;

    /**
     * Bind and start serving.
     *
     * @param bindAddress  address to bind.
     * @param port         port, 0 for ephemeral.
     * @param api          the API logic.
     * @param roles        the bearer tokens of each role.
     * @param errorHandler receives unexpected errors.
     * @throws InterruptedException if interrupted while binding.
     */
    public AdminServer(
        final String bindAddress,
        final int port,
        final AdminApi api,
        final AdminRoles roles,
        final ErrorHandler errorHandler) throws InterruptedException
    {
        this(bindAddress, port, api, roles, errorHandler, REQUEST_TIMEOUT_MS_DEFAULT);
    }

    /**
     * Bind and start serving.
     *
     * @param bindAddress      address to bind.
     * @param port             port, 0 for ephemeral.
     * @param api              the API logic.
     * @param roles            the bearer tokens of each role.
     * @param errorHandler     receives unexpected errors.
     * @param requestTimeoutMs longest time from a request's first byte to its last.
     * @throws InterruptedException if interrupted while binding.
     */
    public AdminServer(
        final String bindAddress,
        final int port,
        final AdminApi api,
        final AdminRoles roles,
        final ErrorHandler errorHandler,
        final long requestTimeoutMs) throws InterruptedException
    {
        final boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ricochet-admin-io", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        handlerGroup = new DefaultEventExecutorGroup(2, new DefaultThreadFactory("ricochet-admin", true));
        // A loop or handler thread that stops while the API serves leaves its connections unanswered: fail loudly.
        for (final EventExecutorGroup executors : new EventExecutorGroup[]{ group, handlerGroup })
        {
            for (final EventExecutor executor : executors)
            {
                executor.terminationFuture().addListener(stopped ->
                {
                    if (!closing)
                    {
                        ProcessFailure.fail("an admin API thread stopped while serving");
                    }
                });
            }
        }
        try
        {
            serverChannel = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                // A client that shuts down its output after its request still gets the answer: the pipeline gate
                // closes once the requests it accepted are answered.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel channel)
                    {
                        final AdminRequestLimits limits = new AdminRequestLimits(
                            requestTimeoutMs, bodiesInFlightBytes, MAX_BODIES_IN_FLIGHT_BYTES);
                        channel.pipeline()
                            .addLast(new ReadTimeoutHandler(60, TimeUnit.SECONDS))
                            .addLast(limits.bytesIn())
                            .addLast(new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(8192).setMaxHeaderSize(16384).setMaxChunkSize(8192),
                                AdminPipelineGate.CODEC_PIPELINE_DEPTH))
                            .addLast(new AdminPipelineGate())
                            .addLast(limits.requestsIn())
                            // Grows with what arrives (a composite of the chunks), refuses a declared length over the
                            // cap with 413 before reading it.
                            .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                            .addLast(new AdminHandler(api, roles, errorHandler, handlerGroup.next()));
                    }
                })
                .bind(new InetSocketAddress(bindAddress, port))
                .sync()
                .channel();
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            closing = true;
            handlerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw ex;
        }
    }

    /**
     * @return a JSON response with its length, for the HTTP layer's own refusals.
     */
    static FullHttpResponse json(final HttpResponseStatus status, final String json)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }

    /**
     * @return bytes of request bodies held now, across all connections.
     */
    public long bodiesInFlightBytes()
    {
        return bodiesInFlightBytes.get();
    }

    /**
     * @return the port the admin API listens on.
     */
    public int port()
    {
        return ((InetSocketAddress)serverChannel.localAddress()).getPort();
    }

    @Override
    public void close()
    {
        closing = true;
        serverChannel.close().syncUninterruptibly();
        handlerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
