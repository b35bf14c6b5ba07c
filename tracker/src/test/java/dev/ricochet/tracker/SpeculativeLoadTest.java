package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.test.RawHttp;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A speculative load of a link (speculation-rules prefetch or prerender, legacy prefetch headers) is not a click: it
 * is refused with 403, journals nothing and sets no cookie; the browser then requests the link for real when the
 * visitor navigates, and that is the click (docs/edge.md, "Speculative loads").
 */
class SpeculativeLoadTest
{
    private static final String NAVIGATION = "Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n";

    @TempDir
    Path dir;

    @AutoClose
    private EdgeFixture edge;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir,
            new LinkRoute[]{ new LinkRoute("home", 8, 3, 1, "https://shop.example.com/", "rcid") });
    }

    @Test
    void refusesASpeculationRulesPrefetchWith403AndRecordsNoClick() throws Exception
    {
        final String answer = click(NAVIGATION + "Sec-Purpose: prefetch\r\n");

        assertEquals(403, RawHttp.status(answer), answer);
        assertFalse(answer.toLowerCase().contains("set-cookie"), answer);
        assertFalse(answer.toLowerCase().contains("location"), answer);
        assertEquals(0, clicks());
        assertEquals(1, edge.server.context().counters().get(TrackerCounter.SPECULATIVE_HITS_REFUSED));
    }

    @Test
    void refusesAPrerenderAndAnonymousClientPrefetch() throws Exception
    {
        for (final String purpose : List.of("prefetch;prerender", "prefetch;anonymous-client-ip"))
        {
            assertEquals(403, RawHttp.status(click(NAVIGATION + "Sec-Purpose: " + purpose + "\r\n")), purpose);
        }
        assertEquals(0, clicks());
    }

    @Test
    void refusesLegacyPrefetchAndPreviewHeaders() throws Exception
    {
        for (final String header : List.of("Purpose: prefetch", "X-Purpose: preview", "X-Moz: prefetch"))
        {
            assertEquals(403, RawHttp.status(click(header + "\r\n")), header);
        }
        assertEquals(0, clicks());
    }

    @Test
    void countsTheClickWhenTheVisitorThenNavigates() throws Exception
    {
        // Given a refused prefetch
        click(NAVIGATION + "Sec-Purpose: prefetch\r\n");

        // When the visitor clicks the link
        final String answer = click(NAVIGATION);

        // Then that navigation is the click
        assertEquals(302, RawHttp.status(answer), answer);
        assertEquals(1, clicks());
        assertEquals(1, edge.server.context().counters().get(TrackerCounter.CLICKS_RECORDED));
    }

    private String click(final String headers) throws Exception
    {
        return RawHttp.exchange(edge.server.port(), "GET /r/home HTTP/1.1\r\nHost: x\r\nUser-Agent: " +
            EdgeFixture.BROWSER + "\r\n" + headers + "Connection: close\r\n\r\n");
    }

    private int clicks()
    {
        return EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK);
    }
}
