package dev.ricochet.aggregator.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import org.agrona.ErrorHandler;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The admin and reporting API's HTTP server, on its own port and threads, apart from the edge.
 */
public final class AdminServer implements AutoCloseable
{
    /**
     * Largest request body the admin API accepts; larger ones get 413.
     */
    public static final int MAX_BODY_BYTES = 64 * 1024;

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
        final boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ricochet-admin-io", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        handlerGroup = new DefaultEventExecutorGroup(2, new DefaultThreadFactory("ricochet-admin", true));
        try
        {
            serverChannel = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel channel)
                    {
                        channel.pipeline()
                            .addLast(new ReadTimeoutHandler(60, TimeUnit.SECONDS))
                            .addLast(new HttpServerCodec(8192, 16384, 8192))
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
            handlerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw ex;
        }
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
        serverChannel.close().syncUninterruptibly();
        handlerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
