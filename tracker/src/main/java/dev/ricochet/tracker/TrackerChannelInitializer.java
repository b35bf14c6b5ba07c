package dev.ricochet.tracker;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;

import io.netty.util.concurrent.EventExecutor;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The edge's pipeline, nothing else: HTTP/1.1 codec with deliberate limits, flow control, keep-alive, idle timeout,
 * handler.
 */
final class TrackerChannelInitializer extends ChannelInitializer<Channel>
{
    private final TrackerServer.Context context;
    private final Map<EventExecutor, EdgeLoopResources> loopResources;

    TrackerChannelInitializer(final TrackerServer.Context context, final Map<EventExecutor, EdgeLoopResources> loopResources)
    {
        this.context = context;
        this.loopResources = loopResources;
    }

    @Override
    protected void initChannel(final Channel channel)
    {
        final ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("idle", new ReadTimeoutHandler(context.idleTimeoutMs(), TimeUnit.MILLISECONDS));
        pipeline.addLast("codec", new HttpServerCodec(
            context.maxRequestLineLength(), context.maxHeaderSize(), 8192));
        // Holds back pipelined requests while a conversion waits for its durable answer (auto-read off).
        pipeline.addLast("flowControl", new FlowControlHandler());
        pipeline.addLast("keepAlive", new HttpServerKeepAliveHandler());
        pipeline.addLast("tracking", new TrackingHandler(context, loopResources.get(channel.eventLoop())));
    }
}
