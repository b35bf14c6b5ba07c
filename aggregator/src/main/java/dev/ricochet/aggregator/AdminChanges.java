package dev.ricochet.aggregator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ricochet.aggregator.audit.AdminChange;
import dev.ricochet.aggregator.audit.AuditDetail;
import dev.ricochet.aggregator.audit.AuditRecord;
import dev.ricochet.aggregator.audit.AuditTable;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.StrictJson;
import org.rocksdb.WriteBatch;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * The agent's role for admin changes journaled with who made them ({@code KIND_ADMIN_CHANGE}): reassembles a change
 * split over parts, applies it through the catalog role and writes its audit record in the same batch, under the
 * sequence number of the record, so that a replay writes the same trail. Aggregator thread only.
 */
final class AdminChanges
{
    /**
     * Applies the change of one envelope.
     */
    interface Applier
    {
        /**
         * @param kind     the catalog kind of the change.
         * @param document the change.
         * @param timeMs   its journal time.
         * @return what it did, or null if it was refused.
         */
        AuditDetail apply(byte kind, byte[] document, long timeMs);
    }

    private final StateStore store;
    private final WriteBatch batch;
    private final AuditTable audit;
    private final Runnable commitApplied;
    private final Applier applier;
    private long lastSeq;
    private volatile long lastChangeIndex = -1;
    private volatile long lastChangeSeq;

    /**
     * @param store         committed state, where parts wait.
     * @param batch         the agent's batch.
     * @param commitApplied commits everything applied before the current event.
     * @param applier       applies a change.
     */
    AdminChanges(final StateStore store, final WriteBatch batch, final Runnable commitApplied, final Applier applier)
    {
        this.store = store;
        this.batch = batch;
        this.audit = new AuditTable(store);
        this.commitApplied = commitApplied;
        this.applier = applier;
        this.lastSeq = audit.lastSeq();
    }

    /**
     * @param journalIndex the journal index of an admin change (any thread).
     * @return the sequence number of its audit record, if it is the last change applied, else -1: the admin API
     * journals one change at a time and waits for it, so the last one is the one it asks about.
     */
    long auditSeqOf(final long journalIndex)
    {
        final long seq = lastChangeSeq;
        return lastChangeIndex == journalIndex ? seq : -1;
    }

    /**
     * A part of a large change: kept until the envelope after the parts arrives (a part 0 starts a new change: parts of
     * one the admin API never finished journaling are dropped).
     *
     * @param document the part.
     */
    void onPart(final byte[] document)
    {
        final AdminChange.Part part = CatalogJson.read(document, AdminChange.Part.class);
        if (0 == part.seq())
        {
            store.deleteRange(batch, Table.COMMAND_PARTS, partKey(0), partKey(Integer.MAX_VALUE));
        }
        store.put(batch, Table.COMMAND_PARTS, partKey(part.seq()), part.data());
    }

    /**
     * Apply an admin change and record it.
     *
     * @param document the envelope, or the reference to the parts before it.
     * @param timeMs   its journal time.
     * @param index    its journal index.
     */
    void onChange(final byte[] document, final long timeMs, final long index)
    {
        final JsonNode tree = CatalogJson.read(document, JsonNode.class);
        final byte[] envelope = tree.has("parts") ?
            reassemble(CatalogJson.read(document, AdminChange.PartsRef.class)) : document;
        if (null == envelope)
        {
            return; // parts missing: the admin API answered 503 and nothing of it applies
        }
        final AdminChange change = CatalogJson.read(envelope, AdminChange.class);
        final AuditDetail detail = applier.apply(change.kind(), CatalogJson.write(change.document()), timeMs);
        final long seq = ++lastSeq;
        final AuditRecord record = new AuditRecord(
            Long.toString(seq),
            AuditTable.at(timeMs),
            change.actor(),
            change.requestId(),
            change.action(),
            null == detail || null == detail.target() ? change.target() : detail.target(),
            null == detail ? change.actor().programId() : detail.programId(),
            null != detail,
            null == detail ? null : StrictJson.MAPPER.valueToTree(detail.before()),
            null == detail ? null : StrictJson.MAPPER.valueToTree(detail.after()));
        audit.put(batch, seq, timeMs, record);
        audit.putLastSeq(batch, seq);
        lastChangeSeq = seq;
        lastChangeIndex = index;
    }

    private byte[] reassemble(final AdminChange.PartsRef ref)
    {
        if (ref.parts() < 1 || ref.length() < 0 || ref.length() > AdminChange.MAX_BYTES)
        {
            return null;
        }
        commitApplied.run(); // the parts are read back from the store
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(ref.length());
        final int[] count = new int[1];
        store.scan(Table.COMMAND_PARTS, partKey(0), partKey(ref.parts()), false, (key, value) ->
        {
            if (ByteBuffer.wrap(key).getInt() != count[0])
            {
                return false;
            }
            bytes.writeBytes(value);
            count[0]++;
            return true;
        });
        store.deleteRange(batch, Table.COMMAND_PARTS, partKey(0), partKey(Integer.MAX_VALUE));
        return count[0] == ref.parts() && bytes.size() == ref.length() ? bytes.toByteArray() : null;
    }

    private static byte[] partKey(final int seq)
    {
        return ByteBuffer.allocate(4).putInt(seq).array();
    }
}
