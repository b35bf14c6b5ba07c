package dev.ricochet.benchmarks.load;

import dev.ricochet.ingest.IdCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One client event loop's share of a run: its connections, what they send next, the checks of their answers, and
 * the counts and histograms, all touched only from this loop's thread.
 */
final class LoadWorker
{
    private static final long TIMEOUT_CHECK_MAX_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final int index;
    private final EventLoop loop;
    private final LoadPlan plan;
    private final Class<? extends Channel> channelClass;
    private final boolean isOpenLoop;
    private final boolean isStatic;
    private final long timeoutNs;
    private final double newVisitorShare;
    private final Tally tally = new Tally();
    private final SplittableRandom random;
    private final StripeCheckout stripe;
    private final List<LoadConnection> connections = new ArrayList<>();
    private final Promise<Void> done;
    private ScheduledFuture<?> timeoutCheck;
    private boolean isStarted;
    private int finished;
    private int mixCursor;
    private long startNs;
    private long measureStartNs;
    private long endNs;
    private String lastLocation;
    private LinkTarget lastLink;

    LoadWorker(final int index, final EventLoop loop, final LoadPlan plan, final Class<? extends Channel> channelClass)
    {
        final LoadOptions options = plan.options();
        this.index = index;
        this.loop = loop;
        this.plan = plan;
        this.channelClass = channelClass;
        this.isOpenLoop = options.isOpenLoop();
        this.isStatic = options.workload().isStatic();
        this.timeoutNs = options.timeoutNs();
        this.newVisitorShare = options.newVisitorShare();
        this.random = new SplittableRandom(options.seed() * 1_000_003L + index);
        this.stripe = Workload.MIXED == options.workload() ? new StripeCheckout(plan.hostHeader(),
            options.stripeProgram(), options.stripeSecret(), options.stripeCurrency(), plan.runId(), index) : null;
        this.done = loop.newPromise();
        this.mixCursor = index * 37;
    }

    /**
     * Add a connection before the run starts.
     *
     * @param connectionIndex global position, which spreads open-loop send times evenly over all connections.
     * @return the connection, not yet connected.
     */
    LoadConnection addConnection(final int connectionIndex)
    {
        final LoadConnection connection = new LoadConnection(this, plan.options(), connectionIndex);
        connections.add(connection);
        return connection;
    }

    /**
     * Set the run's timeline and start sending at {@code startNs}; called on this worker's loop.
     */
    void begin(final long startNs, final long measureStartNs, final long endNs)
    {
        this.startNs = startNs;
        this.measureStartNs = measureStartNs;
        this.endNs = endNs;
        if (connections.isEmpty())
        {
            done.trySuccess(null);
            return;
        }
        loop.schedule(this::start, Math.max(0, startNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        final long periodNs = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(TIMEOUT_CHECK_MAX_PERIOD_NS,
            timeoutNs / 4));
        timeoutCheck = loop.scheduleAtFixedRate(this::checkTimeouts, periodNs, periodNs, TimeUnit.NANOSECONDS);
    }

    private void start()
    {
        isStarted = true;
        for (final LoadConnection connection : connections)
        {
            connection.start();
        }
    }

    private void checkTimeouts()
    {
        final long nowNs = System.nanoTime();
        for (final LoadConnection connection : connections)
        {
            connection.checkTimeout(nowNs);
        }
    }

    void onConnectionFinished()
    {
        if (++finished == connections.size())
        {
            timeoutCheck.cancel(false);
            done.trySuccess(null);
        }
    }

    /**
     * @return a copy of the counts, to be taken on this worker's loop.
     */
    Tally snapshot()
    {
        return tally.copy();
    }

    RequestKind nextKind()
    {
        final RequestKind[] mix = plan.mix();
        final RequestKind kind = mix[mixCursor % mix.length];
        mixCursor = mixCursor + 1 == Integer.MAX_VALUE ? 0 : mixCursor + 1;
        return kind;
    }

    int nextLinkIndex()
    {
        return random.nextInt(plan.links().length);
    }

    boolean isNewVisitor()
    {
        return random.nextDouble() < newVisitorShare;
    }

    int nextInt(final int bound)
    {
        return random.nextInt(bound);
    }

    /**
     * @return the whole request, in a buffer the write releases.
     */
    ByteBuf encode(final RequestKind kind, final int linkIndex, final byte[] cookieLine, final ByteBufAllocator alloc)
    {
        final RequestTemplates templates = plan.templates();
        switch (kind)
        {
            case REDIRECT:
                return templates.redirect(alloc, plan.links()[linkIndex], linkIndex, cookieLine);
            case PIXEL:
                return templates.pixel(alloc, random.nextInt(templates.pixelPages()), cookieLine);
            case CONVERSION:
                final byte[] request = stripe.request(lastClickId(), 1_000 + random.nextInt(20_000),
                    System.currentTimeMillis() / 1000);
                return alloc.ioBuffer(request.length).writeBytes(request);
            default:
                throw new IllegalStateException(kind.name());
        }
    }

    /**
     * A checkout follows a click: the click id of this loop's latest checked redirect, as the shop kept it.
     */
    private String lastClickId()
    {
        if (null == lastLocation)
        {
            return null;
        }
        final int start = lastLink.clickIdStart(lastLocation);
        return lastLocation.substring(start, start + IdCodec.ENCODED_LENGTH);
    }

    /**
     * Check a response's status and headers against what the contract promises for its kind of request.
     *
     * @return null if right so far (a conversion's body is checked when complete), else what is wrong.
     */
    ErrorKind checkHead(final RequestKind kind, final LinkTarget link, final int status, final HttpHeaders headers)
    {
        switch (kind)
        {
            case REDIRECT:
            {
                if (302 != status)
                {
                    return ErrorKind.STATUS;
                }
                final String location = headers.get(HttpHeaderNames.LOCATION);
                if (null == location || location.isEmpty())
                {
                    return ErrorKind.MISSING_LOCATION;
                }
                if (isStatic)
                {
                    return null;
                }
                final ErrorKind error = link.check(location);
                if (null == error)
                {
                    lastLocation = location;
                    lastLink = link;
                }
                return error;
            }
            case PIXEL:
            {
                if (200 != status)
                {
                    return ErrorKind.STATUS;
                }
                final String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
                return null != contentType && contentType.regionMatches(true, 0, "image/gif", 0, 9) ?
                    null : ErrorKind.WRONG_CONTENT_TYPE;
            }
            case CONVERSION:
                return status >= 200 && status < 300 ? null : ErrorKind.STATUS;
            default:
                throw new IllegalStateException(kind.name());
        }
    }

    void onSent(final long intendedNs, final long sentNs)
    {
        if (isOpenLoop && intendedNs >= measureStartNs)
        {
            tally.sendLagNs.recordValue(Tally.clamp(sentNs - intendedNs));
        }
    }

    void onResponse(
        final RequestKind kind, final long intendedNs, final long nowNs, final int status, final ErrorKind error)
    {
        if (intendedNs >= measureStartNs)
        {
            tally.requestsByKind[kind.ordinal()]++;
            tally.responsesByStatus[Math.min(status, Tally.MAX_STATUS)]++;
            tally.latencyNsByKind[kind.ordinal()].recordValue(Tally.clamp(nowNs - intendedNs));
        }
        else
        {
            tally.warmupRequests++;
        }
        // A wrong answer is wrong in the warm-up too: errors count over the whole run.
        if (null != error)
        {
            tally.errorsByKind[error.ordinal()]++;
        }
    }

    /**
     * A request that got no complete answer: the connection broke, the answer was malformed, or it timed out.
     */
    void onFailure(final RequestKind kind, final long intendedNs, final ErrorKind error)
    {
        if (intendedNs >= measureStartNs)
        {
            tally.requestsByKind[kind.ordinal()]++;
        }
        else
        {
            tally.warmupRequests++;
        }
        tally.errorsByKind[error.ordinal()]++;
    }

    /**
     * An open-loop send time was reached; counted whether the request is then sent or given up.
     */
    void onSlot(final long intendedNs)
    {
        if (intendedNs >= measureStartNs)
        {
            tally.scheduled++;
        }
    }

    /**
     * An open-loop request waited past the timeout for its connection and is given up unsent.
     */
    void onNotSent(final long intendedNs)
    {
        onSlot(intendedNs);
        if (intendedNs >= measureStartNs)
        {
            tally.notSent++;
        }
        tally.errorsByKind[ErrorKind.TIMEOUT.ordinal()]++;
    }

    void onError(final ErrorKind error)
    {
        tally.errorsByKind[error.ordinal()]++;
    }

    void onReconnect()
    {
        tally.reconnects++;
    }

    EventLoop loop()
    {
        return loop;
    }

    Class<? extends Channel> channelClass()
    {
        return channelClass;
    }

    Promise<Void> done()
    {
        return done;
    }

    boolean isStarted()
    {
        return isStarted;
    }

    boolean isOpenLoop()
    {
        return isOpenLoop;
    }

    boolean isStatic()
    {
        return isStatic;
    }

    long startNs()
    {
        return startNs;
    }

    long endNs()
    {
        return endNs;
    }

    long timeoutNs()
    {
        return timeoutNs;
    }

    LinkTarget link(final int linkIndex)
    {
        return plan.links()[linkIndex];
    }
}
