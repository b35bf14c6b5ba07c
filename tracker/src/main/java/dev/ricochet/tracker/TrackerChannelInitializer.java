package dev.ricochet.tracker;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The edge's pipeline: idle timeout, absolute deadlines for each request head and body, the HTTP/1.1 codec with
 * deliberate limits, the pipeline gate, flow control, keep-alive, and the router with this channel's collaborators,
 * each given the shared services it needs.
 */
final class TrackerChannelInitializer extends ChannelInitializer<Channel>
{
    private final TrackerSettings<?> settings;
    private final EdgeRuntime runtime;
    private final Function<EventLoop, EdgeLoopResources> loopResources;
    private final ChannelGroup connections;

    /**
     * @param settings      concluded settings.
     * @param runtime       the shared services.
     * @param loopResources the resources of a channel's event loop.
     * @param connections   every accepted connection joins it (and leaves when closed), for the shutdown to close.
     */
    TrackerChannelInitializer(
        final TrackerSettings<?> settings,
        final EdgeRuntime runtime,
        final Function<EventLoop, EdgeLoopResources> loopResources,
        final ChannelGroup connections)
    {
        this.settings = settings;
        this.runtime = runtime;
        this.loopResources = loopResources;
        this.connections = connections;
    }

    @Override
    protected void initChannel(final Channel channel)
    {
        connections.add(channel);
        addHttpHandlers(channel.pipeline(), settings);
        final EdgeLoopResources loop = loopResources.apply(channel.eventLoop());
        final RequestPath requestPath = new RequestPath();
        final TrackerCounters counters = settings.counters();
        channel.pipeline().addLast("tracking", new TrackingHandler(
            requestPath,
            new BrowserHits(settings, runtime, requestPath, loop),
            new ConversionRequests(runtime.conversionIntake, runtime.bodyBudget, runtime.journalSpaceGate, counters,
                settings.maxBodySize()),
            runtime.statusEndpoints,
            loop.lag,
            counters,
            settings.errorHandler()));
    }

    /**
     * Everything ahead of the tracking handler: timeouts, the HTTP codec with its limits, flow control and
     * keep-alive. Shared with the redirect benchmark, whose anchor answers through exactly these handlers.
     *
     * @param pipeline a new channel's pipeline.
     * @param settings the edge's concluded settings.
     */
    static void addHttpHandlers(final ChannelPipeline pipeline, final TrackerSettings<?> settings)
    {
        final RequestHeaderDeadline headerDeadline =
            new RequestHeaderDeadline(settings.headerTimeoutMs(), settings.bodyTimeoutMs(), settings.counters());
        pipeline.addLast("idle", new ReadTimeoutHandler(settings.idleTimeoutMs(), TimeUnit.MILLISECONDS));
        pipeline.addLast("headerDeadline", headerDeadline.bytesIn());
        pipeline.addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
            .setMaxInitialLineLength(settings.maxRequestLineLength())
            .setMaxHeaderSize(settings.maxHeaderSize())
            // Pinned rather than left to Netty's defaults (which system properties can loosen): framing that a proxy
            // in front could read differently is refused with 400 and a close. That is, RFC 9112's rules: a request
            // with both Transfer-Encoding and Content-Length, a Transfer-Encoding not ending in chunked, repeated
            // Content-Length fields and bare CR or LF line ends. The corpus in src/test/resources/hostile holds one
            // request of each; with the first two settings false, its bare-LF and CL+TE cases fail.
            .setUseRfc9112TransferEncoding(true)
            .setStrictLineParsing(true)
            .setAllowDuplicateContentLengths(false),
            // Never reached: the pipeline gate below refuses a request over its own, smaller depth first.
            HttpPipelineGate.CODEC_PIPELINE_DEPTH));
        pipeline.addLast("headerReceived", headerDeadline.requestsIn());
        // Which pipelined requests are processed at all: a bounded depth, nothing after a close, answers after a
        // half-close.
        pipeline.addLast("pipelineGate", new HttpPipelineGate(settings.counters()));
        // Holds back pipelined requests while a conversion waits for its durable answer (auto-read off).
        pipeline.addLast("flowControl", new FlowControlHandler());
        pipeline.addLast("keepAlive", new HttpServerKeepAliveHandler());
    }
}
