package dev.ricochet.ingest;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The edge's in-memory map from link code to {@link LinkRoute}: read by every event loop, written by the catalog.
 *
 * <p>Lookups are lock-free reads of a {@link ConcurrentHashMap}; an update replaces one route, so a change reaches
 * the next request at once without copying the directory (a million links stay a million entries, not a copy per
 * change).
 */
public final class LinkDirectory
{
    private final ConcurrentHashMap<String, LinkRoute> routes = new ConcurrentHashMap<>();

    /**
     * @param code link code from the request.
     * @return the route, or null if the code is unknown.
     */
    public LinkRoute lookup(final String code)
    {
        return routes.get(code);
    }

    /**
     * Add or replace a route.
     *
     * @param route the route, keyed by its code.
     */
    public void put(final LinkRoute route)
    {
        routes.put(route.code(), route);
    }

    /**
     * Remove a route, so its code answers 404.
     *
     * @param code link code.
     */
    public void remove(final String code)
    {
        routes.remove(code);
    }

    /**
     * @return number of routes.
     */
    public int size()
    {
        return routes.size();
    }
}
