package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.store.StateStore;
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
        write(ctx, request, response);
    }

    /**
     * A Host value (RFC 9112 section 3.2, RFC 3986 section 3.2.2): reg-name, IPv4 or bracketed IPv6 and an optional
     * port, so only unreserved, percent, sub-delims, ':' and brackets. Empty is valid (an authority without a host).
     */
    static boolean isValidHost(final String host)
    {
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

    private ApiResponse handle(final FullHttpRequest request)
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
        if (1 == hosts && !isValidHost(hostFields.get(0)))
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
        if ("/metrics".equals(path))
        {
            // Like the edge's /metrics: unauthenticated, for a scraper on the operator's network.
            return ApiResponse.file("text/plain; version=0.0.4; charset=utf-8", null,
                api.prometheusText().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if ("/healthz".equals(path))
        {
            return ApiResponse.ok(Map.of("status", "ok"));
        }
        if ("/readyz".equals(path))
        {
            // Unauthenticated like /healthz: a load balancer or supervisor asks it.
            if (null != ProcessFailure.reason())
            {
                return ApiResponse.error(503, "not ready: " + ProcessFailure.reason());
            }
            return api.readiness();
        }

        final String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (null == authorization || !authorization.startsWith(BEARER))
        {
            return ApiResponse.error(401, "missing bearer token: send Authorization: Bearer <admin token>");
        }
        final AdminRoles.Caller caller = roles.caller(authorization.substring(BEARER.length()).trim());
        if (null == caller)
        {
            return ApiResponse.error(401, "invalid bearer token");
        }
        if (AdminRoles.Role.PARTNER == caller.role() && !api.isPartnerActiveEnoughToRead(caller.partnerId()))
        {
            // A suspended partner's token reads nothing (its commissions are held for review); no partner, no token.
            return ApiResponse.error(403, "this partner token is suspended or its partner is unknown");
        }

        final String[] segments = path.split("/", -1);
        final HttpMethod method = request.method();
        // segments: "", "v1", collection, id [, sub-resource]
        if (segments.length < 4 || segments.length > 5 || !"v1".equals(segments[1]) || segments[3].isEmpty())
        {
            return ApiResponse.error(404, "no such resource: " + path);
        }
        final String collection = segments[2];
        final String id = segments[3];
        final String sub = segments.length == 5 ? segments[4] : null;
        final String refusal = refusal(caller, method, collection, id, sub);
        if (null != refusal)
        {
            return ApiResponse.error(403, refusal);
        }
        // Every answer is cut down to the fields the caller's role owns (FieldOwners: one table for all endpoints).
        return FieldOwners.project(caller, FieldOwners.view(collection, sub),
            route(request, method, path, parameters, collection, id, sub));
    }

    private ApiResponse route(final FullHttpRequest request, final HttpMethod method, final String path,
        final Map<String, List<String>> parameters, final String collection, final String id, final String sub)
    {
        final byte[] body = ByteBufUtil.getBytes(request.content());
        if (null == sub)
        {
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
                case "payout-runs":
                    return only(HttpMethod.GET, method, parameters, List.of(), () -> api.getPayoutRun(id));
                default:
                    return ApiResponse.error(404, "no such resource: " + path);
            }
        }
        switch (collection + "/" + sub)
        {
            case "partners/stats":
                return only(HttpMethod.GET, method, parameters, List.of("from", "to", "granularity"),
                    () -> api.partnerStats(id, first(parameters, "from"), first(parameters, "to"),
                    first(parameters, "granularity")));
            case "partners/conversions":
                return only(HttpMethod.GET, method, parameters, List.of("limit"),
                    () -> api.partnerConversions(id, limit(parameters, 100, 1000)));
            case "partners/ledger":
                return only(HttpMethod.GET, method, parameters, List.of("after", "limit"),
                    () -> api.partnerLedger(id, number(parameters, "after", 0, Long.MAX_VALUE, 0),
                    limit(parameters, 1000, 10_000)));
            case "partners/timeline":
                return only(HttpMethod.GET, method, parameters, List.of("limit"),
                    () -> api.partnerTimeline(id, limit(parameters, 100, 1000)));
            case "partners/token":
                return only(HttpMethod.GET, method, parameters, List.of(), () -> partnerToken(id));
            case "partners/commission-reviews":
                return only(HttpMethod.POST, method, parameters, List.of(), () -> api.reviewCommission(id, body));
            case "programs/payout-runs":
                return only(HttpMethod.POST, method, parameters, List.of(), () -> api.createPayoutRun(id, body));
            case "programs/held-commissions":
                return only(HttpMethod.GET, method, parameters, List.of("limit"),
                    () -> api.heldCommissions(id, limit(parameters, 100, 1000)));
            case "programs/at-risk":
                return only(HttpMethod.GET, method, parameters, List.of("threshold"),
                    () -> api.atRisk(id, (int)number(parameters, "threshold", 0, 100, 40)));
            case "payout-runs/approve":
                return only(HttpMethod.POST, method, parameters, List.of(), () -> api.approvePayoutRun(id));
            case "payout-runs/export.csv":
                return only(HttpMethod.GET, method, parameters, List.of(), () -> api.exportPayoutRun(id));
            default:
                return ApiResponse.error(404, "no such resource: " + path);
        }
    }

    /**
     * The role check of every endpoint, in one place so that the matrix test and this table can be read side by side.
     *
     * @return why the caller may not do this, or null if it may.
     */
    static String refusal(final AdminRoles.Caller caller, final HttpMethod method, final String collection,
        final String id, final String sub)
    {
        final boolean isRead = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
        // Finance approves payouts and reviews commissions; the admin builds runs but cannot approve them (two
        // people's decisions).
        final boolean isFinanceAction = ("payout-runs".equals(collection) && "approve".equals(sub)) ||
            ("partners".equals(collection) && "commission-reviews".equals(sub));
        final boolean isMoney = "payout-runs".equals(collection) ||
            ("partners".equals(collection) && "ledger".equals(sub)) ||
            ("programs".equals(collection) && "held-commissions".equals(sub));
        final boolean isTokenIssue = "partners".equals(collection) && "token".equals(sub);
        switch (caller.role())
        {
            case ADMIN:
                return isFinanceAction ? "this needs the finance token (" + AdminToken.FINANCE_FILE_NAME + ")" : null;
            case FINANCE:
                return isFinanceAction || (isRead && !isTokenIssue) ? null :
                    "the finance token can read, approve payout runs and review commissions; use the admin token " +
                    "for changes";
            case ANALYST:
                return isRead && !isMoney && !isTokenIssue ? null :
                    "the analyst token reads the catalog and reports; ledgers, payouts and changes need another role";
            case PARTNER:
                final boolean isOwn = "partners".equals(collection) && caller.partnerId().equals(id) &&
                    (null == sub || "stats".equals(sub) || "conversions".equals(sub) || "ledger".equals(sub) ||
                    "timeline".equals(sub));
                return isRead && isOwn ? null : "a partner token reads only its own partner's record and reports";
            default:
                return "unknown role";
        }
    }

    private ApiResponse partnerToken(final String partnerId)
    {
        final ApiResponse partner = api.getPartner(partnerId);
        return 200 != partner.status() ? partner :
            ApiResponse.ok(Map.of("partnerId", partnerId, "token", roles.partnerToken(partnerId)));
    }

    private static ApiResponse only(final HttpMethod allowed, final HttpMethod method,
        final Map<String, List<String>> parameters, final List<String> known,
        final java.util.function.Supplier<ApiResponse> handler)
    {
        if (!allowed.equals(method))
        {
            return ApiResponse.notAllowed(method.name(), allowed.name());
        }
        for (final Map.Entry<String, List<String>> parameter : parameters.entrySet())
        {
            if (!known.contains(parameter.getKey()))
            {
                return ApiResponse.error(400, "unknown query parameter '" + parameter.getKey() + "'");
            }
            if (parameter.getValue().size() > 1)
            {
                // Frameworks disagree on which of two values counts: refused rather than guessed.
                return ApiResponse.error(400, "query parameter '" + parameter.getKey() + "' given more than once");
            }
        }
        return handler.get();
    }

    private static int limit(final Map<String, List<String>> parameters, final int fallback, final int max)
    {
        return (int)number(parameters, "limit", 1, max, fallback);
    }

    private static long number(final Map<String, List<String>> parameters, final String name, final long min,
        final long max, final long fallback)
    {
        final String value = first(parameters, name);
        if (null == value)
        {
            return fallback;
        }
        try
        {
            final long parsed = Long.parseLong(value);
            if (parsed < min || parsed > max)
            {
                throw new InvalidSpecException(name + " must be between " + min + " and " + max);
            }
            return parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw new InvalidSpecException(name + " '" + value + "' is not a number");
        }
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
        return ApiResponse.notAllowed(method.name(), "GET, PUT");
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
        if (!(cause instanceof ReadTimeoutException) && !(cause instanceof java.io.IOException) &&
            !(cause instanceof PrematureChannelClosureException))
        {
            errorHandler.onError(cause);
        }
        ctx.close();
    }
}
