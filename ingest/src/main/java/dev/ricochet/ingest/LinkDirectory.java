package dev.ricochet.ingest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * Every link's {@link LinkRoute} in memory, by code: read by every event loop, written by the catalog; the one copy
 * of the link table in the process.
 *
 * <p>An open-addressing table of routes, one slot per link and nothing else: a million links cost their routes plus
 * 8 to 16 MB of slots, where a {@code ConcurrentHashMap} added a node and a key object per link. The catalog is the
 * single writer: it replaces a slot with a release store, and grows the table by building a new one and publishing
 * it through a volatile field, so readers never lock and never see a half-built route. A change reaches the next
 * request at once. Removal leaves a tombstone (links are rarely removed) so that a concurrent lookup never misses a
 * route that is moving; tombstones are dropped when the table is rebuilt.
 *
 * <p>The redirect path looks a code up where it lies in the request target, through a reusable {@link CodeView}, so
 * a click allocates no key.
 */
public final class LinkDirectory
{
    private static final int INITIAL_CAPACITY = 64;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(LinkRoute[].class);
    private static final LinkRoute REMOVED = new LinkRoute("", 0, 0, 0, "", "");

    private volatile LinkRoute[] slots = new LinkRoute[INITIAL_CAPACITY];
    private volatile int size;
    private int occupied;

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
    }

    static int hash(final CharSequence text, final int start, final int end)
    {
        int hash = 0;
        for (int i = start; i < end; i++)
        {
            hash = 31 * hash + text.charAt(i);
        }
        return hash;
    }

    /**
     * @param code link code.
     * @return the route, or null if the code is unknown.
     */
    public LinkRoute lookup(final String code)
    {
        return find(code, 0, code.length(), hash(code, 0, code.length()));
    }

    /**
     * Look up without allocating: the hot path's form.
     *
     * @param code a view wrapped around the code where it lies in the request.
     * @return the route, or null if the code is unknown.
     */
    public LinkRoute lookup(final CodeView code)
    {
        return find(code.text, code.start, code.end, code.hash);
    }

    private LinkRoute find(final CharSequence text, final int start, final int end, final int hash)
    {
        final LinkRoute[] table = slots;
        final int mask = table.length - 1;
        for (int i = index(hash, mask); ; i = (i + 1) & mask)
        {
            final LinkRoute route = (LinkRoute)SLOT.getAcquire(table, i);
            if (null == route)
            {
                return null;
            }
            if (route != REMOVED && route.codeHash() == hash && route.hasCode(text, start, end))
            {
                return route;
            }
        }
    }

    /**
     * Add or replace a route (the catalog's thread only).
     *
     * @param route the route, keyed by its code.
     */
    public void put(final LinkRoute route)
    {
        if (2 * (occupied + 1) > slots.length)
        {
            rebuild();
        }
        final String code = route.code();
        final LinkRoute[] table = slots;
        final int mask = table.length - 1;
        int free = -1;
        int i = index(route.codeHash(), mask);
        for (LinkRoute slot; null != (slot = table[i]); i = (i + 1) & mask)
        {
            if (slot == REMOVED)
            {
                free = free < 0 ? i : free;
            }
            else if (slot.codeHash() == route.codeHash() && slot.hasCode(code, 0, code.length()))
            {
                SLOT.setRelease(table, i, route);
                return;
            }
        }
        if (free < 0)
        {
            free = i;
            occupied++;
        }
        SLOT.setRelease(table, free, route);
        size++;
    }

    /**
     * Remove a route, so its code answers 404 (the catalog's thread only).
     *
     * @param code link code.
     */
    public void remove(final String code)
    {
        final int hash = hash(code, 0, code.length());
        final LinkRoute[] table = slots;
        final int mask = table.length - 1;
        for (int i = index(hash, mask); null != table[i]; i = (i + 1) & mask)
        {
            final LinkRoute slot = table[i];
            if (slot != REMOVED && slot.codeHash() == hash && slot.hasCode(code, 0, code.length()))
            {
                SLOT.setRelease(table, i, REMOVED);
                size--;
                return;
            }
        }
    }

    /**
     * Visit every route (the catalog's thread only, so the table does not change meanwhile).
     *
     * @param visitor called once per route, in no particular order.
     */
    public void forEach(final Consumer<LinkRoute> visitor)
    {
        for (final LinkRoute route : slots)
        {
            if (null != route && route != REMOVED)
            {
                visitor.accept(route);
            }
        }
    }

    /**
     * @return number of routes.
     */
    public int size()
    {
        return size;
    }

    private void rebuild()
    {
        final LinkRoute[] old = slots;
        int capacity = INITIAL_CAPACITY;
        while (capacity < 4 * (size + 1))
        {
            capacity <<= 1;
        }
        final LinkRoute[] table = new LinkRoute[capacity];
        final int mask = capacity - 1;
        for (final LinkRoute route : old)
        {
            if (null != route && route != REMOVED)
            {
                int i = index(route.codeHash(), mask);
                while (null != table[i])
                {
                    i = (i + 1) & mask;
                }
                table[i] = route;
            }
        }
        occupied = size;
        slots = table;
    }

    private static int index(final int hash, final int mask)
    {
        // Codes differing in their last characters differ in the low bits of a polynomial hash only weakly: spread.
        final int spread = hash * 0x9E3779B9;
        return (spread ^ (spread >>> 16)) & mask;
    }
}
