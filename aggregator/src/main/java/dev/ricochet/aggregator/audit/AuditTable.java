package dev.ricochet.aggregator.audit;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The audit trail's layout: {@link Table#AUDIT} holds each record under its sequence number (1, 2, 3... in journal
 * order: a number of the trail, not a position of the journal, so that a journal copied or restored elsewhere replays
 * to the same keys);
 * {@link Table#AUDIT_INDEX} holds one empty row per filter a reader may ask for (all, by actor, by target, by program,
 * by action), keyed by the filter's value, the time and the index, so a page of the trail is one range scan whatever
 * its size. Rows are only ever added.
 */
public final class AuditTable
{
    /**
     * Filters of the trail, each with its own index rows.
     */
    public enum By
    {
        /** Every record, by time. */
        ALL((byte)'T'),
        /** A token's records. */
        ACTOR((byte)'A'),
        /** One target's history. */
        TARGET((byte)'G'),
        /** A program's records. */
        PROGRAM((byte)'P'),
        /** One action's records. */
        ACTION((byte)'C');

        private final byte prefix;

        By(final byte prefix)
        {
            this.prefix = prefix;
        }
    }

    /**
     * Where a page of the trail stops, to continue from: the time and sequence number of the last record given.
     *
     * @param timeMs time of the last record given.
     * @param index  its sequence number.
     */
    public record Position(long timeMs, long index)
    {
    }

    /**
     * A page of the trail, newest first.
     *
     * @param records the records.
     * @param next    where the next page starts, or null if there is none.
     */
    public record Page(List<AuditRecord> records, Position next)
    {
    }

    private static final String SEQ_META = "audit.seq";

    private final StateStore store;

    /**
     * @param store committed state.
     */
    public AuditTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param batch  the commit batch.
     * @param index  the record's sequence number.
     * @param timeMs journal time of the change.
     * @param record the record.
     */
    public void put(final WriteBatch batch, final long index, final long timeMs, final AuditRecord record)
    {
        store.put(batch, Table.AUDIT, ByteBuffer.allocate(8).putLong(index).array(), CatalogJson.write(record));
        putIndex(batch, By.ALL, "", timeMs, index);
        if (null != record.actor().tokenId())
        {
            putIndex(batch, By.ACTOR, record.actor().tokenId(), timeMs, index);
        }
        putIndex(batch, By.TARGET, record.target(), timeMs, index);
        if (null != record.programId())
        {
            putIndex(batch, By.PROGRAM, record.programId(), timeMs, index);
        }
        putIndex(batch, By.ACTION, record.action(), timeMs, index);
    }

    /**
     * @param index a record's sequence number.
     * @return the record, or null if none is committed.
     */
    public AuditRecord get(final long index)
    {
        final byte[] json = store.get(Table.AUDIT, ByteBuffer.allocate(8).putLong(index).array());
        return null == json ? null : CatalogJson.read(json, AuditRecord.class);
    }

    /**
     * Read a page of the trail, newest first.
     *
     * @param by          the index to read.
     * @param value       the filter's value (ignored for {@link By#ALL}).
     * @param fromMs      earliest time, inclusive.
     * @param toMs        latest time, exclusive.
     * @param after       where the previous page stopped, or null for the newest.
     * @param limit       most records to give.
     * @param maxExamined most index rows to read for this page: past it the page ends early with a position to go on.
     * @param filter      the other filters, checked on each record.
     * @return the page.
     */
    public Page page(final By by, final String value, final long fromMs, final long toMs, final Position after,
        final int limit, final int maxExamined, final Predicate<AuditRecord> filter)
    {
        final String key = By.ALL == by ? "" : value;
        final byte[] low = indexKey(by, key, fromMs, 0);
        final byte[] high = null == after ? indexKey(by, key, toMs, 0) :
            indexKey(by, key, after.timeMs(), after.index());
        final List<AuditRecord> records = new ArrayList<>();
        final Position[] last = new Position[1];
        final int[] examined = new int[1];
        final boolean[] more = new boolean[1];
        store.scan(Table.AUDIT_INDEX, low, high, true, (indexKey, empty) ->
        {
            if (records.size() == limit || examined[0] == maxExamined)
            {
                more[0] = true;
                return false;
            }
            examined[0]++;
            final ByteBuffer tail = ByteBuffer.wrap(indexKey, indexKey.length - 16, 16);
            final long timeMs = tail.getLong() ^ Long.MIN_VALUE;
            final long index = tail.getLong();
            last[0] = new Position(timeMs, index);
            final AuditRecord record = get(index);
            if (null != record && filter.test(record))
            {
                records.add(record);
            }
            return true;
        });
        return new Page(records, more[0] ? last[0] : null);
    }

    /**
     * @return the sequence number of the last record committed, 0 if none.
     */
    public long lastSeq()
    {
        final byte[] stored = store.meta(SEQ_META);
        return null == stored ? 0 : ByteBuffer.wrap(stored).getLong();
    }

    /**
     * @param batch the commit batch.
     * @param seq   the sequence number of the last record written.
     */
    public void putLastSeq(final WriteBatch batch, final long seq)
    {
        store.putMeta(batch, SEQ_META, ByteBuffer.allocate(8).putLong(seq).array());
    }

    /**
     * @param timeMs a journal time.
     * @return it as the trail shows it.
     */
    public static String at(final long timeMs)
    {
        return Instant.ofEpochMilli(timeMs).toString();
    }

    private void putIndex(final WriteBatch batch, final By by, final String value, final long timeMs,
        final long index)
    {
        store.put(batch, Table.AUDIT_INDEX, indexKey(by, value, timeMs, index), new byte[0]);
    }

    private static byte[] indexKey(final By by, final String value, final long timeMs, final long index)
    {
        final byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
        // Times before 1970 do not occur (journal times); the sign bit is flipped anyway so that order is numeric.
        return ByteBuffer.allocate(1 + valueBytes.length + 1 + 16).put(by.prefix).put(valueBytes).put((byte)0)
            .putLong(timeMs ^ Long.MIN_VALUE).putLong(index).array();
    }
}
