package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ricochet.ingest.test.RawHttp.readToEnd;
import static dev.ricochet.ingest.test.RawHttp.statuses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Item 4 of issue 15 at the edge, through real sockets: no work sized by a number the client declares before it is
 * trusted. A body's buffer grows with the bytes that arrive, all bodies in flight share one budget, and a body that
 * trickles is cut at its deadline.
 */
class UntrustedWorkTest
{
    static final String API_KEY = "sk_untrusted_work_key_1";

    @TempDir
    Path dir;

    @Test
    void holdsOnlyTheBytesThatArrivedForBodiesThatDeclareTheLargestLength() throws Exception
    {
        // Given an edge whose bodies in flight may take 512 KiB in all, two full-size bodies
        try (EdgeFixture edge = edge(dir, context -> context.bodiesInFlightMaxBytes(512 * 1024)))
        {
            final List<Socket> sockets = new ArrayList<>();
            try
            {
                // When 200 connections each declare a 256 KiB conversion body and send 10 bytes of it
                for (int i = 0; i < 200; i++)
                {
                    final Socket socket = new Socket("127.0.0.1", edge.server.port());
                    sockets.add(socket);
                    socket.getOutputStream().write(("POST /v1/conversions HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                        (256 * 1024) + "\r\n\r\n{\"program\"").getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                }
                final BodyBudget budget = edge.server.bodyBudget();
                awaitTrue(() -> budget.inFlightBytes() == 200 * 10);

                // Then the edge holds 2,000 bytes for them, not 200 x 256 KiB, and a whole conversion still fits
                assertEquals(2_000, budget.inFlightBytes());
                assertEquals(200, status(exchange(edge, conversion("order-1", "keep-alive"))));
            }
            finally
            {
                for (final Socket socket : sockets)
                {
                    socket.close();
                }
            }
            // And once those connections are gone, so are their bytes
            awaitTrue(() -> edge.server.bodyBudget().inFlightBytes() == 0);
        }
    }

    @Test
    void refusesABodyPastTheGlobalBudgetWith503RetryAfterAndClosesItsConnection() throws Exception
    {
        // Given an edge whose bodies in flight may take 4 KiB in all, and a sender halfway through a 4,000-byte body
        try (EdgeFixture edge = edge(dir, context -> context.maxBodySize(4096).bodiesInFlightMaxBytes(4096));
            Socket first = new Socket("127.0.0.1", edge.server.port());
            Socket second = new Socket("127.0.0.1", edge.server.port()))
        {
            first.setSoTimeout(10_000);
            second.setSoTimeout(10_000);
            final String padded = conversionJson("order-2", 4_000);
            first.getOutputStream().write(head("close", padded.length()).concat(padded.substring(0, 3_000))
                .getBytes(StandardCharsets.US_ASCII));
            awaitTrue(() -> edge.server.bodyBudget().inFlightBytes() == 3_000);

            // When a second sender's body would take the budget past 4 KiB
            second.getOutputStream().write((head("close", 2_000) + "x".repeat(2_000))
                .getBytes(StandardCharsets.US_ASCII));
            final String refused = readToEnd(second);

            // Then it gets 503 with Retry-After and its connection is closed, nothing recorded
            assertEquals(503, status(refused), refused);
            assertTrue(refused.toLowerCase().contains("retry-after: 1"), refused);
            assertEquals(1, edge.server.context().counters().get(TrackerCounter.BODY_BUDGET_REFUSED));

            // And the first body, within the budget, completes and is recorded
            first.getOutputStream().write(padded.substring(3_000).getBytes(StandardCharsets.US_ASCII));
            assertEquals(200, status(readToEnd(first)));
            assertEquals(1, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
            awaitTrue(() -> edge.server.bodyBudget().inFlightBytes() == 0);
        }
    }

    @Test
    void cutsABodyThatTricklesWith408AtTheBodyDeadline() throws Exception
    {
        // Given an edge whose bodies must arrive within 300 ms of their head
        try (EdgeFixture edge = edge(dir, context -> context.bodyTimeoutMs(300));
            Socket socket = new Socket("127.0.0.1", edge.server.port()))
        {
            socket.setSoTimeout(10_000);
            final String body = conversionJson("order-3", 0);
            socket.getOutputStream().write(head("close", body.length()).getBytes(StandardCharsets.US_ASCII));

            // When the sender trickles its body a byte at a time, never idle and never done
            String answer = "";
            for (int i = 0; i < body.length() - 1 && answer.isEmpty(); i++)
            {
                try
                {
                    socket.getOutputStream().write(body.charAt(i));
                    socket.getOutputStream().flush();
                }
                catch (final IOException closed)
                {
                    break;
                }
                Thread.sleep(50);
                answer = readAvailable(socket);
            }
            answer += readToEnd(socket);

            // Then it gets 408, the connection is closed, nothing is recorded and the bytes it held are returned
            assertEquals(408, status(answer), answer);
            assertTrue(answer.contains("request body not received within 300 ms"), answer);
            assertEquals(1, edge.server.context().counters().get(TrackerCounter.SLOW_REQUESTS));
            assertEquals(0, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
            awaitTrue(() -> edge.server.bodyBudget().inFlightBytes() == 0);
        }
    }

    static EdgeFixture edge(final Path dir, final UnaryOperator<TrackerServer.Context> settings)
        throws InterruptedException
    {
        return new EdgeFixture(dir, settings, new LinkRoute[]{
            new LinkRoute("home", 8, 3, 1, "https://shop.example.com/", "rcid") },
            new ProgramRoute("shop", 4, "USD", "rcid", API_KEY, null, null, null));
    }

    /**
     * @param connection the request's {@code Connection} header value.
     * @return a complete, valid API conversion request.
     */
    static String conversion(final String externalId, final String connection)
    {
        final String json = conversionJson(externalId, 0);
        return head(connection, json.length()) + json;
    }

    static String head(final String connection, final int contentLength)
    {
        return "POST /v1/conversions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + API_KEY +
            "\r\nContent-Type: application/json\r\nConnection: " + connection + "\r\nContent-Length: " +
            contentLength + "\r\n\r\n";
    }

    /**
     * @param length the body's length, padded with spaces, or 0 for no padding.
     */
    static String conversionJson(final String externalId, final int length)
    {
        final String json = "{\"programId\":\"shop\",\"externalId\":\"" + externalId + "\",\"kind\":\"sale\"," +
            "\"amount\":1000,\"currency\":\"USD\"}";
        return 0 == length ? json : json + " ".repeat(length - json.length());
    }

    /**
     * Send the bytes on a new connection, then read until the edge closes it.
     */
    static String exchange(final EdgeFixture edge, final String request) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", edge.server.port()))
        {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return readResponses(socket.getInputStream(), 1);
        }
    }

    static int status(final String answer)
    {
        final List<Integer> statuses = statuses(answer);
        return statuses.isEmpty() ? -1 : statuses.get(0);
    }

    /**
     * Read until {@code count} complete responses (heads with a Content-Length body) arrived, or the server closed.
     */
    static String readResponses(final InputStream in, final int count) throws IOException
    {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        int complete = 0;
        while (complete < count)
        {
            final StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n"))
            {
                final int b = in.read();
                if (-1 == b)
                {
                    return all.toString(StandardCharsets.ISO_8859_1) + head;
                }
                head.append((char)b);
            }
            final Matcher length = Pattern.compile("(?mi)^content-length: (\\d+)").matcher(head);
            final int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
            all.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            all.writeBytes(in.readNBytes(bodyLength));
            complete++;
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    private static String readAvailable(final Socket socket) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final int available = in.available();
        return available > 0 ? new String(in.readNBytes(available), StandardCharsets.ISO_8859_1) : "";
    }

    /**
     * Wait for a state the edge reaches on its own threads; a bound on attempts, not a measurement.
     */
    static void awaitTrue(final BooleanSupplier condition) throws InterruptedException
    {
        for (int attempt = 0; attempt < 2_000; attempt++)
        {
            if (condition.getAsBoolean())
            {
                return;
            }
            Thread.sleep(5);
        }
        assertTrue(condition.getAsBoolean(), "never reached");
    }
}
