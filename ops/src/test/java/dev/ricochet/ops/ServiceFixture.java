package dev.ricochet.ops;

import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.tracker.TrackerServer;
import org.agrona.concurrent.EpochClock;

import java.net.URI;
import java.nio.file.Path;

/**
 * The all-in-one service wired in-process on ephemeral loopback ports, with real journal and RocksDB in a temp dir.
 */
final class ServiceFixture implements AutoCloseable
{
    static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    static final String FINANCE_TOKEN = "test-finance-token-0123456789";
    static final String ANALYST_TOKEN = "test-analyst-token-0123456789";

    final Journal journal;
    final LinkDirectory directory = new LinkDirectory();
    final ProgramDirectory programs = new ProgramDirectory();
    final Aggregator aggregator;
    final TrackerServer tracker;
    final AdminClient admin;

    ServiceFixture(final Path dataDir, final EpochClock edgeClock) throws InterruptedException
    {
        this(dataDir, edgeClock, false);
    }

    /**
     * @param allowPrivateWebhooks let programs post webhooks to a receiver on loopback.
     */
    ServiceFixture(final Path dataDir, final EpochClock edgeClock, final boolean allowPrivateWebhooks)
        throws InterruptedException
    {
        journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal")));
        final Aggregator.Context aggregatorContext = new Aggregator.Context()
            .dataDir(dataDir).journal(journal).linkDirectory(directory).programDirectory(programs)
            .adminPort(0).adminToken(ADMIN_TOKEN).financeToken(FINANCE_TOKEN)
            .analystToken(ANALYST_TOKEN).webhookAllowPrivateNetworks(allowPrivateWebhooks);
        if (null != edgeClock)
        {
            // One clock for the whole service: journal time drives approvals and tier reviews.
            aggregatorContext.epochClock(edgeClock).clockTickIntervalMs(10);
        }
        aggregator = Aggregator.launch(aggregatorContext);
        final TrackerServer.Context trackerContext = new TrackerServer.Context()
            .port(0).bindAddress("127.0.0.1").journal(journal).linkDirectory(directory).programDirectory(programs);
        if (null != edgeClock)
        {
            trackerContext.epochClock(edgeClock);
        }
        tracker = TrackerServer.launch(trackerContext);
        admin = new AdminClient(aggregator.adminPort(), ADMIN_TOKEN);
    }

    /**
     * @return the edge's address for this path.
     */
    URI edge(final String path)
    {
        return URI.create("http://127.0.0.1:" + tracker.port() + path);
    }

    /**
     * Wait (up to 30 s) until the aggregator has committed everything in the journal.
     */
    void awaitCommitted() throws InterruptedException
    {
        Replays.awaitCommitted(aggregator, journal);
    }

    @Override
    public void close()
    {
        tracker.close();
        aggregator.close();
        journal.close();
    }
}
