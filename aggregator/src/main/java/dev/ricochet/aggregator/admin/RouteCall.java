package dev.ricochet.aggregator.admin;

import java.util.List;
import java.util.Map;

/**
 * One request matched to its route: the resource id of the path, the body and the query.
 *
 * @param route      the route it matched.
 * @param id         the resource id of the path ({@code {partnerId}}, {@code {runId}}...), or null for a probe.
 * @param body       the request body, empty if none.
 * @param parameters the decoded query string, already checked against the route's query.
 */
record RouteCall(AdminRoute route, String id, byte[] body, Map<String, List<String>> parameters)
{
    /**
     * @param name a text parameter of the route.
     * @return its value, or null if absent.
     */
    String text(final String name)
    {
        final List<String> values = parameters.get(name);
        return null == values || values.isEmpty() ? null : values.get(0);
    }

    /**
     * @param name a number parameter of the route.
     * @return its value within the route's bounds, or its default if absent.
     * @throws dev.ricochet.aggregator.catalog.InvalidSpecException if it is not a number within bounds (a 400).
     */
    long number(final String name)
    {
        return route.query().parameter(name).parse(text(name));
    }
}
