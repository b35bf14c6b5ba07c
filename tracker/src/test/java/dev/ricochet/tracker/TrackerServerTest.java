package dev.ricochet.tracker;

import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.test.RawHttp;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrackerServerTest
{
    private static final String BROWSER =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36";

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    @AutoClose
    private EdgeFixture edge;
    private Journal journal;
    private TrackerServer server;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir, new LinkRoute[]{
            new LinkRoute("spring-tents", 7, 3, 1, "https://shop.example.com/tents?color=red#top", "ref"),
            new LinkRoute("home", 8, 3, 1, "https://shop.example.com/", "rcid") });
        journal = edge.journal;
        server = edge.server;
    }

    @Test
    void shouldRedirectKnownCodeWithClickIdUnderTheProgramsParameter() throws Exception
    {
        // When a shopper follows the link
        final HttpResponse<String> response = get("/r/spring-tents?sub1=video42&utm_source=yt", BROWSER, null);

        // Then the 302 goes to the directory's destination, click id added before the fragment, utm passed through
        assertEquals(302, response.statusCode());
        final String location = response.headers().firstValue("location").orElseThrow();
        assertTrue(location.matches(
            "https://shop\\.example\\.com/tents\\?color=red&ref=[-0-9A-Za-z_]{22}&utm_source=yt#top"), location);
        assertEquals("no-store, no-cache, must-revalidate, max-age=0",
            response.headers().firstValue("cache-control").orElseThrow());

        // And the click is in the journal, under that click id, with the link's catalog numbers
        final List<String> clicks = journaledClicks();
        assertEquals(1, clicks.size());
        final String clickId = location.substring(location.indexOf("ref=") + 4, location.indexOf("ref=") + 26);
        assertEquals(clickId + "|7|3|1|0|sub1=video42&utm_source=yt", clicks.get(0));
    }

    @Test
    void shouldIssueAVisitorCookieAndKeepTheVisitorIdOnReturn() throws Exception
    {
        // Given a first click sets the visitor cookie
        final HttpResponse<String> first = get("/r/home", BROWSER, null);
        final String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
        assertTrue(setCookie.matches("rv=[-0-9A-Za-z_]{33}; Max-Age=34560000; Path=/; HttpOnly; SameSite=Lax"),
            setCookie);
        final String visitor = setCookie.substring(3, 36);

        // When the same browser clicks again with the cookie
        get("/r/spring-tents", BROWSER, "other=1; rv=" + visitor);

        // Then both clicks carry the same visitor, the second not flagged new
        final List<Long> visitorLows = new ArrayList<>();
        final List<Boolean> isNew = new ArrayList<>();
        pollClicks(click ->
        {
            visitorLows.add(click.visitorIdLo());
            isNew.add(click.hasFlag(ClickEventFlyweight.FLAG_NEW_VISITOR));
        });
        assertEquals(IdCodec.decodeLo(visitor, 0), visitorLows.get(0));
        assertEquals(visitorLows.get(0), visitorLows.get(1));
        assertEquals(List.of(true, false), isNew);
    }

    @Test
    void shouldGiveEveryClickADistinctId() throws Exception
    {
        for (int i = 0; i < 50; i++)
        {
            get("/r/home", BROWSER, null);
        }
        assertEquals(50, journaledClicks().stream().map(c -> c.substring(0, 22)).distinct().count());
    }

    @Test
    void shouldAnswerHeadLikeGetButJournalItAsAPreview() throws Exception
    {
        final HttpResponse<Void> response = client.send(HttpRequest.newBuilder(uri("/r/home"))
            .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("User-Agent", BROWSER).build(),
            HttpResponse.BodyHandlers.discarding());

        assertEquals(302, response.statusCode());
        assertTrue(response.headers().firstValue("location").orElseThrow().startsWith("https://shop.example.com/?rcid="));
        final List<Boolean> previews = new ArrayList<>();
        pollClicks(click -> previews.add(click.hasFlag(ClickEventFlyweight.FLAG_PREVIEW)));
        assertEquals(List.of(true), previews);
        assertEquals(1, server.context().counters().get(TrackerCounter.PREVIEWS_RECORDED));
        assertEquals(0, server.context().counters().get(TrackerCounter.CLICKS_RECORDED));
    }

    @Test
    void shouldFlagCrawlersAndScriptsAsBots() throws Exception
    {
        get("/r/home", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", null);
        get("/r/home", "curl/8.5.0", null);
        get("/r/home", BROWSER, null);

        final List<Boolean> bots = new ArrayList<>();
        pollClicks(click -> bots.add(click.hasFlag(ClickEventFlyweight.FLAG_BOT)));
        assertEquals(List.of(true, true, false), bots);
    }

    @Test
    void shouldRefuseALinkLoadedAsAnImageScriptFrameOrFetchWithoutRecordingAClick() throws Exception
    {
        // Given a stuffing page embedding the link four ways (Fetch Metadata as browsers send it)
        final String[][] embeddings = {
            { "image", "no-cors" }, { "script", "no-cors" }, { "iframe", "navigate" }, { "empty", "cors" } };
        for (final String[] embedding : embeddings)
        {
            // When the browser loads it
            final HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/r/home"))
                .header("User-Agent", BROWSER).header("Sec-Fetch-Dest", embedding[0])
                .header("Sec-Fetch-Mode", embedding[1]).build(), HttpResponse.BodyHandlers.ofString());

            // Then it is refused: no redirect to follow, no visitor cookie
            assertEquals(403, response.statusCode(), embedding[0]);
            assertTrue(response.headers().firstValue("set-cookie").isEmpty(), embedding[0]);
        }
        // And no click was recorded, each refusal was counted, and a real navigation still counts
        assertEquals(0, journaledClicks().size());
        assertEquals(embeddings.length, server.context().counters().get(TrackerCounter.EMBEDDED_HITS_REFUSED));
        assertEquals(302, client.send(HttpRequest.newBuilder(uri("/r/home")).header("User-Agent", BROWSER)
            .header("Sec-Fetch-Dest", "document").header("Sec-Fetch-Mode", "navigate").build(),
            HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(1, journaledClicks().size());
        // While the pixel, which a page embeds by design, is served as the image it is
        assertEquals(200, client.send(HttpRequest.newBuilder(uri("/p.gif")).header("User-Agent", BROWSER)
            .header("Sec-Fetch-Dest", "image").header("Sec-Fetch-Mode", "no-cors").build(),
            HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void shouldRedirectUnknownCodeTo404AndJournalNothing() throws Exception
    {
        final HttpResponse<String> response = get("/r/no-such-link", BROWSER, null);
        assertEquals(404, response.statusCode());
        assertFalse(response.headers().firstValue("location").isPresent());
        assertEquals(0, journaledClicks().size());
    }

    @Test
    void shouldRejectCodesCarryingCrlfOrEncodedCrlf() throws Exception
    {
        assertEquals(400, get("/r/home%0d%0aSet-Cookie:%20x=1", BROWSER, null).statusCode());
        assertEquals(400, get("/r/home%0D%0A", BROWSER, null).statusCode());
        assertEquals(400, get("/r/..%2fhome", BROWSER, null).statusCode());
        final String raw = RawHttp.exchange(server.port(), "GET /r/home\r\nLocation: http://evil.example/ HTTP/1.1\r\n" +
            "Host: x\r\n\r\n");
        assertEquals(400, RawHttp.status(raw), raw);
        assertEquals(0, journaledClicks().size());
    }

    @Test
    void shouldNeverRedirectToADestinationTheRequestSupplies() throws Exception
    {
        final HttpResponse<String> response =
            get("/r/home?url=https://evil.example/&utm_source=%0d%0aLocation:%20https://evil.example/", BROWSER, null);
        final String location = response.headers().firstValue("location").orElseThrow();
        assertTrue(location.startsWith("https://shop.example.com/?rcid="), location);
        assertFalse(location.contains("\r") || location.contains("\n") || location.contains("url="), location);
        assertTrue(location.endsWith("&utm_source=%0D%0ALocation%3A%20https%3A%2F%2Fevil.example%2F"), location);
    }

    @Test
    void shouldAnswer414ToAnOverLongRequestLineAndKeepServing() throws Exception
    {
        final String raw = RawHttp.exchange(server.port(),
            "GET /r/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(414, RawHttp.status(raw), raw);
        assertEquals(302, get("/r/home", BROWSER, null).statusCode());
    }

    @Test
    void shouldAnswer431ToOversizedHeaders() throws Exception
    {
        final String raw = RawHttp.exchange(server.port(),
            "GET /r/home HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n");
        assertEquals(431, RawHttp.status(raw), raw);
    }

    @Test
    void shouldAnswer405ToMethodsOtherThanGetAndHead() throws Exception
    {
        for (final String method : new String[]{ "POST", "PUT", "DELETE", "OPTIONS" })
        {
            final HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/r/home"))
                .method(method, HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(405, response.statusCode(), method);
            assertEquals("GET, HEAD", response.headers().firstValue("allow").orElseThrow());
        }
        assertEquals(0, journaledClicks().size());
        assertEquals(302, get("/r/home", BROWSER, null).statusCode());
    }

    @Test
    void shouldAnswer400ToGarbageAndKeepServing() throws Exception
    {
        final String raw = RawHttp.exchange(server.port(), "\u0000\u0001GARBAGE\r\n\r\n");
        assertTrue(RawHttp.status(raw) == 400 || raw.isEmpty(), raw);
        assertEquals(302, get("/r/home", BROWSER, null).statusCode());
    }

    @Test
    void shouldServeTheTrackingPixelAndJournalTheHit() throws Exception
    {
        final HttpResponse<byte[]> response = client.send(
            HttpRequest.newBuilder(uri("/p.gif?e=pageview")).header("User-Agent", BROWSER).build(),
            HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, response.statusCode());
        assertEquals("image/gif", response.headers().firstValue("content-type").orElseThrow());
        assertEquals(43, response.body().length);
        assertEquals("GIF89a", new String(response.body(), 0, 6, StandardCharsets.US_ASCII));
        final List<Byte> types = new ArrayList<>();
        try (JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            poller.poll((buffer, length, index) -> types.add(buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET)), 10);
        }
        assertEquals(List.of(EventHeaderDescriptor.TYPE_PIXEL), types);
    }

    @Test
    void shouldReportHealthAndMetrics() throws Exception
    {
        get("/r/home", BROWSER, null);
        assertEquals(200, get("/healthz", BROWSER, null).statusCode());
        final String metrics = get("/metrics", BROWSER, null).body();
        assertTrue(metrics.contains("ricochet_tracker_unexpected_errors_total 0"), metrics);
        // Business volume is the admin port's, not the public edge's
        assertFalse(metrics.contains("clicks_recorded"), metrics);
        assertTrue(server.context().counters().businessVolumePrometheusText()
            .contains("ricochet_tracker_clicks_recorded_total 1"));
    }

    @Test
    void shouldServeManyRequestsOnOneKeepAliveConnection() throws Exception
    {
        final String twoRequests = "GET /r/home HTTP/1.1\r\nHost: x\r\nUser-Agent: " + BROWSER + "\r\n\r\n" +
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.getOutputStream().write(twoRequests.getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5000);
            final byte[] buffer = new byte[4096];
            final StringBuilder received = new StringBuilder();
            while (!received.toString().contains("ok\n"))
            {
                final int n = socket.getInputStream().read(buffer);
                assertTrue(n > 0, "connection closed early: " + received);
                received.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }
            assertTrue(received.toString().startsWith("HTTP/1.1 302 Found"), received.toString());
            assertTrue(received.toString().contains("HTTP/1.1 200 OK"), received.toString());
        }
    }

    @Test
    void shouldGiveEachRedirectOnOneKeepAliveConnectionItsOwnClickIdAndCookie() throws Exception
    {
        // Given three clicks from new visitors pipelined on one keep-alive connection
        final String click = "GET /r/home HTTP/1.1\r\nHost: x\r\nUser-Agent: " + BROWSER + "\r\n\r\n";
        final String received = exchangeUntil(click + click + click, 3, "content-length: 0");

        // Then each answer carries the click id and visitor cookie of its own journaled click
        final Matcher location = Pattern.compile("rcid=([-0-9A-Za-z_]{22})")
            .matcher(received);
        final List<String> locationIds = new ArrayList<>();
        while (location.find())
        {
            locationIds.add(location.group(1));
        }
        final List<String> journaledIds = journaledClicks().stream().map(c -> c.substring(0, 22)).toList();
        assertEquals(journaledIds, locationIds);
        final Matcher cookie = Pattern.compile("rv=([-0-9A-Za-z_]{33})")
            .matcher(received);
        final Set<String> visitors = new HashSet<>();
        while (cookie.find())
        {
            visitors.add(cookie.group(1));
        }
        assertEquals(3, visitors.size(), received);
    }

    @Test
    void shouldCloseAfterTheRedirectWhenTheClientAsksTo() throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            // When a client sends Connection: close
            socket.getOutputStream().write(("GET /r/home HTTP/1.1\r\nHost: x\r\nConnection: close\r\nUser-Agent: " +
                BROWSER + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5000);

            // Then it gets the redirect, and the edge closes the connection after it
            final String raw = new String(socket.getInputStream().readAllBytes(),
                StandardCharsets.US_ASCII);
            assertEquals(302, RawHttp.status(raw), raw);
            assertTrue(raw.toLowerCase(Locale.ROOT).contains("connection: close"), raw);
            assertTrue(raw.contains("ocation: https://shop.example.com/?rcid="), raw);
        }
    }

    @Test
    void shouldDateRedirectsAndPixelsWithTheCurrentTime() throws Exception
    {
        // When a link and the pixel are requested
        final Instant before = Instant.now().minusSeconds(1);
        final String redirectDate = get("/r/home", BROWSER, null).headers().firstValue("date").orElseThrow();
        final String pixelDate = get("/p.gif", BROWSER, null).headers().firstValue("date").orElseThrow();
        final Instant after = Instant.now().plusSeconds(1);

        // Then both carry an RFC 9110 Date of the moment they were answered
        for (final String date : List.of(redirectDate, pixelDate))
        {
            final Instant at = ZonedDateTime.parse(
                date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            assertTrue(!at.isBefore(before.truncatedTo(ChronoUnit.SECONDS)) && !at.isAfter(after),
                date);
        }
    }

    private String exchangeUntil(final String requests, final int responses, final String marker) throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5000);
            final byte[] buffer = new byte[8192];
            final StringBuilder received = new StringBuilder();
            while (received.toString().split(marker, -1).length - 1 < responses)
            {
                final int n = socket.getInputStream().read(buffer);
                assertTrue(n > 0, "connection closed early: " + received);
                received.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }
            return received.toString();
        }
    }

    @Test
    void shouldNotCountAClientResettingItsConnectionAsAnError() throws Exception
    {
        // Given a client that sends half a request and resets the connection
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.getOutputStream().write("GET /r/ho".getBytes(StandardCharsets.US_ASCII));
            socket.setSoLinger(true, 0);
        }

        // Then the edge keeps serving and counts no unexpected error
        assertEquals(302, get("/r/home", BROWSER, null).statusCode());
        assertEquals(0, server.context().counters().get(TrackerCounter.UNEXPECTED_ERRORS));
    }

    private HttpResponse<String> get(final String path, final String userAgent, final String cookie) throws Exception
    {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).header("User-Agent", userAgent);
        if (null != cookie)
        {
            builder.header("Cookie", cookie);
        }
        return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private List<String> journaledClicks()
    {
        final List<String> clicks = new ArrayList<>();
        pollClicks(click -> clicks.add(IdCodec.toString(click.clickIdHi(), click.clickIdLo()) + "|" + click.linkId() +
            "|" + click.partnerId() + "|" + click.programId() + "|" + (click.flags() & ClickEventFlyweight.FLAG_BOT) +
            "|" + click.query()));
        return clicks;
    }

    private void pollClicks(final Consumer<ClickEventFlyweight> consumer)
    {
        final ClickEventFlyweight click = new ClickEventFlyweight();
        try (JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            poller.poll((buffer, length, index) ->
            {
                if (EventHeaderDescriptor.TYPE_CLICK == buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET))
                {
                    consumer.accept(click.wrap(buffer, 0));
                }
            }, 10_000);
        }
    }
}
