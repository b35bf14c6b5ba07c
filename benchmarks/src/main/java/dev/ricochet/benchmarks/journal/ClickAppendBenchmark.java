package dev.ricochet.benchmarks.journal;

import dev.ricochet.benchmarks.ChronicleForkedBenchmark;
import dev.ricochet.benchmarks.BenchmarkFiles;
import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalAppender;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Cost of encoding a click with {@link ClickEventFlyweight} and appending it through {@link JournalAppender}, over a
 * plain Chronicle appender writing the same number of bytes to its own queue.
 *
 * <p>Each method runs in both modes: Throughput (ops/us) and SampleTime (us/op, with percentiles; the target is a
 * p99 under 1 us on one thread). Writers share one queue per benchmark, one appender per thread, as the edge's event
 * loops do; the T1, T2 and T4 variants of each method run 1, 2 and 4 writer threads, so one run of the jar gives
 * every pair. The encoded click is 123 bytes (64 to 128 is checked at setup), a short mobile user agent included.
 */
@BenchmarkMode({ Mode.Throughput, Mode.SampleTime })
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class ClickAppendBenchmark extends ChronicleForkedBenchmark
{
    private static final String QUERY = "sub=nl42";
    private static final String REFERRER_HOST = "t.co";
    private static final String USER_AGENT = "Mozilla/5.0 (iPhone; CPU OS 17_4)";

    /**
     * The journal the edge appends to, shared by all writer threads; recreated between iterations if it grows large.
     */
    @State(Scope.Benchmark)
    public static class JournalState
    {
        Path dir;
        Journal journal;

        @Setup(Level.Trial)
        public void setup()
        {
            final int length = encodeSample(new UnsafeBuffer(new byte[ClickEventFlyweight.MAX_LENGTH]), 0);
            System.out.println("encoded click: " + length + " bytes");
            open();
        }

        // Runs before the writers' iteration setup (they depend on this state), so no appender is open here.
        @Setup(Level.Iteration)
        public void keepSmall()
        {
            if (BenchmarkFiles.sizeBytes(dir) > BenchmarkFiles.MAX_QUEUE_DIR_BYTES)
            {
                close();
                open();
            }
        }

        @TearDown(Level.Trial)
        public void close()
        {
            journal.close();
            BenchmarkFiles.delete(dir);
        }

        private void open()
        {
            dir = BenchmarkFiles.newTempDir("ricochet-jmh-journal-");
            journal = Journal.open(new Journal.Context().dir(dir).rollCycle(RollCycles.FAST_DAILY));
        }
    }

    /**
     * A plain Chronicle queue for the anchor, in its own directory.
     */
    @State(Scope.Benchmark)
    public static class RawQueueState
    {
        Path dir;
        ChronicleQueue queue;

        @Setup(Level.Trial)
        public void open()
        {
            Journal.ensureAnalyticsDisabled();
            dir = BenchmarkFiles.newTempDir("ricochet-jmh-raw-queue-");
            queue = ChronicleQueue.singleBuilder(dir).rollCycle(RollCycles.FAST_DAILY).build();
        }

        @Setup(Level.Iteration)
        public void keepSmall()
        {
            if (BenchmarkFiles.sizeBytes(dir) > BenchmarkFiles.MAX_QUEUE_DIR_BYTES)
            {
                close();
                open();
            }
        }

        @TearDown(Level.Trial)
        public void close()
        {
            queue.close();
            BenchmarkFiles.delete(dir);
        }
    }

    /**
     * One thread's journal appender, created and closed on that thread every iteration.
     */
    @State(Scope.Thread)
    public static class ClickWriter
    {
        JournalAppender appender;
        long nowMs;
        long clickIdLo;

        @Setup(Level.Iteration)
        public void open(final JournalState state)
        {
            appender = state.journal.newAppender();
            nowMs = System.currentTimeMillis();
        }

        @TearDown(Level.Iteration)
        public void close()
        {
            appender.close();
        }
    }

    /**
     * One thread's plain Chronicle appender and the bytes of an encoded click, the same length the journal writes.
     */
    @State(Scope.Thread)
    public static class RawWriter
    {
        final byte[] bytes = new byte[ClickEventFlyweight.MAX_LENGTH];
        int length;
        ExcerptAppender appender;

        @Setup(Level.Iteration)
        public void open(final RawQueueState state)
        {
            length = encodeSample(new UnsafeBuffer(bytes), System.currentTimeMillis());
            appender = state.queue.createAppender();
        }

        @TearDown(Level.Iteration)
        public void close()
        {
            appender.close();
        }
    }

    @Benchmark
    @Threads(1)
    public long encodeAndAppendT1(final ClickWriter writer)
    {
        return encodeAndAppend(writer);
    }

    @Benchmark
    @Threads(2)
    public long encodeAndAppendT2(final ClickWriter writer)
    {
        return encodeAndAppend(writer);
    }

    @Benchmark
    @Threads(4)
    public long encodeAndAppendT4(final ClickWriter writer)
    {
        return encodeAndAppend(writer);
    }

    @Benchmark
    @Threads(1)
    public void rawChronicleAppendT1(final RawWriter writer)
    {
        rawAppend(writer);
    }

    @Benchmark
    @Threads(2)
    public void rawChronicleAppendT2(final RawWriter writer)
    {
        rawAppend(writer);
    }

    @Benchmark
    @Threads(4)
    public void rawChronicleAppendT4(final RawWriter writer)
    {
        rawAppend(writer);
    }

    /**
     * What the edge does per click once it has the request's fields: claim, fill in, append.
     */
    private static long encodeAndAppend(final ClickWriter writer)
    {
        final JournalAppender appender = writer.appender;
        final ClickEventFlyweight click = fill(
            appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, writer.nowMs), writer.nowMs, ++writer.clickIdLo);
        final long index = appender.append(click.encodedLength());
        // The appender reports failures by value, not by exception: a benchmark of failed appends measures nothing.
        if (Journal.NULL_INDEX == index)
        {
            throw new IllegalStateException("journal append failed");
        }
        return index;
    }

    private static void rawAppend(final RawWriter writer)
    {
        try (DocumentContext dc = writer.appender.writingDocument())
        {
            dc.wire().bytes().write(writer.bytes, 0, writer.length);
        }
    }

    private static ClickEventFlyweight fill(final ClickEventFlyweight click, final long nowMs, final long clickIdLo)
    {
        return click
            .flags(ClickEventFlyweight.FLAG_NEW_VISITOR)
            .clickId(nowMs << 16, clickIdLo)
            .link(42, 7, 3)
            .visitorId(0x0193_1A2B_3C4DL, 0x5E6F_7081_92A3_B4C5L)
            .ipHash(0x1234_5678_9ABC_DEF0L)
            .query(QUERY)
            .referrerHost(REFERRER_HOST)
            .userAgent(USER_AGENT);
    }

    /**
     * Encode the benchmark's click into buffer, as {@link #encodeAndAppend} does.
     *
     * @return the encoded length, checked to be 64 to 128 bytes.
     */
    static int encodeSample(final UnsafeBuffer buffer, final long nowMs)
    {
        final ClickEventFlyweight click =
            new ClickEventFlyweight().wrapForEncode(buffer, 0, EventHeaderDescriptor.TYPE_CLICK, nowMs);
        final int length = fill(click, nowMs, 1).encodedLength();
        if (length < 64 || length > 128)
        {
            throw new IllegalStateException("encoded click is " + length + " bytes, expected 64 to 128");
        }
        return length;
    }
}
