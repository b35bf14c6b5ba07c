package dev.ricochet.tracker;

import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.HmacSha256;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The click parameter read back from a Shopify order's landing site: a landing URL that names it twice with two ids
 * (the edge's and one appended after it) credits neither, rather than whichever a parser happens to take (docs/edge.md,
 * "Redirect integrity").
 */
class LandingSiteClickIdTest
{
    private static final String SECRET = "shpss_landing_0123456789";
    private static final String OURS = "-0cUpCA8VobNMR3l0Rz5ln";
    private static final String FORGED = "-0cUpCA8VobNMR3l0Rz5lm";

    @TempDir
    Path dir;

    @AutoClose
    private EdgeFixture edge;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir, new LinkRoute[0], new ProgramRoute("shop", 3, "USD", "utm_id", null, null, SECRET,
            null));
    }

    @Test
    void creditsNoClickWhenTheLandingSiteGivesTheClickParameterTwoValues() throws Exception
    {
        order("1001", "/landing?utm_id=" + OURS + "&utm_id=" + FORGED);

        assertEquals(List.of("1001|none"), journaled());
    }

    @Test
    void creditsTheClickWhenTheLandingSiteGivesItOnce() throws Exception
    {
        order("1002", "/landing?utm_id=" + OURS + "&utm_source=mail");

        assertEquals(List.of("1002|" + OURS), journaled());
    }

    private void order(final String id, final String landingSite) throws Exception
    {
        final String body = "{\"id\":" + id + ",\"currency\":\"USD\",\"total_price\":\"10.00\",\"landing_site\":\"" +
            landingSite + "\"}";
        final int status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + edge.server.port() + "/webhooks/shopify/shop"))
            .header("X-Shopify-Topic", "orders/create")
            .header("X-Shopify-Hmac-Sha256", Base64.getEncoder().encodeToString(
                HmacSha256.of(SECRET, body.getBytes(StandardCharsets.UTF_8))))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
        assertEquals(200, status);
    }

    private List<String> journaled()
    {
        final ConversionEventFlyweight c = new ConversionEventFlyweight();
        return EdgeFixture.journaled(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION, buffer ->
        {
            c.wrap(buffer, 0);
            return c.externalId() + "|" + (c.hasFlag(ConversionEventFlyweight.FLAG_HAS_CLICK_ID) ?
                IdCodec.toString(c.clickIdHi(), c.clickIdLo()) : "none");
        });
    }
}
