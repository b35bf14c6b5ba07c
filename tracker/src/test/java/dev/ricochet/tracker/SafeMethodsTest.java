package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import dev.ricochet.ingest.test.RawHttp;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HEAD and OPTIONS are safe methods (RFC 9110 section 9.2.1): no method but the one an endpoint documents ever
 * records anything (docs/edge.md, "Methods").
 */
class SafeMethodsTest
{
    private static final String POSTBACK =
        "/postback?program=shop&token=pb-secret-1&order_id=o-1&amount=100";

    @TempDir
    Path dir;

    @AutoClose
    private EdgeFixture edge;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir,
            new LinkRoute[]{ new LinkRoute("home", 8, 3, 1, "https://shop.example.com/", "rcid") },
            new ProgramRoute("shop", 4, "USD", "rcid", "sk_key_1", "whsec_1", "shpss_1", "pb-secret-1"));
    }

    @Test
    void refusesAHeadOnThePostbackWith405AllowGetAndRecordsNothing() throws Exception
    {
        final String answer = raw("HEAD", POSTBACK);

        assertEquals(405, RawHttp.status(answer), answer);
        assertTrue(answer.contains("allow: GET\r\n"), answer);
        assertEquals(0, conversions());
    }

    @Test
    void refusesEveryMethodButGetOnThePostbackWith405AllowGet() throws Exception
    {
        for (final String method : List.of("POST", "PUT", "DELETE", "OPTIONS", "PATCH"))
        {
            final String answer = raw(method, POSTBACK);
            assertEquals(405, RawHttp.status(answer), method + ": " + answer);
            assertTrue(answer.contains("allow: GET\r\n"), method + ": " + answer);
        }
        assertEquals(0, conversions());
    }

    @Test
    void recordsThePostbackOnAGet() throws Exception
    {
        assertEquals(200, RawHttp.status(raw("GET", POSTBACK)));
        assertEquals(1, conversions());
    }

    @Test
    void answersAHeadOnThePixelWithTheGifsHeadersAndJournalsNothing() throws Exception
    {
        final String answer = raw("HEAD", "/p.gif?program=shop&e=conversion&order_id=o-2&amount=100");

        assertEquals(200, RawHttp.status(answer), answer);
        assertTrue(answer.contains("content-type: image/gif\r\n"), answer);
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_PIXEL));
        assertEquals(0, edge.server.context().counters().get(TrackerCounter.PIXEL_HITS_RECORDED));
    }

    @Test
    void refusesEveryMethodButPostOnTheConversionAndWebhookEndpointsWith405AllowPost() throws Exception
    {
        for (final String path : List.of("/v1/conversions", "/webhooks/stripe/shop", "/webhooks/shopify/shop"))
        {
            for (final String method : List.of("HEAD", "GET", "OPTIONS", "PUT", "DELETE"))
            {
                final String answer = raw(method, path);
                assertEquals(405, RawHttp.status(answer), method + " " + path + ": " + answer);
                assertTrue(answer.contains("allow: POST\r\n"), method + " " + path + ": " + answer);
            }
        }
        assertEquals(0, conversions());
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_DEAD_LETTER));
    }

    @Test
    void refusesOptionsAndWritesOnALinkWith405AndRecordsNoClick() throws Exception
    {
        for (final String method : List.of("OPTIONS", "POST", "PUT", "DELETE"))
        {
            final String answer = raw(method, "/r/home");
            assertEquals(405, RawHttp.status(answer), method + ": " + answer);
            assertTrue(answer.contains("allow: GET, HEAD\r\n"), method + ": " + answer);
        }
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));
    }

    private String raw(final String method, final String path) throws Exception
    {
        return RawHttp.exchange(edge.server.port(), method + " " + path + " HTTP/1.1\r\nHost: x\r\n" +
            "User-Agent: " + EdgeFixture.BROWSER + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }

    private int conversions()
    {
        return EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION);
    }
}
