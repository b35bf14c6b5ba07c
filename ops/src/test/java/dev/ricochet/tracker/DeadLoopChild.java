package dev.ricochet.tracker;

import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.LinkDirectory;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for {@code dev.ricochet.ops.FailLoudSystemTest}: a real edge whose second event loop is stopped while it
 * serves (in the edge's package, to reach that loop). Prints {@code port <n>} once the loop is stopped, then serves on.
 */
public final class DeadLoopChild
{
    private DeadLoopChild()
    {
    }

    /**
     * @param args the journal directory.
     * @throws Exception if the edge cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        final Journal journal = Journal.open(new Journal.Context().dir(Path.of(args[0])));
        final TrackerServer server = TrackerServer.launch(new TrackerServer.Context().port(0).bindAddress("127.0.0.1")
            .eventLoopThreads(2).journal(journal).linkDirectory(new LinkDirectory()).journalMinFreeBytes(0));
        server.connectionOnlyLoop().shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        System.out.println("port " + server.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
