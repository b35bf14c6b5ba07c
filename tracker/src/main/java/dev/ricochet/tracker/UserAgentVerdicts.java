package dev.ricochet.tracker;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The yauaa library's bot verdicts for the user agents the edge has seen, kept off the redirect's critical path.
 *
 * <p>Event loops look a user agent's verdict up in a fixed-size table by a 64-bit hash of the header (no lock, no
 * allocation). A user agent without a verdict is judged by the token list alone for now and queued for a background
 * thread, which parses it with {@link YauaaBotClassifier} and stores the verdict for its next hits. The same thread
 * builds the analyzer first, after the edge already serves: until it is ready the token list judges alone. Whatever
 * judged a hit, its verdict is journaled as the click's bot flag, which is all the aggregator reads: a replay counts
 * exactly what was counted live.
 *
 * <p>One per JVM, shared by every edge in it: the analyzer is a pure function of the user agent, and building it
 * twice would cost its seconds of CPU and its heap twice.
 */
final class UserAgentVerdicts
{
    static final int UNKNOWN = 0;
    static final int HUMAN = 1;
    static final int BOT = 2;

    /**
     * Verdicts kept: 8 bytes each, 512 KiB in all. A verdict whose slot a later user agent takes is parsed again when
     * its user agent comes back.
     */
    static final int SLOTS = 1 << 16;

    /**
     * User agents waiting for a verdict; when full, a user agent is judged by the tokens and offered again later.
     */
    static final int QUEUE_CAPACITY = 4096;

    private static final long VERDICT_MASK = 3;
    private static final long IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final UserAgentVerdicts SHARED = new UserAgentVerdicts();

    private final AtomicLongArray verdicts = new AtomicLongArray(SLOTS);
    private final ManyToOneConcurrentArrayQueue<String> pending = new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private volatile boolean isReady;
    private volatile long buildMs = -1;
    private Thread worker;

    /**
     * @return the JVM's verdicts; its thread starts with the first {@link #start}.
     */
    static UserAgentVerdicts shared()
    {
        return SHARED;
    }

    /**
     * Start the background thread that builds the analyzer and then parses queued user agents; later calls do
     * nothing. If the build fails, the error is reported and the token list keeps judging alone.
     *
     * @param errorHandler receives a failure to build or to parse.
     * @param delayMs      how long to wait before building: the build takes seconds of a core, which the first
     *                     requests after a start (cold, still interpreted code) should not have to share.
     */
    synchronized void start(final ErrorHandler errorHandler, final long delayMs)
    {
        if (null != worker)
        {
            return;
        }
        worker = new Thread(() ->
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(delayMs));
            classify(errorHandler);
        }, "ricochet-bot-classifier");
        worker.setDaemon(true);
        worker.start();
    }

    private void classify(final ErrorHandler errorHandler)
    {
        final YauaaBotClassifier classifier;
        try
        {
            final long startNs = System.nanoTime();
            classifier = YauaaBotClassifier.build();
            buildMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        }
        catch (final RuntimeException | LinkageError ex)
        {
            errorHandler.onError(new IllegalStateException(
                "the yauaa bot classifier could not be built; bots are judged by the token list alone", ex));
            return;
        }
        isReady = true;
        while (true)
        {
            final String userAgent = pending.poll();
            if (null == userAgent)
            {
                LockSupport.parkNanos(this, IDLE_PARK_NS);
                continue;
            }
            try
            {
                store(hash(userAgent), classifier.isBot(userAgent) ? BOT : HUMAN);
            }
            catch (final RuntimeException ex)
            {
                // One user agent yauaa cannot parse must not stop the others; it stays with the token list's verdict.
                errorHandler.onError(ex);
                store(hash(userAgent), HUMAN);
            }
        }
    }

    /**
     * @return true once the analyzer is built and verdicts are being made.
     */
    boolean isReady()
    {
        return isReady;
    }

    /**
     * @return how long the analyzer took to build, in milliseconds; -1 until it is built.
     */
    long buildMs()
    {
        return buildMs;
    }

    /**
     * @return the classifier's state for {@code /metrics}: built or not, and how long the build took.
     */
    String toPrometheusText()
    {
        return "# HELP ricochet_tracker_bot_classifier_ready " +
            "1 once the yauaa analyzer is built and judging user agents\n" +
            "# TYPE ricochet_tracker_bot_classifier_ready gauge\n" +
            "ricochet_tracker_bot_classifier_ready " + (isReady ? 1 : 0) + "\n" +
            "# HELP ricochet_tracker_bot_classifier_build_seconds How long the yauaa analyzer took to build\n" +
            "# TYPE ricochet_tracker_bot_classifier_build_seconds gauge\n" +
            "ricochet_tracker_bot_classifier_build_seconds " + Math.max(0, buildMs) / 1e3 + "\n";
    }

    /**
     * @param userAgentHash from {@link #hash}.
     * @return {@link #BOT}, {@link #HUMAN} or {@link #UNKNOWN}.
     */
    int verdict(final long userAgentHash)
    {
        final long entry = verdicts.get(index(userAgentHash));
        return (entry & ~VERDICT_MASK) == (userAgentHash & ~VERDICT_MASK) ? (int)(entry & VERDICT_MASK) : UNKNOWN;
    }

    /**
     * Queue a user agent for a verdict (it is already allocated by the decoder: queueing allocates nothing).
     *
     * @param userAgent the header value.
     * @return false if the queue is full.
     */
    boolean offer(final String userAgent)
    {
        if (!pending.offer(userAgent))
        {
            return false;
        }
        LockSupport.unpark(worker);
        return true;
    }

    void store(final long userAgentHash, final int verdict)
    {
        verdicts.set(index(userAgentHash), (userAgentHash & ~VERDICT_MASK) | verdict);
    }

    private static int index(final long userAgentHash)
    {
        return (int)(userAgentHash >>> 2) & (SLOTS - 1);
    }

    /**
     * @param userAgent the header value, not null.
     * @return a 64-bit hash of it (FNV-1a over the characters, then mixed), computed without allocating.
     */
    static long hash(final String userAgent)
    {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < userAgent.length(); i++)
        {
            h ^= userAgent.charAt(i);
            h *= 0x100000001b3L;
        }
        return RateLimiter.hash(0, h);
    }
}
