package dev.ricochet.ingest;

import org.agrona.ErrorHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Watches the free space of the journal's filesystem so Chronicle Queue never reaches a full disk: Chronicle maps its
 * files, and a write to a mapped page the filesystem cannot back kills the JVM with SIGBUS instead of failing an
 * append.
 *
 * <p>Everything that appends honours it: the edge, whose {@link #check()} runs off the hot path (a task scheduled every
 * {@link #CHECK_INTERVAL_MS} on one event loop) while requests only read {@link #isLow()}, a volatile field, so no
 * request ever makes a syscall for it; and the aggregator's catalog writer, which checks before each of its rare
 * appends (admin changes, the hourly ledger clock tick). The state
 * recovers by itself at the first check that sees enough space again. There is no hysteresis: the edge accepts again
 * as soon as the watermark is met, as a user watching the disk would expect; the watermark itself is the margin.
 */
public final class JournalSpaceMonitor
{
    /**
     * Free space the journal's filesystem must keep: below it nothing appends, so Chronicle never reaches a full disk
     * (where it dies with SIGBUS instead of failing an append). 0 turns the watermark off. Named for the edge, which
     * writes nearly all of the journal; the aggregator's catalog writes read the same key.
     */
    public static final String MIN_FREE_PROP_NAME = "ricochet.tracker.journal.min.free";

    /**
     * Default for {@link #MIN_FREE_PROP_NAME}: room for several of Chronicle's 64 MiB mapped chunks.
     */
    public static final String MIN_FREE_DEFAULT = "512m";

    /**
     * How often the free space is read: often enough that the journal cannot outrun the watermark between two checks
     * (at 100k clicks/s of ~300 bytes, 200 ms is ~6 MB), cheap enough to be invisible (one statfs).
     */
    public static final long CHECK_INTERVAL_MS = 200;

    private final long minFreeBytes;
    private final LongSupplier usableSpace;
    private final ErrorHandler errorHandler;
    private volatile boolean isLow;
    private volatile long usableBytes = -1;

    /**
     * @param minFreeBytes the watermark; 0 turns it off (never low).
     * @param usableSpace  bytes usable on the journal's filesystem; may throw, reported and the state left as it was.
     * @param errorHandler receives a failure to read the free space.
     */
    public JournalSpaceMonitor(final long minFreeBytes, final LongSupplier usableSpace, final ErrorHandler errorHandler)
    {
        this.minFreeBytes = minFreeBytes;
        this.usableSpace = usableSpace;
        this.errorHandler = errorHandler;
    }

    /**
     * @return true if the watermark is on, so {@link #check()} needs scheduling.
     */
    public boolean isEnabled()
    {
        return minFreeBytes > 0;
    }

    /**
     * Read the free space once and update {@link #isLow()}.
     */
    public void check()
    {
        if (!isEnabled())
        {
            return;
        }
        try
        {
            final long bytes = usableSpace.getAsLong();
            usableBytes = bytes;
            isLow = bytes < minFreeBytes;
        }
        catch (final RuntimeException ex)
        {
            // Unknown is not low: keep the last answer; a journal that really cannot write fails its own appends.
            errorHandler.onError(ex);
        }
    }

    /**
     * @return true while the journal's filesystem was below the watermark at the last check.
     */
    public boolean isLow()
    {
        return isLow;
    }

    /**
     * @return why nothing is appended, for {@code /readyz} and the 503 answers.
     */
    public String reason()
    {
        return "journal disk low on space: " + usableBytes + " bytes free, " +
            MIN_FREE_PROP_NAME + "=" + minFreeBytes;
    }

    /**
     * @return the free-space gauges in the Prometheus text exposition format.
     */
    public String toPrometheusText()
    {
        return "# HELP ricochet_tracker_journal_usable_bytes " +
            "Usable bytes on the journal's filesystem at the last check\n" +
            "# TYPE ricochet_tracker_journal_usable_bytes gauge\n" +
            "ricochet_tracker_journal_usable_bytes " + usableBytes + '\n' +
            "# HELP ricochet_tracker_journal_low_space 1 while the journal's disk is below its free-space watermark\n" +
            "# TYPE ricochet_tracker_journal_low_space gauge\n" +
            "ricochet_tracker_journal_low_space " + (isLow ? 1 : 0) + '\n';
    }

    /**
     * @param dir a directory on the journal's filesystem.
     * @return the usable bytes of that filesystem, read anew (one statfs) at each call.
     * @throws UncheckedIOException if the filesystem cannot be found.
     */
    public static LongSupplier usableSpaceOf(final Path dir)
    {
        final FileStore store;
        try
        {
            store = Files.getFileStore(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the filesystem of the journal at " + dir, ex);
        }
        return () ->
        {
            try
            {
                return store.getUsableSpace();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read the free space of the journal's filesystem", ex);
            }
        };
    }
}
