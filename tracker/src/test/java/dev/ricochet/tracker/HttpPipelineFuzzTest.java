package dev.ricochet.tracker;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalAppender;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.ProgramRoute;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the edge's whole pipeline ({@link TrackerChannelInitializer}'s handlers on an {@link EmbeddedChannel}, with a
 * real journal, a grouped-sync writer and a directory of a few links and programs) with raw bytes as one connection
 * sends them. Whatever arrives: nothing reaches {@code exceptionCaught} as an unexpected error and no exception
 * leaves the pipeline; every answer is a well-formed HTTP/1.1 response that is not a 5xx (but 505 for another HTTP
 * version, and 503 for a request pipelined past the depth, refused unprocessed); an answer saying {@code Connection: close} is followed by the close; and once the idle timeout has passed
 * the connection is closed. The seeds are in
 * {@code src/test/resources/dev/ricochet/tracker/HttpPipelineFuzzTestInputs/}.
 */
class HttpPipelineFuzzTest
{
    static final String API_KEY = "fuzz-api-key-0123456789";
    private static final InetSocketAddress CLIENT_ADDRESS = new InetSocketAddress("203.0.113.7", 52_144);
    private static final long WAIT_FOR_DURABLE_ANSWER_NS = TimeUnit.SECONDS.toNanos(10);
    private static final Pattern STATUS_LINE = Pattern.compile("(?m)^HTTP/1\\.1 (\\d{3}) ");
    private static final String PIPELINE_REFUSAL =
        "more than " + HttpPipelineGate.MAX_PIPELINED_REQUESTS + " requests pipelined on one connection";
    private static final Pattern CONNECTION_CLOSE = Pattern.compile("(?im)^connection: close\r$");

    @TempDir
    static Path dir;

    private static Journal journal;
    private static TrackerServer.Context context;
    private static JournalAppender appender;
    private static EdgePipeline pipeline;
    private static final AtomicReference<Throwable> UNEXPECTED = new AtomicReference<>();

    @AfterAll
    static void closeEdge()
    {
        if (null != pipeline)
        {
            pipeline.close();
            appender.close();
            journal.close();
        }
    }

    @FuzzTest
    // No CR or LF in the entries: Jazzer writes whitespace into its dictionary file unescaped, which libFuzzer refuses.
    @DictionaryEntries({ "GET /r/home HTTP/1.1", "HEAD ", "POST ", " HTTP/1.0", "Host: x", "Content-Length: ",
        "Transfer-Encoding: chunked", "Connection: close", "Connection: keep-alive", "Cookie: rv=",
        "Referer: https://", "User-Agent: Mozilla/5.0", "Sec-Fetch-Dest: image", "Authorization: Bearer " + API_KEY,
        "Stripe-Signature: t=", "X-Shopify-Hmac-Sha256: ", "/r/spring-sale?utm_source=",
        "/p.gif?e=conversion&program=shop&order_id=", "/healthz", "/readyz", "/metrics", "/v1/conversions",
        "/postback?program=shop&token=pb-token&order_id=", "/webhooks/stripe/shop", "/webhooks/shopify/shop",
        "{\"programId\":\"shop\",\"externalId\":\"", "\"amount\":", "%zz" })
    void answersOrClosesEveryConnectionWithoutA5xxOrAnEscapedException(final byte[] input)
    {
        // Given a new connection to the edge
        final long errorsBefore = edge().counters().get(TrackerCounter.UNEXPECTED_ERRORS);
        final EmbeddedChannel channel = new ClientChannel();
        channel.pipeline().addLast(pipeline.initializer());
        final ByteArrayOutputStream answers = new ByteArrayOutputStream();
        try
        {
            // When the bytes arrive in two reads, each followed by whatever the edge answers durably
            final int half = input.length / 2;
            for (final int[] part : new int[][]{ { 0, half }, { half, input.length } })
            {
                if (channel.isOpen() && part[1] > part[0])
                {
                    channel.writeInbound(Unpooled.wrappedBuffer(input, part[0], part[1] - part[0]));
                    awaitDurableAnswers(channel);
                }
            }
            drainAnswers(channel, answers);
            final boolean openBeforeTimeouts = channel.isOpen();

            // Then no unexpected error, only HTTP/1.1 answers below 500 (505 for another HTTP version), a close after
            // any answer announcing one
            assertNull(UNEXPECTED.getAndSet(null), "unexpected error in the pipeline");
            assertEquals(errorsBefore, edge().counters().get(TrackerCounter.UNEXPECTED_ERRORS), "unexpected errors");
            final String text = answers.toString(StandardCharsets.ISO_8859_1);
            assertAnswersBelow500(text);
            assertFalse(openBeforeTimeouts && CONNECTION_CLOSE.matcher(text).find(),
                "answered Connection: close and stayed open:\n" + text);

            // And nothing stays open past the idle timeout: a half-sent head or body is cut off too
            channel.advanceTimeBy(edge().idleTimeoutMs() + 1, TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
            channel.runPendingTasks();
            assertFalse(channel.isOpen(), "still open after the idle timeout");
            drainAnswers(channel, answers);
            assertAnswersBelow500(answers.toString(StandardCharsets.ISO_8859_1));
            assertNull(UNEXPECTED.getAndSet(null), "unexpected error in the pipeline");
        }
        finally
        {
            channel.finishAndReleaseAll();
        }
    }

    /**
     * Status lines are read from the raw answer bytes rather than by a response decoder, which cannot know that an
     * answer to HEAD announces a body it does not carry.
     */
    private static void assertAnswersBelow500(final String answers)
    {
        assertTrue(answers.isEmpty() || answers.startsWith("HTTP/1.1 "), "not an HTTP/1.1 answer:\n" + answers);
        final Matcher status = STATUS_LINE.matcher(answers);
        while (status.find())
        {
            final int code = Integer.parseInt(status.group(1));
            // 503 only as the pipeline gate's refusal of a request over the depth, which it did not process.
            assertTrue(code < 500 || 505 == code || (503 == code && answers.contains(PIPELINE_REFUSAL)),
                "answered " + code + ":\n" + answers);
        }
    }

    /**
     * Conversions are answered from the journal writer's thread through the channel's event loop, which is this
     * thread: run its tasks until no answer is pending (reading is switched off while one is).
     */
    private static void awaitDurableAnswers(final EmbeddedChannel channel)
    {
        final long deadlineNs = System.nanoTime() + WAIT_FOR_DURABLE_ANSWER_NS;
        channel.runPendingTasks();
        while (channel.isOpen() && !channel.config().isAutoRead())
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("a durable answer never came");
            }
            LockSupport.parkNanos(20_000);
            channel.runPendingTasks();
        }
    }

    private static void drainAnswers(final EmbeddedChannel channel, final ByteArrayOutputStream answers)
    {
        ByteBuf out;
        while (null != (out = channel.readOutbound()))
        {
            try
            {
                out.readBytes(answers, out.readableBytes());
            }
            catch (final java.io.IOException impossible)
            {
                throw new java.io.UncheckedIOException(impossible);
            }
            finally
            {
                out.release();
            }
        }
    }

    /**
     * The edge's context, opened on first use: on the thread that fuzzes, which is the embedded channels' event loop
     * and so the one thread its journal appender may be used on.
     */
    private static TrackerServer.Context edge()
    {
        if (null == context)
        {
            journal = Journal.open(new Journal.Context().dir(dir.resolve("journal")));
            final LinkDirectory links = new LinkDirectory();
            links.put(new LinkRoute("home", 1, 1, 1, "https://shop.example.com/", "rcid"));
            links.put(new LinkRoute("spring-sale", 2, 2, 1, "https://shop.example.com/landing?c=s26#offer", "rcid"));
            final ProgramDirectory programs = new ProgramDirectory();
            programs.put(new ProgramRoute("shop", 1, "USD", "rcid", API_KEY, "whsec_fuzz", "shpss_fuzz", "pb-token"));
            context = new TrackerServer.Context().journal(journal).linkDirectory(links).programDirectory(programs)
                .journalMinFreeBytes(0).errorHandler(UNEXPECTED::set);
            appender = journal.newAppender();
            pipeline = EdgePipeline.open(context, appender);
        }
        return context;
    }

    /**
     * An embedded channel reporting a client address, as a socket channel would, so the address hashing runs.
     */
    private static final class ClientChannel extends EmbeddedChannel
    {
        @Override
        protected SocketAddress remoteAddress0()
        {
            return CLIENT_ADDRESS;
        }
    }
}
