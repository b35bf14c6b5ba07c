package dev.ricochet.ingest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinkDirectoryTest
{
    private final LinkDirectory directory = new LinkDirectory();
    private final LinkRoute tents = new LinkRoute("spring-tents", 7, 3, 1, "https://shop.example/tents", "ref");

    @Test
    void findsACodeWhereItLiesInTheRequestTarget()
    {
        // Given a route
        directory.put(tents);

        // When the code is looked up through a view over the request target
        final LinkDirectory.CodeView view = new LinkDirectory.CodeView();
        final String target = "/r/spring-tents?sub1=a";

        // Then it is found, as by its plain code
        assertSame(tents, directory.lookup(view.wrap(target, 3, 15)));
        assertSame(tents, directory.lookup("spring-tents"));
    }

    @Test
    void doesNotMatchAPrefixOrALongerCode()
    {
        directory.put(tents);
        final LinkDirectory.CodeView view = new LinkDirectory.CodeView();

        assertNull(directory.lookup(view.wrap("/r/spring-tent", 3, 14)));
        assertNull(directory.lookup(view.wrap("/r/spring-tents2", 3, 16)));
        assertNull(directory.lookup("spring-tents2"));
    }

    @Test
    void forgetsARemovedCodeAndReplacesAChangedRoute()
    {
        directory.put(tents);
        final LinkRoute moved = new LinkRoute("spring-tents", 7, 3, 1, "https://shop.example/moved", "ref");

        directory.put(moved);
        assertSame(moved, directory.lookup(new LinkDirectory.CodeView().wrap("spring-tents", 0, 12)));

        directory.remove("spring-tents");
        assertNull(directory.lookup(new LinkDirectory.CodeView().wrap("spring-tents", 0, 12)));
        assertSame(0, directory.size());
    }

    @Test
    void keepsEveryRouteAsTheTableGrows()
    {
        // Given many more routes than the table's first capacity, some removed and added again
        for (int i = 0; i < 10_000; i++)
        {
            directory.put(new LinkRoute("c" + i, i + 1, 1 + i / 10, 1, "https://shop.example/p/" + i, "rcid"));
        }
        for (int i = 0; i < 10_000; i += 3)
        {
            directory.remove("c" + i);
        }
        for (int i = 0; i < 10_000; i += 6)
        {
            directory.put(new LinkRoute("c" + i, i + 1, 1 + i / 10, 1, "https://shop.example/again/" + i, "rcid"));
        }

        // Then each code finds its own latest route, and only the removed ones are gone
        int found = 0;
        for (int i = 0; i < 10_000; i++)
        {
            final LinkRoute route = directory.lookup("c" + i);
            if (i % 3 == 0 && i % 6 != 0)
            {
                assertNull(route);
                continue;
            }
            assertNotNull(route, "c" + i);
            assertEquals(i + 1, route.linkId());
            assertEquals("https://shop.example/" + (i % 6 == 0 ? "again/" : "p/") + i, route.destination());
            found++;
        }
        assertEquals(found, directory.size());
        final int[] visited = {0};
        directory.forEach(route -> visited[0]++);
        assertEquals(found, visited[0]);
    }

    @Test
    void buildsTheLocationPrefixForEachShapeOfDestination()
    {
        assertEquals("https://s.example/?rcid=", prefix("https://s.example/"));
        assertEquals("https://s.example/t?color=red&rcid=", prefix("https://s.example/t?color=red#top"));
        assertEquals("https://s.example/t?rcid=", prefix("https://s.example/t?"));
        assertEquals("https://s.example/t?a=1&rcid=", prefix("https://s.example/t?a=1&"));
    }

    @Test
    void keepsTheFragmentForAfterTheParameters()
    {
        final StringBuilder fragment = new StringBuilder();
        new LinkRoute("x", 1, 1, 1, "https://s.example/t?color=red#top", "rcid").appendFragment(fragment);

        assertEquals("#top", fragment.toString());
    }

    @Test
    void knowsWhichQueryParametersTheDestinationSets()
    {
        final LinkRoute route = new LinkRoute("x", 1, 1, 1, "https://s.example/t?utm_source=mail&a=1#utm_medium=x", "r");

        assertTrue(route.setsParameter("utm_source"));
        assertFalse(route.setsParameter("utm_sourc"));
        assertFalse(route.setsParameter("utm_medium"));
        assertEquals("x", route.code());
        assertEquals("r", route.clickParam());
    }

    private static String prefix(final String destination)
    {
        final StringBuilder location = new StringBuilder();
        new LinkRoute("x", 1, 1, 1, destination, "rcid").appendLocationPrefix(location);
        return location.toString();
    }
}
