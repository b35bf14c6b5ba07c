package dev.ricochet.aggregator.admin;

import io.netty.handler.codec.http.HttpHeaders;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * One request as a route sees it: the route matched, its path parameters, who called, the body and the query.
 *
 * @param route      the route matched.
 * @param path       the path parameters by name, in path order.
 * @param caller     who called (its role has been checked against the route's).
 * @param requestId  the request's id: the client's {@code X-Request-Id} if it sent a valid one, else generated; in
 *                   the answer's headers and in the audit trail.
 * @param headers    the request's headers.
 * @param body       the request body, empty if none.
 * @param parameters the query parameters, checked against the route's.
 * @param client     the address the request came from (the peer of the connection), for a public route's limits.
 */
record RouteCall(
    AdminRoute route,
    Map<String, String> path,
    AdminRoles.Caller caller,
    String requestId,
    HttpHeaders headers,
    byte[] body,
    Map<String, List<String>> parameters,
    InetAddress client)
{
    /**
     * @return the first path parameter (the resource's id), or null for a collection route.
     */
    String id()
    {
        return path.isEmpty() ? null : path.values().iterator().next();
    }

    /**
     * @param name a path parameter of the route's pattern, without braces.
     * @return its value, or null if the route has none of that name.
     */
    String param(final String name)
    {
        return path.get(name);
    }

    /**
     * @param name a request header.
     * @return its value, or null if absent.
     */
    String header(final CharSequence name)
    {
        return null == headers ? null : headers.get(name);
    }

    /**
     * @return the caller's rate-limit key: its address (an IPv6 address's /64), or "unknown".
     */
    String clientKey()
    {
        return ApplicationLimiter.clientKey(client);
    }

    /**
     * @param name a query parameter.
     * @return its value, or null if absent.
     */
    String text(final String name)
    {
        final List<String> values = parameters.get(name);
        return null == values || values.isEmpty() ? null : values.get(0);
    }

    /**
     * @param name a number query parameter of the route.
     * @return its value, bounded by the route's declaration, or its default.
     */
    long number(final String name)
    {
        return route.query().parameter(name).parse(text(name));
    }
}
