package dev.ricochet.benchmarks.conversion;

import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.ProgramRoute;
import dev.ricochet.tracker.TrackerServer;
import org.HdrHistogram.Histogram;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What answering a conversion only once it is on the device costs: a real edge journaling to a directory on the disk
 * under test, and keep-alive clients that time {@code POST /v1/conversions} (answered after the grouped msync of the
 * journal) against {@code GET /healthz} on the same connection (no journal at all). Sequential first, one request at a
 * time, then concurrent connections, whose requests share syncs.
 *
 * <pre>
 * java &lt;Chronicle flags&gt; -cp benchmarks/target/benchmarks.jar
 * dev.ricochet.benchmarks.conversion.ConversionAckLatency \
 *     [--dir DIR (default: a new directory under ./target)] [--requests 2000] [--connections 16]
 * </pre>
 *
 * Every answer is checked (200 and "accepted"); a failed one ends the run. The journal's directory must be on the
 * disk whose sync cost is wanted: a tmpfs would make the sync free.
 */
public final class ConversionAckLatency
{
    private static final String API_KEY = "latency-run-program-key";
    private static final int WARM_UP = 200;
    private static final int END_OF_HEAD = ('\r' << 24) | ('\n' << 16) | ('\r' << 8) | '\n';

    private ConversionAckLatency()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception if the edge cannot start or a request fails.
     */
    public static void main(final String[] args) throws Exception
    {
        Journal.ensureAnalyticsDisabled();
        Path dir = null;
        int requests = 2000;
        int connections = 16;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--requests" -> requests = Integer.parseInt(args[i + 1]);
                case "--connections" -> connections = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (null == dir)
        {
            dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "conversion-latency");
        }
        final ProgramDirectory programs = new ProgramDirectory();
        programs.put(new ProgramRoute("shop", 1, "USD", "rcid", API_KEY, null, null, null));
        try (Journal journal = Journal.open(new Journal.Context().dir(dir.resolve("journal")));
            TrackerServer edge = TrackerServer.launch(new TrackerServer.Context().port(0).bindAddress("127.0.0.1")
                .journal(journal).linkDirectory(new LinkDirectory()).programDirectory(programs)
                .journalMinFreeBytes(0)))
        {
            final AtomicLong orders = new AtomicLong();
            System.out.printf(Locale.ROOT, "journal in %s (%s)%n", dir.toAbsolutePath(), Files.getFileStore(dir).type(
                ));

            // Sequential: one connection, a conversion then a /healthz, so both see the same machine.
            final Histogram conversions = new Histogram(3);
            final Histogram health = new Histogram(3);
            try (Client client = new Client(edge.port()))
            {
                for (int i = 0; i < WARM_UP + requests; i++)
                {
                    final long conversionNs = client.conversion(orders.incrementAndGet());
                    final long healthNs = client.health();
                    if (i >= WARM_UP)
                    {
                        conversions.recordValue(conversionNs);
                        health.recordValue(healthNs);
                    }
                }
            }
            print("sequential conversions", conversions);
            print("sequential /healthz", health);

            // Concurrent: the grouped writer syncs once for whatever arrived during its previous sync.
            final Histogram concurrent = new Histogram(3);
            final int perConnection = Math.max(1, requests / connections);
            final List<Thread> threads = new ArrayList<>();
            final List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (int c = 0; c < connections; c++)
            {
                final Thread thread = new Thread(() ->
                {
                    final Histogram mine = new Histogram(3);
                    try (Client client = new Client(edge.port()))
                    {
                        for (int i = 0; i < WARM_UP / 4 + perConnection; i++)
                        {
                            final long ns = client.conversion(orders.incrementAndGet());
                            if (i >= WARM_UP / 4)
                            {
                                mine.recordValue(ns);
                            }
                        }
                    }
                    catch (final IOException | RuntimeException ex)
                    {
                        failures.add(ex);
                    }
                    synchronized (concurrent)
                    {
                        concurrent.add(mine);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (final Thread thread : threads)
            {
                thread.join();
            }
            if (!failures.isEmpty())
            {
                throw new IllegalStateException("a concurrent client failed", failures.get(0));
            }
            print(connections + " connections, conversions", concurrent);
            System.out.printf(Locale.ROOT, "journaled %d conversions, last synced index = last index: %b%n",
                orders.get(), journal.lastIndexSynced() == journal.lastIndex());
        }
    }

    private static void print(final String what, final Histogram histogram)
    {
        System.out.printf(Locale.ROOT, "%-32s n=%d p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms%n",
            what, histogram.getTotalCount(), ms(histogram.getValueAtPercentile(50)),
            ms(histogram.getValueAtPercentile(90)), ms(histogram.getValueAtPercentile(99)),
            ms(histogram.getValueAtPercentile(99.9)), ms(histogram.getMaxValue()));
    }

    private static double ms(final long ns)
    {
        return ns / 1e6;
    }

    /**
     * One keep-alive HTTP/1.1 connection, a request at a time, every answer checked.
     */
    private static final class Client implements AutoCloseable
    {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Client(final int port) throws IOException
        {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = socket.getInputStream();
        }

        long conversion(final long order) throws IOException
        {
            final byte[] body = ("{\"programId\":\"shop\",\"externalId\":\"order-" + order +
                "\",\"kind\":\"sale\",\"amount\":12345}").getBytes(StandardCharsets.UTF_8);
            final byte[] head = ("POST /v1/conversions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                API_KEY +
                "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
            final long startNs = System.nanoTime();
            out.write(head);
            out.write(body);
            out.flush();
            final String answer = readAnswer();
            final long ns = System.nanoTime() - startNs;
            if (!answer.startsWith("HTTP/1.1 200") || !answer.contains("\"accepted\""))
            {
                throw new IllegalStateException("conversion " + order + " answered: " + answer);
            }
            return ns;
        }

        long health() throws IOException
        {
            final long startNs = System.nanoTime();
            out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String answer = readAnswer();
            final long ns = System.nanoTime() - startNs;
            if (!answer.startsWith("HTTP/1.1 200"))
            {
                throw new IllegalStateException("/healthz answered: " + answer);
            }
            return ns;
        }

        /**
         * @return head and body of one answer framed by Content-Length.
         */
        private String readAnswer() throws IOException
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int contentLength = -1;
            int bodyStart = -1;
            int lastFour = 0;
            while (bodyStart < 0 || bytes.size() < bodyStart + contentLength)
            {
                final int b = in.read();
                if (b < 0)
                {
                    throw new IOException("connection closed after " + bytes);
                }
                bytes.write(b);
                lastFour = (lastFour << 8) | b;
                if (bodyStart < 0 && END_OF_HEAD == lastFour)
                {
                    final String head = bytes.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
                    final int at = head.indexOf("content-length:");
                    contentLength = at < 0 ? 0 :
                        Integer.parseInt(head.substring(at + 15, head.indexOf('\r', at)).trim());
                    bodyStart = bytes.size();
                }
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }
}
