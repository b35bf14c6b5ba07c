package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.ricochet.ingest.test.RawHttp.readToEnd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays the hostile-input corpus ({@code src/test/resources/hostile/*.http}) against a real edge, one raw
 * connection per case, and checks each answer, that nothing smuggled was answered or journaled, that the edge never
 * answers a 5xx the case does not expect or counts an unexpected error, and that it keeps serving.
 *
 * <p>Each case is one file: {@code # key: value} lines, then the request bytes with escapes ({@code \r \n \t \\
 * \xNN}); {@code @} in the request is replaced by {@code unit} (default "a") repeated {@code repeat} times. Keys:
 * {@code why} (required), {@code expect} (statuses or {@code close}, separated by {@code |}), {@code responses}
 * (answers on the connection, default 1), {@code clicks} (journaled clicks, default 0), {@code location} (prefix of
 * the Location of a 302).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputCorpusTest
{
    private static final Path CORPUS = Path.of("src/test/resources/hostile");
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
    private static final String BROWSER_GET = "GET /r/home HTTP/1.1\r\nHost: x\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0\r\nConnection: close\r\n\r\n";

    @TempDir
    static Path dir;

    private EdgeFixture edge;

    @BeforeAll
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir, new LinkRoute[]{
            new LinkRoute("home", 8, 3, 1, "https://shop.example.com/", "rcid"),
            new LinkRoute("utmid", 9, 3, 1, "https://shop.example.com/", "utm_id"),
            new LinkRoute("preset", 10, 3, 1, "https://shop.example.com/?utm_id=evil&x=1", "utm_id") },
            new ProgramRoute("corpus", 4, "USD", "rcid", "corpus-api-key-0123456789", null, null,
            "corpus-postback-secret"));
    }

    @AfterAll
    void stopEdge()
    {
        edge.close();
    }

    @TestFactory
    Stream<DynamicTest> answersEveryHostileRequestWithoutA5xxAndKeepsServing() throws IOException
    {
        final List<Path> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(CORPUS))
        {
            files.filter(file -> file.toString().endsWith(".http")).sorted().forEach(cases::add);
        }
        assertTrue(cases.size() >= 30, "corpus at " + CORPUS.toAbsolutePath() + " has " + cases.size() + " cases");
        return cases.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> replay(file)));
    }

    @Test
    void closesAConnectionTricklingItsHeadersWith408AtTheHeaderDeadline() throws Exception
    {
        // Given an edge whose request heads must arrive within 1 s
        try (EdgeFixture slowEdge = edgeWithHeaderDeadline("slow", 1_000);
            Socket socket = new Socket("127.0.0.1", slowEdge.server.port()))
        {
            socket.setSoTimeout(5_000);
            final long startNs = System.nanoTime();

            // When a client sends a header byte every 100 ms, never idle and never done
            String answer = trickleHeadUntilAnswered(socket, 40, 100);
            answer += readToEnd(socket);

            // Then it gets a 408 once the deadline passes, well before its 4 s of trickling ends, and is closed
            final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
            assertTrue(elapsedMs < 3_000, "answered after " + elapsedMs + " ms");
            assertEquals(1, slowEdge.server.context().counters().get(TrackerCounter.SLOW_REQUESTS));
        }
    }

    @Test
    void leavesAKeepAliveConnectionBetweenRequestsToTheIdleTimeout() throws Exception
    {
        // Given an edge with a 300 ms header deadline and a client that made one request on a keep-alive connection
        try (EdgeFixture slowEdge = edgeWithHeaderDeadline("idle", 300);
            Socket socket = new Socket("127.0.0.1", slowEdge.server.port()))
        {
            socket.setSoTimeout(5_000);
            assertRedirectedKeepingAlive(socket);

            // When it waits past the header deadline before its next request
            Thread.sleep(700);

            // Then the next request is served: the deadline runs from a request's first byte, not between requests
            assertRedirectedKeepingAlive(socket);
            assertEquals(0, slowEdge.server.context().counters().get(TrackerCounter.SLOW_REQUESTS));
        }
    }

    @Test
    void runsTheHeaderDeadlineFromTheSlowRequestsOwnFirstByteOnABusyConnection() throws Exception
    {
        // Given an edge with a 600 ms header deadline and a keep-alive connection that just made a quick request
        try (EdgeFixture slowEdge = edgeWithHeaderDeadline("busy", 600);
            Socket socket = new Socket("127.0.0.1", slowEdge.server.port()))
        {
            socket.setSoTimeout(5_000);
            assertRedirectedKeepingAlive(socket);

            // When 400 ms later it starts a request whose head then trickles, one byte every 50 ms
            Thread.sleep(400);
            final long slowStartNs = System.nanoTime();
            final String answer = trickleHeadUntilAnswered(socket, 60, 50);
            final long elapsedMs = (System.nanoTime() - slowStartNs) / 1_000_000;

            // Then the 408 comes a full deadline after that request's first byte, not when a check armed by the
            // first request comes due 200 ms into it
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
            assertTrue(elapsedMs >= 550 && elapsedMs < 2_500, "answered " + elapsedMs + " ms into the slow request");
            assertEquals(1, slowEdge.server.context().counters().get(TrackerCounter.SLOW_REQUESTS));
        }
    }

    private EdgeFixture edgeWithHeaderDeadline(final String name, final long headerTimeoutMs) throws Exception
    {
        return new EdgeFixture(dir.resolve(name), context -> context.headerTimeoutMs(headerTimeoutMs),
            new LinkRoute[]{ new LinkRoute("home", 8, 3, 1, "https://shop.example.com/", "rcid") });
    }

    /**
     * Send a browser's click on a keep-alive connection and expect its 302.
     */
    private static void assertRedirectedKeepingAlive(final Socket socket) throws IOException
    {
        socket.getOutputStream().write(
            BROWSER_GET.replace("Connection: close\r\n", "").getBytes(StandardCharsets.US_ASCII));
        assertTrue(readHead(socket.getInputStream()).startsWith("HTTP/1.1 302 "));
    }

    /**
     * Start a request head, then send one more header byte every {@code intervalMs} until the edge answers, closes,
     * or {@code bytes} were sent.
     *
     * @return what the edge answered so far, or "" if nothing.
     */
    private static String trickleHeadUntilAnswered(final Socket socket, final int bytes, final long intervalMs)
        throws IOException, InterruptedException
    {
        socket.getOutputStream().write("GET /r/home HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(
            StandardCharsets.US_ASCII));
        String answer = "";
        for (int i = 0; i < bytes && answer.isEmpty(); i++)
        {
            try
            {
                socket.getOutputStream().write('a');
                socket.getOutputStream().flush();
            }
            catch (final IOException closed)
            {
                break;
            }
            Thread.sleep(intervalMs);
            answer = readAvailable(socket);
        }
        return answer;
    }

    private void replay(final Path file) throws IOException
    {
        final Case hostile = Case.read(file);
        final long clicksBefore = journaledClicks();
        final long errorsBefore = edge.server.context().counters().get(TrackerCounter.UNEXPECTED_ERRORS);

        final String answer = exchange(hostile.request);

        final Matcher statuses = STATUS_LINE.matcher(answer);
        final List<String> seen = new ArrayList<>();
        while (statuses.find())
        {
            seen.add(statuses.group(1));
        }
        final String context = hostile.why + "\n--- answer:\n" + answer;
        if (seen.isEmpty())
        {
            assertTrue(hostile.expect.contains("close"), "closed without an answer; " + context);
        }
        else
        {
            assertTrue(hostile.expect.contains(seen.get(0)), "answered " + seen.get(0) + "; " + context);
            assertEquals(hostile.responses, seen.size(), "answers on the connection; " + context);
        }
        for (final String status : seen)
        {
            // A 5xx only where the case expects it: 503 for a pipelined request refused unprocessed.
            assertTrue(status.charAt(0) != '5' || status.equals("501") || status.equals("505") ||
                hostile.expect.contains(status), context);
        }
        if (null != hostile.location)
        {
            final Matcher location = Pattern.compile("(?mi)^location: ([^\r\n]*)").matcher(answer);
            assertTrue(location.find() && location.group(1).startsWith(hostile.location), context);
            assertTrue(!location.group(1).contains("\n") && !location.group(1).contains("evil"), context);
        }
        assertEquals(hostile.clicks, journaledClicks() - clicksBefore, "clicks journaled; " + context);
        assertEquals(errorsBefore, edge.server.context().counters().get(TrackerCounter.UNEXPECTED_ERRORS), context);
        assertTrue(exchange(BROWSER_GET.getBytes(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 302 "),
            "the edge stopped serving after " + file.getFileName());
        // The follow-up's own click, so the next case starts from a known count.
        assertEquals(hostile.clicks + 1, journaledClicks() - clicksBefore);
    }

    /**
     * Send the bytes and read whatever comes back until the edge closes (cases that may be answered on a kept-alive
     * connection ask for {@code Connection: close}); no half-close, which the edge treats as the client leaving.
     */
    private String exchange(final byte[] request) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", edge.server.port()))
        {
            socket.setSoTimeout(3_000);
            try
            {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            }
            catch (final IOException closedEarly)
            {
                // The edge may answer and close before it has read a huge request: its answer is still there.
            }
            return readToEnd(socket);
        }
    }

    private long journaledClicks()
    {
        final long[] clicks = new long[1];
        try (JournalPoller poller = edge.journal.newPoller(Journal.NULL_INDEX))
        {
            while (poller.poll((buffer, length, index) ->
            {
                if (EventHeaderDescriptor.TYPE_CLICK == buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET))
                {
                    clicks[0]++;
                }
            }, 1000) > 0)
            {
                // drain
            }
        }
        return clicks[0];
    }

    private static String readAvailable(final Socket socket) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final int available = in.available();
        return available > 0 ? new String(in.readNBytes(available), StandardCharsets.ISO_8859_1) : "";
    }

    private static String readHead(final InputStream in) throws IOException
    {
        final StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n"))
        {
            final int b = in.read();
            if (-1 == b)
            {
                break;
            }
            head.append((char)b);
        }
        // The 302 has no body (Content-Length: 0).
        return head.toString();
    }

    /**
     * One corpus file.
     */
    private record Case(String why, List<String> expect, int responses, int clicks, String location, byte[] request)
    {
        static Case read(final Path file) throws IOException
        {
            String why = null;
            List<String> expect = null;
            int responses = 1;
            int clicks = 0;
            String location = null;
            int repeat = 0;
            String unit = "a";
            final StringBuilder request = new StringBuilder();
            for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                if (line.startsWith("# "))
                {
                    final int colon = line.indexOf(':');
                    final String key = line.substring(2, colon).trim();
                    final String value = line.substring(colon + 1).trim();
                    switch (key)
                    {
                        case "why" -> why = value;
                        case "expect" -> expect = Arrays.asList(value.split("\\|"));
                        case "responses" -> responses = Integer.parseInt(value);
                        case "clicks" -> clicks = Integer.parseInt(value);
                        case "location" -> location = value;
                        case "repeat" -> repeat = Integer.parseInt(value);
                        case "unit" -> unit = unescape(line.substring(colon + 2));
                        default -> throw new IllegalArgumentException(file + ": unknown key " + key);
                    }
                }
                else
                {
                    request.append(line);
                }
            }
            if (null == why || null == expect)
            {
                throw new IllegalArgumentException(file + ": every case needs '# why:' and '# expect:'");
            }
            final String bytes = unescape(request.toString()).replace("@", unit.repeat(repeat));
            return new Case(why, expect, responses, clicks, location, bytes.getBytes(StandardCharsets.ISO_8859_1));
        }

        private static String unescape(final String text)
        {
            final StringBuilder out = new StringBuilder();
            for (int i = 0; i < text.length(); i++)
            {
                final char c = text.charAt(i);
                if (c != '\\' || i + 1 == text.length())
                {
                    out.append(c);
                    continue;
                }
                final char next = text.charAt(++i);
                switch (next)
                {
                    case 'r' -> out.append('\r');
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case '\\' -> out.append('\\');
                    case 'x' ->
                    {
                        out.append((char)Integer.parseInt(text.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    default -> throw new IllegalArgumentException("unknown escape \\" + next + " in " + text);
                }
            }
            return out.toString();
        }
    }
}
