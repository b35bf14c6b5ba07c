package dev.ricochet.ops;

import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.ingest.CrashPoints;
import dev.ricochet.ingest.DistinctErrorPrinter;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.OwnerOnly;
import dev.ricochet.ingest.ProcessFailure;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.tracker.IpSalts;
import dev.ricochet.tracker.TrackerServer;
import dev.ricochet.tracker.VisitorKey;
import org.agrona.ErrorHandler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The all-in-one service: journal, aggregator with its admin API, and the edge, in one JVM.
 *
 * <p>{@code ricochet run [--demo] [--data-dir D] [--tracker-port P] [--admin-port P] [--config F]}.
 */
public final class Ricochet implements AutoCloseable
{
    private final DataDirectoryLock lock;
    private final Journal journal;
    private final Aggregator aggregator;
    private final TrackerServer tracker;
    private volatile boolean startFailed;

    private Ricochet(final Path dataDir, final DataDirectoryLock lock) throws IOException, InterruptedException
    {
        this.lock = lock;
        journal = Journal.open(
            new Journal.Context().dir(dataDir.resolve("journal")).rollCycle(Journal.configuredRollCycle()));
        final LinkDirectory directory = new LinkDirectory();
        final ProgramDirectory programs = new ProgramDirectory();
        // Every error either component reports, printed once per kind; an OutOfMemoryError among them fails the
        // process (the aggregator's agent runner, for one, reports what its thread throws and carries on).
        final ErrorHandler printer = new DistinctErrorPrinter(System.err);
        final ErrorHandler errors = error ->
        {
            // After a failed start, what the half-started parts report while closing is noise after the one line.
            if (!ProcessFailure.failIfFatal(error) && !startFailed)
            {
                printer.onError(error);
            }
        };
        Aggregator startedAggregator = null;
        try
        {
            // Order matters: the aggregator restores the catalog into the directory before the edge serves.
            // The edge's business volume (clicks, conversions) is shown on the admin port, not the public edge's.
            final AtomicReference<TrackerServer> edge = new AtomicReference<>();
            startedAggregator = Aggregator.launch(new Aggregator.Context()
                .dataDir(dataDir)
                .journal(journal)
                .linkDirectory(directory)
                .programDirectory(programs)
                .errorHandler(errors)
                .adminMetrics(() -> null == edge.get() ? "" :
                    edge.get().context().counters().businessVolumePrometheusText()));
            aggregator = startedAggregator;
            tracker = TrackerServer.launch(new TrackerServer.Context()
                .journal(journal)
                .linkDirectory(directory)
                .programDirectory(programs)
                .ipSalts(ipSalts(dataDir))
                .visitorKey(VisitorKey.persistent(dataDir.resolve("visitor.key")))
                .errorHandler(errors));
            edge.set(tracker);
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            startFailed = true;
            if (null != startedAggregator)
            {
                startedAggregator.close();
            }
            journal.close();
            throw ex;
        }
    }

    /**
     * Checks that nothing else uses the data directory or the ports, then starts.
     *
     * @param dataDir the data directory, made if missing.
     * @return the running service.
     * @throws IllegalStateException naming the directory's other user or the busy port and its setting.
     */
    static Ricochet start(final Path dataDir) throws IOException, InterruptedException
    {
        // Program secrets, tokens and keys live here: the directory and everything in it is owner-only. Tightened
        // before the lock is taken: changing a file's mode opens it, and closing that would release the lock.
        OwnerOnly.tightenFiles(dataDir);
        final DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
        try
        {
            PortCheck.requireFreePorts();
            return new Ricochet(dataDir, lock);
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            lock.close();
            throw ex;
        }
    }

    /**
     * Entry point of the launcher.
     *
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        failLoudly();
        if (Launcher.wantsHelp(args))
        {
            System.out.println(Launcher.USAGE);
            System.out.flush();
            System.exit(0);
            return;
        }
        final Launcher launcher;
        try
        {
            launcher = Launcher.parse(args, System.getenv(), System.getProperties());
            launcher.install();
        }
        catch (final IllegalArgumentException | IOException ex)
        {
            System.err.println("ricochet: " + ex.getMessage());
            System.err.println("ricochet: usage: ricochet --help");
            System.exit(2);
            return;
        }

        final String crashPoints;
        try
        {
            crashPoints = CrashPoints.describe();
        }
        catch (final ExceptionInInitializerError ex)
        {
            System.err.println("ricochet: " + ex.getCause().getMessage());
            System.exit(2);
            return;
        }

        final long startNs = System.nanoTime();
        final Ricochet ricochet = startOrExit(launcher.dataDir());
        if (null == ricochet)
        {
            return;
        }

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            ricochet.close();
            stopped.countDown();
        }, "ricochet-shutdown"));

        new StartSummary(launcher, ricochet.trackerPort(), ricochet.adminPort(), ricochet.aggregator.context())
            .print(System.out, System.nanoTime() - startNs);
        if (!crashPoints.isEmpty())
        {
            System.out.println("ricochet: " + crashPoints);
            System.out.flush();
        }
        if (launcher.demo())
        {
            seedDemo(ricochet);
        }
        try
        {
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return the started service, or null if interrupted; a failed start exits with status 1 after one line.
     */
    private static Ricochet startOrExit(final Path dataDir)
    {
        try
        {
            return start(dataDir);
        }
        catch (final IllegalArgumentException | IllegalStateException | IOException ex)
        {
            // A port taken between the check and the bind (a race) is still said in one line, without a trace.
            System.err.println("ricochet: cannot start: " + (PortCheck.isPortInUse(ex) ?
                "a port is already in use (" + ex.getMessage() + "): choose others with --tracker-port and " +
                "--admin-port" : ex.getMessage()));
            System.exit(1);
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void failLoudly()
    {
        // Fail loudly: an OutOfMemoryError or a stopped event loop halts with ProcessFailure.EXIT_STATUS for the
        // supervisor to restart (ops/ricochet also runs the JVM with -XX:+ExitOnOutOfMemoryError), instead of serving
        // on with a deaf loop and half-done requests.
        ProcessFailure.haltOnFailure();
        final Thread.UncaughtExceptionHandler uncaught = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) ->
        {
            ProcessFailure.failIfFatal(error);
            if (null != uncaught)
            {
                uncaught.uncaughtException(thread, error);
            }
            else
            {
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                error.printStackTrace();
            }
        });
    }

    private static void seedDemo(final Ricochet ricochet)
    {
        try
        {
            new DemoSeeder(ricochet.trackerPort(), ricochet.adminPort(), ricochet.adminToken(),
                LocalDate.now(ZoneOffset.UTC)).seed(System.out);
        }
        catch (final IOException | RuntimeException ex)
        {
            System.err.println("ricochet: demo seeding failed: " + ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    int trackerPort()
    {
        return tracker.port();
    }

    int adminPort()
    {
        return aggregator.adminPort();
    }

    String adminToken()
    {
        return aggregator.context().adminToken().value();
    }

    /**
     * The client-address hash's day salts, in the data directory. A data directory from before salts held one fixed
     * {@code edge.key} from which every day's key was derived: deleted, since whoever held it could recompute any past
     * day's hashes.
     */
    private static IpSalts ipSalts(final Path dataDir) throws IOException
    {
        Files.deleteIfExists(dataDir.resolve("edge.key"));
        return IpSalts.persistent(dataDir.resolve("ip-salts"));
    }

    @Override
    public void close()
    {
        // Edge first (no new events), then the aggregator (commits what it applied), then the journal.
        tracker.close();
        aggregator.close();
        journal.close();
        lock.close();
    }
}
