package dev.ricochet.aggregator.attribution;

import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A program's conversions in time order, in {@link Table#PROGRAM_INDEX}: the source of the program's conversion list
 * (part 8 item 1, lists). Written by the {@link AttributionEngine} in the same batch as the conversion itself, so the
 * index and the conversions never disagree after a crash, and a replay writes the same rows.
 *
 * <pre>
 *   program_index  'C' + programNumber:i32 + sortableTime:i64 + externalId (UTF-8)  -> (empty)
 *   sortableTime = timeMs with its sign bit flipped, so that big-endian bytes sort by time
 * </pre>
 * Every conversion record is indexed (lead, sale, recurring, refund and chargeback, attributed or not); an alias or
 * a sale still awaited by its refunds is not a conversion and is not.
 *
 * <p>State directories written before the index existed have conversions and no index rows: {@link #backfill} builds
 * the rows once at open, from the committed conversions (the same rows the engine would have written).
 */
public final class ProgramConversionIndex
{
    /**
     * The tag of the conversion rows in the table.
     */
    private static final byte TAG = 'C';
    private static final byte[] EMPTY = new byte[0];
    private static final int PREFIX = 1 + 4;
    private static final int FIXED = PREFIX + 8;

    private final StateStore store;

    /**
     * @param store the state.
     */
    public ProgramConversionIndex(final StateStore store)
    {
        this.store = store;
    }

    /**
     * One row of the index: where a conversion sits in its program's time order.
     *
     * @param timeMs     the conversion's time.
     * @param externalId the conversion's id.
     */
    public record Position(long timeMs, String externalId)
    {
    }

    /**
     * Receives the rows of a scan.
     */
    @FunctionalInterface
    public interface PositionConsumer
    {
        /**
         * @param position a row.
         * @return true to continue.
         */
        boolean accept(Position position);
    }

    /**
     * Visit a program's conversions in a time range, in time order.
     *
     * @param programNumber the program.
     * @param fromMs        earliest time, inclusive.
     * @param toMs          latest time, exclusive.
     * @param newestFirst   true for newest first.
     * @param after         the last row of the previous page (not visited again), or null.
     * @param consumer      receives each row; returns false to stop.
     */
    public void scan(final int programNumber, final long fromMs, final long toMs, final boolean newestFirst,
        final Position after, final PositionConsumer consumer)
    {
        byte[] from = key(programNumber, fromMs, "");
        byte[] to = key(programNumber, toMs, "");
        if (null != after)
        {
            final byte[] afterKey = key(programNumber, after.timeMs(), after.externalId());
            if (newestFirst)
            {
                // Exclusive upper bound: the scan starts below the last row seen.
                to = Arrays.compareUnsigned(afterKey, to) < 0 ? afterKey : to;
            }
            else
            {
                // Inclusive lower bound: the smallest key after the last row seen is that key with a zero byte.
                final byte[] next = Arrays.copyOf(afterKey, afterKey.length + 1);
                from = Arrays.compareUnsigned(next, from) > 0 ? next : from;
            }
        }
        if (Arrays.compareUnsigned(from, to) >= 0)
        {
            return;
        }
        store.scan(Table.PROGRAM_INDEX, from, to, newestFirst, (key, value) -> consumer.accept(position(key)));
    }

    /**
     * Visit one partner's conversions in one program, in a time range, in time order: the partner's index
     * ({@link Table#PARTNER_CONVERSIONS}, written by {@link ConversionTable}) read with the same bounds and cursor as
     * {@link #scan}, rows of other programs skipped.
     *
     * @param partnerNumber the partner.
     * @param programNumber the program.
     * @param fromMs        earliest time, inclusive.
     * @param toMs          latest time, exclusive.
     * @param newestFirst   true for newest first.
     * @param after         the last row of the previous page (not visited again), or null.
     * @param consumer      receives each row; returns false to stop.
     */
    public void scanPartner(final int partnerNumber, final int programNumber, final long fromMs, final long toMs,
        final boolean newestFirst, final Position after, final PositionConsumer consumer)
    {
        byte[] from = ConversionTable.partnerIndexKey(partnerNumber, fromMs, 0, "");
        byte[] to = ConversionTable.partnerIndexKey(partnerNumber, toMs, 0, "");
        if (null != after)
        {
            final byte[] afterKey =
                ConversionTable.partnerIndexKey(partnerNumber, after.timeMs(), programNumber, after.externalId());
            if (newestFirst)
            {
                to = Arrays.compareUnsigned(afterKey, to) < 0 ? afterKey : to;
            }
            else
            {
                final byte[] next = Arrays.copyOf(afterKey, afterKey.length + 1);
                from = Arrays.compareUnsigned(next, from) > 0 ? next : from;
            }
        }
        if (Arrays.compareUnsigned(from, to) >= 0)
        {
            return;
        }
        store.scan(Table.PARTNER_CONVERSIONS, from, to, newestFirst, (keyBytes, value) ->
        {
            final ByteBuffer key = ByteBuffer.wrap(keyBytes);
            key.getInt();
            final long timeMs = key.getLong();
            if (key.getInt() != programNumber)
            {
                // Not counted against the caller's bound, and never many: a partner with conversions never changes
                // program (money history), so its rows are all of one program.
                return true;
            }
            return consumer.accept(new Position(timeMs,
                new String(keyBytes, key.position(), key.remaining(), StandardCharsets.UTF_8)));
        });
    }

    void put(final WriteBatch batch, final int programNumber, final long timeMs, final String externalId)
    {
        store.put(batch, Table.PROGRAM_INDEX, key(programNumber, timeMs, externalId), EMPTY);
    }

    void delete(final WriteBatch batch, final int programNumber, final long timeMs, final String externalId)
    {
        store.delete(batch, Table.PROGRAM_INDEX, key(programNumber, timeMs, externalId));
    }

    /**
     * Build the index of a state directory written before it existed (at open, before the aggregator resumes the
     * journal): when the conversions table holds rows and the index holds no conversion row, every committed
     * conversion record is indexed, in one batch. A directory that already has the index, or has no conversions,
     * is left as it is, so this costs two seeks at every later open.
     *
     * @param store the state, writable.
     * @return the rows written.
     */
    public static long backfill(final StateStore store)
    {
        if (!hasAny(store, Table.CONVERSIONS, null, null) ||
            hasAny(store, Table.PROGRAM_INDEX, new byte[]{ TAG }, new byte[]{ TAG + 1 }))
        {
            return 0;
        }
        final ProgramConversionIndex index = new ProgramConversionIndex(store);
        final long[] written = new long[1];
        try (WriteBatch batch = new WriteBatch())
        {
            store.scan(Table.CONVERSIONS, null, null, false, (key, value) ->
            {
                if (ConversionTable.decode(value) instanceof ConversionRecord record)
                {
                    index.put(batch, ByteBuffer.wrap(key).getInt(), record.timeMs(),
                        new String(key, 4, key.length - 4, StandardCharsets.UTF_8));
                    written[0]++;
                }
                return true;
            });
            if (written[0] > 0)
            {
                store.write(batch);
            }
        }
        return written[0];
    }

    private static boolean hasAny(final StateStore store, final Table table, final byte[] from, final byte[] to)
    {
        final boolean[] found = new boolean[1];
        store.scan(table, from, to, false, (key, value) ->
        {
            found[0] = true;
            return false;
        });
        return found[0];
    }

    private static byte[] key(final int programNumber, final long timeMs, final String externalId)
    {
        final byte[] id = externalId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(FIXED + id.length).put(TAG).putInt(programNumber).putLong(timeMs ^ Long.MIN_VALUE)
            .put(id).array();
    }

    private static Position position(final byte[] key)
    {
        final long timeMs = ByteBuffer.wrap(key, PREFIX, 8).getLong() ^ Long.MIN_VALUE;
        return new Position(timeMs, new String(key, FIXED, key.length - FIXED, StandardCharsets.UTF_8));
    }
}
