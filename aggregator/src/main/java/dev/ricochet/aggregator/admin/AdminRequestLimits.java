package dev.ricochet.aggregator.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an admin request may take before its token is even read: a deadline for the whole request and a share of one
 * budget for the bodies in flight. Two handlers sharing one connection's state: {@link #bytesIn()} before the codec
 * starts the deadline at a request's first byte; {@link #requestsIn()} after it stops the deadline at the request's
 * last byte and reserves each body's bytes as they arrive (never from the declared Content-Length), returning them
 * once the request is answered or the connection closes.
 *
 * <p>A request not complete within the timeout (a slowloris head or a trickled body) gets 408 and the connection
 * closes; a body whose bytes would pass the budget gets 503 with Retry-After and the connection closes.
 */
final class AdminRequestLimits
{
    private static final long NOT_STARTED = Long.MIN_VALUE;

    private final long timeoutMs;
    private final long timeoutNs;
    private final AtomicLong bodiesInFlightBytes;
    private final long maxBodiesInFlightBytes;
    private boolean awaitingRequest = true;
    private long requestStartNs = NOT_STARTED;
    private long reservedBytes;
    private boolean refused;
    private ScheduledFuture<?> check;

    /**
     * @param timeoutMs              from a request's first byte to its last.
     * @param bodiesInFlightBytes    the bytes of bodies in flight on all connections, shared.
     * @param maxBodiesInFlightBytes the budget for them.
     */
    AdminRequestLimits(final long timeoutMs, final AtomicLong bodiesInFlightBytes, final long maxBodiesInFlightBytes)
    {
        this.timeoutMs = timeoutMs;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        this.bodiesInFlightBytes = bodiesInFlightBytes;
        this.maxBodiesInFlightBytes = maxBodiesInFlightBytes;
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
                if (awaitingRequest && NOT_STARTED == requestStartNs && msg instanceof ByteBuf &&
                    ((ByteBuf)msg).isReadable())
                {
                    requestStartNs = System.nanoTime();
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
                releaseReserved();
                ctx.fireChannelInactive();
            }
        };
    }

    /**
     * @return the handler to place after the HTTP codec (and its pipeline gate), before the aggregator.
     */
    ChannelDuplexHandler requestsIn()
    {
        return new ChannelDuplexHandler()
        {
            @Override
            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
            {
                if (refused)
                {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                if (msg instanceof HttpRequest)
                {
                    awaitingRequest = false;
                }
                if (msg instanceof HttpContent)
                {
                    final int arrived = ((HttpContent)msg).content().readableBytes();
                    if (arrived > 0 && !tryReserve(arrived))
                    {
                        ReferenceCountUtil.release(msg);
                        refused = true;
                        final FullHttpResponse busy = AdminServer.json(HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "{\"error\":\"too many request bodies in flight; retry in a second\"}");
                        busy.headers().set(HttpHeaderNames.RETRY_AFTER, 1)
                            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                        ctx.writeAndFlush(busy).addListener(ChannelFutureListener.CLOSE);
                        return;
                    }
                }
                if (msg instanceof LastHttpContent)
                {
                    awaitingRequest = true;
                    requestStartNs = NOT_STARTED;
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
            {
                if (msg instanceof HttpResponse &&
                    HttpStatusClass.INFORMATIONAL != ((HttpResponse)msg).status().codeClass())
                {
                    // Answered: the API has read its body. Pipelined bodies read since are released a little early,
                    // which the per-connection depth bounds.
                    releaseReserved();
                }
                ctx.write(msg, promise);
            }
        };
    }

    private boolean tryReserve(final int bytes)
    {
        long current;
        do
        {
            current = bodiesInFlightBytes.get();
            if (current + bytes > maxBodiesInFlightBytes)
            {
                return false;
            }
        }
        while (!bodiesInFlightBytes.compareAndSet(current, current + bytes));
        reservedBytes += bytes;
        return true;
    }

    private void releaseReserved()
    {
        bodiesInFlightBytes.addAndGet(-reservedBytes);
        reservedBytes = 0;
    }

    private void onCheck(final ChannelHandlerContext ctx)
    {
        check = null;
        if ((awaitingRequest && NOT_STARTED == requestStartNs) || !ctx.channel().isActive())
        {
            return; // no request in progress: the next one's first byte schedules the next check
        }
        final long leftNs = requestStartNs + timeoutNs - System.nanoTime();
        if (leftNs > 0)
        {
            check = ctx.executor().schedule(() -> onCheck(ctx), leftNs, TimeUnit.NANOSECONDS);
            return;
        }
        final FullHttpResponse response = AdminServer.json(HttpResponseStatus.REQUEST_TIMEOUT,
            "{\"error\":\"request not received within " + timeoutMs + " ms\"}");
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
