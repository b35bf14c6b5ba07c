package dev.ricochet.tracker;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * An absolute deadline for a request's head: from its first byte, the request line and headers must be complete
 * within the timeout, or the edge answers 408 and closes.
 *
 * <p>An idle timeout alone does not stop slowloris: a client sending one header byte every few seconds is never
 * idle, and holds its connection (and a slot of every proxy in front) for as long as it likes. The deadline needs
 * both sides of the codec, so it is two handlers sharing one state: {@link #bytesIn()} before the codec arms it on
 * the first byte of a request, {@link #requestsIn()} after it disarms it when the decoded head arrives and rearms
 * the byte side once the request's last content has passed.
 */
final class RequestHeaderDeadline
{
    private final long timeoutMs;
    private final TrackerCounters counters;
    private boolean awaitingRequest = true;
    private ScheduledFuture<?> deadline;

    RequestHeaderDeadline(final long timeoutMs, final TrackerCounters counters)
    {
        this.timeoutMs = timeoutMs;
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
                if (awaitingRequest && null == deadline && msg instanceof ByteBuf && ((ByteBuf)msg).isReadable())
                {
                    deadline = ctx.executor().schedule(() -> expire(ctx), timeoutMs, TimeUnit.MILLISECONDS);
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(final ChannelHandlerContext ctx)
            {
                disarm();
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
                    disarm();
                }
                if (msg instanceof LastHttpContent)
                {
                    awaitingRequest = true;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void disarm()
    {
        if (null != deadline)
        {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void expire(final ChannelHandlerContext ctx)
    {
        deadline = null;
        if (awaitingRequest && ctx.channel().isActive())
        {
            counters.increment(TrackerCounter.SLOW_REQUESTS);
            final io.netty.handler.codec.http.FullHttpResponse response = Responses.text(
                HttpResponseStatus.REQUEST_TIMEOUT, "request head not received within " + timeoutMs + " ms\n");
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
            // From the pipeline's tail, so it passes the keep-alive handler and the codec's encoder on its way out.
            ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
