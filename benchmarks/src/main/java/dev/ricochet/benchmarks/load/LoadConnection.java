package dev.ricochet.benchmarks.load;

import dev.ricochet.ingest.IdCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One keep-alive connection acting as a browser (or Stripe): one request in flight, the next sent when the answer
 * is in (closed loop) or at its scheduled time (open loop), every answer checked, visitor cookies learned from
 * Set-Cookie and sent back on most later requests.
 *
 * <p>The pipeline is {@link HttpResponseDecoder} and this handler, no aggregator: the answer is checked from its
 * head and completed at {@link LastHttpContent}. Requests are pre-encoded bytes written straight to the socket, so
 * the encoder half of {@code HttpClientCodec} would have nothing to do; its decoder half is this decoder.
 *
 * <p>Sharable only because a reconnect adds the same instance to the new channel's pipeline; it is never in two
 * pipelines at once, and everything runs on its worker's event loop.
 */
@ChannelHandler.Sharable
final class LoadConnection extends ChannelInboundHandlerAdapter
{
    private static final int MAX_COOKIES = 16;
    private static final long RECONNECT_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long CONNECT_RETRY_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final String ACCEPTED = "\"status\":\"accepted\"";
    private static final HttpDecoderConfig DECODER_CONFIG = new HttpDecoderConfig()
        .setMaxInitialLineLength(4096)
        .setMaxHeaderSize(16384)
        .setMaxChunkSize(65536);

    private final LoadWorker worker;
    private final Bootstrap bootstrap;
    private final String host;
    private final int port;
    private final long slotOffsetNs;
    private final double slotIntervalNs;
    private final byte[][] cookieLines = new byte[MAX_COOKIES][];
    private int cookieCount;
    private Channel channel;
    private boolean isFinished;
    private boolean isInFlight;
    private boolean isTimerArmed;
    private long slot;
    private RequestKind kind;
    private LinkTarget link;
    private boolean sentCookie;
    private long intendedNs;
    private long sentNs;
    private int status;
    private ErrorKind error;
    private ByteBuf body;

    LoadConnection(final LoadWorker worker, final LoadOptions options, final int connectionIndex)
    {
        this.worker = worker;
        this.host = options.host();
        this.port = options.port();
        if (options.isOpenLoop())
        {
            // Each connection sends rate/N per second; offsets interleave them so the total is evenly spaced.
            slotIntervalNs = options.connections() * 1e9 / options.rate();
            slotOffsetNs = (long)(connectionIndex * 1e9 / options.rate());
        }
        else
        {
            slotIntervalNs = 0;
            slotOffsetNs = 0;
        }
        bootstrap = new Bootstrap()
            .group(worker.loop())
            .channel(worker.channelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)Math.min(TimeUnit.NANOSECONDS.toMillis(
                Math.max(options.timeoutNs(), TimeUnit.SECONDS.toNanos(1))), Integer.MAX_VALUE))
            .handler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    ch.pipeline().addLast(new HttpResponseDecoder(DECODER_CONFIG), LoadConnection.this);
                }
            });
    }

    /**
     * @return the connect attempt; the harness waits on the first ones before starting.
     */
    ChannelFuture connect()
    {
        return bootstrap.connect(host, port).addListener((final ChannelFuture future) -> onConnect(future));
    }

    private void onConnect(final ChannelFuture future)
    {
        if (future.isSuccess())
        {
            channel = future.channel();
            if (worker.isStarted())
            {
                worker.onReconnect();
                resume();
            }
        }
        else if (worker.isStarted())
        {
            // Before the start the harness reports an unreachable target itself; during the run it is an error.
            worker.onError(ErrorKind.CONNECTION);
            afterConnectionLoss(CONNECT_RETRY_DELAY_NS);
        }
    }

    void start()
    {
        resume();
    }

    private void resume()
    {
        if (isFinished || null == channel)
        {
            return;
        }
        if (worker.isOpenLoop())
        {
            pace();
        }
        else
        {
            final long nowNs = System.nanoTime();
            if (nowNs < worker.endNs())
            {
                send(nowNs, nowNs);
            }
            else
            {
                finish();
            }
        }
    }

    /**
     * Open loop: send the request whose time has come if this connection is free; a request that waited longer
     * than the timeout for it is given up as a timeout, so an overloaded target cannot build an endless backlog.
     */
    private void pace()
    {
        if (isFinished || isInFlight || null == channel)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        long nextNs = nextSlotNs();
        while (nextNs < worker.endNs() && nowNs - nextNs > worker.timeoutNs())
        {
            worker.onNotSent(nextNs);
            slot++;
            nextNs = nextSlotNs();
        }
        if (nextNs >= worker.endNs())
        {
            finish();
        }
        else if (nextNs <= nowNs)
        {
            slot++;
            worker.onSlot(nextNs);
            send(nextNs, nowNs);
        }
        else if (!isTimerArmed)
        {
            isTimerArmed = true;
            worker.loop().schedule(this::onTimer, nextNs - nowNs, TimeUnit.NANOSECONDS);
        }
    }

    private void onTimer()
    {
        isTimerArmed = false;
        pace();
    }

    private long nextSlotNs()
    {
        return worker.startNs() + slotOffsetNs + (long)(slot * slotIntervalNs);
    }

    private void send(final long intendedNs, final long nowNs)
    {
        kind = worker.nextKind();
        final int linkIndex = worker.nextLinkIndex();
        link = worker.link(linkIndex);
        byte[] cookieLine = null;
        if (RequestKind.CONVERSION != kind && cookieCount > 0 && !worker.isNewVisitor())
        {
            cookieLine = cookieLines[worker.nextInt(cookieCount)];
        }
        sentCookie = null != cookieLine;
        final ByteBuf request = worker.encode(kind, linkIndex, cookieLine, channel.alloc());
        isInFlight = true;
        this.intendedNs = intendedNs;
        sentNs = nowNs;
        status = 0;
        error = null;
        worker.onSent(intendedNs, nowNs);
        channel.writeAndFlush(request, channel.voidPromise());
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (ctx.channel() != channel)
            {
                return;
            }
            if (msg instanceof HttpResponse && !onResponseHead((HttpResponse)msg))
            {
                return;
            }
            if (msg instanceof HttpContent && isInFlight)
            {
                onContent((HttpContent)msg);
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * @return false if the connection is being closed.
     */
    private boolean onResponseHead(final HttpResponse response)
    {
        if (!isInFlight)
        {
            worker.onError(ErrorKind.MALFORMED_RESPONSE);  // an answer nobody asked for: the stream is out of step
            channel.close();
            return false;
        }
        if (response.decoderResult().isFailure())
        {
            failInFlight(ErrorKind.MALFORMED_RESPONSE);
            return false;
        }
        status = response.status().code();
        error = worker.checkHead(kind, link, status, response.headers());
        if (RequestKind.CONVERSION != kind && !sentCookie)
        {
            learnCookie(response.headers().get(HttpHeaderNames.SET_COOKIE));
        }
        return true;
    }

    private void onContent(final HttpContent content)
    {
        if (content.decoderResult().isFailure())
        {
            failInFlight(ErrorKind.MALFORMED_RESPONSE);
            return;
        }
        if (RequestKind.CONVERSION == kind && content.content().isReadable())
        {
            if (null == body)
            {
                body = channel.alloc().heapBuffer(256);
            }
            body.writeBytes(content.content());
        }
        if (content instanceof LastHttpContent)
        {
            if (RequestKind.CONVERSION == kind && null == error &&
                (null == body || !body.toString(StandardCharsets.UTF_8).contains(ACCEPTED)))
            {
                // A dead letter or an ignored event is answered 200 too: only "accepted" means a conversion counts.
                error = ErrorKind.NOT_ACCEPTED;
            }
            releaseBody();
            final long nowNs = System.nanoTime();
            isInFlight = false;
            worker.onResponse(kind, intendedNs, nowNs, status, error);
            if (worker.isOpenLoop())
            {
                pace();
            }
            else if (nowNs < worker.endNs())
            {
                send(nowNs, nowNs);
            }
            else
            {
                finish();
            }
        }
    }

    private void learnCookie(final String setCookie)
    {
        final byte[] line;
        if (null != setCookie && !setCookie.isEmpty())
        {
            line = RequestTemplates.cookieLine(setCookie);
        }
        else if (worker.isStatic())
        {
            // A stand-in sets no cookie; send a well-formed one anyway so its requests are byte for byte the edge's.
            // Id and tag, as long as the edge's (the stand-in verifies nothing).
            line = RequestTemplates.cookieLine("rv=" + IdCodec.toString(worker.nextInt(Integer.MAX_VALUE),
                (long)worker.nextInt(Integer.MAX_VALUE) << 20) +
                IdCodec.toString(0, worker.nextInt(Integer.MAX_VALUE)).substring(11));
        }
        else
        {
            return;
        }
        if (cookieCount < MAX_COOKIES)
        {
            cookieLines[cookieCount++] = line;
        }
        else
        {
            cookieLines[worker.nextInt(MAX_COOKIES)] = line;
        }
    }

    void checkTimeout(final long nowNs)
    {
        if (isInFlight && nowNs - sentNs > worker.timeoutNs())
        {
            failInFlight(ErrorKind.TIMEOUT);
        }
    }

    private void failInFlight(final ErrorKind failure)
    {
        isInFlight = false;
        releaseBody();
        worker.onFailure(kind, intendedNs, failure);
        channel.close();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (ctx.channel() != channel)
        {
            return;
        }
        channel = null;
        if (isInFlight)
        {
            isInFlight = false;
            releaseBody();
            worker.onFailure(kind, intendedNs, ErrorKind.CONNECTION);
        }
        afterConnectionLoss(RECONNECT_DELAY_NS);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // channelInactive counts the request this loses, if any; a broken connection is not worth a stack trace.
        ctx.close();
    }

    private void afterConnectionLoss(final long delayNs)
    {
        if (isFinished || !worker.isStarted())
        {
            return;
        }
        final long nowNs = System.nanoTime();
        if (!worker.isOpenLoop() && nowNs >= worker.endNs())
        {
            finish();
        }
        else if (nowNs >= worker.endNs() + worker.timeoutNs())
        {
            giveUp();
        }
        else
        {
            worker.loop().schedule(() ->
            {
                connect();
            }, delayNs, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Open loop: the target stayed unreachable past the end; the requests still due were never sent.
     */
    private void giveUp()
    {
        if (worker.isOpenLoop())
        {
            for (long nextNs = nextSlotNs(); nextNs < worker.endNs(); nextNs = nextSlotNs())
            {
                worker.onNotSent(nextNs);
                slot++;
            }
        }
        finish();
    }

    private void finish()
    {
        if (!isFinished)
        {
            isFinished = true;
            worker.onConnectionFinished();
        }
    }

    private void releaseBody()
    {
        if (null != body)
        {
            body.release();
            body = null;
        }
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        if (ctx.channel() == channel)
        {
            releaseBody();
        }
    }
}
