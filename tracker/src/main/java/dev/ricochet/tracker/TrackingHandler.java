package dev.ricochet.tracker;

import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.IdGenerator;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalSpaceMonitor;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProcessFailure;
import dev.ricochet.tracker.conversion.ConversionIntake;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.ReadTimeoutException;

import java.util.List;

/**
 * The edge's one per-request class: parse the path, resolve the link, journal the event, answer; conversion
 * requests are handed to {@link ConversionIntake} and answered once durable.
 *
 * <p>One instance per channel, running on the channel's event loop with that loop's appender. The event is
 * appended before the response is written, so a 302 means "in the journal". Responses are written in
 * {@code channelRead} and flushed once per read batch.
 */
final class TrackingHandler extends SimpleChannelInboundHandler<HttpObject>
{
    private final TrackerServer.Context context;
    private final EdgeLoopResources loop;
    private final RequestPath requestPath = new RequestPath();
    private final RedirectLocation redirectLocation = new RedirectLocation();
    private final VisitorCookie visitorCookie;
    private final IpHasher ipHasher;
    private final BotClassifier botClassifier = new BotClassifier();
    private final LinkDirectory.CodeView codeView = new LinkDirectory.CodeView();
    private final FullHttpResponse reusableRedirect;
    private long ipHash;
    private long ipHashDay = Long.MIN_VALUE;
    private long rateLimitAddressKey;
    private boolean hasRateLimitAddressKey;
    private long visitorHi;
    private long visitorLo;
    private ByteBuf body;
    private long bodyReservedBytes;
    private HttpHeaders bodyHeaders;
    private int bodyRoute;
    private String bodyProgramId;
    private long discardedBodyBytes = -1;

    private static final io.netty.util.AsciiString SEC_FETCH_DEST = io.netty.util.AsciiString.cached("sec-fetch-dest");
    private static final io.netty.util.AsciiString SEC_FETCH_MODE = io.netty.util.AsciiString.cached("sec-fetch-mode");
    /**
     * Headers that authenticate or route a conversion: one value each, or the request is refused.
     */
    private static final CharSequence[] CREDENTIAL_HEADERS = {
        HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.CONTENT_TYPE, "stripe-signature", "x-shopify-hmac-sha256",
        "x-shopify-topic", "x-shopify-webhook-id", "x-shopify-shop-domain" };
    private static final io.netty.util.AsciiString SEC_PURPOSE = io.netty.util.AsciiString.cached("sec-purpose");
    private static final io.netty.util.AsciiString PURPOSE = io.netty.util.AsciiString.cached("purpose");
    private static final io.netty.util.AsciiString X_PURPOSE = io.netty.util.AsciiString.cached("x-purpose");
    private static final io.netty.util.AsciiString X_MOZ = io.netty.util.AsciiString.cached("x-moz");

    TrackingHandler(final TrackerServer.Context context, final EdgeLoopResources loop)
    {
        this.context = context;
        this.loop = loop;
        this.visitorCookie = new VisitorCookie(
            context.visitorCookieName(), context.visitorCookieMaxAgeMs() / 1000, context.visitorCookieSecure(),
            context.visitorKey());
        this.ipHasher = new IpHasher(context.ipSalts());
        this.reusableRedirect = Responses.reusableRedirect(
            redirectLocation.location(), visitorCookie.setCookie(), loop.date);
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final HttpObject msg)
    {
        if (msg instanceof HttpRequest)
        {
            onRequest(ctx, (HttpRequest)msg);
        }
        if (msg instanceof HttpContent)
        {
            if (null != body)
            {
                onBodyContent(ctx, (HttpContent)msg);
            }
            else if (discardedBodyBytes >= 0)
            {
                discardOversizedBody(ctx, (HttpContent)msg);
            }
            else if (msg.decoderResult().isFailure())
            {
                // A broken body of a request answered on its head (a GET, a 404, a 405): the answer is out, and the
                // decoder drops everything after it, so pipelined requests would wait unanswered until the idle
                // timeout. Close once the answers are written: the client knows none after them was processed.
                context.counters().increment(TrackerCounter.BAD_REQUESTS);
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }
        // Bodies of other routes are not used; SimpleChannelInboundHandler releases them.
    }

    private void onRequest(final ChannelHandlerContext ctx, final HttpRequest request)
    {
        if (request.decoderResult().isFailure())
        {
            rejectMalformed(ctx, request.decoderResult().cause());
            return;
        }
        if (1 != request.protocolVersion().majorVersion())
        {
            // Netty parses any HTTP/x.y; the edge speaks HTTP/1.x only, and must not guess another version's framing.
            context.counters().increment(TrackerCounter.BAD_REQUESTS);
            answerAndClose(ctx, Responses.text(
                HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "HTTP/1.0 and HTTP/1.1 only\n"));
            return;
        }

        final boolean hostValid = isValidHost(request.headers().get(HttpHeaderNames.HOST));
        final int hosts = removeHostHeaders(request.headers());
        if (hosts > 1 || (0 == hosts && request.protocolVersion().minorVersion() >= 1) || !hostValid)
        {
            // RFC 9112 section 3.2: 400 for an HTTP/1.1 request without Host, for any request with more than one, and
            // for a Host that is not a host and port. Two Hosts are read differently by different hops (a proxy routes
            // on one, a cache keys on the other); "a, b" is how some hops join two, and "user@a" is no Host at all.
            context.counters().increment(TrackerCounter.BAD_REQUESTS);
            answerAndClose(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST, !hostValid ?
                "invalid Host header: expected host[:port]\n" : 0 == hosts ?
                "missing Host header: HTTP/1.1 requires exactly one\n" : "more than one Host header\n"));
            return;
        }
        if (request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING) && !isChunkedOnly(request.headers()))
        {
            // The codec accepts any coding list ending in chunked (RFC 9112 section 6.1) and undoes only the chunking:
            // a "gzip, chunked" body would be read as if it were not compressed. RFC 9112 section 6.1: 501.
            context.counters().increment(TrackerCounter.BAD_REQUESTS);
            answerAndClose(ctx, Responses.text(HttpResponseStatus.NOT_IMPLEMENTED,
                "transfer coding not implemented: only \"Transfer-Encoding: chunked\" is accepted\n"));
            return;
        }

        final int route = requestPath.parse(request.uri());
        if (loop.lag.isShedding() && RequestPath.HEALTH != route && RequestPath.READY != route &&
            RequestPath.METRICS != route)
        {
            // Overloaded: a quick 503 now beats a timeout later. Operators' endpoints still answer. A body that follows
            // (a conversion) is dropped unread, and its sender retries.
            context.counters().increment(TrackerCounter.OVERLOAD_SHED);
            ctx.write(Responses.overloaded(), ctx.voidPromise());
            return;
        }
        final HttpMethod method = request.method();
        final boolean isHead = HttpMethod.HEAD.equals(method);
        final boolean isGet = HttpMethod.GET.equals(method);
        if (RequestPath.CONVERSIONS == route || RequestPath.STRIPE_WEBHOOK == route ||
            RequestPath.SHOPIFY_WEBHOOK == route)
        {
            if (!HttpMethod.POST.equals(method))
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
            bodyProgramId = RequestPath.CONVERSIONS == route ? null : requestPath.programId();
            startBody(ctx, request);
            return;
        }
        if (RequestPath.POSTBACK == route && !isGet)
        {
            // HEAD is safe (RFC 9110 section 9.2.1): a link checker's HEAD must never record a conversion.
            badRequest(ctx, Responses.methodNotAllowed("GET"));
            return;
        }
        if (!isHead && !isGet)
        {
            badRequest(ctx, RequestPath.NOT_FOUND == route ? notFound() : Responses.methodNotAllowed());
            return;
        }

        switch (route)
        {
            case RequestPath.CLICK:
                onClick(ctx, request, isHead);
                break;
            case RequestPath.PIXEL:
                onPixel(ctx, request, isHead);
                break;
            case RequestPath.POSTBACK:
                if (isJournalLowOnSpace(ctx, true))
                {
                    break;
                }
                awaitDurableAnswer(ctx);
                context.conversionIntake().onPostback(request.uri(), responder(ctx));
                break;
            case RequestPath.HEALTH:
                ctx.write(Responses.text(HttpResponseStatus.OK, "ok\n"), ctx.voidPromise());
                break;
            case RequestPath.READY:
                ctx.write(null != ProcessFailure.reason() ?
                    Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: " + ProcessFailure.reason() +
                        "\n") :
                    context.journalSpace().isLow() ?
                    Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "not ready: " + context.journalSpace().reason() + "\n") :
                    Responses.text(HttpResponseStatus.OK, "ready\n"), ctx.voidPromise());
                break;
            case RequestPath.METRICS:
                ctx.write(Responses.text(HttpResponseStatus.OK, context.counters().toPrometheusText() +
                    context.journalSpace().toPrometheusText() + context.overload().toPrometheusText() +
                    (null == context.userAgentVerdicts() ? "" : context.userAgentVerdicts().toPrometheusText())),
                    ctx.voidPromise());
                break;
            case RequestPath.BAD_LINK_CODE:
                badRequest(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST,
                    "malformed link code: expected 1-64 characters of A-Z a-z 0-9 - _\n"));
                break;
            default:
                badRequest(ctx, notFound());
                break;
        }
    }

    /**
     * Removes the Host fields (the edge routes on the path alone and reads no Host value) and counts them without
     * allocating: a header map's size is a field, and removing by name unlinks entries.
     *
     * @return how many Host fields the request had.
     */
    private static int removeHostHeaders(final HttpHeaders headers)
    {
        final int before = headers.size();
        headers.remove(HttpHeaderNames.HOST);
        return before - headers.size();
    }

    /**
     * A Host value (RFC 9112 section 3.2, RFC 3986 section 3.2.2): a reg-name, IPv4 or bracketed IPv6 address and an
     * optional port, so only unreserved, percent, sub-delims, ':' and brackets; no space, '@', '/', '?', '#', '\\',
     * control or non-ASCII character. Empty is valid (an authority without a host). Absent is checked elsewhere.
     * Reads the header's own string: no allocation.
     */
    static boolean isValidHost(final String host)
    {
        if (null == host)
        {
            return true;
        }
        for (int i = 0; i < host.length(); i++)
        {
            final char c = host.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                c == '_' || c == '~' || c == '%' || c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' ||
                c == ')' || c == '*' || c == '+' || c == ',' || c == ';' || c == '=' || c == ':' || c == '[' ||
                c == ']'))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return true if the request's one Transfer-Encoding field is exactly {@code chunked} (any case).
     */
    private static boolean isChunkedOnly(final HttpHeaders headers)
    {
        final List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        return 1 == codings.size() && HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(codings.get(0).trim());
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
        if (declaredLength > context.maxBodySize() && expectsContinue)
        {
            // The client waits for our word before sending the body: it will not come, so nothing is left to drain.
            context.counters().increment(TrackerCounter.BAD_REQUESTS);
            answerAndClose(ctx, tooLarge());
            return;
        }
        if (declaredLength > context.maxBodySize())
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
        body = ctx.alloc().heapBuffer(0, context.maxBodySize());
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
            if (cause instanceof TooLongHttpLineException)
            {
                context.counters().increment(TrackerCounter.BAD_REQUESTS);
                answerAndClose(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST, "chunk line too long\n"));
                return;
            }
            rejectMalformed(ctx, cause);
            return;
        }
        if (body.readableBytes() + content.content().readableBytes() > context.maxBodySize())
        {
            releaseBody();
            rejectTooLarge(ctx);
            discardOversizedBody(ctx, content);
            return;
        }
        final int arrived = content.content().readableBytes();
        if (arrived > 0 && !context.bodyBudget().tryReserve(arrived))
        {
            releaseBody();
            context.counters().increment(TrackerCounter.BODY_BUDGET_REFUSED);
            final FullHttpResponse busy = Responses.json(HttpResponseStatus.SERVICE_UNAVAILABLE,
                "{\"error\":\"too many request bodies in flight; retry in a second; nothing was recorded\"}");
            answerAndClose(ctx, busy);
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
            if (isJournalLowOnSpace(ctx, true))
            {
                return;
            }
            awaitDurableAnswer(ctx);
            final ConversionIntake intake = context.conversionIntake();
            switch (bodyRoute)
            {
                case RequestPath.STRIPE_WEBHOOK -> intake.onStripeWebhook(
                    bodyProgramId, headers.get("Stripe-Signature"), bytes, responder(ctx));
                case RequestPath.SHOPIFY_WEBHOOK -> intake.onShopifyWebhook(bodyProgramId, headers, bytes, responder(ctx));
                default -> intake.onApiConversion(headers.get(HttpHeaderNames.AUTHORIZATION), bytes, responder(ctx));
            }
        }
    }

    /**
     * Stop reading until the answer is written: durable answers complete on the journal writer's thread, and a
     * pipelined request must not be answered before them.
     */
    private static void awaitDurableAnswer(final ChannelHandlerContext ctx)
    {
        ctx.channel().config().setAutoRead(false);
    }

    /**
     * The free-space watermark: while the journal's disk is low nothing is appended. Money (conversions, webhooks,
     * postbacks) is refused with 503 and Retry-After, so senders retry once space is back; browser hits get 503 only
     * under the {@code unavailable} policy, otherwise the caller answers them without journaling.
     *
     * @param isMoney true for conversions and webhooks, which are always refused while low.
     * @return true if the journal is low on space and a 503 was written (always for money).
     */
    private boolean isJournalLowOnSpace(final ChannelHandlerContext ctx, final boolean isMoney)
    {
        final JournalSpaceMonitor journalSpace = context.journalSpace();
        if (!journalSpace.isLow() || (!isMoney && context.isJournalOff()))
        {
            return false;
        }
        if (isMoney || context.failClosedOnLowSpace())
        {
            context.counters().increment(TrackerCounter.JOURNAL_LOW_SPACE_REJECTIONS);
            ctx.write(Responses.lowSpace(journalSpace.reason()), ctx.voidPromise());
        }
        else
        {
            context.counters().increment(TrackerCounter.CLICKS_UNJOURNALED);
        }
        return true;
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

    /**
     * Answer 413 at once, then read and drop the rest of the upload before closing: closing mid-upload makes most
     * clients see a reset instead of the answer. A sender that keeps going past a bound is cut off.
     */
    private void rejectTooLarge(final ChannelHandlerContext ctx)
    {
        context.counters().increment(TrackerCounter.BAD_REQUESTS);
        // No Connection: close here: the keep-alive handler would close at once; the drain below closes.
        ctx.writeAndFlush(tooLarge());
        discardedBodyBytes = 0;
    }

    private FullHttpResponse tooLarge()
    {
        return Responses.json(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "{\"error\":\"body larger than " + context.maxBodySize() + " bytes\"}");
    }

    private void discardOversizedBody(final ChannelHandlerContext ctx, final HttpContent content)
    {
        discardedBodyBytes += content.content().readableBytes();
        if (content instanceof LastHttpContent || discardedBodyBytes > 16L * context.maxBodySize())
        {
            discardedBodyBytes = -1;
            ctx.close();
        }
    }

    private void releaseBody()
    {
        if (null != body)
        {
            body.release();
            body = null;
            bodyHeaders = null;
            context.bodyBudget().release(bodyReservedBytes);
            bodyReservedBytes = 0;
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        releaseBody();
        super.channelInactive(ctx);
    }

    private void onClick(final ChannelHandlerContext ctx, final HttpRequest request, final boolean isPreview)
    {
        final String uri = requestPath.uri();
        final LinkRoute route = context.linkDirectory().lookup(
            codeView.wrap(uri, requestPath.codeStart(), requestPath.codeEnd()));
        if (null == route)
        {
            context.counters().increment(TrackerCounter.UNKNOWN_LINK);
            ctx.write(Responses.text(HttpResponseStatus.NOT_FOUND, "unknown link\n"), ctx.voidPromise());
            return;
        }

        final HttpHeaders headers = request.headers();
        if (isSpeculative(headers))
        {
            // A prefetch or prerender is not a click yet: a redirect answered now would be followed later from the
            // browser's cache, so the real click would never reach the edge. Refused, the browser asks again when
            // (and if) the visitor navigates.
            context.counters().increment(TrackerCounter.SPECULATIVE_HITS_REFUSED);
            ctx.write(Responses.speculationRefused(), ctx.voidPromise());
            return;
        }
        if (isEmbedded(headers))
        {
            // Cookie stuffing loads partner links as images, scripts or frames so that visitors who never clicked
            // carry a partner's click to checkout: no click, no cookie, no redirect to follow.
            context.counters().increment(TrackerCounter.EMBEDDED_HITS_REFUSED);
            ctx.write(Responses.text(HttpResponseStatus.FORBIDDEN,
                "partner links open only as a page the visitor navigates to; no click recorded\n"), ctx.voidPromise());
            return;
        }
        final long nowMs = context.epochClock().time();
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final long limitedForUs = rateLimitWaitUs(ctx, route);
        if (limitedForUs > 0)
        {
            if (context.rateLimits().rejects())
            {
                ctx.write(Responses.tooManyRequests(RateLimits.retryAfterSeconds(limitedForUs)), ctx.voidPromise());
            }
            else
            {
                // Redirect without credit: the shopper lands, but no click is journaled and no click id is given.
                resolveVisitor(headers, nowMs);
                writeUncreditedRedirect(ctx, route, nowMs, keepAlive);
            }
            return;
        }
        final String userAgent = headers.get(HttpHeaderNames.USER_AGENT);
        final boolean isBot = isBot(userAgent);
        final boolean isNewVisitor = resolveVisitor(headers, nowMs);
        final IdGenerator ids = loop.ids;
        ids.next(nowMs);
        final long clickHi = ids.hi();
        final long clickLo = ids.lo();

        if (isJournalLowOnSpace(ctx, false))
        {
            if (!context.failClosedOnLowSpace())
            {
                // The shopper still lands; the click is counted as unjournaled, not recorded, so the Location carries
                // no click id: an id handed out is a promise that the click is in the journal.
                writeUncreditedRedirect(ctx, route, nowMs, keepAlive);
            }
            return;
        }

        final short flags = (short)((isPreview ? ClickEventFlyweight.FLAG_PREVIEW : 0) |
            (isBot ? ClickEventFlyweight.FLAG_BOT : 0) | (isNewVisitor ? ClickEventFlyweight.FLAG_NEW_VISITOR : 0));
        final ClickEventFlyweight click = loop.appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, nowMs)
            .flags(flags)
            .clickId(clickHi, clickLo)
            .link(route.linkId(), route.partnerId(), route.programId());
        encodeBrowserFields(ctx, click, headers, userAgent, nowMs);
        final TrackerCounter recorded = isPreview ? TrackerCounter.PREVIEWS_RECORDED :
            isBot ? TrackerCounter.BOT_CLICKS_RECORDED : TrackerCounter.CLICKS_RECORDED;
        if (context.isPowerSafe())
        {
            redirectOnceDurable(ctx, click.encodedLength(), route, clickHi, clickLo, keepAlive, recorded);
            return;
        }
        if (!append(click, recorded))
        {
            answerUnjournaled(ctx, route, nowMs, keepAlive);
            return;
        }
        writeRedirect(ctx, route, clickHi, clickLo, nowMs, keepAlive);
    }

    /**
     * A click the journal did not take (an I/O error, or the journal closing under a shutdown): 503 if so configured,
     * else the shopper lands, but with no click id, which would promise a click that does not exist.
     */
    private void answerUnjournaled(
        final ChannelHandlerContext ctx, final LinkRoute route, final long nowMs, final boolean keepAlive)
    {
        if (context.failClosedOnAppendFailure())
        {
            ctx.write(Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "journal unavailable\n"),
                ctx.voidPromise());
        }
        else
        {
            writeUncreditedRedirect(ctx, route, nowMs, keepAlive);
        }
    }

    /**
     * A browser says what a request is for (Fetch Metadata): a click is a top-level navigation. An image, script,
     * fetch or frame is not (nor a prefetch, which is not a click yet). Requests without the headers (older browsers,
     * scripts, bots) are judged as before.
     */
    private static boolean isEmbedded(final HttpHeaders headers)
    {
        final String mode = headers.get(SEC_FETCH_MODE);
        final String destination = headers.get(SEC_FETCH_DEST);
        return (null != mode && !"navigate".equals(mode)) || (null != destination && !"document".equals(destination));
    }

    /**
     * A speculative load: speculation rules ({@code Sec-Purpose: prefetch}, {@code prefetch;prerender}), Chrome's
     * legacy {@code Purpose: prefetch}, Safari's {@code X-Purpose: preview}, Firefox's {@code X-Moz: prefetch}.
     * Header lookups only, nothing allocated: most clicks carry none of these headers.
     */
    private static boolean isSpeculative(final HttpHeaders headers)
    {
        return announcesSpeculation(headers.get(SEC_PURPOSE)) || announcesSpeculation(headers.get(PURPOSE)) ||
            announcesSpeculation(headers.get(X_PURPOSE)) || announcesSpeculation(headers.get(X_MOZ));
    }

    private static boolean announcesSpeculation(final String value)
    {
        return null != value && (io.netty.util.AsciiString.indexOfIgnoreCaseAscii(value, "prefetch", 0) >= 0 ||
            io.netty.util.AsciiString.indexOfIgnoreCaseAscii(value, "prerender", 0) >= 0 ||
            io.netty.util.AsciiString.indexOfIgnoreCaseAscii(value, "preview", 0) >= 0);
    }

    /**
     * The rate limits: a browser hit takes a token from its client address's bucket, a click also from its link's.
     *
     * @param route the clicked link, or null for a pixel hit.
     * @return 0 if within the limits, otherwise the microseconds until the limiting bucket has a token again.
     */
    private long rateLimitWaitUs(final ChannelHandlerContext ctx, final LinkRoute route)
    {
        final RateLimits limits = context.rateLimits();
        if (!hasRateLimitAddressKey)
        {
            // A connection's client does not change: one key per connection.
            rateLimitAddressKey = limits.addressKey(ctx.channel().remoteAddress());
            hasRateLimitAddressKey = true;
        }
        final long nowNs = System.nanoTime();
        final long addressWaitUs = limits.acquireForAddress(rateLimitAddressKey, nowNs);
        if (addressWaitUs > 0)
        {
            context.counters().increment(TrackerCounter.RATE_LIMITED_ADDRESS);
            return addressWaitUs;
        }
        final long linkWaitUs = null == route ? 0 : limits.acquireForLink(route.linkId(), nowNs);
        if (linkWaitUs > 0)
        {
            context.counters().increment(TrackerCounter.RATE_LIMITED_LINK);
        }
        return linkWaitUs;
    }

    /**
     * The token list first (it sees every hit at once); then the yauaa library's verdict for the user agent if it has
     * one. Without one yet, the token list's verdict stands for this hit and the user agent is queued, so its later
     * hits get the library's. Either way the verdict is journaled with the hit and never recomputed.
     */
    private boolean isBot(final String userAgent)
    {
        if (botClassifier.isBot(userAgent))
        {
            return true;
        }
        final UserAgentVerdicts verdicts = context.userAgentVerdicts();
        if (null == verdicts)
        {
            return false;
        }
        if (!verdicts.isReady())
        {
            context.counters().increment(TrackerCounter.BOT_VERDICTS_PENDING);
            return false;
        }
        // Not null here: the token list calls a hit without a user agent a bot.
        final long hash = UserAgentVerdicts.hash(userAgent);
        final int verdict = verdicts.verdict(hash);
        if (UserAgentVerdicts.BOT == verdict)
        {
            context.counters().increment(TrackerCounter.BOTS_BY_LIBRARY);
            return true;
        }
        if (UserAgentVerdicts.UNKNOWN == verdict)
        {
            context.counters().increment(TrackerCounter.BOT_VERDICTS_PENDING);
            if (loop.markOffered(hash) && !verdicts.offer(userAgent))
            {
                context.counters().increment(TrackerCounter.BOT_VERDICT_QUEUE_FULL);
                loop.unmarkOffered(hash);
            }
        }
        return false;
    }

    private void writeUncreditedRedirect(
        final ChannelHandlerContext ctx, final LinkRoute route, final long nowMs, final boolean keepAlive)
    {
        writeRedirect(ctx, redirectLocation.buildUncredited(route, utmQuery()), nowMs, keepAlive);
    }

    private void writeRedirect(
        final ChannelHandlerContext ctx,
        final LinkRoute route,
        final long clickHi,
        final long clickLo,
        final long nowMs,
        final boolean keepAlive)
    {
        writeRedirect(ctx, redirectLocation.build(route, clickHi, clickLo, utmQuery()), nowMs, keepAlive);
    }

    private void writeRedirect(
        final ChannelHandlerContext ctx, final CharSequence location, final long nowMs, final boolean keepAlive)
    {
        final CharSequence setCookie = visitorCookie.format(visitorHi, visitorLo);
        final CharSequence date = loop.date.update(nowMs);
        // The common case writes one response object again and again: nothing allocated per click.
        ctx.write(keepAlive ? reusableRedirect : Responses.redirect(location, setCookie, date), ctx.voidPromise());
    }

    /**
     * @return the request's query if it has a utm_* parameter, else null: only utm_* parameters travel on to the
     * destination, so the query is copied out only when one is there.
     */
    private String utmQuery()
    {
        final boolean hasUtm = requestPath.uri().indexOf(RedirectLocation.UTM_PREFIX, requestPath.queryStart()) >= 0;
        return hasUtm ? requestPath.query() : null;
    }

    /**
     * Power-safe clicks: hand the encoded click to the grouped, synced writer and redirect once it is on disk.
     * Reading stops meanwhile, so this channel's parse state and buffers stay as they are until the answer.
     */
    private void redirectOnceDurable(
        final ChannelHandlerContext ctx,
        final int length,
        final LinkRoute route,
        final long clickHi,
        final long clickLo,
        final boolean keepAlive,
        final TrackerCounter recorded)
    {
        awaitDurableAnswer(ctx);
        final boolean offered = context.durableWriter().offer(loop.appender.copyEncoded(length), length,
            index -> ctx.executor().execute(() ->
            {
                final boolean durable = Journal.NULL_INDEX != index;
                context.counters().increment(durable ? recorded : TrackerCounter.JOURNAL_APPEND_FAILURES);
                if (durable)
                {
                    writeRedirect(ctx, route, clickHi, clickLo, context.epochClock().time(), keepAlive);
                }
                else
                {
                    answerUnjournaled(ctx, route, context.epochClock().time(), keepAlive);
                }
                ctx.channel().config().setAutoRead(true);
                ctx.flush();
            }));
        if (!offered)
        {
            ctx.channel().config().setAutoRead(true);
            context.counters().increment(TrackerCounter.JOURNAL_APPEND_FAILURES);
            ctx.write(Responses.json(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"error\":\"journal overloaded\"}"),
                ctx.voidPromise());
        }
    }

    /**
     * @param isHead a HEAD asks what a GET would answer and is safe: it gets the GIF's headers and journals nothing
     *               (a pixel hit can report a conversion).
     */
    private void onPixel(final ChannelHandlerContext ctx, final HttpRequest request, final boolean isHead)
    {
        final long nowMs = context.epochClock().time();
        final HttpHeaders headers = request.headers();
        if (isHead)
        {
            resolveVisitor(headers, nowMs);
            ctx.write(Responses.pixel(visitorCookie.format(visitorHi, visitorLo), loop.date.update(nowMs)),
                ctx.voidPromise());
            return;
        }
        final long limitedForUs = rateLimitWaitUs(ctx, null);
        if (limitedForUs > 0 && context.rateLimits().rejects())
        {
            ctx.write(Responses.tooManyRequests(RateLimits.retryAfterSeconds(limitedForUs)), ctx.voidPromise());
            return;
        }
        final String userAgent = headers.get(HttpHeaderNames.USER_AGENT);
        final boolean isNewVisitor = resolveVisitor(headers, nowMs);
        if (limitedForUs > 0)
        {
            // Over the limit: the page still gets its GIF, nothing is journaled.
            ctx.write(Responses.pixel(visitorCookie.format(visitorHi, visitorLo), loop.date.update(nowMs)),
                ctx.voidPromise());
            return;
        }
        if (isJournalLowOnSpace(ctx, false))
        {
            if (!context.failClosedOnLowSpace())
            {
                ctx.write(Responses.pixel(visitorCookie.format(visitorHi, visitorLo), loop.date.update(nowMs)),
                    ctx.voidPromise());
            }
            return;
        }
        final short flags = (short)((isBot(userAgent) ? ClickEventFlyweight.FLAG_BOT : 0) |
            (isNewVisitor ? ClickEventFlyweight.FLAG_NEW_VISITOR : 0));
        final ClickEventFlyweight hit = loop.appender.claimClick(EventHeaderDescriptor.TYPE_PIXEL, nowMs).flags(flags);
        encodeBrowserFields(ctx, hit, headers, userAgent, nowMs);
        // Pixel hits feed reports, not payouts: they take the fast path even in power-safe mode.
        append(hit, TrackerCounter.PIXEL_HITS_RECORDED);
        // The page must render whatever happened: a pixel always answers with the GIF.
        ctx.write(Responses.pixel(visitorCookie.format(visitorHi, visitorLo), loop.date.update(nowMs)),
            ctx.voidPromise());
    }

    /**
     * Sets the visitor id from the cookie, or issues a new one.
     *
     * @return true if the visitor is new.
     */
    private boolean resolveVisitor(final HttpHeaders headers, final long nowMs)
    {
        final int cookie = visitorCookie.read(headers.get(HttpHeaderNames.COOKIE));
        if (VisitorCookie.VALID == cookie)
        {
            visitorHi = visitorCookie.hi();
            visitorLo = visitorCookie.lo();
            return false;
        }
        if (VisitorCookie.REJECTED == cookie)
        {
            // Forged, guessed, from another deployment or unsigned: replaced, never taken for the visitor it names.
            context.counters().increment(TrackerCounter.VISITOR_COOKIES_REPLACED);
        }
        loop.ids.next(nowMs);
        visitorHi = loop.ids.hi();
        visitorLo = loop.ids.lo();
        return true;
    }

    /**
     * Completes the fields every browser hit shares, copying each straight from the request.
     */
    private void encodeBrowserFields(
        final ChannelHandlerContext ctx,
        final ClickEventFlyweight event,
        final HttpHeaders headers,
        final String userAgent,
        final long nowMs)
    {
        final String uri = requestPath.uri();
        final String referrer = headers.get(HttpHeaderNames.REFERER);
        final long hostBounds = referrerHostBounds(referrer);
        event.visitorId(visitorHi, visitorLo)
            .ipHash(ipHash(ctx, nowMs))
            .query(uri, requestPath.queryStart(), uri.length())
            .referrerHost(referrer, (int)(hostBounds >>> 32), (int)hostBounds)
            .userAgent(userAgent);
    }

    /**
     * Appends the encoded event, unless journaling is off for a benchmark.
     *
     * @return true if the journal accepted it.
     */
    private boolean append(final ClickEventFlyweight event, final TrackerCounter recorded)
    {
        if (context.isJournalOff())
        {
            event.encodedLength();
            context.counters().increment(TrackerCounter.CLICKS_UNJOURNALED);
            return true;
        }
        if (Journal.NULL_INDEX == loop.appender.append(event.encodedLength()))
        {
            context.counters().increment(TrackerCounter.JOURNAL_APPEND_FAILURES);
            return false;
        }
        context.counters().increment(recorded);
        return true;
    }

    /**
     * The client address of a connection does not change: hash it once per channel and day (the key rotates daily),
     * not per click.
     */
    private long ipHash(final ChannelHandlerContext ctx, final long nowMs)
    {
        final long day = IpHasher.day(nowMs);
        if (day != ipHashDay)
        {
            ipHash = ipHasher.hash(ctx.channel().remoteAddress(), nowMs);
            ipHashDay = day;
        }
        return ipHash;
    }

    private FullHttpResponse notFound()
    {
        return Responses.text(HttpResponseStatus.NOT_FOUND, "not found\n");
    }

    private void badRequest(final ChannelHandlerContext ctx, final FullHttpResponse response)
    {
        context.counters().increment(TrackerCounter.BAD_REQUESTS);
        ctx.write(response, ctx.voidPromise());
    }

    private void rejectMalformed(final ChannelHandlerContext ctx, final Throwable cause)
    {
        context.counters().increment(TrackerCounter.BAD_REQUESTS);
        final FullHttpResponse response;
        if (cause instanceof TooLongHttpLineException)
        {
            response = Responses.text(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long\n");
        }
        else if (cause instanceof TooLongHttpHeaderException)
        {
            response = Responses.text(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers too large\n");
        }
        else if (cause instanceof TooLongFrameException)
        {
            response = Responses.text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request too large\n");
        }
        else
        {
            response = Responses.text(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request\n");
        }
        // The decoder cannot resynchronise after a malformed request: answer, then close.
        answerAndClose(ctx, response);
    }

    private static void answerAndClose(final ChannelHandlerContext ctx, final FullHttpResponse response)
    {
        response.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Where the host lies in a Referer value, as {@code start << 32 | end}; 0 when there is none, or when it holds a
     * character no host name has (only letters, digits, '.', '-' and '_' are journaled: a "host" of markup or quotes
     * is a request value, not a referrer). Returned as a number so the redirect path copies the host straight from
     * the header.
     */
    static long referrerHostBounds(final String referrer)
    {
        if (null == referrer)
        {
            return 0;
        }
        final int scheme = referrer.indexOf("://");
        if (scheme < 0)
        {
            return 0;
        }
        final int start = scheme + 3;
        int end = start;
        while (end < referrer.length())
        {
            final char c = referrer.charAt(end);
            if (c == '/' || c == ':' || c == '?' || c == '#')
            {
                break;
            }
            end++;
        }
        final int at = referrer.lastIndexOf('@', end - 1);
        final int hostStart = at >= start ? at + 1 : start;
        for (int i = hostStart; i < end; i++)
        {
            final char c = referrer.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                c == '_'))
            {
                return 0;
            }
        }
        return ((long)hostStart << 32) | end;
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (ProcessFailure.failIfFatal(cause))
        {
            ctx.close(); // out of memory: readiness is off, and the launcher halts for its supervisor
            return;
        }
        // An idle timeout or a peer resetting its connection is how clients leave, not an error of ours.
        if (!(cause instanceof ReadTimeoutException) && !(cause instanceof java.io.IOException))
        {
            context.counters().increment(TrackerCounter.UNEXPECTED_ERRORS);
            context.errorHandler().onError(cause);
        }
        ctx.close();
    }
}
