package dev.ricochet.ingest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

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
}
