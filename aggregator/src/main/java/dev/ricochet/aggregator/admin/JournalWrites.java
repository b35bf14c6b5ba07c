package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.ingest.Journal;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The admin API's one way to change state: append a catalog change or a ledger command to the journal, then wait
 * until the aggregator has applied it (read-your-writes). A journal that refuses the append, or an aggregator that
 * has not applied it within {@value #APPLY_TIMEOUT_MS} ms (or has stopped), is a 503.
 */
final class JournalWrites
{
    private static final long APPLY_TIMEOUT_MS = 10_000;

    private final CatalogWriter writer;
    private final AdminApi.AggregatorView aggregator;
    private final Object writeLock = new Object();

    /**
     * @param writer     appends catalog changes and ledger commands.
     * @param aggregator progress of the aggregator.
     */
    JournalWrites(final CatalogWriter writer, final AdminApi.AggregatorView aggregator)
    {
        this.writer = writer;
        this.aggregator = aggregator;
    }

    /**
     * Journal a ledger command and wait until its effects are committed (the views read RocksDB).
     *
     * @param kind    the catalog event kind.
     * @param command the command, written as JSON.
     * @return null on success, else the answer to give.
     */
    ApiResponse command(final byte kind, final Object command)
    {
        synchronized (writeLock)
        {
            final long index = writer.append(kind, CatalogJson.write(command));
            if (Journal.NULL_INDEX == index)
            {
                return notRecorded("the request");
            }
            if (!await(index, aggregator::committedIndex))
            {
                return ApiResponse.error(503,
                    "the request is journaled but not applied yet; it will apply on recovery, read it back later");
            }
        }
        return null;
    }

    /**
     * Journal a catalog change, wait until the aggregator has applied it, and answer the entry as read back.
     *
     * @param kind     the catalog event kind.
     * @param entry    the change.
     * @param readBack reads the entry from the catalog once applied.
     * @param view     the answer's body for the stored entry.
     * @param <T>      the spec type.
     * @return 200 and the view, 409 if a concurrent change won, or 503.
     */
    <T> ApiResponse upsert(
        final byte kind,
        final CatalogEntry<T> entry,
        final Supplier<CatalogEntry<T>> readBack,
        final Function<CatalogEntry<T>, Object> view)
    {
        final long index;
        // One writer at a time keeps validate-then-append consistent between concurrent admin requests.
        synchronized (writeLock)
        {
            index = writer.append(kind, CatalogJson.write(entry));
            if (Journal.NULL_INDEX == index)
            {
                return notRecorded("the change");
            }
            if (!await(index, aggregator::appliedIndex))
            {
                return ApiResponse.error(503,
                    "the change is journaled but the aggregator has not applied it yet; it will apply on recovery");
            }
        }
        final CatalogEntry<T> stored = readBack.get();
        if (null == stored || !stored.spec().equals(entry.spec()))
        {
            return ApiResponse.error(409, "the change conflicted with a concurrent change; read and retry");
        }
        return ApiResponse.ok(view.apply(stored));
    }

    private ApiResponse notRecorded(final String what)
    {
        final String lowSpace = writer.lowSpaceReason();
        return ApiResponse.error(503, null == lowSpace ?
            "journal unavailable: " + what + " was not recorded, retry later" :
            lowSpace + ": " + what + " was not recorded; retry once space is freed");
    }

    private boolean await(final long index, final LongSupplier progress)
    {
        final long deadlineNs = System.nanoTime() + APPLY_TIMEOUT_MS * 1_000_000L;
        while (progress.getAsLong() < index)
        {
            if (aggregator.hasFailed() || System.nanoTime() > deadlineNs)
            {
                return false;
            }
            LockSupport.parkNanos(200_000);
        }
        return true;
    }
}
