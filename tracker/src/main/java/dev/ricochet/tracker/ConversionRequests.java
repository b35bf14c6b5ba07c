package dev.ricochet.tracker;

import dev.ricochet.tracker.conversion.ConversionIntake;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Conversion requests on one channel: {@code POST /v1/conversions}, the Stripe and Shopify webhooks and
 * {@code GET /postback}. Collects a body within its bounds (size, the budget of bodies in flight across all
 * connections), then hands it to the {@link ConversionIntake}, which answers once the conversion is durable; reading
 * stops until then, so pipelined requests are answered in order.
 */
final class ConversionRequests
{
    /**
     * Headers that authenticate or route a conversion: one value each, or the request is refused.
     */
    private static final CharSequence[] CREDENTIAL_HEADERS = {
        HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.CONTENT_TYPE, "stripe-signature", "x-shopify-hmac-sha256",
        "x-shopify-topic", "x-shopify-webhook-id", "x-shopify-shop-domain" };

    private final ConversionIntake intake;
    private final BodyBudget bodyBudget;
    private final JournalSpaceGate journalSpaceGate;
    private final TrackerCounters counters;
    private final int maxBodySize;
    private ByteBuf body;
    private long bodyReservedBytes;
    private HttpHeaders bodyHeaders;
    private int bodyRoute;
    private String bodyProgramId;
    private long discardedBodyBytes = -1;

    ConversionRequests(
        final ConversionIntake intake,
        final BodyBudget bodyBudget,
        final JournalSpaceGate journalSpaceGate,
        final TrackerCounters counters,
        final int maxBodySize)
    {
        this.intake = intake;
        this.bodyBudget = bodyBudget;
        this.journalSpaceGate = journalSpaceGate;
        this.counters = counters;
        this.maxBodySize = maxBodySize;
    }

    /**
     * @return true for the routes whose request carries a body to collect here.
     */
    static boolean isBodyRoute(final int route)
    {
        return RequestPath.CONVERSIONS == route || RequestPath.STRIPE_WEBHOOK == route ||
            RequestPath.SHOPIFY_WEBHOOK == route;
    }

    /**
     * The head of a request on one of {@link #isBodyRoute(int)}: checked, then its body is collected.
     *
     * @param programId the program named in a webhook's path, null for {@code /v1/conversions}.
     */
    void onRequest(final ChannelHandlerContext ctx, final HttpRequest request, final int route, final String programId)
    {
        if (!HttpMethod.POST.equals(request.method()))
        {
            badRequest(ctx, Responses.methodNotAllowed("POST"));
            return;
        }
        final CharSequence repeated = repeatedCredentialHeader(request.headers());
        if (null != repeated)
        {
            // Which of two signatures or keys counts is a guess, and hops may guess differently: refused.
            badRequest(ctx, Responses.json(HttpResponseStatus.BAD_REQUEST,
                "{\"error\":\"header " + repeated + " given more than once\"}"));
            return;
        }
        bodyRoute = route;
        bodyProgramId = programId;
        startBody(ctx, request);
    }

    /**
     * {@code GET /postback}: no body, answered once durable.
     */
    void onPostback(final ChannelHandlerContext ctx, final String uri)
    {
        if (journalSpaceGate.isLow(ctx, true))
        {
            return;
        }
        awaitDurableAnswer(ctx);
        intake.onPostback(uri, responder(ctx));
    }

    /**
     * @return true if the content belongs to a body collected or discarded here.
     */
    boolean onContent(final ChannelHandlerContext ctx, final HttpContent content)
    {
        if (null != body)
        {
            onBodyContent(ctx, content);
            return true;
        }
        if (discardedBodyBytes >= 0)
        {
            discardOversizedBody(ctx, content);
            return true;
        }
        return false;
    }

    /**
     * @return the first credential or routing header of a conversion request given more than once, or null.
     */
    private static CharSequence repeatedCredentialHeader(final HttpHeaders headers)
    {
        for (final CharSequence name : CREDENTIAL_HEADERS)
        {
            if (headers.getAll(name).size() > 1)
            {
                return name;
            }
        }
        return null;
    }

    private void startBody(final ChannelHandlerContext ctx, final HttpRequest request)
    {
        final long declaredLength = HttpUtil.getContentLength(request, -1L);
        final boolean expectsContinue = HttpUtil.is100ContinueExpected(request);
        if (declaredLength > maxBodySize && expectsContinue)
        {
            // The client waits for our word before sending the body: it will not come, so nothing is left to drain.
            counters.increment(TrackerCounter.BAD_REQUESTS);
            Responses.answerAndClose(ctx, tooLarge());
            return;
        }
        if (declaredLength > maxBodySize)
        {
            rejectTooLarge(ctx);
            if (request instanceof HttpContent)
            {
                discardOversizedBody(ctx, (HttpContent)request);
            }
            return;
        }
        bodyHeaders = request.headers();
        // Grows with what arrives, up to the cap: a declared Content-Length is a claim, not bytes, and sizing the
        // buffer from it let connections that never sent a byte take the heap.
        body = ctx.alloc().heapBuffer(0, maxBodySize);
        if (expectsContinue)
        {
            // RFC 9110 section 10.1.1: a server MUST answer a 100-continue expectation at once, with a final status or
            // 100 (Continue). Without it a waiting client sent its body late, or never (then 408 at the deadline).
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                Unpooled.EMPTY_BUFFER), ctx.voidPromise());
        }
        if (request instanceof HttpContent)
        {
            onBodyContent(ctx, (HttpContent)request);
        }
    }

    private void onBodyContent(final ChannelHandlerContext ctx, final HttpContent content)
    {
        if (content.decoderResult().isFailure())
        {
            // A broken chunk is not the end of a body: reject the request rather than use what arrived. A chunk line
            // past the line limit is no request line (it was answered 414).
            releaseBody();
            final Throwable cause = content.decoderResult().cause();
            counters.increment(TrackerCounter.BAD_REQUESTS);
            Responses.answerAndClose(ctx, cause instanceof TooLongHttpLineException ?
                Responses.text(HttpResponseStatus.BAD_REQUEST, "chunk line too long\n") : Responses.malformed(cause));
            return;
        }
        if (body.readableBytes() + content.content().readableBytes() > maxBodySize)
        {
            releaseBody();
            rejectTooLarge(ctx);
            discardOversizedBody(ctx, content);
            return;
        }
        final int arrived = content.content().readableBytes();
        if (arrived > 0 && !bodyBudget.tryReserve(arrived))
        {
            releaseBody();
            counters.increment(TrackerCounter.BODY_BUDGET_REFUSED);
            final FullHttpResponse busy = Responses.json(HttpResponseStatus.SERVICE_UNAVAILABLE,
                "{\"error\":\"too many request bodies in flight; retry in a second; nothing was recorded\"}");
            Responses.answerAndClose(ctx, busy);
            return;
        }
        bodyReservedBytes += arrived;
        body.writeBytes(content.content());
        if (content instanceof LastHttpContent)
        {
            final byte[] bytes = ByteBufUtil.getBytes(body);
            final HttpHeaders headers = bodyHeaders;
            releaseBody();
            // Checked once the body is complete, so the connection stays usable; nothing was appended yet.
            if (journalSpaceGate.isLow(ctx, true))
            {
                return;
            }
            awaitDurableAnswer(ctx);
            switch (bodyRoute)
            {
                case RequestPath.STRIPE_WEBHOOK -> intake.onStripeWebhook(
                    bodyProgramId, headers.get("Stripe-Signature"), bytes, responder(ctx));
                case RequestPath.SHOPIFY_WEBHOOK ->
                    intake.onShopifyWebhook(bodyProgramId, headers, bytes, responder(ctx));
                default -> intake.onApiConversion(headers.get(HttpHeaderNames.AUTHORIZATION), bytes, responder(ctx));
            }
        }
    }

    /**
     * Stop reading until the answer is written: durable answers complete on the journal writer's thread, and a
     * pipelined request must not be answered before them.
     */
    static void awaitDurableAnswer(final ChannelHandlerContext ctx)
    {
        ctx.channel().config().setAutoRead(false);
    }

    private static ConversionIntake.Responder responder(final ChannelHandlerContext ctx)
    {
        // Answers may complete on the journal writer's thread: write and resume reading on the event loop, where
        // the flow-control handler then releases any pipelined request it held back.
        return (status, json) -> ctx.executor().execute(() ->
        {
            ctx.writeAndFlush(Responses.json(HttpResponseStatus.valueOf(status), json));
            ctx.channel().config().setAutoRead(true);
            // Requests released by the flow-control handler were answered outside a read batch: flush them too.
            ctx.flush();
        });
    }

    private void badRequest(final ChannelHandlerContext ctx, final FullHttpResponse response)
    {
        counters.increment(TrackerCounter.BAD_REQUESTS);
        ctx.write(response, ctx.voidPromise());
    }

    /**
     * Answer 413 at once, then read and drop the rest of the upload before closing: closing mid-upload makes most
     * clients see a reset instead of the answer. A sender that keeps going past a bound is cut off.
     */
    private void rejectTooLarge(final ChannelHandlerContext ctx)
    {
        counters.increment(TrackerCounter.BAD_REQUESTS);
        // No Connection: close here: the keep-alive handler would close at once; the drain below closes.
        ctx.writeAndFlush(tooLarge());
        discardedBodyBytes = 0;
    }

    private FullHttpResponse tooLarge()
    {
        return Responses.json(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "{\"error\":\"body larger than " + maxBodySize + " bytes\"}");
    }

    private void discardOversizedBody(final ChannelHandlerContext ctx, final HttpContent content)
    {
        discardedBodyBytes += content.content().readableBytes();
        if (content instanceof LastHttpContent || discardedBodyBytes > 16L * maxBodySize)
        {
            discardedBodyBytes = -1;
            ctx.close();
        }
    }

    /**
     * Let go of a body being collected (the channel closed, or the request was refused), and of its budget.
     */
    void releaseBody()
    {
        if (null != body)
        {
            body.release();
            body = null;
            bodyHeaders = null;
            bodyBudget.release(bodyReservedBytes);
            bodyReservedBytes = 0;
        }
    }
}
