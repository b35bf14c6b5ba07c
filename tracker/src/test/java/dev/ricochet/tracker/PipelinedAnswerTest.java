package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static dev.ricochet.ingest.test.RawHttp.readToEnd;
import static dev.ricochet.ingest.test.RawHttp.statuses;
import static dev.ricochet.tracker.UntrustedWorkTest.conversion;
import static dev.ricochet.tracker.UntrustedWorkTest.edge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Item 5 of issue 15, through real sockets: a journaled conversion is always answered, however its requests are
 * pipelined or its connection is closed.
 */
class PipelinedAnswerTest
{
    private static final String CLICK_CLOSE = "GET /r/home HTTP/1.1\r\nHost: x\r\nUser-Agent: " + EdgeFixture.BROWSER +
        "\r\nConnection: close\r\n\r\n";

    @TempDir
    Path dir;

    @Test
    void answersEveryJournaledConversionOfAPipelineDeeperThanTheLimitAndRefusesTheRestUnjournaled() throws Exception
    {
        try (EdgeFixture edge = edge(dir, context -> context);
            Socket socket = new Socket("127.0.0.1", edge.server.port()))
        {
            socket.setSoTimeout(10_000);
            // When a sender pipelines 200 conversions in one write, more than Netty's own depth of 128
            final StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < 200; i++)
            {
                pipeline.append(conversion("order-" + i, "keep-alive"));
            }
            socket.getOutputStream().write(pipeline.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            final List<Integer> answers = statuses(readToEnd(socket));

            // Then every conversion journaled was answered 200; the first one over the depth got 503 and the
            // connection closed; none of the refused ones was journaled; nothing threw
            final int journaled = EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION);
            final long accepted = answers.stream().filter(status -> 200 == status).count();
            assertEquals(journaled, accepted, answers.toString());
            assertTrue(journaled >= HttpPipelineGate.MAX_PIPELINED_REQUESTS, answers.toString());
            assertTrue(journaled < 200, answers.toString());
            assertEquals(journaled + 1, answers.size(), answers.toString());
            assertEquals(503, answers.get(answers.size() - 1), answers.toString());
            assertEquals(1, edge.server.context().counters().get(TrackerCounter.PIPELINE_REFUSED));
            assertEquals(0, edge.server.context().counters().get(TrackerCounter.UNEXPECTED_ERRORS));
        }
    }

    @Test
    void processesNothingPipelinedAfterARequestThatClosesTheConnection() throws Exception
    {
        try (EdgeFixture edge = edge(dir, context -> context);
            Socket socket = new Socket("127.0.0.1", edge.server.port()))
        {
            socket.setSoTimeout(10_000);
            // When a click saying Connection: close is followed on the connection by two conversions
            socket.getOutputStream().write((CLICK_CLOSE + conversion("order-a", "keep-alive") +
                conversion("order-b", "keep-alive")).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            // Then only the click is answered, the connection closes, and neither conversion is journaled (a later
            // conversion's answer comes from the same grouped writer, after any conversion offered before it)
            assertEquals(List.of(302), statuses(readToEnd(socket)));
            assertEquals(200, UntrustedWorkTest.status(UntrustedWorkTest.exchange(edge, conversion("later", "close"))));
            assertEquals(1, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
        }
    }

    @Test
    void answersAConversionThatClosesTheConnectionAndProcessesNothingAfterIt() throws Exception
    {
        try (EdgeFixture edge = edge(dir, context -> context);
            Socket socket = new Socket("127.0.0.1", edge.server.port()))
        {
            socket.setSoTimeout(10_000);
            // When a conversion saying Connection: close is followed by another conversion
            socket.getOutputStream().write((conversion("order-c", "close") + conversion("order-d", "keep-alive"))
                .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            // Then the first is journaled and answered, the second neither
            assertEquals(List.of(200), statuses(readToEnd(socket)));
            assertEquals(200, UntrustedWorkTest.status(UntrustedWorkTest.exchange(edge, conversion("later", "close"))));
            assertEquals(2, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
        }
    }

    @Test
    void answersEveryConversionOfAClientThatHalfClosesAfterSendingThem() throws Exception
    {
        try (EdgeFixture edge = edge(dir, context -> context);
            Socket socket = new Socket("127.0.0.1", edge.server.port()))
        {
            socket.setSoTimeout(10_000);
            // When a sender writes three conversions and shuts down its output
            socket.getOutputStream().write((conversion("order-e", "keep-alive") + conversion("order-f", "keep-alive") +
                conversion("order-g", "keep-alive")).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.shutdownOutput();

            // Then all three are journaled and answered, and the edge closes once it has answered
            assertEquals(List.of(200, 200, 200), statuses(readToEnd(socket)));
            assertEquals(3, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION));
        }
    }

    @Test
    void answersAClickOfAClientThatHalfClosesAfterSendingIt() throws Exception
    {
        try (EdgeFixture edge = edge(dir, context -> context);
            Socket socket = new Socket("127.0.0.1", edge.server.port()))
        {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(CLICK_CLOSE.replace("Connection: close", "Connection: keep-alive")
                .getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();

            assertEquals(List.of(302), statuses(readToEnd(socket)));
            assertEquals(1, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));
        }
    }
}
