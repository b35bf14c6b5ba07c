package dev.ricochet.tracker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;

/**
 * Builds the edge's responses: redirect, pixel, and short plain-text errors that say what was wrong.
 */
final class Responses
{
    private static final AsciiString NO_STORE = AsciiString.cached("no-store, no-cache, must-revalidate, max-age=0");
    private static final AsciiString IMAGE_GIF = AsciiString.cached("image/gif");
    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");
    private static final AsciiString ALLOW_GET_HEAD = AsciiString.cached("GET, HEAD");
    static final int LOW_SPACE_RETRY_AFTER_S = 30;
    private static final AsciiString ONE = AsciiString.cached("1");
    private static final ByteBuf OVERLOADED_BODY = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(
        "overloaded: retry in a second; nothing was recorded\n".getBytes(StandardCharsets.UTF_8))).asReadOnly();

    /**
     * The smallest valid transparent 1x1 GIF (43 bytes).
     */
    private static final ByteBuf PIXEL_GIF = Unpooled.unreleasableBuffer(Unpooled.directBuffer(43).writeBytes(new byte[]
        {
            'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, (byte)0x80, 0, 0, 0, 0, 0, (byte)0xFF, (byte)0xFF, (byte)0xFF,
            '!', (byte)0xF9, 4, 1, 0, 0, 0, 0, ',', 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 'D', 1, 0, ';'
        })).asReadOnly();

    private Responses()
    {
    }

    /**
     * A redirect that can be written again and again: its header values are the caller's mutable buffers (Location,
     * Set-Cookie, Date), rewritten in place before each write, and the encoder copies them when the response is
     * written, which happens inside {@code ctx.write} on the event loop. Only for keep-alive requests: the keep-alive
     * handler edits the headers of a response that closes the connection, and these headers are read-only.
     */
    static FullHttpResponse reusableRedirect(
        final CharSequence location, final CharSequence setCookie, final CharSequence date)
    {
        final HttpHeaders headers = new ReadOnlyHttpHeaders(false,
            HttpHeaderNames.LOCATION, location,
            HttpHeaderNames.CACHE_CONTROL, NO_STORE,
            HttpHeaderNames.SET_COOKIE, setCookie,
            HttpHeaderNames.DATE, date,
            HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FOUND, Unpooled.EMPTY_BUFFER,
            headers, EmptyHttpHeaders.INSTANCE);
    }

    static FullHttpResponse redirect(final CharSequence location, final CharSequence setCookie, final CharSequence date)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.FOUND, Unpooled.EMPTY_BUFFER);
        final HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.LOCATION, location);
        // A cached redirect would skip the edge on the next click and lose it.
        headers.set(HttpHeaderNames.CACHE_CONTROL, NO_STORE);
        headers.set(HttpHeaderNames.SET_COOKIE, setCookie);
        headers.set(HttpHeaderNames.DATE, date);
        headers.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        return response;
    }

    static FullHttpResponse pixel(final CharSequence setCookie, final CharSequence date)
    {
        final FullHttpResponse response = withSharedBody(HttpResponseStatus.OK, PIXEL_GIF, IMAGE_GIF);
        response.headers().set(HttpHeaderNames.DATE, date).set(HttpHeaderNames.SET_COOKIE, setCookie);
        return response;
    }

    /**
     * A response whose body is a read-only buffer shared by all of them: nothing copied per response.
     */
    private static FullHttpResponse withSharedBody(
        final HttpResponseStatus status, final ByteBuf sharedBody, final AsciiString contentType)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, sharedBody.duplicate());
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, contentType)
            .set(HttpHeaderNames.CACHE_CONTROL, NO_STORE)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, sharedBody.readableBytes());
        return response;
    }

    static FullHttpResponse text(final HttpResponseStatus status, final String body)
    {
        final ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, NO_STORE);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }

    static FullHttpResponse methodNotAllowed()
    {
        final FullHttpResponse response = text(
            HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed: links and the pixel answer GET and HEAD\n");
        response.headers().set(HttpHeaderNames.ALLOW, ALLOW_GET_HEAD);
        return response;
    }

    static FullHttpResponse methodNotAllowed(final String allowed)
    {
        final FullHttpResponse response = json(HttpResponseStatus.METHOD_NOT_ALLOWED,
            "{\"error\":\"method not allowed, use " + allowed + "\"}");
        response.headers().set(HttpHeaderNames.ALLOW, allowed);
        return response;
    }

    /**
     * 503 while the journal's disk is below its watermark. Retry-After is longer than for an overload: space comes
     * back when an operator or retention frees it, not within a second.
     */
    static FullHttpResponse lowSpace(final String reason)
    {
        final FullHttpResponse response = json(HttpResponseStatus.SERVICE_UNAVAILABLE,
            "{\"error\":\"" + reason + ", retry later\"}");
        response.headers().setInt(HttpHeaderNames.RETRY_AFTER, LOW_SPACE_RETRY_AFTER_S);
        return response;
    }

    /**
     * 503 from an overloaded event loop: built from a shared body, since many are written while the loop is busiest.
     * Retry-After 1: a loop serves again within 100 ms of catching up.
     */
    static FullHttpResponse overloaded()
    {
        final FullHttpResponse response =
            withSharedBody(HttpResponseStatus.SERVICE_UNAVAILABLE, OVERLOADED_BODY, TEXT_PLAIN);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, ONE);
        return response;
    }

    /**
     * 403 for a speculative load of a link (a prefetch or prerender): a browser serves a speculation only from a 2xx
     * (or a redirect to one), so it discards this one and requests the link again if and when the visitor navigates,
     * and that request is the click. Not the 503 servers often use for this: a 5xx is an edge failure to its
     * monitoring (draft-nottingham-httpbis-pre-denied describes that confusion), and this is a policy, as for the
     * embedded hits refused with 403.
     */
    static FullHttpResponse speculationRefused()
    {
        return text(HttpResponseStatus.FORBIDDEN,
            "speculative load (prefetch or prerender) not served: a click counts when the visitor navigates\n");
    }

    /**
     * 429 for a hit over a rate limit.
     *
     * @param retryAfterSeconds when the client's (or the link's) bucket has a token again.
     */
    static FullHttpResponse tooManyRequests(final long retryAfterSeconds)
    {
        final FullHttpResponse response = text(HttpResponseStatus.TOO_MANY_REQUESTS,
            "too many requests: slow down and retry after " + retryAfterSeconds + " s; nothing was recorded\n");
        response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        return response;
    }

    static FullHttpResponse json(final HttpResponseStatus status, final String body)
    {
        final ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, NO_STORE);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (HttpResponseStatus.SERVICE_UNAVAILABLE.equals(status))
        {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, 1);
        }
        return response;
    }

    /**
     * @return the answer to a request the codec could not parse: what was too long, or that it was malformed.
     */
    static FullHttpResponse malformed(final Throwable cause)
    {
        if (cause instanceof TooLongHttpLineException)
        {
            return text(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long\n");
        }
        if (cause instanceof TooLongHttpHeaderException)
        {
            return text(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers too large\n");
        }
        if (cause instanceof TooLongFrameException)
        {
            return text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request too large\n");
        }
        return text(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request\n");
    }

    /**
     * Write the answer with {@code Connection: close}, then close once it is written.
     */
    static void answerAndClose(final ChannelHandlerContext ctx, final FullHttpResponse response)
    {
        response.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
