package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.audit.Actor;
import dev.ricochet.aggregator.audit.AdminChange;
import dev.ricochet.aggregator.audit.AuditRecord;
import dev.ricochet.aggregator.audit.AuditTable;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.StrictJson;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The admin API's one way to change state: append the change to the journal in its envelope (who made it, which
 * request; {@link AdminChange}), then wait until the aggregator has applied it (read-your-writes) and recorded it in
 * the audit trail. A journal that refuses the append, or an aggregator that has not applied it within
 * {@value #APPLY_TIMEOUT_MS} ms (or has stopped), is a 503. A change larger than one journal event is journaled as
 * parts followed by the envelope that names them.
 */
final class JournalWrites
{
    /**
     * A change that was not applied (yet): the answer to give.
     */
    static final class NotApplied extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        private final transient ApiResponse response;

        NotApplied(final ApiResponse response)
        {
            super(String.valueOf(response.body()), null, false, false);
            this.response = response;
        }

        /**
         * @return the answer to give.
         */
        ApiResponse response()
        {
            return response;
        }
    }

    private static final long APPLY_TIMEOUT_MS = 10_000;
    private static final int PART_BYTES = 40 * 1024;

    private final CatalogWriter writer;
    private final AdminApi.AggregatorView aggregator;
    private final AuditTable audit;
    private final Object writeLock = new Object();
    // Part 8 item 2: the last event this API journaled, so that a conditional write can tell the applied state is
    // complete (an earlier change that timed out with a 503 may still be on its way).
    private long lastAppended = Journal.NULL_INDEX;

    /**
     * @param writer     appends catalog changes and ledger commands.
     * @param aggregator progress of the aggregator.
     * @param store      committed state, for the audit records of changes.
     */
    JournalWrites(final CatalogWriter writer, final AdminApi.AggregatorView aggregator, final StateStore store)
    {
        this.writer = writer;
        this.aggregator = aggregator;
        this.audit = new AuditTable(store);
    }

    /**
     * Journal a command and wait until its effects are committed (the views read RocksDB).
     *
     * @param call    the request.
     * @param kind    the catalog event kind.
     * @param command the command, written as JSON.
     * @return null on success, else the answer to give.
     */
    ApiResponse command(final RouteCall call, final byte kind, final Object command)
    {
        try
        {
            change(call, kind, command);
            return null;
        }
        catch (final NotApplied ex)
        {
            return ex.response();
        }
    }

    /**
     * Journal a change, wait until it is committed, and read back what the aggregator recorded of it.
     *
     * @param call     the request.
     * @param kind     the catalog event kind.
     * @param document the change, written as JSON.
     * @return its audit record (its {@code after} holds a command's outcome).
     * @throws NotApplied with the answer to give if it was not recorded or not applied in time.
     */
    AuditRecord change(final RouteCall call, final byte kind, final Object document)
    {
        synchronized (writeLock)
        {
            final long index = append(call, kind, document);
            if (!await(index, aggregator::committedIndex))
            {
                throw new NotApplied(ApiResponse.error(503,
                    "the request is journaled but not applied yet; it will apply on recovery, read it back later"));
            }
            final long seq = aggregator.auditSeqOf(index);
            final AuditRecord record = seq < 0 ? null : audit.get(seq);
            if (null == record)
            {
                // Applied, but the aggregator restarted meanwhile: its outcome is in the trail, not here.
                throw new NotApplied(ApiResponse.error(503, "the request is applied but its outcome could not be " +
                    "read back; find it in GET /v1/audit by its request id"));
            }
            return record;
        }
    }

    /**
     * Journal a catalog change, wait until the aggregator has applied it, and answer the entry as read back.
     *
     * @param call     the request.
     * @param kind     the catalog event kind.
     * @param entry    the change.
     * @param readBack reads the entry from the catalog once applied.
     * @param view     the answer's body for the stored entry.
     * @param <T>      the spec type.
     * @return 200 and the view, 409 if a concurrent change won, or 503.
     */
    <T> ApiResponse upsert(
        final RouteCall call,
        final byte kind,
        final CatalogEntry<T> entry,
        final Supplier<CatalogEntry<T>> readBack,
        final Function<CatalogEntry<T>, Object> view)
    {
        // One writer at a time keeps validate-then-append consistent between concurrent admin requests.
        synchronized (writeLock)
        {
            try
            {
                final long index = append(call, kind, entry);
                if (!await(index, aggregator::appliedIndex))
                {
                    return ApiResponse.error(503,
                        "the change is journaled but the aggregator has not applied it yet; it will apply on recovery");
                }
            }
            catch (final NotApplied ex)
            {
                return ex.response();
            }
        }
        final CatalogEntry<T> stored = readBack.get();
        if (null == stored || !stored.spec().equals(entry.spec()))
        {
            return ApiResponse.error(409, "the change conflicted with a concurrent change; read and retry");
        }
        return ApiResponse.ok(view.apply(stored));
    }

    /**
     * @return the lock every change is journaled under: a check that must hold when the change applies (an
     * {@code If-Match}) is made inside it, against the applied state.
     */
    Object writeLock()
    {
        return writeLock;
    }

    private long append(final RouteCall call, final byte kind, final Object document)
    {
        final AdminRoles.Caller caller = call.caller();
        final Actor actor = new Actor(caller.tokenId(), caller.name(),
            null == caller.role() ? "public" : caller.role().name().toLowerCase(Locale.ROOT), caller.programId());
        final byte[] envelope = CatalogJson.write(new AdminChange(kind, call.route().name().toLowerCase(Locale.ROOT),
            call.route().path(call.path()), actor, call.requestId(), StrictJson.MAPPER.valueToTree(document)));
        if (envelope.length > AdminChange.MAX_BYTES)
        {
            throw new NotApplied(ApiResponse.error(413, "the change is " + envelope.length + " bytes; at most " +
                AdminChange.MAX_BYTES + " are taken in one request: split it"));
        }
        if (envelope.length <= CatalogEventFlyweight.MAX_DOCUMENT_LENGTH)
        {
            return appended(writer.append(CatalogEventFlyweight.KIND_ADMIN_CHANGE, envelope), "the change");
        }
        final int parts = (envelope.length + PART_BYTES - 1) / PART_BYTES;
        for (int seq = 0; seq < parts; seq++)
        {
            final byte[] data = Arrays.copyOfRange(envelope, seq * PART_BYTES,
                Math.min(envelope.length, (seq + 1) * PART_BYTES));
            appended(writer.append(CatalogEventFlyweight.KIND_COMMAND_PART,
                CatalogJson.write(new AdminChange.Part(seq, data))), "the change");
        }
        return appended(writer.append(CatalogEventFlyweight.KIND_ADMIN_CHANGE,
            CatalogJson.write(new AdminChange.PartsRef(parts, envelope.length))), "the change");
    }

    private long appended(final long index, final String what)
    {
        if (Journal.NULL_INDEX == index)
        {
            final String lowSpace = writer.lowSpaceReason();
            throw new NotApplied(ApiResponse.error(503, null == lowSpace ?
                "journal unavailable: " + what + " was not recorded, retry later" :
                lowSpace + ": " + what + " was not recorded; retry once space is freed"));
        }
        lastAppended = index;
        return index;
    }

    // Part 8 item 2: conditional writes.

    /**
     * Under {@link #writeLock()}: wait until the aggregator has applied every change this API journaled, so that the
     * catalog read next is the state the next change will apply over (a change that timed out with a 503 before may
     * still be on its way, and an {@code If-Match} judged without it would let a write over it through).
     *
     * @return null once applied, else the 503 to answer.
     */
    ApiResponse awaitAllApplied()
    {
        if (Journal.NULL_INDEX == lastAppended || await(lastAppended, aggregator::appliedIndex))
        {
            return null;
        }
        return ApiResponse.error(503, "an earlier change is journaled but the aggregator has not applied it yet; " +
            "retry once it has (it will apply on recovery)");
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
