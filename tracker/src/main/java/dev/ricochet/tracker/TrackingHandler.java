package dev.ricochet.tracker;

import dev.ricochet.ingest.ProcessFailure;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.ReadTimeoutException;
import org.agrona.ErrorHandler;

import java.io.IOException;
import java.util.List;

/**
 * The edge's router, one per channel: checks what every request must be (HTTP/1.x, one valid Host, a framing it
 * understands), parses the path, sheds load, and hands the request to the collaborator of its route family: browser
 * hits ({@link BrowserHits}), conversion requests ({@link ConversionRequests}) or the operators' endpoints
 * ({@link StatusEndpoints}). Responses are written in {@code channelRead} and flushed once per read batch.
 */
final class TrackingHandler extends SimpleChannelInboundHandler<HttpObject>
{
    private final RequestPath requestPath;
    private final BrowserHits browserHits;
    private final ConversionRequests conversionRequests;
    private final StatusEndpoints statusEndpoints;
    private final LoopLag loopLag;
    private final TrackerCounters counters;
    private final ErrorHandler errorHandler;

    /**
     * @param requestPath the channel's request target parser, shared with its browser hits.
     * @param loopLag     the overload probe of the channel's event loop.
     */
    TrackingHandler(
        final RequestPath requestPath,
        final BrowserHits browserHits,
        final ConversionRequests conversionRequests,
        final StatusEndpoints statusEndpoints,
        final LoopLag loopLag,
        final TrackerCounters counters,
        final ErrorHandler errorHandler)
    {
        this.requestPath = requestPath;
        this.browserHits = browserHits;
        this.conversionRequests = conversionRequests;
        this.statusEndpoints = statusEndpoints;
        this.loopLag = loopLag;
        this.counters = counters;
        this.errorHandler = errorHandler;
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final HttpObject msg)
    {
        if (msg instanceof HttpRequest)
        {
            onRequest(ctx, (HttpRequest)msg);
        }
        if (msg instanceof HttpContent && !conversionRequests.onContent(ctx, (HttpContent)msg) &&
            msg.decoderResult().isFailure())
        {
            // A broken body of a request answered on its head (a GET, a 404, a 405): the answer is out, and the
            // decoder drops everything after it, so pipelined requests would wait unanswered until the idle
            // timeout. Close once the answers are written: the client knows none after them was processed.
            counters.increment(TrackerCounter.BAD_REQUESTS);
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        // Bodies of other routes are not used; SimpleChannelInboundHandler releases them.
    }

    private void onRequest(final ChannelHandlerContext ctx, final HttpRequest request)
    {
        if (!isUnderstood(ctx, request))
        {
            return;
        }
        final int route = requestPath.parse(request.uri());
        if (loopLag.isShedding() && !StatusEndpoints.isStatusRoute(route))
        {
            // Overloaded: a quick 503 now beats a timeout later. Operators' endpoints still answer. A body that follows
            // (a conversion) is dropped unread, and its sender retries.
            counters.increment(TrackerCounter.OVERLOAD_SHED);
            ctx.write(Responses.overloaded(), ctx.voidPromise());
            return;
        }
        if (ConversionRequests.isBodyRoute(route))
        {
            // Only a webhook's path names a program.
            conversionRequests.onRequest(
                ctx, request, route, RequestPath.CONVERSIONS == route ? null : requestPath.programId());
            return;
        }
        final HttpMethod method = request.method();
        final boolean isHead = HttpMethod.HEAD.equals(method);
        final boolean isGet = HttpMethod.GET.equals(method);
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
            case RequestPath.CLICK -> browserHits.onClick(ctx, request, isHead);
            case RequestPath.PIXEL -> browserHits.onPixel(ctx, request, isHead);
            case RequestPath.POSTBACK -> conversionRequests.onPostback(ctx, request.uri());
            case RequestPath.HEALTH, RequestPath.READY, RequestPath.METRICS -> statusEndpoints.answer(ctx, route);
            case RequestPath.BAD_LINK_CODE -> badRequest(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST,
                "malformed link code: expected 1-64 characters of A-Z a-z 0-9 - _\n"));
            default -> badRequest(ctx, notFound());
        }
    }

    /**
     * What every request must be before it is routed: parsed, HTTP/1.x, exactly one valid Host where required, and
     * no transfer coding but chunked.
     *
     * @return false if the request was answered (and the connection closed).
     */
    private boolean isUnderstood(final ChannelHandlerContext ctx, final HttpRequest request)
    {
        if (request.decoderResult().isFailure())
        {
            // The decoder cannot resynchronise after a malformed request: answer, then close.
            refuse(ctx, Responses.malformed(request.decoderResult().cause()));
            return false;
        }
        if (1 != request.protocolVersion().majorVersion())
        {
            // Netty parses any HTTP/x.y; the edge speaks HTTP/1.x only, and must not guess another version's framing.
            refuse(ctx, Responses.text(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "HTTP/1.0 and HTTP/1.1 only\n"));
            return false;
        }
        final boolean hostValid = isValidHost(request.headers().get(HttpHeaderNames.HOST));
        final int hosts = removeHostHeaders(request.headers());
        if (hosts > 1 || (0 == hosts && request.protocolVersion().minorVersion() >= 1) || !hostValid)
        {
            // RFC 9112 section 3.2: 400 for an HTTP/1.1 request without Host, for any request with more than one, and
            // for a Host that is not a host and port. Two Hosts are read differently by different hops (a proxy routes
            // on one, a cache keys on the other); "a, b" is how some hops join two, and "user@a" is no Host at all.
            refuse(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST, !hostValid ?
                "invalid Host header: expected host[:port]\n" : 0 == hosts ?
                "missing Host header: HTTP/1.1 requires exactly one\n" : "more than one Host header\n"));
            return false;
        }
        if (request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING) && !isChunkedOnly(request.headers()))
        {
            // The codec accepts any coding list ending in chunked (RFC 9112 section 6.1) and undoes only the chunking:
            // a "gzip, chunked" body would be read as if it were not compressed. RFC 9112 section 6.1: 501.
            refuse(ctx, Responses.text(HttpResponseStatus.NOT_IMPLEMENTED,
                "transfer coding not implemented: only \"Transfer-Encoding: chunked\" is accepted\n"));
            return false;
        }
        return true;
    }

    private void refuse(final ChannelHandlerContext ctx, final FullHttpResponse response)
    {
        counters.increment(TrackerCounter.BAD_REQUESTS);
        Responses.answerAndClose(ctx, response);
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

    private static FullHttpResponse notFound()
    {
        return Responses.text(HttpResponseStatus.NOT_FOUND, "not found\n");
    }

    private void badRequest(final ChannelHandlerContext ctx, final FullHttpResponse response)
    {
        counters.increment(TrackerCounter.BAD_REQUESTS);
        ctx.write(response, ctx.voidPromise());
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        ctx.flush();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        conversionRequests.releaseBody();
        super.channelInactive(ctx);
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
        if (!(cause instanceof ReadTimeoutException) && !(cause instanceof IOException))
        {
            counters.increment(TrackerCounter.UNEXPECTED_ERRORS);
            errorHandler.onError(cause);
        }
        ctx.close();
    }
}
