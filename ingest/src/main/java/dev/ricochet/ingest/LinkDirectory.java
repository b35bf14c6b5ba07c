package dev.ricochet.ingest;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The edge's in-memory map from link code to {@link LinkRoute}: read by every event loop, written by the catalog.
 *
 * <p>Lookups are lock-free reads of a {@link ConcurrentHashMap}; an update replaces one route, so a change reaches
 * the next request at once without copying the directory (a million links stay a million entries, not a copy per
 * change). The redirect path looks a code up where it lies in the request target, through a reusable
 * {@link CodeView}, so a click allocates no key.
 */
public final class LinkDirectory
{
    private final ConcurrentHashMap<Object, LinkRoute> routes = new ConcurrentHashMap<>();

    /**
     * A reusable, mutable view of a link code inside a longer text; one per thread.
     */
    public static final class CodeView
    {
        private CharSequence text;
        private int start;
        private int end;
        private int hash;

        /**
         * Point the view at {@code text[start, end)}.
         *
         * @param text  text holding the code, such as the request target.
         * @param start index of the code's first character.
         * @param end   index after its last character.
         * @return this for a fluent API.
         */
        public CodeView wrap(final CharSequence text, final int start, final int end)
        {
            this.text = text;
            this.start = start;
            this.end = end;
            this.hash = hash(text, start, end);
            return this;
        }

        @Override
        public int hashCode()
        {
            return hash;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Code && ((Code)other).matches(text, start, end);
        }
    }

    /**
     * The stored key: a code with the same hash as a {@link CodeView} over the same characters.
     */
    private static final class Code
    {
        private final String value;
        private final int hash;

        Code(final String value)
        {
            this.value = value;
            this.hash = hash(value, 0, value.length());
        }

        boolean matches(final CharSequence text, final int start, final int end)
        {
            if (end - start != value.length())
            {
                return false;
            }
            for (int i = start; i < end; i++)
            {
                if (text.charAt(i) != value.charAt(i - start))
                {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode()
        {
            return hash;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Code && value.equals(((Code)other).value) ||
                other instanceof CodeView && other.equals(this);
        }
    }

    private static int hash(final CharSequence text, final int start, final int end)
    {
        int hash = 0;
        for (int i = start; i < end; i++)
        {
            hash = 31 * hash + text.charAt(i);
        }
        return hash;
    }

    /**
     * @param code link code from the request.
     * @return the route, or null if the code is unknown.
     */
    public LinkRoute lookup(final String code)
    {
        return routes.get(new Code(code));
    }

    /**
     * Look up without allocating: the hot path's form.
     *
     * @param code a view wrapped around the code where it lies in the request.
     * @return the route, or null if the code is unknown.
     */
    public LinkRoute lookup(final CodeView code)
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
        routes.put(new Code(route.code()), route);
    }

    /**
     * Remove a route, so its code answers 404.
     *
     * @param code link code.
     */
    public void remove(final String code)
    {
        routes.remove(new Code(code));
    }

    /**
     * @return number of routes.
     */
    public int size()
    {
        return routes.size();
    }
}
