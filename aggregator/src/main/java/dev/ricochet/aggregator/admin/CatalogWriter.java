package dev.ricochet.aggregator.admin;

import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalAppender;
import org.agrona.concurrent.EpochClock;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Appends admin catalog changes to the journal from one dedicated thread, which owns the appender (Chronicle
 * appenders belong to one thread; admin requests arrive on several).
 */
public final class CatalogWriter implements AutoCloseable
{
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable ->
    {
        final Thread t = new Thread(runnable, "ricochet-catalog-writer");
        t.setDaemon(true);
        return t;
    });
    private final EpochClock epochClock;
    private final JournalAppender appender;

    /**
     * @param journal    to append to.
     * @param epochClock time of each change.
     */
    public CatalogWriter(final Journal journal, final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        this.appender = call(journal::newAppender);
    }

    /**
     * Append a change and wait until the journal has it.
     *
     * @param kind     entity kind.
     * @param document entity JSON.
     * @return the journal index, or {@link Journal#NULL_INDEX} if the append failed.
     */
    public long append(final byte kind, final byte[] document)
    {
        return call(() ->
        {
            final long index = appender.appendCatalog(epochClock.time(), kind, document);
            if (Journal.NULL_INDEX != index)
            {
                // Catalog changes are rare and define what every later click means: make them power-safe.
                appender.sync();
            }
            return index;
        });
    }

    private <T> T call(final java.util.concurrent.Callable<T> task)
    {
        try
        {
            return thread.submit(task).get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while appending to the journal", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("catalog append failed: " + ex.getCause(), ex.getCause());
        }
    }

    @Override
    public void close()
    {
        try
        {
            thread.submit(appender::close).get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException(ex.getCause());
        }
        finally
        {
            thread.shutdown();
            try
            {
                thread.awaitTermination(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
