package dev.ricochet.ingest;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The edge's in-memory map from program id to {@link ProgramRoute}, kept current by the catalog like the
 * {@link LinkDirectory}.
 */
public final class ProgramDirectory
{
    private final ConcurrentHashMap<String, ProgramRoute> routes = new ConcurrentHashMap<>();

    /**
     * @param programId from the request.
     * @return the route, or null if unknown.
     */
    public ProgramRoute lookup(final String programId)
    {
        return routes.get(programId);
    }

    /**
     * @param route to add or replace.
     */
    public void put(final ProgramRoute route)
    {
        routes.put(route.programId(), route);
    }
}
