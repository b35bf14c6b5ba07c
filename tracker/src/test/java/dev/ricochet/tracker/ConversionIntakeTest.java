package dev.ricochet.tracker;

import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.DeadLetterEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import dev.ricochet.ingest.test.RawHttp;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConversionIntakeTest
{
    private static final String API_KEY = "sk_test_program_key_123";
    private static final String CLICK_ID = "-0cUpCA8VobNMR3l0Rz5ln";

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();
    @AutoClose
    private EdgeFixture edge;
    private Journal journal;
    private TrackerServer server;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir, new LinkRoute[0], new ProgramRoute("shop", 4, "USD", "rcid", API_KEY, null, null,
            "pb-secret-1"),
            new ProgramRoute("nokey", 5, "USD", "rcid", null, null, null, null));
        journal = edge.journal;
        server = edge.server;
    }

    @Test
    void shouldAcceptAnApiConversionOnceDurableAndJournalEveryField() throws Exception
    {
        // When checkout posts a sale with the click id it was given
        final HttpResponse<String> response = postConversion(API_KEY,
            "{\"programId\":\"shop\",\"externalId\":\"order-1\"," +
            "\"kind\":\"sale\",\"amount\":12345,\"currency\":\"usd\",\"clickId\":\"" + CLICK_ID + "\"," +
            "\"customerId\":\"cus_9\",\"coupon\":\"SPRING10\"}");

        // Then it is accepted, and the journal holds it
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"status\":\"accepted\",\"duplicate\":false}", response.body());
        final List<String> conversions = journaledConversions();
        assertEquals(List.of("2|1|4|USD|12345|" + CLICK_ID + "|order-1||cus_9|SPRING10"), conversions);
    }

    @Test
    void shouldAnswerARetryAsADuplicateWithoutJournalingItAgain() throws Exception
    {
        final String body = "{\"programId\":\"shop\",\"externalId\":\"order-2\",\"amount\":500}";
        assertEquals("{\"status\":\"accepted\",\"duplicate\":false}", postConversion(API_KEY, body).body());
        assertEquals("{\"status\":\"accepted\",\"duplicate\":true}", postConversion(API_KEY, body).body());
        assertEquals(1, journaledConversions().size());
    }

    @Test
    void shouldRejectAMissingOrWrongApiKeyAndRecordNothing() throws Exception
    {
        final String body = "{\"programId\":\"shop\",\"externalId\":\"order-3\",\"amount\":500}";
        assertEquals(401, postConversion(null, body).statusCode());
        assertEquals(401, postConversion("sk_wrong", body).statusCode());
        assertEquals(404, postConversion(API_KEY, body.replace("shop", "nokey")).statusCode());
        assertEquals(404, postConversion(API_KEY, body.replace("shop", "unknown")).statusCode());
        assertEquals(0, journaledConversions().size());
    }

    @Test
    void shouldRejectBadBodiesNamingTheField() throws Exception
    {
        assertRejected(postConversion(API_KEY, "{\"programId\":\"shop\",\"externalId\":\"o\",\"amount\":1,\"tip\":2}"),
            400, "unknown field 'tip'");
        assertRejected(postConversion(API_KEY, "{\"programId\":\"shop\",\"externalId\":\"o\",\"amount\":12.5}"),
            400, "field 'amount' has the wrong type");
        assertRejected(postConversion(API_KEY, "{\"programId\":\"shop\",\"externalId\":\"o\",\"amount\":\"1299\"}"),
            400, "field 'amount' has the wrong type");
        assertRejected(postConversion(API_KEY, "{\"programId\":\"shop\",\"amount\":100}"), 400,
            "externalId is required");
        assertRejected(postConversion(API_KEY, "{\"programId\":\"shop\",\"externalId\":\"o\",\"amount\":-1}"),
            400, "amount must not be negative");
        assertRejected(postConversion(API_KEY, "{\"programId\":\"shop\",\"externalId\":\"o\",\"amount\":1," +
            "\"currency\":\"EUR\"}"), 400, "currency EUR differs from the program's currency USD");
        assertRejected(postConversion(API_KEY, "{\"programId\":\"shop\",\"externalId\":\"o\",\"amount\":1," +
            "\"clickId\":\"abc\"}"), 400, "clickId 'abc' is not a Ricochet click id");
        assertRejected(postConversion(API_KEY, "{\"programId\":\"shop\",\"externalId\":\"r\",\"kind\":\"refund\"," +
            "\"amount\":1}"), 400, "originalExternalId is required");
        assertRejected(postConversion(API_KEY, "{\"programId\":\"shop\",\"externalId\":\"o\",\"kind\":\"gift\"," +
            "\"amount\":1}"), 400, "kind must be one of");
        assertRejected(postConversion(API_KEY, "{\"programId\":"), 400, "malformed JSON");
        assertEquals(0, journaledConversions().size());
    }

    @Test
    void shouldRejectBodiesThatAreNotUtf8() throws Exception
    {
        // Given UTF-16 with its byte-order mark (Jackson would detect and read it)
        final String json = "{\"programId\":\"shop\",\"externalId\":\"o-16\",\"amount\":1}";
        assertRejected(postConversion(API_KEY, json.getBytes(StandardCharsets.UTF_16)), 400,
            "request body is not UTF-8");
        // And an overlong '/' and an encoded surrogate (both of which Jackson decodes), and a byte no UTF-8 has
        for (final String bytes : new String[]{ "\u00c0\u00af", "\u00ed\u00a0\u0080", "\u00ff" })
        {
            final byte[] body = ("{\"programId\":\"shop\",\"externalId\":\"" + bytes + "\",\"amount\":1}")
                .getBytes(StandardCharsets.ISO_8859_1);
            assertRejected(postConversion(API_KEY, body), 400, "request body is not UTF-8");
        }
        assertEquals(0, journaledConversions().size());
    }

    @Test
    void shouldRejectTextTheJournalCouldNotKeepAsSent() throws Exception
    {
        // Found by WebhookIntakeFuzzTest reading each recorded conversion back from its journal event: a coupon of
        // 40 'é' (80 bytes) was cut to 64 bytes, and an unpaired surrogate escape in an id was journaled as '?'
        assertRejected(postConversion(API_KEY, "{\"programId\":\"shop\",\"externalId\":\"o-c\",\"amount\":1," +
            "\"coupon\":\"" + "\u00e9".repeat(40) + "\"}"), 400, "coupon is longer than 64 bytes");
        assertRejected(postConversion(API_KEY, "{\"programId\":\"shop\",\"externalId\":\"o-\\ud800\",\"amount\":1}"),
            400, "externalId contains an unpaired surrogate");
        assertEquals(0, journaledConversions().size());
    }

    @Test
    void shouldAnswer400ToAPostbackWithAMalformedEscape() throws Exception
    {
        // Found by HttpPipelineFuzzTest: Netty's query decoder threw on the event loop and the connection closed
        // unanswered, counted as an unexpected error
        final String answer = RawHttp.exchange(server.port(),
            "GET /postback?program=shop&token=pb-secret-1&order_id=pb-9&amount=100&coupon=50%off HTTP/1.1\r\n" +
            "Host: x\r\n\r\n");
        assertEquals(400, RawHttp.status(answer), answer);
        assertEquals(0, server.context().counters().get(TrackerCounter.UNEXPECTED_ERRORS));
        assertEquals(0, journaledConversions().size());
    }

    @Test
    void shouldAnswer413ToAnOversizedBody() throws Exception
    {
        final String huge = "{\"programId\":\"shop\",\"externalId\":\"" + "x".repeat(300_000) + "\"}";
        assertEquals(413, postConversion(API_KEY, huge).statusCode());
        assertEquals(200, client.send(HttpRequest.newBuilder(uri("/healthz")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void shouldAnswer405ToAGetOnTheConversionsEndpoint() throws Exception
    {
        final HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/v1/conversions")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(405, response.statusCode());
        assertEquals("POST", response.headers().firstValue("allow").orElseThrow());
    }

    @Test
    void shouldAcceptAPostbackWithTheProgramsToken() throws Exception
    {
        final HttpResponse<String> response = get("/postback?program=shop&click_id=" + CLICK_ID +
            "&order_id=net-77&amount=2599&currency=USD&token=pb-secret-1");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(List.of("2|2|4|USD|2599|" + CLICK_ID + "|net-77|||"), journaledConversions());
    }

    @Test
    void shouldRejectPostbacksWithABadTokenOrDecimalAmount() throws Exception
    {
        assertRejected(get("/postback?program=shop&order_id=a&amount=1&token=nope"), 401, "invalid token");
        assertRejected(get("/postback?program=shop&order_id=a&amount=12.99&token=pb-secret-1"), 400,
            "not an integer number of minor units");
        assertRejected(get("/postback?program=shop&order_id=a&amount=1&token=pb-secret-1&foo=1"), 400,
            "unknown parameter 'foo'");
        assertRejected(get("/postback?program=shop&amount=1&token=pb-secret-1"), 400, "order_id is required");
        assertEquals(0, journaledConversions().size());
    }

    @Test
    void shouldRefuseAnApiAmountAboveTheBoundNamingTheFieldAndTheBound() throws Exception
    {
        // Given amounts past Money.MAX_AMOUNT (10^12 minor units): one past it, half a long (two of them sum past a
        // long, which gave negative revenue), and the largest long
        for (final String amount : new String[]{ "1000000000001", "5000000000000000000", "9223372036854775807" })
        {
            // When checkout posts a sale of each
            final HttpResponse<String> response = postConversion(API_KEY,
                "{\"programId\":\"shop\",\"externalId\":\"big-" + amount + "\",\"amount\":" + amount + "}");

            // Then it is refused, naming the field and the bound
            assertRejected(response, 400,
                "amount must be an integer number of minor units from 0 to 1000000000000, not " + amount);
        }
        // And digits past a long are refused too, naming the field
        final HttpResponse<String> pastLong = postConversion(API_KEY,
            "{\"programId\":\"shop\",\"externalId\":\"past\",\"amount\":9223372036854775808}");
        assertEquals(400, pastLong.statusCode(), pastLong.body());
        assertEquals("{\"error\":\"field 'amount' is past the range of a long\"}", pastLong.body());
        // And the bound itself is accepted
        assertEquals(200, postConversion(API_KEY,
            "{\"programId\":\"shop\",\"externalId\":\"max\",\"amount\":1000000000000}").statusCode());
        assertEquals(List.of("2|1|4|USD|1000000000000||max|||"), journaledConversions());
    }

    @Test
    void shouldRefuseAPostbackAmountAboveTheBoundNamingTheFieldAndTheBound() throws Exception
    {
        // Given postback amounts past the bound, up to the largest long and one past it
        for (final String amount : new String[]{ "1000000000001", "9223372036854775807", "9223372036854775808" })
        {
            // When the network calls the postback with each
            final HttpResponse<String> response = get("/postback?program=shop&order_id=n-" + amount + "&amount=" +
                amount + "&token=pb-secret-1");

            // Then it is refused, naming the field and the bound
            assertRejected(response, 400, "amount must be an integer number of minor units from 0 to 1000000000000");
        }
        assertEquals(0, journaledConversions().size());
    }

    @Test
    void shouldRefuseAPostbackAmountWrittenWithASignALeadingZeroOrNonAsciiDigits() throws Exception
    {
        // Given amounts Long.parseLong reads but the network's own records may not: a sign, leading zeros (octal to
        // some readers), fullwidth, Arabic-Indic and NKo digits, a minus zero
        for (final String amount : new String[]{ "%2B5", "0100", "00", "-0", "%EF%BC%91%EF%BC%92%EF%BC%93",
            "%D9%A3", "%DF%81" })
        {
            // When the network calls the postback with each
            final HttpResponse<String> response = get("/postback?program=shop&order_id=s-" + amount.hashCode() +
                "&amount=" + amount + "&token=pb-secret-1");

            // Then it is refused, saying how an amount is written
            assertRejected(response, 400, "in ASCII digits without sign or leading zero");
        }
        assertEquals(0, journaledConversions().size());

        // And the plain spellings are taken
        assertEquals(200, get("/postback?program=shop&order_id=plain-0&amount=0&token=pb-secret-1").statusCode());
        assertEquals(200, get("/postback?program=shop&order_id=plain-1&amount=1000000000000&token=pb-secret-1")
            .statusCode());
    }

    @Test
    void shouldKeepServingClicksWhileConversionsWaitForTheSync() throws Exception
    {
        for (int i = 0; i < 20; i++)
        {
            assertEquals(200, postConversion(API_KEY,
                "{\"programId\":\"shop\",\"externalId\":\"bulk-" + i + "\",\"amount\":100}").statusCode());
        }
        assertEquals(20, journaledConversions().size());
        assertEquals(20, server.context().counters().get(TrackerCounter.CONVERSIONS_RECORDED));
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrderWhileAConversionWaitsForItsSync() throws Exception
    {
        // Given a conversion and a health check sent back to back on one connection
        final String conversion = "{\"programId\":\"shop\",\"externalId\":\"pipe-1\",\"amount\":100}";
        final String requests = "POST /v1/conversions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + API_KEY +
            "\r\nContent-Length: " + conversion.length() + "\r\n\r\n" + conversion +
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            final StringBuilder received = new StringBuilder();
            final byte[] buffer = new byte[4096];
            while (!received.toString().contains("ok\n"))
            {
                final int n = socket.getInputStream().read(buffer);
                assertTrue(n > 0, "closed early: " + received);
                received.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }

            // Then the durable answer comes first, the health check second
            final String answers = received.toString();
            assertTrue(answers.indexOf("\"accepted\"") < answers.indexOf("ok\n"), answers);
        }
    }

    private void assertRejected(final HttpResponse<String> response, final int status, final String message)
    {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().contains(message), response.body());
        assertTrue(response.headers().firstValue("content-type").orElseThrow().startsWith("application/json"));
    }

    private HttpResponse<String> postConversion(final String apiKey, final String json) throws Exception
    {
        return postConversion(apiKey, json.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> postConversion(final String apiKey, final byte[] body) throws Exception
    {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(uri("/v1/conversions"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (null != apiKey)
        {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(final String path) throws Exception
    {
        return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private List<String> journaledConversions()
    {
        final List<String> conversions = new ArrayList<>();
        final ConversionEventFlyweight conversion = new ConversionEventFlyweight();
        try (JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            poller.poll((buffer, length, index) ->
            {
                final byte type = buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET);
                if (EventHeaderDescriptor.TYPE_CONVERSION == type)
                {
                    conversion.wrap(buffer, 0);
                    conversions.add(conversion.kind() + "|" + conversion.source() + "|" + conversion.programNumber() +
                        "|" + conversion.currency() + "|" + conversion.amountMinor() + "|" +
                        (conversion.hasFlag(ConversionEventFlyweight.FLAG_HAS_CLICK_ID) ?
                        IdCodec.toString(conversion.clickIdHi(), conversion.clickIdLo()) : "") + "|" +
                        conversion.externalId() + "|" + conversion.originalExternalId() + "|" +
                        conversion.customerId() + "|" + conversion.coupon());
                }
                else if (EventHeaderDescriptor.TYPE_DEAD_LETTER == type)
                {
                    conversions.add("dead:" + new DeadLetterEventFlyweight().wrap(buffer, 0).reason());
                }
            }, 10_000);
        }
        return conversions;
    }
}
