package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.HostHeader;
import dev.ricochet.ingest.ProcessFailure;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.concurrent.EventExecutor;
import org.agrona.ErrorHandler;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * Answers admin requests: checks the HTTP request and the bearer token, matches it against the route table
 * ({@link AdminRoute}: 404 for no route at the path, 405 with Allow for another method, 403 for a role the route does
 * not allow, 400 for a query it does not accept), dispatches it to {@link AdminApi}, and writes JSON with a clear
 * status and message for every bad request.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest>
{
    private static final String BEARER = "Bearer ";
    private static final String REQUEST_ID = "X-Request-Id";
    private static final byte[] EMPTY = new byte[0];

    private final AdminApi api;
    private final AdminRoles roles;
    private final ErrorHandler errorHandler;
    private final EventExecutor executor;

    AdminHandler(
        final AdminApi api,
        final AdminRoles roles,
        final ErrorHandler errorHandler,
        final EventExecutor executor)
    {
        this.api = api;
        this.roles = roles;
        this.errorHandler = errorHandler;
        this.executor = executor;
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        // Off the I/O thread: reads touch RocksDB and upserts wait for the aggregator. One single-threaded executor
        // per channel keeps pipelined requests answered in order.
        final FullHttpRequest retained = request.retain();
        executor.execute(() ->
        {
            try
            {
                respond(ctx, retained);
            }
            finally
            {
                retained.release();
            }
        });
    }

    private void respond(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        final String requestId = RequestIds.of(request.headers().get(REQUEST_ID));
        ApiResponse response;
        try
        {
            response = request.decoderResult().isFailure() ?
                ApiResponse.error(400, "malformed HTTP request") :
                handle(request, requestId, client(ctx));
        }
        catch (final InvalidSpecException ex)
        {
            response = ApiResponse.error(400, ex.getMessage());
        }
        catch (final JournalWrites.NotApplied ex)
        {
            response = ex.response();
        }
        catch (final StateStore.UnavailableException ex)
        {
            // The aggregator is reopening its store after a refused write (see /readyz): not our bug, retry later.
            response = ApiResponse.error(503, ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            response = ApiResponse.error(500, "internal error; the request was not applied");
        }
        catch (final Error ex)
        {
            // Thrown out of this task, it would be logged by the executor and the request never answered.
            if (!ProcessFailure.failIfFatal(ex))
            {
                errorHandler.onError(ex);
            }
            response = ApiResponse.error(500, "internal error");
        }
        write(ctx, request, response.withHeader(REQUEST_ID, requestId));
    }

    private ApiResponse handle(final FullHttpRequest request, final String requestId, final InetAddress client)
    {
        if (1 != request.protocolVersion().majorVersion())
        {
            // Netty parses any HTTP/x.y: this server speaks HTTP/1.x only, as the edge (which answers 505 too).
            return ApiResponse.error(505, "HTTP/1.0 and HTTP/1.1 only");
        }
        final List<String> hostFields = request.headers().getAll(HttpHeaderNames.HOST);
        final int hosts = hostFields.size();
        if (hosts > 1 || (0 == hosts && request.protocolVersion().minorVersion() >= 1))
        {
            // RFC 9112 section 3.2: an HTTP/1.1 request without Host, or any request with more than one, is a 400.
            return ApiResponse.error(400, 0 == hosts ? "missing Host header: HTTP/1.1 requires exactly one" :
                "more than one Host header");
        }
        if (1 == hosts && !HostHeader.isValid(hostFields.get(0)))
        {
            // RFC 9112 section 3.2: a Host that is not host[:port] ("a, b" joins two; "user@a" is no Host) is a 400.
            return ApiResponse.error(400, "invalid Host header: expected host[:port]");
        }
        if (request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING))
        {
            // The aggregator removes a lone "chunked"; what is left is a coding nobody undid ("gzip, chunked" was read
            // as if uncompressed). RFC 9112 section 6.1: 501.
            return ApiResponse.error(501, "transfer coding not implemented: only \"Transfer-Encoding: chunked\" is " +
                "accepted");
        }
        if (request.headers().getAll(HttpHeaderNames.AUTHORIZATION).size() > 1)
        {
            // Which of two tokens is the caller's is a guess (a proxy may check one, we the other): refused.
            return ApiResponse.error(400, "header Authorization given more than once");
        }
        // Only '&' separates query parameters (WHATWG URL), as on the edge.
        final QueryStringDecoder uri = QueryStringDecoder.builder().semicolonIsNormalChar(true).build(request.uri());
        final String path;
        final Map<String, List<String>> parameters;
        try
        {
            path = uri.path();
            parameters = uri.parameters();
        }
        catch (final IllegalArgumentException ex)
        {
            // Netty's decoder throws on a '%' without two hex digits: the client's mistake, not an internal error.
            return ApiResponse.error(400, "malformed request target: a '%' not followed by two hex digits");
        }
        return route(request, path, parameters, requestId, client);
    }

    /**
     * The route table's part: probes without a token; then the caller, and the route its path and method match (404,
     * 405), whether the route allows the caller (403) and its query (400); then the route's resource, its answer cut
     * down to the fields the caller's role owns.
     */
    private ApiResponse route(final FullHttpRequest request, final String path,
        final Map<String, List<String>> parameters, final String requestId, final InetAddress client)
    {
        final AdminRoute probe = AdminRoute.probe(path);
        if (null != probe)
        {
            // Any method, no token: a scraper, load balancer or supervisor asks these.
            return api.answer(new RouteCall(probe, Map.of(), AdminRoles.Caller.ANONYMOUS, requestId,
                request.headers(), EMPTY, parameters, client), roles);
        }
        if (!path.startsWith("/v1/"))
        {
            return ApiResponse.error(404, "no such resource: " + path);
        }
        final String[] segments = path.substring(1).split("/", -1);
        final HttpMethod method = request.method();
        final AdminRoute.Match match = AdminRoute.find(segments, method);
        if (null == match)
        {
            final String allowed = AdminRoute.allowed(segments);
            return allowed.isEmpty() ? ApiResponse.error(404, "no such resource: " + path) :
                ApiResponse.notAllowed(method.name(), allowed);
        }
        final AdminRoute route = match.route();
        final AdminRoles.Caller caller;
        if (route.isWithoutToken())
        {
            caller = AdminRoles.Caller.ANONYMOUS;
        }
        else
        {
            final String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (null == authorization || !authorization.startsWith(BEARER))
            {
                return ApiResponse.error(401, "missing bearer token: send Authorization: Bearer <admin token>");
            }
            caller = roles.caller(authorization.substring(BEARER.length()).trim());
            if (null == caller)
            {
                return ApiResponse.error(401, "invalid bearer token");
            }
            if (AdminRoles.Role.PARTNER == caller.role() && !api.isPartnerActiveEnoughToRead(caller.partnerId()))
            {
                // A suspended partner's token reads nothing (its commissions are held for review); no partner, no
                // token.
                return ApiResponse.error(403, "this partner token is suspended or its partner is unknown");
            }
            final String refusal = route.refusal(caller, match.parameters().isEmpty() ? null :
                match.parameters().values().iterator().next());
            if (null != refusal)
            {
                return ApiResponse.error(403, refusal);
            }
            // Item 7: a program-scoped token reaches its program's resources only, on every route.
            final String outOfScope = api.outOfScope(caller, route, match.parameters(),
                () -> ByteBufUtil.getBytes(request.content()));
            if (null != outOfScope)
            {
                return ApiResponse.error(403, outOfScope);
            }
        }
        final String badQuery = route.query().refusal(parameters);
        if (null != badQuery)
        {
            return ApiResponse.error(400, badQuery);
        }
        final RouteCall call = new RouteCall(route, match.parameters(), caller, requestId, request.headers(),
            ByteBufUtil.getBytes(request.content()), parameters, client);
        // Every answer is cut down to the fields the caller's role owns (FieldOwners: one table for all endpoints).
        return null == caller.role() ? api.answer(call, roles) :
            FieldOwners.project(caller, route.view(), api.answer(call, roles));
    }

    private static InetAddress client(final ChannelHandlerContext ctx)
    {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress ?
            ((InetSocketAddress)ctx.channel().remoteAddress()).getAddress() : null;
    }

    private void write(final ChannelHandlerContext ctx, final FullHttpRequest request, final ApiResponse answer)
    {
        ApiResponse api = answer;
        byte[] json;
        try
        {
            json = api.body() instanceof ApiResponse.File ? ((ApiResponse.File)api.body()).content() :
                CatalogJson.write(api.body());
        }
        catch (final RuntimeException ex)
        {
            // Every request gets an answer: a view that cannot be written is our bug, reported as such.
            errorHandler.onError(ex);
            api = ApiResponse.error(500, "internal error while writing the answer");
            json = CatalogJson.write(api.body());
        }
        final FullHttpResponse response = new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(api.status()), Unpooled.wrappedBuffer(json));
        if (api.body() instanceof ApiResponse.File && null != ((ApiResponse.File)api.body()).fileName())
        {
            final ApiResponse.File file = (ApiResponse.File)api.body();
            response.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" +
                file.fileName() + "\"");
        }
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, api.body() instanceof ApiResponse.File ?
                ((ApiResponse.File)api.body()).contentType() : HttpHeaderValues.APPLICATION_JSON)
            .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
            // Stored names may hold HTML: no browser may sniff an answer into a page or run anything from it (the
            // dashboard escapes on output; see docs/catalog.md).
            .set("X-Content-Type-Options", "nosniff")
            .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'; sandbox")
            .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        for (final Map.Entry<String, String> header : answer.headers().entrySet())
        {
            response.headers().set(header.getKey(), header.getValue());
        }
        if (401 == api.status())
        {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"ricochet-admin\"");
        }
        if (503 == api.status())
        {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
        }
        if (405 == api.status())
        {
            response.headers().set(HttpHeaderNames.ALLOW, String.valueOf(((Map<?, ?>)api.body()).get("allow")));
        }
        final boolean keepAlive = HttpUtil.isKeepAlive(request) && !request.decoderResult().isFailure();
        if (keepAlive)
        {
            ctx.writeAndFlush(response);
        }
        else
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (ProcessFailure.failIfFatal(cause))
        {
            ctx.close();
            return;
        }
        // An idle timeout, a reset, or a client gone before its body was whole (the aggregator's
        // PrematureChannelClosureException) is how clients leave, not an error of ours.
        if (!(cause instanceof ReadTimeoutException) && !(cause instanceof IOException) &&
            !(cause instanceof PrematureChannelClosureException))
        {
            errorHandler.onError(cause);
        }
        ctx.close();
    }
}
