package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
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
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A catalog journaled before the admin API refused empty secrets may still hold {@code ""} (or whitespace) as a
 * program's Stripe, Shopify, postback or API secret. Such an intake is off: every request to it is answered 404,
 * none throws on the event loop ({@code Empty key}) and none is closed unanswered, and an empty postback token
 * never matches an empty secret.
 */
class EmptySecretIntakeTest
{
    private static final String ORDER = "{\"id\":\"evt_1\",\"type\":\"checkout.session.completed\"," +
        "\"data\":{\"object\":{\"id\":\"cs_1\",\"amount_total\":1000,\"currency\":\"usd\"}}}";

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();
    @AutoClose
    private EdgeFixture edge;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir, new LinkRoute[0],
            new ProgramRoute("empty", 1, "USD", "rcid", "", "", "", ""),
            new ProgramRoute("blank", 2, "USD", "rcid", " ", "\t", "  ", " "));
    }

    @Test
    void shouldAnswerEveryIntakeOfAProgramWithEmptyOrBlankSecretsWith404AndJournalNothing() throws Exception
    {
        for (final String program : new String[]{ "empty", "blank" })
        {
            // When each intake is called without a signature, with an empty one, or with an empty token or key
            final HttpResponse<String> stripe = post("/webhooks/stripe/" + program, "Stripe-Signature", "t=1,v1=",
                ORDER);
            final HttpResponse<String> stripeUnsigned = post("/webhooks/stripe/" + program, null, null, ORDER);
            final HttpResponse<String> shopify = post("/webhooks/shopify/" + program, "X-Shopify-Hmac-Sha256", "",
                "{\"id\":1}");
            final HttpResponse<String> postback = edge.get("/postback?program=" + program +
                "&order_id=o1&amount=100&token=");
            final HttpResponse<String> api = post("/v1/conversions", "Authorization", "Bearer ",
                "{\"programId\":\"" + program + "\",\"externalId\":\"o1\",\"amount\":100}");

            // Then every one is answered 404: the intake is off
            assertAll(program,
                () -> assertEquals(404, stripe.statusCode(), stripe.body()),
                () -> assertEquals(404, stripeUnsigned.statusCode(), stripeUnsigned.body()),
                () -> assertEquals(404, shopify.statusCode(), shopify.body()),
                () -> assertEquals(404, postback.statusCode(), postback.body()),
                () -> assertEquals(404, api.statusCode(), api.body()));
        }

        // And nothing was journaled, nothing threw, and the edge still serves
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
        final String metrics = edge.get("/metrics").body();
        assertTrue(metrics.contains("ricochet_tracker_unexpected_errors_total 0\n"), metrics);
        assertEquals(200, edge.get("/healthz").statusCode());
    }

    private HttpResponse<String> post(final String path, final String header, final String value, final String body)
        throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + edge.server.port() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
        if (null != header)
        {
            request.header(header, value);
        }
        if (path.startsWith("/webhooks/shopify/"))
        {
            request.header("X-Shopify-Topic", "orders/create");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
