package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal's free-space watermark, driven through the injectable free-space source on a real edge and journal.
 */
class JournalLowSpaceTest
{
    static final String API_KEY = "sk_test_program_key_123";
    static final LinkRoute[] LINKS = {new LinkRoute("home", 8, 3, 4, "https://shop.example.com/", "rcid")};
    static final ProgramRoute SHOP = new ProgramRoute("shop", 4, "USD", "rcid", API_KEY, null, null, "pb-secret-1");
    private static final long MIN_FREE = 64L << 20;

    @TempDir
    Path dir;

    private final AtomicLong usableBytes = new AtomicLong(10L << 30);
    @AutoClose
    private EdgeFixture edge;

    @Test
    void shouldRefuseConversionsButStillRedirectClicksWhileLowOnSpaceAndRecoverWhenSpaceReturns() throws Exception
    {
        // Given an edge with the default click policy, ready, on a disk with plenty of room
        edge = launch("redirect");
        edge.awaitReadyz(200);

        // When the journal's disk drops below the watermark
        usableBytes.set(MIN_FREE - 1);

        // Then /readyz says not ready, and why
        final HttpResponse<String> readyz = edge.awaitReadyz(503);
        assertTrue(readyz.body().contains("journal disk low on space"), readyz.body());
        assertTrue(edge.get("/metrics").body().contains("ricochet_tracker_journal_low_space 1\n"));

        // And a conversion, a Stripe webhook and a postback are answered 503 with Retry-After and appended nowhere
        assertLowSpace(edge.post("/v1/conversions", API_KEY, conversion("order-1")));
        assertLowSpace(edge.post("/webhooks/stripe/shop", API_KEY, "{}"));
        assertLowSpace(edge.get("/postback?program=shop&order_id=order-2&amount=100&token=pb-secret-1"));
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
        assertEquals(3, counter(TrackerCounter.JOURNAL_LOW_SPACE_REJECTIONS));

        // And a click still lands on the shop, unjournaled and counted as such, with no click id (an id would promise
        // a journaled click); so does the pixel
        final HttpResponse<String> click = edge.get("/r/home");
        assertEquals(302, click.statusCode());
        assertEquals("https://shop.example.com/", click.headers().firstValue("location").orElseThrow());
        assertEquals(200, edge.get("/p.gif").statusCode());
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_PIXEL));
        assertEquals(2, counter(TrackerCounter.CLICKS_UNJOURNALED));
        assertEquals(0, counter(TrackerCounter.CLICKS_RECORDED));

        // When space returns
        usableBytes.set(MIN_FREE);

        // Then the edge is ready again by itself, and the retried conversion and a new click are journaled
        assertRecovered(edge, "order-1", 1);
        assertEquals(1, counter(TrackerCounter.CLICKS_RECORDED));
        assertTrue(edge.get("/metrics").body().contains("ricochet_tracker_journal_low_space 0\n"));
    }

    @Test
    void shouldAnswerClicksAndPixelHits503WhileLowOnSpaceUnderTheUnavailablePolicy() throws Exception
    {
        // Given an edge whose clicks fail closed, started on a disk already below the watermark
        usableBytes.set(1);
        edge = launch("unavailable");

        // When a shopper clicks and a page loads the pixel (no wait: the first check runs before the first request)
        final HttpResponse<String> click = edge.get("/r/home");
        final HttpResponse<String> pixel = edge.get("/p.gif");

        // Then both are refused with Retry-After, and nothing is journaled
        assertLowSpace(click);
        assertLowSpace(pixel);
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));
        assertEquals(0, counter(TrackerCounter.CLICKS_UNJOURNALED));
        assertEquals(2, counter(TrackerCounter.JOURNAL_LOW_SPACE_REJECTIONS));
    }

    @Test
    void shouldIgnoreFreeSpaceWhenTheWatermarkIsOff() throws Exception
    {
        // Given an edge with the watermark off, on a disk that reports almost nothing free
        usableBytes.set(1);
        edge = new EdgeFixture(dir, context -> context.journalMinFreeBytes(0).journalUsableSpace(usableBytes::get),
            LINKS, SHOP);

        // Then it is ready and journals as usual
        edge.awaitReadyz(200);
        assertEquals(302, edge.get("/r/home").statusCode());
        assertEquals(1, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));
    }

    @Test
    void shouldRejectAnUnknownLowSpacePolicyOrAMalformedWatermarkNamingTheKey()
    {
        try (Journal journal = Journal.open(new Journal.Context().dir(dir)))
        {
            final TrackerServer.Context badPolicy = new TrackerServer.Context().journalLowSpaceClicks("drop")
                .journal(journal).linkDirectory(new LinkDirectory());
            final IllegalArgumentException policy = assertThrows(IllegalArgumentException.class, badPolicy::conclude);
            assertTrue(policy.getMessage().startsWith(TrackerConfiguration.JOURNAL_LOW_SPACE_CLICKS_PROP_NAME +
                "=drop"),
                policy.getMessage());

            final TrackerServer.Context negative = new TrackerServer.Context().journalMinFreeBytes(-1)
                .journal(journal).linkDirectory(new LinkDirectory());
            final IllegalArgumentException size = assertThrows(IllegalArgumentException.class, negative::conclude);
            assertTrue(size.getMessage().startsWith(TrackerConfiguration.JOURNAL_MIN_FREE_PROP_NAME + "=-1"),
                size.getMessage());
        }
    }

    private EdgeFixture launch(final String lowSpaceClicks) throws InterruptedException
    {
        return new EdgeFixture(dir, context -> context.journalMinFreeBytes(MIN_FREE)
            .journalUsableSpace(usableBytes::get).journalLowSpaceClicks(lowSpaceClicks), LINKS, SHOP);
    }

    private long counter(final TrackerCounter counter)
    {
        return edge.server.context().counters().get(counter);
    }

    static String conversion(final String orderId)
    {
        return "{\"programId\":\"shop\",\"externalId\":\"" + orderId + "\",\"kind\":\"sale\",\"amount\":12345}";
    }

    /**
     * Waits for {@code /readyz} to be ready again, then checks a retried conversion and a new click are journaled.
     */
    static void assertRecovered(final EdgeFixture edge, final String orderId, final int conversionsJournaled)
        throws Exception
    {
        edge.awaitReadyz(200);
        final HttpResponse<String> accepted = edge.post("/v1/conversions", API_KEY, conversion(orderId));
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertEquals(302, edge.get("/r/home").statusCode());
        assertEquals(conversionsJournaled,
            EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
        assertEquals(1, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));
    }

    static void assertLowSpace(final HttpResponse<String> response)
    {
        assertEquals(503, response.statusCode(), response.body());
        assertEquals(String.valueOf(Responses.LOW_SPACE_RETRY_AFTER_S),
            response.headers().firstValue("retry-after").orElse("none"));
        assertTrue(response.body().contains("journal disk low on space"), response.body());
    }
}
