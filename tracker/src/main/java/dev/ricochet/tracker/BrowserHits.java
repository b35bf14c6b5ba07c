package dev.ricochet.tracker;

import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.DurableJournalWriter;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.IdGenerator;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.tracker.conversion.PixelConversions;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import org.agrona.concurrent.EpochClock;

/**
 * Browser hits, one instance per channel: a click on a partner link ({@code /r/{code}}) is journaled and answered
 * with a 302, a pixel hit ({@code /p.gif}) is journaled and answered with the GIF, and a pixel hit that reports a
 * conversion also journals that conversion ({@link PixelConversions}).
 *
 * <p>The event is appended before the response is written, so a 302 means "in the journal". The click path allocates
 * nothing of ours: the flyweight, the Location and Set-Cookie values and the response object are reused.
 */
final class BrowserHits
{
    private final RequestPath requestPath;
    private final EdgeLoopResources loop;
    private final LinkDirectory linkDirectory;
    private final ProgramDirectory programDirectory;
    private final RateLimits rateLimits;
    private final JournalSpaceGate journalSpaceGate;
    private final DurableJournalWriter durableWriter;
    private final TrackerCounters counters;
    private final EpochClock epochClock;
    private final ClickDurability durability;
    private final UnjournaledClicks onAppendFailure;
    private final BotVerdicts botVerdicts;
    private final VisitorCookie visitorCookie;
    private final IpHasher ipHasher;
    private final RedirectLocation redirectLocation = new RedirectLocation();
    private final LinkDirectory.CodeView codeView = new LinkDirectory.CodeView();
    private final FullHttpResponse reusableRedirect;
    private PixelConversions pixelConversions;
    private long ipHash;
    private long ipHashDay = Long.MIN_VALUE;
    private long rateLimitAddressKey;
    private boolean hasRateLimitAddressKey;
    private long visitorHi;
    private long visitorLo;

    /**
     * @param settings    concluded settings: durability, append-failure policy, visitor cookie, directories, clock.
     * @param runtime     the shared services this channel's hits use.
     * @param requestPath the channel's parsed request target, parsed by the router before each hit.
     * @param loop        the resources of the channel's event loop.
     */
    BrowserHits(
        final TrackerSettings<?> settings,
        final EdgeRuntime runtime,
        final RequestPath requestPath,
        final EdgeLoopResources loop)
    {
        this.requestPath = requestPath;
        this.loop = loop;
        this.linkDirectory = settings.linkDirectory();
        this.programDirectory = settings.programDirectory();
        this.rateLimits = runtime.rateLimits;
        this.journalSpaceGate = runtime.journalSpaceGate;
        this.durableWriter = runtime.durableWriter;
        this.counters = settings.counters();
        this.epochClock = settings.epochClock();
        this.durability = settings.clickDurability();
        this.onAppendFailure = settings.onAppendFailure();
        this.botVerdicts = new BotVerdicts(runtime.userAgentVerdicts, counters, loop);
        this.visitorCookie = settings.newVisitorCookie();
        this.ipHasher = new IpHasher(settings.ipSalts());
        this.reusableRedirect = Responses.reusableRedirect(
            redirectLocation.location(), visitorCookie.setCookie(), loop.date);
    }

    /**
     * {@code GET} or {@code HEAD /r/{code}}.
     *
     * @param isPreview a HEAD: journaled as a preview, not a click.
     */
    void onClick(final ChannelHandlerContext ctx, final HttpRequest request, final boolean isPreview)
    {
        final String uri = requestPath.uri();
        final LinkRoute route =
            linkDirectory.lookup(codeView.wrap(uri, requestPath.codeStart(), requestPath.codeEnd()));
        if (null == route)
        {
            counters.increment(TrackerCounter.UNKNOWN_LINK);
            ctx.write(Responses.text(HttpResponseStatus.NOT_FOUND, "unknown link\n"), ctx.voidPromise());
            return;
        }
        final HttpHeaders headers = request.headers();
        if (isRefusedNavigation(ctx, headers))
        {
            return;
        }
        final long nowMs = epochClock.time();
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final long limitedForUs = rateLimitWaitUs(ctx, route);
        if (limitedForUs > 0)
        {
            if (rateLimits.rejects())
            {
                ctx.write(Responses.tooManyRequests(RateLimits.retryAfterSeconds(limitedForUs)), ctx.voidPromise());
            }
            else
            {
                // Redirect without credit: the shopper lands, but no click is journaled and no click id is given.
                resolveVisitor(headers, nowMs);
                writeUncreditedRedirect(ctx, route, nowMs, keepAlive);
            }
            return;
        }
        final String userAgent = headers.get(HttpHeaderNames.USER_AGENT);
        final boolean isBot = botVerdicts.isBot(userAgent);
        final boolean isNewVisitor = resolveVisitor(headers, nowMs);
        final IdGenerator ids = loop.ids;
        ids.next(nowMs);
        final long clickHi = ids.hi();
        final long clickLo = ids.lo();

        if (journalSpaceGate.isLow(ctx, false))
        {
            if (journalSpaceGate.servesBrowserHits())
            {
                // The shopper still lands; the click is counted as unjournaled, not recorded, so the Location carries
                // no click id: an id handed out is a promise that the click is in the journal.
                writeUncreditedRedirect(ctx, route, nowMs, keepAlive);
            }
            return;
        }

        final short flags = (short)((isPreview ? ClickEventFlyweight.FLAG_PREVIEW : 0) |
            (isBot ? ClickEventFlyweight.FLAG_BOT : 0) | (isNewVisitor ? ClickEventFlyweight.FLAG_NEW_VISITOR : 0));
        final ClickEventFlyweight click = loop.appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, nowMs)
            .flags(flags)
            .clickId(clickHi, clickLo)
            .link(route.linkId(), route.partnerId(), route.programId());
        encodeBrowserFields(ctx, click, headers, userAgent, nowMs);
        final TrackerCounter recorded = isPreview ? TrackerCounter.PREVIEWS_RECORDED :
            isBot ? TrackerCounter.BOT_CLICKS_RECORDED : TrackerCounter.CLICKS_RECORDED;
        if (ClickDurability.POWER_SAFE == durability)
        {
            redirectOnceDurable(ctx, click.encodedLength(), route, clickHi, clickLo, keepAlive, recorded);
            return;
        }
        if (!append(click, recorded))
        {
            answerUnjournaled(ctx, route, nowMs, keepAlive);
            return;
        }
        writeRedirect(ctx, redirectLocation.build(route, clickHi, clickLo, utmQuery()), nowMs, keepAlive);
    }

    /**
     * A prefetch or prerender, or a link loaded as an image, script or frame: refused without a click.
     *
     * @return true if the hit was refused and answered.
     */
    private boolean isRefusedNavigation(final ChannelHandlerContext ctx, final HttpHeaders headers)
    {
        if (BrowserHeaders.isSpeculative(headers))
        {
            // A prefetch or prerender is not a click yet: a redirect answered now would be followed later from the
            // browser's cache, so the real click would never reach the edge. Refused, the browser asks again when
            // (and if) the visitor navigates.
            counters.increment(TrackerCounter.SPECULATIVE_HITS_REFUSED);
            ctx.write(Responses.speculationRefused(), ctx.voidPromise());
            return true;
        }
        if (BrowserHeaders.isEmbedded(headers))
        {
            // Cookie stuffing loads partner links as images, scripts or frames so that visitors who never clicked
            // carry a partner's click to checkout: no click, no cookie, no redirect to follow.
            counters.increment(TrackerCounter.EMBEDDED_HITS_REFUSED);
            ctx.write(Responses.text(HttpResponseStatus.FORBIDDEN,
                "partner links open only as a page the visitor navigates to; no click recorded\n"), ctx.voidPromise());
            return true;
        }
        return false;
    }

    /**
     * A click the journal did not take (an I/O error, or the journal closing under a shutdown): 503 if so configured,
     * else the shopper lands, but with no click id, which would promise a click that does not exist.
     */
    private void answerUnjournaled(
        final ChannelHandlerContext ctx, final LinkRoute route, final long nowMs, final boolean keepAlive)
    {
        if (UnjournaledClicks.UNAVAILABLE == onAppendFailure)
        {
            ctx.write(Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "journal unavailable\n"),
                ctx.voidPromise());
        }
        else
        {
            writeUncreditedRedirect(ctx, route, nowMs, keepAlive);
        }
    }

    /**
     * The rate limits: a browser hit takes a token from its client address's bucket, a click also from its link's.
     *
     * @param route the clicked link, or null for a pixel hit.
     * @return 0 if within the limits, otherwise the microseconds until the limiting bucket has a token again.
     */
    private long rateLimitWaitUs(final ChannelHandlerContext ctx, final LinkRoute route)
    {
        if (!hasRateLimitAddressKey)
        {
            // A connection's client does not change: one key per connection.
            rateLimitAddressKey = rateLimits.addressKey(ctx.channel().remoteAddress());
            hasRateLimitAddressKey = true;
        }
        final long nowNs = System.nanoTime();
        final long addressWaitUs = rateLimits.acquireForAddress(rateLimitAddressKey, nowNs);
        if (addressWaitUs > 0)
        {
            counters.increment(TrackerCounter.RATE_LIMITED_ADDRESS);
            return addressWaitUs;
        }
        final long linkWaitUs = null == route ? 0 : rateLimits.acquireForLink(route.linkId(), nowNs);
        if (linkWaitUs > 0)
        {
            counters.increment(TrackerCounter.RATE_LIMITED_LINK);
        }
        return linkWaitUs;
    }

    private void writeUncreditedRedirect(
        final ChannelHandlerContext ctx, final LinkRoute route, final long nowMs, final boolean keepAlive)
    {
        writeRedirect(ctx, redirectLocation.buildUncredited(route, utmQuery()), nowMs, keepAlive);
    }

    private void writeRedirect(
        final ChannelHandlerContext ctx, final CharSequence location, final long nowMs, final boolean keepAlive)
    {
        final CharSequence setCookie = visitorCookie.format(visitorHi, visitorLo);
        final CharSequence date = loop.date.update(nowMs);
        // The common case writes one response object again and again: nothing allocated per click.
        ctx.write(keepAlive ? reusableRedirect : Responses.redirect(location, setCookie, date), ctx.voidPromise());
    }

    /**
     * @return the request's query if it has a utm_* parameter, else null: only utm_* parameters travel on to the
     * destination, so the query is copied out only when one is there.
     */
    private String utmQuery()
    {
        final boolean hasUtm = requestPath.uri().indexOf(RedirectLocation.UTM_PREFIX, requestPath.queryStart()) >= 0;
        return hasUtm ? requestPath.query() : null;
    }

    /**
     * Power-safe clicks: hand the encoded click to the grouped, synced writer and redirect once it is on disk.
     * Reading stops meanwhile, so this channel's parse state and buffers stay as they are until the answer.
     */
    private void redirectOnceDurable(
        final ChannelHandlerContext ctx,
        final int length,
        final LinkRoute route,
        final long clickHi,
        final long clickLo,
        final boolean keepAlive,
        final TrackerCounter recorded)
    {
        ConversionRequests.awaitDurableAnswer(ctx);
        final boolean offered = durableWriter.offer(loop.appender.copyEncoded(length), length,
            index -> ctx.executor().execute(() ->
            {
                final boolean durable = Journal.NULL_INDEX != index;
                counters.increment(durable ? recorded : TrackerCounter.JOURNAL_APPEND_FAILURES);
                if (durable)
                {
                    writeRedirect(ctx, redirectLocation.build(route, clickHi, clickLo, utmQuery()), epochClock.time(),
                        keepAlive);
                }
                else
                {
                    answerUnjournaled(ctx, route, epochClock.time(), keepAlive);
                }
                ctx.channel().config().setAutoRead(true);
                ctx.flush();
            }));
        if (!offered)
        {
            ctx.channel().config().setAutoRead(true);
            counters.increment(TrackerCounter.JOURNAL_APPEND_FAILURES);
            ctx.write(Responses.json(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"error\":\"journal overloaded\"}"),
                ctx.voidPromise());
        }
    }

    /**
     * {@code GET} or {@code HEAD /p.gif}.
     *
     * @param isHead a HEAD asks what a GET would answer and is safe: it gets the GIF's headers and journals nothing
     *               (a pixel hit can report a conversion).
     */
    void onPixel(final ChannelHandlerContext ctx, final HttpRequest request, final boolean isHead)
    {
        final long nowMs = epochClock.time();
        final HttpHeaders headers = request.headers();
        if (isHead)
        {
            resolveVisitor(headers, nowMs);
            writePixel(ctx, nowMs);
            return;
        }
        final long limitedForUs = rateLimitWaitUs(ctx, null);
        if (limitedForUs > 0 && rateLimits.rejects())
        {
            ctx.write(Responses.tooManyRequests(RateLimits.retryAfterSeconds(limitedForUs)), ctx.voidPromise());
            return;
        }
        final String userAgent = headers.get(HttpHeaderNames.USER_AGENT);
        final boolean isNewVisitor = resolveVisitor(headers, nowMs);
        if (limitedForUs > 0)
        {
            // Over the limit: the page still gets its GIF, nothing is journaled.
            writePixel(ctx, nowMs);
            return;
        }
        if (journalSpaceGate.isLow(ctx, false))
        {
            if (journalSpaceGate.servesBrowserHits())
            {
                writePixel(ctx, nowMs);
            }
            return;
        }
        final short flags = (short)((botVerdicts.isBot(userAgent) ? ClickEventFlyweight.FLAG_BOT : 0) |
            (isNewVisitor ? ClickEventFlyweight.FLAG_NEW_VISITOR : 0));
        final ClickEventFlyweight hit = loop.appender.claimClick(EventHeaderDescriptor.TYPE_PIXEL, nowMs).flags(flags);
        encodeBrowserFields(ctx, hit, headers, userAgent, nowMs);
        // Pixel hits feed reports, not payouts: they take the fast path even in power-safe mode.
        if (append(hit, TrackerCounter.PIXEL_HITS_RECORDED) && ClickDurability.OFF != durability)
        {
            appendReportedConversion(nowMs);
        }
        // The page must render whatever happened: a pixel always answers with the GIF.
        writePixel(ctx, nowMs);
    }

    /**
     * A journaled pixel hit that reports a conversion: the conversion is decided here and journaled right after the
     * hit, on the same fast path (a browser's report is held for review downstream, never trusted for money).
     */
    private void appendReportedConversion(final long nowMs)
    {
        final String uri = requestPath.uri();
        final int queryStart = requestPath.queryStart();
        if (!PixelConversions.mayReport(uri, queryStart))
        {
            return;
        }
        if (null == pixelConversions)
        {
            pixelConversions = new PixelConversions(programDirectory, counters);
        }
        final int length = pixelConversions.decide(uri, queryStart, nowMs, visitorHi, visitorLo);
        if (length > 0)
        {
            if (Journal.NULL_INDEX == loop.appender.append(pixelConversions.buffer(), 0, length))
            {
                counters.increment(TrackerCounter.JOURNAL_APPEND_FAILURES);
            }
            else
            {
                counters.increment(TrackerCounter.PIXEL_CONVERSIONS_RECORDED);
            }
        }
    }

    private void writePixel(final ChannelHandlerContext ctx, final long nowMs)
    {
        ctx.write(Responses.pixel(visitorCookie.format(visitorHi, visitorLo), loop.date.update(nowMs)),
            ctx.voidPromise());
    }

    /**
     * Sets the visitor id from the cookie, or issues a new one.
     *
     * @return true if the visitor is new.
     */
    private boolean resolveVisitor(final HttpHeaders headers, final long nowMs)
    {
        final int cookie = visitorCookie.read(headers.get(HttpHeaderNames.COOKIE));
        if (VisitorCookie.VALID == cookie)
        {
            visitorHi = visitorCookie.hi();
            visitorLo = visitorCookie.lo();
            return false;
        }
        if (VisitorCookie.REJECTED == cookie)
        {
            // Forged, guessed, from another deployment or unsigned: replaced, never taken for the visitor it names.
            counters.increment(TrackerCounter.VISITOR_COOKIES_REPLACED);
        }
        loop.ids.next(nowMs);
        visitorHi = loop.ids.hi();
        visitorLo = loop.ids.lo();
        return true;
    }

    /**
     * Completes the fields every browser hit shares, copying each straight from the request.
     */
    private void encodeBrowserFields(
        final ChannelHandlerContext ctx,
        final ClickEventFlyweight event,
        final HttpHeaders headers,
        final String userAgent,
        final long nowMs)
    {
        final String uri = requestPath.uri();
        final String referrer = headers.get(HttpHeaderNames.REFERER);
        final long hostBounds = BrowserHeaders.referrerHostBounds(referrer);
        event.visitorId(visitorHi, visitorLo)
            .ipHash(ipHash(ctx, nowMs))
            .query(uri, requestPath.queryStart(), uri.length())
            .referrerHost(referrer, (int)(hostBounds >>> 32), (int)hostBounds)
            .userAgent(userAgent);
    }

    /**
     * Appends the encoded event, unless journaling is off for a benchmark.
     *
     * @return true if the journal accepted it.
     */
    private boolean append(final ClickEventFlyweight event, final TrackerCounter recorded)
    {
        if (ClickDurability.OFF == durability)
        {
            event.encodedLength();
            counters.increment(TrackerCounter.CLICKS_UNJOURNALED);
            return true;
        }
        if (Journal.NULL_INDEX == loop.appender.append(event.encodedLength()))
        {
            counters.increment(TrackerCounter.JOURNAL_APPEND_FAILURES);
            return false;
        }
        counters.increment(recorded);
        return true;
    }

    /**
     * The client address of a connection does not change: hash it once per channel and day (the key rotates daily),
     * not per click.
     */
    private long ipHash(final ChannelHandlerContext ctx, final long nowMs)
    {
        final long day = IpHasher.day(nowMs);
        if (day != ipHashDay)
        {
            ipHash = ipHasher.hash(ctx.channel().remoteAddress(), nowMs);
            ipHashDay = day;
        }
        return ipHash;
    }
}
