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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A header that two hops could read differently is refused, not guessed: Host exactly once (RFC 9112 section 3.2,
 * none allowed in HTTP/1.0), and a conversion's credentials and routing headers at most once (docs/edge.md,
 * "Ambiguous headers").
 */
class AmbiguousHeadersTest
{
    private static final String API_KEY = "sk_key_0123456789";

    @TempDir
    Path dir;

    @AutoClose
    private EdgeFixture edge;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir,
            new LinkRoute[]{ new LinkRoute("home", 8, 3, 1, "https://shop.example.com/", "rcid") },
            new ProgramRoute("shop", 4, "USD", "rcid", API_KEY, "whsec_1", "shpss_1", null));
    }

    @Test
    void refusesAnHttp11RequestWithoutHostWith400AndRecordsNoClick() throws Exception
    {
        final String answer = RawHttp.exchange(port(), "GET /r/home HTTP/1.1\r\nUser-Agent: " + EdgeFixture.BROWSER +
            "\r\n\r\n");

        assertEquals(400, RawHttp.status(answer), answer);
        assertTrue(answer.contains("connection: close"), answer);
        assertEquals(0, clicks());
    }

    @Test
    void refusesARequestWithTwoHostsWith400AndRecordsNoClick() throws Exception
    {
        final String answer = RawHttp.exchange(port(), "GET /r/home HTTP/1.1\r\nHost: go.example\r\n" +
            "Host: evil.example\r\nUser-Agent: " + EdgeFixture.BROWSER + "\r\n\r\n");

        assertEquals(400, RawHttp.status(answer), answer);
        assertEquals(0, clicks());
    }

    @Test
    void refusesTwoHostsInHttp10Too() throws Exception
    {
        final String answer = RawHttp.exchange(port(), "GET /r/home HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n");

        assertEquals(400, RawHttp.status(answer.replace("HTTP/1.0", "HTTP/1.1")), answer);
    }

    @Test
    void servesAnHttp10RequestWithoutHost() throws Exception
    {
        final String answer = RawHttp.exchange(port(), "GET /r/home HTTP/1.0\r\nUser-Agent: " + EdgeFixture.BROWSER +
            "\r\n\r\n");

        assertEquals(302, RawHttp.status(answer), answer);
        assertEquals(1, clicks());
    }

    @Test
    void refusesAConversionWithTwoAuthorizationHeaders() throws Exception
    {
        final String body = "{\"programId\":\"shop\",\"externalId\":\"o-1\",\"amount\":100}";
        final String answer = RawHttp.exchange(port(), "POST /v1/conversions HTTP/1.1\r\nHost: x\r\n" +
            "Authorization: Bearer wrong\r\nAuthorization: Bearer " + API_KEY + "\r\n" +
            "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" +
            body);

        assertEquals(400, RawHttp.status(answer), answer);
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
    }

    @Test
    void refusesAStripeWebhookWithTwoSignatureHeaders() throws Exception
    {
        final String answer = RawHttp.exchange(port(), "POST /webhooks/stripe/shop HTTP/1.1\r\nHost: x\r\n" +
            "Stripe-Signature: t=1,v1=00\r\nStripe-Signature: t=2,v1=11\r\nContent-Length: 2\r\n" +
            "Connection: close\r\n\r\n{}");

        assertEquals(400, RawHttp.status(answer), answer);
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_DEAD_LETTER));
    }

    @Test
    void refusesAShopifyWebhookWithTwoTopics() throws Exception
    {
        final String answer = RawHttp.exchange(port(), "POST /webhooks/shopify/shop HTTP/1.1\r\nHost: x\r\n" +
            "X-Shopify-Hmac-Sha256: AAAA\r\nX-Shopify-Topic: orders/create\r\nX-Shopify-Topic: refunds/create\r\n" +
            "Content-Length: 2\r\nConnection: close\r\n\r\n{}");

        assertEquals(400, RawHttp.status(answer), answer);
    }

    private int port()
    {
        return edge.server.port();
    }

    private int clicks()
    {
        return EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK);
    }
}
