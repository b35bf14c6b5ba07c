package dev.ricochet.tracker;

import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClickDurabilityTest
{
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36";

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

    private static TrackerServer launch(final Journal journal, final String durability) throws InterruptedException
    {
        final LinkDirectory links = new LinkDirectory();
        links.put(new LinkRoute("home", 8, 3, 1, "https://shop.example.com/", "rcid"));
        return TrackerServer.launch(new TrackerServer.Context().port(0).bindAddress("127.0.0.1").eventLoopThreads(1)
            .clickDurability(durability).journal(journal).linkDirectory(links));
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
