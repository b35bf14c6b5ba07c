package dev.ricochet.tracker;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Absolute deadlines for a request's head and body: from its first byte, the request line and headers must be complete
 * within the header timeout, and from the end of its head its body within the body timeout, or the edge answers 408
 * and closes.
 *
 * <p>An idle timeout alone does not stop slowloris: a client sending one header byte every few seconds is never
 * idle, and holds its connection (and a slot of every proxy in front) for as long as it likes. The deadline needs
 * both sides of the codec, so it is two handlers sharing one state: {@link #bytesIn()} before the codec arms it on
 * the first byte of a request, {@link #requestsIn()} after it disarms it when the decoded head arrives and rearms
 * the byte side once the request's last content has passed. A body trickled byte by byte is the same attack one phase
 * later, and it also holds bytes of the global body budget ({@link BodyBudget}) while it trickles: its deadline runs
 * from the decoded head of a request that declares a body (a Content-Length above 0, or chunked) to its last content.
 */
final class RequestHeaderDeadline
{
    private static final long NO_HEAD = Long.MIN_VALUE;
    private static final long NO_BODY = Long.MIN_VALUE;

    private final long timeoutMs;
    private final long timeoutNs;
    private final long bodyTimeoutMs;
    private final long bodyTimeoutNs;
    private final TrackerCounters counters;
    private boolean awaitingRequest = true;
    // When the head being received started, or NO_HEAD. A timestamp per request, not a timer per request: like
    // Netty's idle handlers, one check is scheduled at a time and re-arms itself for the head then in progress, so
    // a busy keep-alive connection costs a schedule per timeout period, not per request.
    private long headStartNs = NO_HEAD;
    // When the head of a request whose body is being received was decoded, or NO_BODY.
    private long bodyStartNs = NO_BODY;
    private ScheduledFuture<?> check;

    RequestHeaderDeadline(final long timeoutMs, final long bodyTimeoutMs, final TrackerCounters counters)
    {
        this.timeoutMs = timeoutMs;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        this.bodyTimeoutMs = bodyTimeoutMs;
        this.bodyTimeoutNs = TimeUnit.MILLISECONDS.toNanos(bodyTimeoutMs);
        this.counters = counters;
    }

    /**
     * @return the handler to place before the HTTP codec.
     */
    ChannelInboundHandlerAdapter bytesIn()
    {
        return new ChannelInboundHandlerAdapter()
        {
            @Override
            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
            {
                if (awaitingRequest && NO_HEAD == headStartNs && msg instanceof ByteBuf && ((ByteBuf)msg).isReadable())
                {
                    headStartNs = System.nanoTime();
                    if (null == check)
                    {
                        check = ctx.executor().schedule(() -> onCheck(ctx), timeoutNs, TimeUnit.NANOSECONDS);
                    }
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(final ChannelHandlerContext ctx)
            {
                if (null != check)
                {
                    check.cancel(false);
                    check = null;
                }
                ctx.fireChannelInactive();
            }
        };
    }

    /**
     * @return the handler to place after the HTTP codec.
     */
    ChannelInboundHandlerAdapter requestsIn()
    {
        return new ChannelInboundHandlerAdapter()
        {
            @Override
            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
            {
                if (msg instanceof HttpRequest)
                {
                    awaitingRequest = false;
                    headStartNs = NO_HEAD;
                    if (!(msg instanceof LastHttpContent) && declaresBody((HttpRequest)msg))
                    {
                        bodyStartNs = System.nanoTime();
                        if (null != check && check.getDelay(TimeUnit.NANOSECONDS) > bodyTimeoutNs)
                        {
                            check.cancel(false); // a head check due later than this body's deadline
                            check = null;
                        }
                        if (null == check)
                        {
                            check = ctx.executor().schedule(() -> onCheck(ctx), bodyTimeoutNs, TimeUnit.NANOSECONDS);
                        }
                    }
                }
                if (msg instanceof LastHttpContent)
                {
                    awaitingRequest = true;
                    bodyStartNs = NO_BODY;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private static boolean declaresBody(final HttpRequest request)
    {
        if (request.decoderResult().isFailure())
        {
            return false; // answered 400 and closed at once
        }
        try
        {
            return HttpUtil.getContentLength(request, 0L) > 0 || HttpUtil.isTransferEncodingChunked(request);
        }
        catch (final NumberFormatException malformed)
        {
            return false; // refused as malformed by the handler
        }
    }

    private void onCheck(final ChannelHandlerContext ctx)
    {
        check = null;
        if (NO_BODY != bodyStartNs && ctx.channel().isActive())
        {
            final long leftNs = bodyStartNs + bodyTimeoutNs - System.nanoTime();
            if (leftNs > 0)
            {
                check = ctx.executor().schedule(() -> onCheck(ctx), leftNs, TimeUnit.NANOSECONDS);
                return;
            }
            timeOut(ctx, "request body not received within " + bodyTimeoutMs + " ms\n");
            return;
        }
        if (!awaitingRequest || NO_HEAD == headStartNs || !ctx.channel().isActive())
        {
            return; // no head in progress: the next request's first byte schedules the next check
        }
        final long leftNs = headStartNs + timeoutNs - System.nanoTime();
        if (leftNs > 0)
        {
            check = ctx.executor().schedule(() -> onCheck(ctx), leftNs, TimeUnit.NANOSECONDS);
            return;
        }
        timeOut(ctx, "request head not received within " + timeoutMs + " ms\n");
    }

    private void timeOut(final ChannelHandlerContext ctx, final String why)
    {
        counters.increment(TrackerCounter.SLOW_REQUESTS);
        final FullHttpResponse response =
            Responses.text(HttpResponseStatus.REQUEST_TIMEOUT, why);
        response.headers().set(HttpHeaderNames.CONNECTION, "close");
        // From the pipeline's tail, so it passes the keep-alive handler and the codec's encoder on its way out.
        ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
