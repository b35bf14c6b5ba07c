package dev.ricochet.ops;

import dev.ricochet.testsupport.StripeSigner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Delivers Stripe events the way Stripe does: each attempt on a new connection with a fresh signature, a read
 * timeout, and on anything but a complete 2xx answer (reset, timeout, a connection closed early, a truncated answer,
 * 4xx, 5xx) another attempt after an exponential backoff with jitter, until a 2xx. Thread-safe: one instance serves
 * several delivery threads.
 */
final class StripeLikeSender
{
    private final IntSupplier port;
    private final String path;
    private final String secret;
    private final int readTimeoutMs;
    private final long maxBackoffMs;
    private final Random jitter;
    private final LongAdder attempts = new LongAdder();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

    /**
     * @param port          where to connect, asked at each attempt.
     * @param path          the webhook endpoint.
     * @param secret        the endpoint's whsec_ secret.
     * @param readTimeoutMs how long an attempt waits for its answer.
     * @param maxBackoffMs  longest wait between attempts.
     * @param seed          of the jitter.
     */
    StripeLikeSender(final IntSupplier port, final String path, final String secret, final int readTimeoutMs,
        final long maxBackoffMs, final long seed)
    {
        this.port = port;
        this.path = path;
        this.secret = secret;
        this.readTimeoutMs = readTimeoutMs;
        this.maxBackoffMs = maxBackoffMs;
        this.jitter = new Random(seed);
    }

    /**
     * Deliver until the endpoint answers 2xx.
     *
     * @param payload    the event JSON.
     * @param deadlineNs give up (throw) past this {@link System#nanoTime()}.
     * @throws InterruptedException if interrupted while backing off.
     */
    void deliver(final String payload, final long deadlineNs) throws InterruptedException
    {
        long backoffMs = 20;
        while (true)
        {
            attempts.increment();
            final String failure = attempt(payload);
            if (null == failure)
            {
                return;
            }
            failures.computeIfAbsent(failure, key -> new LongAdder()).increment();
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("not delivered by the deadline, last failure: " + failure);
            }
            final long waitMs;
            synchronized (jitter)
            {
                waitMs = backoffMs / 2 + jitter.nextInt((int)backoffMs / 2 + 1);
            }
            Thread.sleep(waitMs);
            backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
        }
    }

    /**
     * @return attempts so far.
     */
    long attempts()
    {
        return attempts.sum();
    }

    /**
     * @return failed attempts by what went wrong.
     */
    Map<String, Long> failures()
    {
        final Map<String, Long> snapshot = new TreeMap<>();
        failures.forEach((kind, count) -> snapshot.put(kind, count.sum()));
        return snapshot;
    }

    /**
     * @return null if answered 2xx in full, otherwise what went wrong.
     */
    private String attempt(final String payload)
    {
        final byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        final String signature = StripeSigner.header(secret, payload, System.currentTimeMillis() / 1000);
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port.getAsInt()), readTimeoutMs);
            socket.setSoTimeout(readTimeoutMs);
            final OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Stripe/1.0 (+https://stripe.com)" +
                "\r\nContent-Type: application/json; charset=utf-8\r\nStripe-Signature: " + signature +
                "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return check(readToEnd(socket.getInputStream()));
        }
        catch (final SocketTimeoutException ex)
        {
            return "timeout";
        }
        catch (final SocketException ex)
        {
            return "reset";
        }
        catch (final IOException ex)
        {
            return "io: " + ex.getClass().getSimpleName();
        }
    }

    private static byte[] readToEnd(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final byte[] buffer = new byte[4096];
        int read;
        while ((read = in.read(buffer)) >= 0)
        {
            bytes.write(buffer, 0, read);
        }
        return bytes.toByteArray();
    }

    /**
     * @return null for a complete 2xx answer, otherwise what it was.
     */
    private static String check(final byte[] answer)
    {
        if (0 == answer.length)
        {
            return "closed without an answer";
        }
        final String text = new String(answer, StandardCharsets.ISO_8859_1);
        final int headEnd = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || text.length() < 12 || headEnd < 0)
        {
            return "truncated answer";
        }
        final String status = text.substring(9, 12);
        final String head = text.substring(0, headEnd).toLowerCase(Locale.ROOT);
        final int at = head.indexOf("content-length:");
        final int expected = at < 0 ? -1 : Integer.parseInt(head.substring(at + 15, head.indexOf('\r', at) < 0 ?
            head.length() : head.indexOf('\r', at)).trim());
        if (expected >= 0 && answer.length - (headEnd + 4) < expected)
        {
            return "truncated answer";
        }
        return status.startsWith("2") ? null : "status " + status;
    }
}
