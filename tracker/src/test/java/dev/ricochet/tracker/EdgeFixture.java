package dev.ricochet.tracker;

import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.ProgramRoute;

import java.nio.file.Path;

/**
 * A real edge on an ephemeral loopback port with a real journal in a temp directory, for the tracker's tests.
 */
final class EdgeFixture implements AutoCloseable
{
    final LinkDirectory links = new LinkDirectory();
    final ProgramDirectory programs = new ProgramDirectory();
    final Journal journal;
    final TrackerServer server;

    EdgeFixture(final Path dir, final LinkRoute[] linkRoutes, final ProgramRoute... programRoutes)
        throws InterruptedException
    {
        this(dir, linkRoutes, context -> context, programRoutes);
    }

    EdgeFixture(final Path dir, final LinkRoute[] linkRoutes,
        final java.util.function.UnaryOperator<TrackerServer.Context> settings, final ProgramRoute... programRoutes)
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

    @Override
    public void close()
    {
        server.close();
        journal.close();
    }
}
