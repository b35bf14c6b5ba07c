package dev.ricochet.aggregator.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Decides which pipelined requests of an admin connection are processed at all, right after the HTTP codec, so that
 * every request that reaches the API (and may change the catalog or a ledger) is answered. The same rules as the
 * edge's gate ({@code dev.ricochet.tracker.HttpPipelineGate}; the modules share no HTTP code):
 *
 * <ul>
 * <li>At most {@link #MAX_PIPELINED_REQUESTS} requests of a connection wait for their answers at once. The codec
 * decodes every request a read brings, and each one decoded is aggregated and queued for the API's executor; the
 * request over the depth is refused before any handler sees it, the rest of the input is dropped, and once the
 * accepted requests are answered the refused one gets 503 with Retry-After and the connection closes. (Netty's own
 * depth check throws {@code maxPipelineDepth exceeded} from the decoder and closes the connection under requests
 * already applied.)</li>
 * <li>A request that closes the connection ({@code Connection: close}, or HTTP/1.0 without keep-alive) is the last
 * one processed: nothing pipelined after it is, and the connection closes after its answer (RFC 9112 section
 * 9.6).</li>
 * <li>A client that half-closes (shuts down its output after its requests, {@code ALLOW_HALF_CLOSURE} on the
 * channel) still gets every answer; the connection closes after the last one.</li>
 * </ul>
 *
 * <p>Stopping the input removes the codec's decoder: the bytes that follow arrive here undecoded and are released,
 * so a client cannot make the admin API decode, queue or count requests it will not process.
 */
final class AdminPipelineGate extends ChannelDuplexHandler
{
    /**
     * Most requests one connection may have waiting for their answers (the one being answered included). Browsers
     * do not pipeline; a server-to-server client rarely pipelines more than a few.
     */
    static final int MAX_PIPELINED_REQUESTS = 16;

    /**
     * The depth to give the codec's own check: above ours, which refuses first, so the codec never throws.
     */
    static final int CODEC_PIPELINE_DEPTH = MAX_PIPELINED_REQUESTS + 8;


    private int unanswered;
    private boolean inputEnded;
    private boolean lastRequestInProgress;
    private boolean refusalOwed;
    private boolean closeAfterAnswers;


    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (inputEnded)
        {
            ReferenceCountUtil.release(msg); // after the last request, or bytes once the decoder is gone
            return;
        }
        if (msg instanceof HttpRequest)
        {
            if (unanswered >= MAX_PIPELINED_REQUESTS)
            {
                ReferenceCountUtil.release(msg);
                refusalOwed = true;
                endInput(ctx);
                return;
            }
            unanswered++;
            if (!HttpUtil.isKeepAlive((HttpRequest)msg))
            {
                lastRequestInProgress = true;
            }
        }
        final boolean isLast = lastRequestInProgress && msg instanceof LastHttpContent;
        ctx.fireChannelRead(msg);
        if (isLast)
        {
            endInput(ctx);
        }
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof ChannelInputShutdownEvent)
        {
            // The client half-closed: the codec has decoded what remained (a cut-off body comes as a failed content,
            // which is answered 400). Answer what was accepted, then close.
            inputEnded = true;
            closeAfterAnswers = true;
            if (0 == unanswered && ctx.channel().isActive())
            {
                closeOnceFlushed(ctx);
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (!(msg instanceof HttpResponse) || HttpStatusClass.INFORMATIONAL == ((HttpResponse)msg).status().codeClass())
        {
            ctx.write(msg, promise);
            return;
        }
        if (unanswered > 0)
        {
            unanswered--;
        }
        if (0 != unanswered || !closeAfterAnswers)
        {
            ctx.write(msg, promise);
            return;
        }
        if (refusalOwed)
        {
            refusalOwed = false;
            ctx.write(msg, promise);
            final FullHttpResponse refusal = AdminServer.json(HttpResponseStatus.SERVICE_UNAVAILABLE,
                "{\"error\":\"more than " + MAX_PIPELINED_REQUESTS + " requests pipelined on one connection; this " +
                "one and any after it were not processed: send them again\"}");
            refusal.headers().set(HttpHeaderNames.RETRY_AFTER, 1)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        // The final answer (all our answers are full responses): close once it is written.
        ctx.write(msg, promise.unvoid().addListener(ChannelFutureListener.CLOSE));
    }

    private void endInput(final ChannelHandlerContext ctx)
    {
        inputEnded = true;
        closeAfterAnswers = true;
        final HttpServerCodec codec = ctx.pipeline().get(HttpServerCodec.class);
        if (null != codec)
        {
            try
            {
                codec.removeInboundHandler();
            }
            catch (final IllegalStateException alreadyRemoved)
            {
                // removed already: nothing more to stop
            }
        }
        if (0 == unanswered && ctx.channel().isActive())
        {
            closeOnceFlushed(ctx);
        }
    }

    private static void closeOnceFlushed(final ChannelHandlerContext ctx)
    {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}
