package dev.ricochet.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A TCP proxy on loopback between a webhook sender and the edge that breaks connections the way the internet does,
 * one fault per connection, chosen by a seeded random: resets before and after the edge got the request, a reset in
 * the middle of the answer, a stalled answer (the sender times out), and half-open connections (accepted and never
 * answered, or the answer's direction closed without a byte). The faults that strike after the edge answered are the
 * ones that matter: the edge has the conversion, the sender does not know, and it delivers again.
 *
 * <p>Plain blocking sockets, two threads per connection: test code, a handful of connections at a time. The edge's
 * port is settable, since a restarted service listens elsewhere; while nothing listens there, connections are reset.
 */
final class ChaosProxy implements AutoCloseable
{
    /**
     * What happens to one connection.
     */
    enum Fault
    {
        /**
         * Bytes flow both ways untouched.
         */
        NONE,
        /**
         * Reset once the first request bytes arrive: the edge never sees the request.
         */
        RESET_BEFORE_REQUEST,
        /**
         * Accept, read, never answer and never close: the sender's read times out (half-open).
         */
        BLACK_HOLE,
        /**
         * The request reaches the edge; the connection is reset as its answer starts.
         */
        RESET_AFTER_REQUEST,
        /**
         * The request reaches the edge; the first bytes of its answer are relayed, then a reset.
         */
        RESET_MID_ANSWER,
        /**
         * The request reaches the edge; its answer is held longer than the sender waits.
         */
        STALL_ANSWER,
        /**
         * The request reaches the edge; the direction to the sender is closed without a byte (half-closed).
         */
        CLOSE_ANSWER_DIRECTION
    }

    private final ServerSocket server;
    private final Random random;
    private final double faultProbability;
    private final long stallMs;
    private final Thread acceptor;
    private final AtomicLongArray counts = new AtomicLongArray(Fault.values().length);
    private volatile int targetPort;
    private volatile boolean running = true;

    /**
     * @param seed             of the fault choices.
     * @param faultProbability share of connections that get a fault, spread evenly over the faults.
     * @param stallMs          how long a stalled answer is held (longer than the sender's read timeout).
     * @throws IOException if the port cannot be bound.
     */
    ChaosProxy(final long seed, final double faultProbability, final long stallMs) throws IOException
    {
        this.random = new Random(seed);
        this.faultProbability = faultProbability;
        this.stallMs = stallMs;
        server = new ServerSocket();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        acceptor = new Thread(this::accept, "chaos-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port()
    {
        return server.getLocalPort();
    }

    /**
     * @param port where the edge listens now; 0 while it is down.
     */
    void target(final int port)
    {
        targetPort = port;
    }

    /**
     * @return connections per fault so far.
     */
    Map<Fault, Long> counts()
    {
        final Map<Fault, Long> snapshot = new EnumMap<>(Fault.class);
        for (final Fault fault : Fault.values())
        {
            snapshot.put(fault, counts.get(fault.ordinal()));
        }
        return snapshot;
    }

    private void accept()
    {
        while (running)
        {
            try
            {
                final Socket client = server.accept();
                final Fault fault = nextFault();
                counts.incrementAndGet(fault.ordinal());
                start("chaos-proxy-conn", () -> serve(client, fault));
            }
            catch (final IOException ex)
            {
                if (running)
                {
                    throw new IllegalStateException("chaos proxy accept failed", ex);
                }
            }
        }
    }

    private Fault nextFault()
    {
        synchronized (random)
        {
            if (random.nextDouble() >= faultProbability)
            {
                return Fault.NONE;
            }
            return Fault.values()[1 + random.nextInt(Fault.values().length - 1)];
        }
    }

    private void serve(final Socket client, final Fault fault)
    {
        try (client)
        {
            final InputStream fromClient = client.getInputStream();
            if (Fault.RESET_BEFORE_REQUEST == fault)
            {
                fromClient.read();
                reset(client);
                return;
            }
            if (Fault.BLACK_HOLE == fault)
            {
                // Read and drop until the sender gives up; never a byte back, never a FIN.
                final byte[] sink = new byte[4096];
                while (fromClient.read(sink) >= 0)
                {
                    // drop
                }
                return;
            }
            final Socket edge = new Socket();
            try (edge)
            {
                try
                {
                    edge.connect(new InetSocketAddress("127.0.0.1", targetPort), 1000);
                }
                catch (final IOException ex)
                {
                    reset(client); // the edge is down: what a sender sees from a load balancer with no backend
                    return;
                }
                start("chaos-proxy-up", () -> pipe(fromClient, edge));
                relayAnswer(edge.getInputStream(), client, fault);
            }
        }
        catch (final IOException ex)
        {
            // Either side went away: the sender counts it as a failed attempt and delivers again.
        }
    }

    private void relayAnswer(final InputStream fromEdge, final Socket client, final Fault fault) throws IOException
    {
        final OutputStream toClient = client.getOutputStream();
        final byte[] buffer = new byte[8192];
        final int first = fromEdge.read(buffer);
        if (first < 0)
        {
            return;
        }
        switch (fault)
        {
            case RESET_AFTER_REQUEST -> reset(client);
            case RESET_MID_ANSWER ->
            {
                toClient.write(buffer, 0, Math.min(first, 12)); // "HTTP/1.1 200" and no more
                toClient.flush();
                reset(client);
            }
            case CLOSE_ANSWER_DIRECTION -> client.shutdownOutput();
            case STALL_ANSWER ->
            {
                sleep(stallMs);
                writeQuietly(toClient, buffer, first);
            }
            default ->
            {
                toClient.write(buffer, 0, first);
                int read;
                while ((read = fromEdge.read(buffer)) >= 0)
                {
                    toClient.write(buffer, 0, read);
                }
            }
        }
    }

    private static void pipe(final InputStream from, final Socket to)
    {
        try
        {
            final OutputStream out = to.getOutputStream();
            final byte[] buffer = new byte[8192];
            int read;
            while ((read = from.read(buffer)) >= 0)
            {
                out.write(buffer, 0, read);
            }
            to.shutdownOutput();
        }
        catch (final IOException ex)
        {
            // the connection is being torn down
        }
    }

    private static void reset(final Socket socket) throws IOException
    {
        // SO_LINGER 0: close() sends RST instead of FIN.
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private static void writeQuietly(final OutputStream out, final byte[] bytes, final int length)
    {
        try
        {
            out.write(bytes, 0, length);
        }
        catch (final IOException ex)
        {
            // the sender timed out and left, as intended
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void start(final String name, final Runnable task)
    {
        final Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException
    {
        running = false;
        server.close();
    }
}
