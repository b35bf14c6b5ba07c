package dev.ricochet.aggregator.admin;

import java.util.Map;

/**
 * An admin API answer before it is written: status and a body that becomes JSON.
 *
 * @param status HTTP status code.
 * @param body   object written as JSON.
 */
public record ApiResponse(int status, Object body)
{
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
}
