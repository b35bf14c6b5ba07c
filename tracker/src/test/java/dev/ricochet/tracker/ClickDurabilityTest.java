package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClickDurabilityTest
{
    private static final String BROWSER =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36";

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void powerSafeClicksAreRedirectedOnceJournaled() throws Exception
    {
        // Given an edge in power-safe mode
        try (Journal journal = Journal.open(new Journal.Context().dir(dir));
            TrackerServer server = launch(journal, "power-safe"))
        {
            // When a shopper clicks twice on one connection
            final HttpResponse<String> first = get(server, "/r/home");
            final HttpResponse<String> second = get(server, "/r/home");

            // Then both are redirected with the click ids the journal holds
            assertEquals(302, first.statusCode());
            assertEquals(302, second.statusCode());
            final List<String> locations = List.of(location(first), location(second));
            assertEquals(2, journaledClickCount(journal));
            assertTrue(locations.get(0).startsWith("https://shop.example.com/?rcid="), locations.get(0));
            assertEquals(2, locations.stream().distinct().count());
            assertEquals(2, server.context().counters().get(TrackerCounter.CLICKS_RECORDED));
        }
    }

    @Test
    void journalOffRedirectsButJournalsNothingAndCountsIt() throws Exception
    {
        // Given an edge with journaling off (the benchmark ceiling)
        try (Journal journal = Journal.open(new Journal.Context().dir(dir));
            TrackerServer server = launch(journal, "off"))
        {
            // When a shopper clicks
            final HttpResponse<String> response = get(server, "/r/home");

            // Then they land, nothing is journaled, and the metric says so
            assertEquals(302, response.statusCode());
            assertEquals(0, journaledClickCount(journal));
            assertEquals(1, server.context().counters().get(TrackerCounter.CLICKS_UNJOURNALED));
            assertEquals(0, server.context().counters().get(TrackerCounter.CLICKS_RECORDED));
        }
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @CsvSource({ "redirect, 302, https://shop.example.com/", "unavailable, 503, ''" })
    void answersAClickItCouldNotJournalWithoutAClickId(final String policy, final int status, final String location)
        throws Exception
    {
        // Given an edge with the append-failure policy, whose journal has failed under it
        final Journal journal = Journal.open(new Journal.Context().dir(dir));
        try (TrackerServer server = launch(journal, policy, "page-cache"))
        {
            journal.close();

            // When a shopper clicks
            final HttpResponse<String> response = get(server, "/r/home");

            // Then the redirect policy lands them on the shop with no click id (an id promises a journaled click),
            // the unavailable policy says so instead; either way the failure counts and no click does
            assertEquals(status, response.statusCode());
            assertEquals(location, response.headers().firstValue("location").orElse(""));
            assertEquals(1, server.context().counters().get(TrackerCounter.JOURNAL_APPEND_FAILURES));
            assertEquals(0, server.context().counters().get(TrackerCounter.CLICKS_RECORDED));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void closesItsConnectionsBeforeItsJournalSoShutdownAnswersNoClickUnjournaled() throws Exception
    {
        // Given an edge busy with shoppers clicking on keep-alive connections
        final ExecutorService shoppers = Executors.newFixedThreadPool(4);
        try (Journal journal = Journal.open(new Journal.Context().dir(dir)))
        {
            final TrackerServer server = launch(journal, "redirect", "page-cache");
            final List<String> locations = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 4; i++)
            {
                shoppers.execute(() -> clickUntilRefused(server.port(), locations));
            }
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (locations.size() < 2_000)
            {
                assertTrue(System.nanoTime() < deadlineNs, "the shoppers got only " + locations.size() + " answers");
                Thread.sleep(1);
            }

            // When the edge shuts down under them
            server.close();
            shoppers.shutdown();
            assertTrue(shoppers.awaitTermination(10, TimeUnit.SECONDS));

            // Then every click it answered carries an id the journal holds: none was answered after the journal closed
            assertEquals(0, server.context().counters().get(TrackerCounter.JOURNAL_APPEND_FAILURES));
            final List<String> uncredited =
                locations.stream().filter(location -> !location.contains("rcid=")).collect(Collectors.toList());
            assertEquals(List.of(), uncredited);
            assertEquals(locations.size(), journaledClickCount(journal));
        }
        finally
        {
            // The edge is closed where the spec says; a failure before that leaves no shopper clicking on
            shoppers.shutdownNow();
        }
    }

    @Test
    void rejectsAnUnknownDurabilityNamingTheKey()
    {
        try (Journal journal = Journal.open(new Journal.Context().dir(dir)))
        {
            final TrackerServer.Context context = new TrackerServer.Context().clickDurability("sometimes")
                .journal(journal).linkDirectory(new LinkDirectory());

            final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, context::conclude);
            assertTrue(thrown.getMessage().startsWith(TrackerConfiguration.CLICK_DURABILITY_PROP_NAME + "=sometimes"),
                thrown.getMessage());
        }
    }

    @Test
    void refusesAVisitorCookieLifetimePastWhatBrowsersKeepNamingTheKey()
    {
        // Given a cookie lifetime of 401 days (browsers cap Max-Age at 400 days) set as the launcher sets it
        System.setProperty(TrackerConfiguration.VISITOR_COOKIE_MAX_AGE_PROP_NAME, "401d");
        try (Journal journal = Journal.open(new Journal.Context().dir(dir)))
        {
            final TrackerServer.Context context =
                new TrackerServer.Context().journal(journal).linkDirectory(new LinkDirectory());

            // When the settings are validated at start-up, then the message names the key and the bounds
            final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, context::conclude);
            assertEquals(TrackerConfiguration.VISITOR_COOKIE_MAX_AGE_PROP_NAME + ": between 1s and 400d",
                thrown.getMessage());
        }
        finally
        {
            System.clearProperty(TrackerConfiguration.VISITOR_COOKIE_MAX_AGE_PROP_NAME);
        }
    }

    private static TrackerServer launch(final Journal journal, final String durability) throws InterruptedException
    {
        return launch(journal, "redirect", durability);
    }

    private static TrackerServer launch(final Journal journal, final String appendFailure, final String durability)
        throws InterruptedException
    {
        final LinkDirectory links = new LinkDirectory();
        links.put(new LinkRoute("home", 8, 3, 1, "https://shop.example.com/", "rcid"));
        return TrackerServer.launch(new TrackerServer.Context().port(0).bindAddress("127.0.0.1").eventLoopThreads(2)
            .clickAppendFailure(appendFailure).clickDurability(durability).journal(journal).linkDirectory(links));
    }

    /**
     * One shopper clicking over and over on one keep-alive connection until the edge closes it, keeping each Location.
     */
    private static void clickUntilRefused(final int port, final List<String> locations)
    {
        final byte[] request = ("GET /r/home HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: " + BROWSER + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(10_000);
            final BufferedReader in = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            final OutputStream out = socket.getOutputStream();
            while (true)
            {
                out.write(request);
                out.flush();
                String location = "(no Location)";
                for (String line = in.readLine(); !"".equals(line); line = in.readLine())
                {
                    if (null == line)
                    {
                        return;
                    }
                    if (line.regionMatches(true, 0, "location: ", 0, 10))
                    {
                        location = line.substring(10);
                    }
                }
                locations.add(location);
            }
        }
        catch (final IOException ex)
        {
            // the edge closed the connection: this shopper is done
        }
    }

    private HttpResponse<String> get(final TrackerServer server, final String path) throws Exception
    {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("User-Agent", BROWSER).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String location(final HttpResponse<String> response)
    {
        return response.headers().firstValue("location").orElseThrow();
    }

    private static int journaledClickCount(final Journal journal)
    {
        return EdgeFixture.journaledCount(journal, EventHeaderDescriptor.TYPE_CLICK);
    }
}
