package dev.ricochet.aggregator.admin;

import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.DurableJournalWriter;
import dev.ricochet.ingest.Journal;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Appends admin catalog changes to the journal durably: a change is synced to disk before the API answers, since
 * it defines what every later click means.
 */
public final class CatalogWriter implements AutoCloseable
{
    private final DurableJournalWriter writer;
    private final EpochClock epochClock;

    /**
     * @param journal    to append to.
     * @param epochClock time of each change.
     */
    public CatalogWriter(final Journal journal, final EpochClock epochClock)
    {
        this.writer = new DurableJournalWriter(journal, "ricochet-catalog-writer");
        this.epochClock = epochClock;
    }

    /**
     * Append a change and wait until it is on disk.
     *
     * @param kind     entity kind.
     * @param document entity JSON.
     * @return the journal index, or {@link Journal#NULL_INDEX} if the change is not durable.
     */
    public long append(final byte kind, final byte[] document)
    {
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
