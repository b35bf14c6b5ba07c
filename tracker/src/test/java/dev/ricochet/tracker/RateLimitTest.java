package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-address and per-link rate limits on a real edge, the test's client on 127.0.0.1 standing for one shopper
 * (loopback is exempt by default, so each test that limits addresses clears the exempt list).
 */
class RateLimitTest
{
    private static final LinkRoute[] LINKS = {
        new LinkRoute("tents", 7, 3, 1, "https://shop.example.com/tents#top", "rcid"),
        new LinkRoute("boots", 8, 3, 1, "https://shop.example.com/boots?size=9", "rcid") };
    private static final int BURST = 3;

    @TempDir
    Path dir;

    @AutoClose
    private EdgeFixture edge;

    @Test
    void shouldAnswer429WithRetryAfterOnceAnAddressHasSpentItsBurst() throws Exception
    {
        // Given an edge that answers 429 over a limit of 1 hit a minute per address, burst 3
        edge = launch(context -> context.rateLimitAction("429").rateLimitExempt("").rateLimitAddress("1/m", BURST));

        // When one address clicks four times at once
        for (int i = 0; i < BURST; i++)
        {
            assertEquals(302, edge.get("/r/tents").statusCode());
        }
        final HttpResponse<String> limited = edge.get("/r/tents");

        // Then the fourth gets 429 with Retry-After, and only the first three are clicks
        assertEquals(429, limited.statusCode());
        final long retryAfterSeconds = Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retryAfterSeconds > 0 && retryAfterSeconds <= 60, "Retry-After " + retryAfterSeconds);
        assertEquals(BURST, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));
        assertEquals(1, edge.server.context().counters().get(TrackerCounter.RATE_LIMITED_ADDRESS));
    }

    @Test
    void shouldRedirectWithoutCreditOverTheLimitByDefault() throws Exception
    {
        // Given an edge with the default action over a limit of 1 hit a minute per address, burst 3
        edge = launch(context -> context.rateLimitExempt("").rateLimitAddress("1/m", BURST));
        for (int i = 0; i < BURST; i++)
        {
            edge.get("/r/tents");
        }

        // When the same address clicks again, with utm parameters
        final HttpResponse<String> limited = edge.get("/r/tents?utm_source=yt&sub1=x");

        // Then the shopper still lands on the destination, utm kept, with no click id, and no click is journaled
        assertEquals(302, limited.statusCode());
        assertEquals("https://shop.example.com/tents?utm_source=yt#top",
            limited.headers().firstValue("location").orElseThrow());
        assertEquals(BURST, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));
        assertEquals(1, edge.server.context().counters().get(TrackerCounter.RATE_LIMITED_ADDRESS));
    }

    @Test
    void shouldLimitALinkWhateverTheAddressAndLeaveOtherLinksAlone() throws Exception
    {
        // Given no per-address limit and a limit of 1 click a minute per link, burst 3
        edge = launch(context -> context.rateLimitAddress("0", 1).rateLimitLink("1/m", BURST));
        for (int i = 0; i < BURST; i++)
        {
            edge.get("/r/tents");
        }

        // When the link is clicked once more, and another link once
        final HttpResponse<String> limited = edge.get("/r/tents");
        final HttpResponse<String> other = edge.get("/r/boots");

        // Then the limited click lands without a click id, the other link's click is credited as usual
        assertEquals("https://shop.example.com/tents#top", limited.headers().firstValue("location").orElseThrow());
        assertTrue(other.headers().firstValue("location").orElseThrow()
            .matches("https://shop\\.example\\.com/boots\\?size=9&rcid=[-0-9A-Za-z_]{22}"));
        assertEquals(BURST + 1, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));
        assertEquals(1, edge.server.context().counters().get(TrackerCounter.RATE_LIMITED_LINK));
    }

    @Test
    void shouldNotLimitAddressesOnTheExemptListSuchAsALocalProxy() throws Exception
    {
        // Given a limit of 1 hit a minute per address, burst 1, and the default exempt list (loopback)
        edge = launch(context -> context.rateLimitAddress("1/m", 1));

        // When the local address clicks five times at once
        for (int i = 0; i < 5; i++)
        {
            edge.get("/r/tents");
        }

        // Then every click is journaled
        assertEquals(5, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));
        assertEquals(0, edge.server.context().counters().get(TrackerCounter.RATE_LIMITED_ADDRESS));
    }

    @Test
    void shouldServeThePixelButJournalNothingOverTheLimit() throws Exception
    {
        // Given an address that has spent its burst of 3 on pixel hits
        edge = launch(context -> context.rateLimitExempt("").rateLimitAddress("1/m", BURST));
        for (int i = 0; i < BURST; i++)
        {
            edge.get("/p.gif");
        }

        // When the page loads the pixel again
        final HttpResponse<String> limited = edge.get("/p.gif");

        // Then the page gets its GIF, and the hit is not journaled
        assertEquals(200, limited.statusCode());
        assertEquals("image/gif", limited.headers().firstValue("content-type").orElseThrow());
        assertEquals(BURST, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_PIXEL));
    }

    @Test
    void shouldRefuseToStartWithAnUnknownActionNamingTheSetting()
    {
        final IllegalArgumentException error = concludeFails(context -> context.rateLimitAction("drop"));

        assertTrue(error.getMessage().startsWith(TrackerConfiguration.RATE_LIMIT_ACTION_PROP_NAME + "=drop"),
            error.getMessage());
    }

    @Test
    void shouldRefuseToStartWithAnExemptEntryThatIsNotAnAddressNamingTheSetting()
    {
        // A host name is refused rather than looked up: the edge resolves no names.
        final IllegalArgumentException error =
            concludeFails(context -> context.rateLimitExempt("127.0.0.0/8,proxy.internal"));

        assertTrue(error.getMessage().startsWith(TrackerConfiguration.RATE_LIMIT_EXEMPT_PROP_NAME + "="),
            error.getMessage());
    }

    @Test
    void shouldRefuseToStartWithATableSizeThatIsNotAPowerOfTwoNamingTheSetting()
    {
        System.setProperty(TrackerConfiguration.RATE_LIMIT_SLOTS_PROP_NAME, "3000");
        try
        {
            final IllegalArgumentException error = concludeFails(context -> context);

            assertTrue(error.getMessage().startsWith(TrackerConfiguration.RATE_LIMIT_SLOTS_PROP_NAME + "=3000"),
                error.getMessage());
        }
        finally
        {
            System.clearProperty(TrackerConfiguration.RATE_LIMIT_SLOTS_PROP_NAME);
        }
    }

    private IllegalArgumentException concludeFails(final UnaryOperator<TrackerServer.Context> settings)
    {
        try (Journal journal = Journal.open(new Journal.Context().dir(dir)))
        {
            final TrackerServer.Context context = settings.apply(
                new TrackerServer.Context().journal(journal).linkDirectory(new LinkDirectory()));
            return assertThrows(IllegalArgumentException.class, context::conclude);
        }
    }

    private EdgeFixture launch(final UnaryOperator<TrackerServer.Context> settings) throws InterruptedException
    {
        return new EdgeFixture(dir, context -> settings.apply(context.botClassifier("tokens")), LINKS);
    }
}
