package dev.ricochet.tracker;

import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.ProgramRoute;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A real edge on an ephemeral loopback port with a real journal in a temp directory, for the tracker's tests.
 */
final class EdgeFixture implements AutoCloseable
{
    static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36";
    private static final HttpClient CLIENT =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    final LinkDirectory links = new LinkDirectory();
    final ProgramDirectory programs = new ProgramDirectory();
    final Journal journal;
    final TrackerServer server;

    EdgeFixture(final Path dir, final LinkRoute[] linkRoutes, final ProgramRoute... programRoutes)
        throws InterruptedException
    {
        this(dir, context -> context, linkRoutes, programRoutes);
    }

    /**
     * @param settings applied to the edge's context before launch, for a test's own settings.
     */
    EdgeFixture(
        final Path dir,
        final UnaryOperator<TrackerServer.Context> settings,
        final LinkRoute[] linkRoutes,
        final ProgramRoute... programRoutes)
        throws InterruptedException
    {
        for (final LinkRoute route : linkRoutes)
        {
            links.put(route);
        }
        for (final ProgramRoute route : programRoutes)
        {
            programs.put(route);
        }
        journal = Journal.open(new Journal.Context().dir(dir));
        server = TrackerServer.launch(settings.apply(new TrackerServer.Context().port(0).bindAddress("127.0.0.1")
            .eventLoopThreads(2).journal(journal).linkDirectory(links).programDirectory(programs)));
    }

    /**
     * @return the response to a GET on this edge, redirects not followed.
     */
    HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return get(path, BROWSER);
    }

    /**
     * @return the response to a GET on this edge with the user agent given, redirects not followed.
     */
    HttpResponse<String> get(final String path, final String userAgent) throws IOException, InterruptedException
    {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).header("User-Agent", userAgent).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /**
     * @return the response to a POST of a JSON body on this edge, with an {@code Authorization: Bearer} key.
     */
    HttpResponse<String> post(final String path, final String apiKey, final String json)
        throws IOException, InterruptedException
    {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + apiKey).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Poll {@code /readyz} until it answers the status: the free-space check runs on its own schedule.
     */
    HttpResponse<String> awaitReadyz(final int status) throws IOException, InterruptedException
    {
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            final HttpResponse<String> response = get("/readyz");
            if (status == response.statusCode())
            {
                return response;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("/readyz never answered " + status);
    }

    /**
     * @return how many events of the type the journal holds.
     */
    static int journaledCount(final Journal journal, final byte type)
    {
        return journaled(journal, type, buffer -> type).size();
    }

    /**
     * @return whether each journaled click (and preview) carries the bot flag, in journal order.
     */
    static List<Boolean> journaledBotFlags(final Journal journal)
    {
        final ClickEventFlyweight click = new ClickEventFlyweight();
        return journaled(journal, EventHeaderDescriptor.TYPE_CLICK,
            buffer -> click.wrap(buffer, 0).hasFlag(ClickEventFlyweight.FLAG_BOT));
    }

    /**
     * @param read what to make of one event (the buffer holds it from offset 0).
     * @return what {@code read} makes of each journaled event of the type, in journal order.
     */
    static <T> List<T> journaled(final Journal journal, final byte type, final Function<DirectBuffer, T> read)
    {
        final List<T> events = new ArrayList<>();
        try (JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            poller.poll((buffer, length, index) ->
            {
                if (type == buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET))
                {
                    events.add(read.apply(buffer));
                }
            }, 100_000);
        }
        return events;
    }

    private URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Override
    public void close()
    {
        server.close();
        journal.close();
    }
}
