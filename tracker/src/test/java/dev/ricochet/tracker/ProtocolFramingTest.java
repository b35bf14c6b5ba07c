package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import dev.ricochet.ingest.test.RawHttp;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the HTTP framing rules of RFC 9110/9112 require of the edge beyond the codec's: a 100-continue expectation is
 * answered at once, a transfer coding other than chunked is 501, and a Host that is no host[:port] is 400
 * (docs/http.md, "Expectations and codings"; docs/edge.md, "Ambiguous headers").
 */
class ProtocolFramingTest
{
    private static final String API_KEY = "sk_key_0123456789";
    private static final String BODY = "{\"programId\":\"shop\",\"externalId\":\"o-1\",\"kind\":\"lead\"}";

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
    void answersA100ContinueExpectationBeforeTheBodyIsSentAndThenTheConversion() throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", edge.server.port()))
        {
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            out.write(("POST /v1/conversions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + API_KEY + "\r\n" +
                "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + BODY.length() +
                "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();

            final String interim = readHead(in); // blocks until the edge speaks: the body is not sent before
            assertTrue(interim.startsWith("HTTP/1.1 100 Continue"), interim);

            out.write(BODY.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertEquals(200, RawHttp.status(answer), answer);
        }
        assertEquals(1, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
    }

    @Test
    void refusesA100ContinueExpectationForATooLargeBodyAtOnceAndCloses() throws Exception
    {
        final String answer = RawHttp.exchange(edge.server.port(), "POST /v1/conversions HTTP/1.1\r\nHost: x\r\n" +
            "Authorization: Bearer " + API_KEY + "\r\nExpect: 100-continue\r\nContent-Length: 100000000\r\n\r\n");

        assertEquals(413, RawHttp.status(answer), answer);
        assertTrue(answer.contains("connection: close"), answer);
    }

    @Test
    void refusesATransferCodingOtherThanChunkedWith501AndRecordsNothing() throws Exception
    {
        final String answer = RawHttp.exchange(edge.server.port(), "POST /v1/conversions HTTP/1.1\r\nHost: x\r\n" +
            "Authorization: Bearer " + API_KEY + "\r\nContent-Type: application/json\r\n" +
            "Transfer-Encoding: gzip, chunked\r\n\r\n" + Integer.toHexString(BODY.length()) + "\r\n" + BODY +
            "\r\n0\r\n\r\n");

        assertEquals(501, RawHttp.status(answer), answer);
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
    }

    @Test
    void refusesTwoTransferEncodingFieldsWith501() throws Exception
    {
        final String answer = RawHttp.exchange(edge.server.port(), "POST /v1/conversions HTTP/1.1\r\nHost: x\r\n" +
            "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");

        assertEquals(501, RawHttp.status(answer), answer);
    }

    @Test
    void refusesAHostThatIsNotAHostAndPortWith400AndRecordsNoClick() throws Exception
    {
        for (final String host : new String[]{ "go.example, evil.example", "user@evil.example", "evil.example/x",
            "a:99999x", "a:65536", "a,b", "[::1]x", "a%zz" })
        {
            final String answer = RawHttp.exchange(edge.server.port(), "GET /r/home HTTP/1.1\r\nHost: " + host +
                "\r\nUser-Agent: " + EdgeFixture.BROWSER + "\r\n\r\n");

            assertEquals(400, RawHttp.status(answer), host + ": " + answer);
        }
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));
    }

    @Test
    void servesAHostWithPortOrIpv6Address() throws Exception
    {
        for (final String host : new String[]{ "go.example:8080", "[::1]:8080", "127.0.0.1" })
        {
            final String answer = RawHttp.exchange(edge.server.port(), "GET /r/home HTTP/1.1\r\nHost: " + host +
                "\r\nUser-Agent: " + EdgeFixture.BROWSER + "\r\nConnection: close\r\n\r\n");

            assertEquals(302, RawHttp.status(answer), host + ": " + answer);
        }
    }

    @Test
    void closesAConnectionOnceItsGetWithABrokenChunkedBodyIsAnsweredAndProcessesNothingAfterIt() throws Exception
    {
        final String answers = exchangeToClose("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" +
            "\r\nzz\r\nGET /r/home HTTP/1.1\r\nHost: x\r\nUser-Agent: " + EdgeFixture.BROWSER + "\r\n\r\n");

        assertTrue(answers.startsWith("HTTP/1.1 200 "), answers);
        assertEquals(1, answers.split("HTTP/1\\.1 ", -1).length - 1, answers);
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));
    }

    @Test
    void refusesAConversionWhoseChunkLineIsTooLongWith400NotAsATooLongUri() throws Exception
    {
        final String answer = RawHttp.exchange(edge.server.port(), "POST /v1/conversions HTTP/1.1\r\nHost: x\r\n" +
            "Authorization: Bearer " + API_KEY + "\r\nTransfer-Encoding: chunked\r\n\r\n5;" + "a".repeat(10_000) +
            "\r\nabcde\r\n0\r\n\r\n");

        assertEquals(400, RawHttp.status(answer), answer);
        assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
    }

    private String exchangeToClose(final String request) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", edge.server.port()))
        {
            socket.setSoTimeout(10_000); // the edge's idle timeout is 60 s: only a close on purpose ends this read
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String readHead(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4)
        {
            final int b = in.read();
            if (b < 0)
            {
                break;
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
