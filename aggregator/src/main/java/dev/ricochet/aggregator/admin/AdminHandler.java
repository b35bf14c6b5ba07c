package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
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

import java.util.List;
import java.util.Map;

/**
 * Routes admin requests to {@link AdminApi}: bearer-token check, path matching, JSON in and out, and a clear
 * status and message for every bad request.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest>
{
    private static final String BEARER = "Bearer ";

    private final AdminApi api;
    private final AdminToken token;
    private final ErrorHandler errorHandler;
    private final EventExecutor executor;

    AdminHandler(
        final AdminApi api, final AdminToken token, final ErrorHandler errorHandler, final EventExecutor executor)
    {
        this.api = api;
        this.token = token;
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
        ApiResponse response;
        try
        {
            response = request.decoderResult().isFailure() ?
                ApiResponse.error(400, "malformed HTTP request") : handle(request);
        }
        catch (final InvalidSpecException ex)
        {
            response = ApiResponse.error(400, ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            response = ApiResponse.error(500, "internal error; the request was not applied");
        }
        write(ctx, request, response);
    }

    private ApiResponse handle(final FullHttpRequest request)
    {
        final QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        final String path = uri.path();
        if ("/healthz".equals(path))
        {
            return ApiResponse.ok(Map.of("status", "ok"));
        }

        final String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (null == authorization || !authorization.startsWith(BEARER))
        {
            return ApiResponse.error(401, "missing bearer token: send Authorization: Bearer <admin token>");
        }
        if (!token.matches(authorization.substring(BEARER.length()).trim()))
        {
            return ApiResponse.error(401, "invalid bearer token");
        }

        final String[] segments = path.split("/", -1);
        final HttpMethod method = request.method();
        // segments: "", "v1", collection, id [, sub-resource]
        if (segments.length < 4 || !"v1".equals(segments[1]) || segments[3].isEmpty())
        {
            return ApiResponse.error(404, "no such resource: " + path);
        }
        final String collection = segments[2];
        final String id = segments[3];
        if (segments.length == 4)
        {
            final byte[] body = ByteBufUtil.getBytes(request.content());
            switch (collection)
            {
                case "programs":
                    return byMethod(method, () -> api.getProgram(id), () -> api.putProgram(id, body));
                case "partners":
                    return byMethod(method, () -> api.getPartner(id), () -> api.putPartner(id, body));
                case "links":
                    return byMethod(method, () -> api.getLink(id), () -> api.putLink(id, body));
                case "coupons":
                    return byMethod(method, () -> api.getCoupon(id), () -> api.putCoupon(id, body));
                default:
                    return ApiResponse.error(404, "no such resource: " + path);
            }
        }
        if (segments.length == 5 && "partners".equals(collection) && "stats".equals(segments[4]))
        {
            if (!HttpMethod.GET.equals(method))
            {
                return ApiResponse.error(405, "method " + method + " not allowed; use GET");
            }
            final Map<String, List<String>> parameters = uri.parameters();
            for (final String name : parameters.keySet())
            {
                if (!"from".equals(name) && !"to".equals(name))
                {
                    return ApiResponse.error(400, "unknown query parameter '" + name + "'");
                }
            }
            return api.partnerStats(id, first(parameters, "from"), first(parameters, "to"));
        }
        if (segments.length == 5 && "partners".equals(collection) && "conversions".equals(segments[4]))
        {
            if (!HttpMethod.GET.equals(method))
            {
                return ApiResponse.error(405, "method " + method + " not allowed; use GET");
            }
            final String limit = first(uri.parameters(), "limit");
            try
            {
                final int max = null == limit ? 100 : Integer.parseInt(limit);
                if (max < 1 || max > 1000)
                {
                    return ApiResponse.error(400, "limit must be between 1 and 1000");
                }
                return api.partnerConversions(id, max);
            }
            catch (final NumberFormatException ex)
            {
                return ApiResponse.error(400, "limit '" + limit + "' is not a number");
            }
        }
        return ApiResponse.error(404, "no such resource: " + path);
    }

    private static ApiResponse byMethod(
        final HttpMethod method,
        final java.util.function.Supplier<ApiResponse> get,
        final java.util.function.Supplier<ApiResponse> put)
    {
        if (HttpMethod.GET.equals(method))
        {
            return get.get();
        }
        if (HttpMethod.PUT.equals(method))
        {
            return put.get();
        }
        return ApiResponse.error(405, "method " + method + " not allowed; use GET or PUT");
    }

    private static String first(final Map<String, List<String>> parameters, final String name)
    {
        final List<String> values = parameters.get(name);
        return null == values || values.isEmpty() ? null : values.get(0);
    }

    private void write(final ChannelHandlerContext ctx, final FullHttpRequest request, final ApiResponse answer)
    {
        ApiResponse api = answer;
        byte[] json;
        try
        {
            json = CatalogJson.write(api.body());
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
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        if (401 == api.status())
        {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"ricochet-admin\"");
        }
        if (405 == api.status())
        {
            response.headers().set(HttpHeaderNames.ALLOW, "GET, PUT");
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
        if (!(cause instanceof ReadTimeoutException) && !(cause instanceof java.io.IOException))
        {
            errorHandler.onError(cause);
        }
        ctx.close();
    }
}
