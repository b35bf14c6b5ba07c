package dev.ricochet.aggregator.admin;

import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.DurableJournalWriter;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalSpaceMonitor;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Appends admin catalog changes to the journal durably: a change is synced to disk before the API answers, since
 * it defines what every later click means. Honours the journal's free-space watermark as the edge does.
 */
public final class CatalogWriter implements AutoCloseable
{
    private final DurableJournalWriter writer;
    private final EpochClock epochClock;
    private final JournalSpaceMonitor journalSpace;

    /**
     * @param journal      to append to.
     * @param epochClock   time of each change.
     * @param journalSpace the journal's free-space watermark, read before each append.
     */
    public CatalogWriter(final Journal journal, final EpochClock epochClock, final JournalSpaceMonitor journalSpace)
    {
        this.writer = new DurableJournalWriter(journal, "ricochet-catalog-writer");
        this.epochClock = epochClock;
        this.journalSpace = journalSpace;
    }

    /**
     * Reads the free space now: changes are rare, one statfs each costs nothing.
     *
     * @return why nothing may be appended (the journal's disk is below its watermark), or null if it may.
     */
    public String lowSpaceReason()
    {
        journalSpace.check();
        return journalSpace.isLow() ? journalSpace.reason() : null;
    }

    /**
     * Append a change and wait until it is on disk.
     *
     * @param kind     entity kind.
     * @param document entity JSON.
     * @return the journal index, or {@link Journal#NULL_INDEX} if the change is not durable or the journal's disk is
     * below its watermark ({@link #lowSpaceReason()} says).
     */
    public long append(final byte kind, final byte[] document)
    {
        if (null != lowSpaceReason())
        {
            return Journal.NULL_INDEX;
        }
        final byte[] event = new byte[document.length + 32];
        final int length = CatalogEventFlyweight.encode(new UnsafeBuffer(event), 0, epochClock.time(), kind, document);
        final CompletableFuture<Long> durable = new CompletableFuture<>();
        if (!writer.offer(event, length, durable::complete))
        {
            return Journal.NULL_INDEX;
        }
        try
        {
            return durable.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return Journal.NULL_INDEX;
        }
        catch (final ExecutionException ex)
        {
            return Journal.NULL_INDEX;
        }
    }

    @Override
    public void close()
    {
        writer.close();
    }
}
