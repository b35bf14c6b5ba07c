package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.LinkRoute;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overload shedding on a real edge driven past what its event loop can keep up with: one connection pipelines tens
 * of thousands of clicks at once, so the loop spends each turn on a large batch and its probe runs late.
 */
class OverloadSheddingTest
{
    private static final LinkRoute[] LINKS = {new LinkRoute("tents", 7, 3, 1, "https://shop.example.com/tents", "rcid")};
    private static final int FLOOD = 20_000;
    private static final byte[] CLICK = ("GET /r/tents HTTP/1.1\r\nHost: edge\r\nUser-Agent: " + EdgeFixture.BROWSER +
        "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @AutoClose
    private EdgeFixture edge;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldAnswer503WithRetryAfterWhileItsEventLoopLagsAndRedirectAgainOnceCaughtUp() throws Exception
    {
        // Given an edge with one event loop that sheds once its probe runs more than 5 ms late twice in a row (the
        // test's one address floods one link, so the rate limits are off)
        edge = new EdgeFixture(dir, context -> context.eventLoopThreads(1).overloadLagMs(5)
            .rateLimitAddress("0", 1).rateLimitLink("0", 1).botClassifier("tokens"), LINKS);

        // When one connection pipelines 20,000 clicks
        final Flood flood = pipelineClicks(edge.server.port(), FLOOD);

        System.out.println("OverloadSheddingTest: " + FLOOD + " pipelined clicks answered " + flood.statuses);

        // Then every click is answered, some with 503 and Retry-After: 1, the rest redirected and journaled
        final int shed = flood.statuses.getOrDefault(503, 0);
        final int redirected = flood.statuses.getOrDefault(302, 0);
        assertEquals(FLOOD, shed + redirected, "statuses " + flood.statuses);
        assertTrue(shed > 0, "nothing was shed: " + flood.statuses);
        assertEquals("1", flood.retryAfter);
        final TrackerCounters counters = edge.server.context().counters();
        assertEquals(shed, counters.get(TrackerCounter.OVERLOAD_SHED));
        assertTrue(counters.get(TrackerCounter.OVERLOAD_EPISODES) > 0);
        assertEquals(redirected, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_CLICK));

        // And, the flood over, the edge redirects again by itself, well within a minute
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int status = edge.get("/r/tents").statusCode();
        while (302 != status && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(50);
            status = edge.get("/r/tents").statusCode();
        }
        assertEquals(302, status);
        assertTrue(edge.get("/metrics").body().contains("ricochet_tracker_event_loops_shedding 0\n"));
    }

    /**
     * What a pipelined flood got back: the count of each status and a Retry-After value seen on a 503.
     */
    private record Flood(Map<Integer, Integer> statuses, String retryAfter)
    {
    }

    private static Flood pipelineClicks(final int port, final int requests) throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(60_000);
            // Written from another thread while this one reads: neither side's buffers have to hold the whole flood.
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() ->
            {
                try
                {
                    final OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                    for (int i = 0; i < requests; i++)
                    {
                        out.write(CLICK);
                    }
                    out.flush();
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            final InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            final Map<Integer, Integer> statuses = new TreeMap<>();
            String retryAfter = null;
            for (int i = 0; i < requests; i++)
            {
                final String statusLine = readLine(in);
                final int status = Integer.parseInt(statusLine.substring(9, 12));
                statuses.merge(status, 1, Integer::sum);
                int contentLength = 0;
                for (String header = readLine(in); !header.isEmpty(); header = readLine(in))
                {
                    final String lower = header.toLowerCase();
                    if (lower.startsWith("content-length:"))
                    {
                        contentLength = Integer.parseInt(header.substring(15).trim());
                    }
                    else if (lower.startsWith("retry-after:") && 503 == status)
                    {
                        retryAfter = header.substring(12).trim();
                    }
                }
                in.skipNBytes(contentLength);
            }
            writer.get();
            return new Flood(statuses, retryAfter);
        }
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n')
        {
            if (b < 0)
            {
                throw new IOException("connection closed after: " + line);
            }
            if (b != '\r')
            {
                line.append((char)b);
            }
        }
        return line.toString();
    }
}
