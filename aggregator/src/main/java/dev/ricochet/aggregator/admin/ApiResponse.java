package dev.ricochet.aggregator.admin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An admin API answer before it is written: status and a body that becomes JSON.
 *
 * @param status  HTTP status code.
 * @param body    object written as JSON.
 * @param headers extra headers of the answer, by name.
 */
public record ApiResponse(int status, Object body, Map<String, String> headers)
{
    /**
     * An answer without extra headers.
     *
     * @param status HTTP status.
     * @param body   JSON body, or a {@link File}.
     */
    public ApiResponse(final int status, final Object body)
    {
        this(status, body, Collections.emptyMap());
    }

    /**
     * @param name  a header of the answer (ETag, Location, X-Request-Id).
     * @param value its value.
     * @return a copy carrying that header as well.
     */
    public ApiResponse withHeader(final String name, final String value)
    {
        final Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiResponse(status, body, Collections.unmodifiableMap(more));
    }

    /**
     * @param newBody the body to answer instead.
     * @return a copy with the same status and headers.
     */
    public ApiResponse withBody(final Object newBody)
    {
        return new ApiResponse(status, newBody, headers);
    }

    /**
     * @param body object written as JSON.
     * @return a 200 answer.
     */
    public static ApiResponse ok(final Object body)
    {
        return new ApiResponse(200, body);
    }

    /**
     * @param status  HTTP status code.
     * @param message what went wrong, for the caller.
     * @return an error answer {@code {"error": message}}.
     */
    public static ApiResponse error(final int status, final String message)
    {
        return new ApiResponse(status, Map.of("error", message));
    }

    /**
     * @param what a kind of resource: "partner", "program".
     * @param id   the id asked for.
     * @return a 404 answer naming the unknown resource.
     */
    public static ApiResponse notFound(final String what, final String id)
    {
        return error(404, "unknown " + what + " '" + id + "'");
    }

    /**
     * @param method  the method used.
     * @param allowed the methods the resource allows, for the Allow header.
     * @return a 405 answer naming them.
     */
    public static ApiResponse notAllowed(final String method, final String allowed)
    {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "method " + method + " not allowed; use " + allowed);
        body.put("allow", allowed);
        return new ApiResponse(405, body);
    }

    /**
     * @param contentType media type.
     * @param fileName    suggested download name, or null for a body shown inline.
     * @param content     the bytes.
     * @return a 200 answer written as is, not as JSON.
     */
    public static ApiResponse file(final String contentType, final String fileName, final byte[] content)
    {
        return new ApiResponse(200, new File(contentType, fileName, content));
    }

    /**
     * A body written as is.
     *
     * @param contentType media type.
     * @param fileName    suggested download name.
     * @param content     the bytes.
     */
    public record File(String contentType, String fileName, byte[] content)
    {
    }
}
