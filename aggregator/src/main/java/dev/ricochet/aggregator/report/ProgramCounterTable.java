package dev.ricochet.aggregator.report;

import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The layout of {@link Table#PROGRAM_COUNTERS}, the program reports' source (docs/reports.md). Keys are big-endian, so
 * that each section of a program is one range scan in time order:
 *
 * <pre>
 *   program:i32 | 0x01 | epochDay:i32                  -> counters of the program's partners that day
 *   program:i32 | 0x02 | epochDay:i32 | tier:i32       -> counters counted while the partner held that tier
 *   program:i32 | 0x03 | weekMonday:i32 | partner:i32  -> the partner's counters that ISO week
 *   program:i32 | 0x04 | weekMonday:i32                -> active partners per tier when the week began
 * </pre>
 * Days are epoch days (journal time is never before 1970, so they sort as unsigned bytes). Counter values are
 * {@link CounterTable#encode} (one zig-zag varint per {@link CounterField}); the week's partners per
 * tier are one varint count per tier index.
 */
public final class ProgramCounterTable
{
    static final byte PROGRAM_DAY = 0x01;
    static final byte TIER_DAY = 0x02;
    static final byte PARTNER_WEEK = 0x03;
    static final byte TIER_PARTNERS = 0x04;

    private final StateStore store;

    /**
     * @param store the state.
     */
    public ProgramCounterTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * Receives a bucket keyed by a day or week and possibly a tier or partner.
     */
    @FunctionalInterface
    public interface Bucket
    {
        /**
         * @param epochDay the bucket's day (its Monday for week buckets).
         * @param number   the tier index or partner number, 0 where the section has none.
         * @param values   the counters, indexed by {@link CounterField#ordinal()}; reused between calls.
         */
        void accept(int epochDay, int number, long[] values);
    }

    void put(final WriteBatch batch, final byte[] key, final long[] values)
    {
        store.put(batch, Table.PROGRAM_COUNTERS, key, CounterTable.encode(values));
    }

    long[] get(final byte[] key)
    {
        final byte[] stored = store.get(Table.PROGRAM_COUNTERS, key);
        if (null == stored)
        {
            return null;
        }
        final long[] values = new long[CounterField.COUNT];
        CounterTable.decode(stored, values);
        return values;
    }

    /**
     * The program's day buckets from fromDay to toDay inclusive, in day order (days without events are not stored).
     *
     * @param program  catalog number of the program.
     * @param fromDay  first epoch day.
     * @param toDay    last epoch day.
     * @param consumer receives each bucket (number 0).
     */
    public void readDays(final int program, final int fromDay, final int toDay, final Bucket consumer)
    {
        scan(key(program, PROGRAM_DAY, fromDay), key(program, PROGRAM_DAY, toDay + 1), consumer);
    }

    /**
     * The program's tier day buckets from fromDay to toDay inclusive, in day then tier order.
     *
     * @param program  catalog number of the program.
     * @param fromDay  first epoch day.
     * @param toDay    last epoch day.
     * @param consumer receives each bucket, number = the tier index.
     */
    public void readTierDays(final int program, final int fromDay, final int toDay, final Bucket consumer)
    {
        scan(key(program, TIER_DAY, fromDay), key(program, TIER_DAY, toDay + 1), consumer);
    }

    /**
     * The week buckets of the program's partners, for the weeks whose Monday is in fromMonday..toMonday.
     *
     * @param program    catalog number of the program.
     * @param fromMonday first week's Monday (epoch day).
     * @param toMonday   last week's Monday.
     * @param consumer   receives each bucket, number = the partner.
     */
    public void readPartnerWeeks(final int program, final int fromMonday, final int toMonday, final Bucket consumer)
    {
        scan(key(program, PARTNER_WEEK, fromMonday), key(program, PARTNER_WEEK, toMonday + 1), consumer);
    }

    private void scan(final byte[] from, final byte[] to, final Bucket consumer)
    {
        final long[] values = new long[CounterField.COUNT];
        store.scan(Table.PROGRAM_COUNTERS, from, to, false, (key, value) ->
        {
            CounterTable.decode(value, values);
            consumer.accept(ByteBuffer.wrap(key).getInt(5), key.length >= 13 ? ByteBuffer.wrap(key).getInt(9) : 0,
                values);
            return true;
        });
    }

    /**
     * The active partners per tier at the start of a week: the snapshot of that week, or of the latest week before it
     * that has one (the ledger's clock did not enter a week without events).
     *
     * @param program catalog number of the program.
     * @param monday  the week's Monday.
     * @return counts by tier index, or an empty array if no snapshot is as old.
     */
    public long[] tierPartners(final int program, final int monday)
    {
        final long[][] found = new long[1][];
        store.scan(Table.PROGRAM_COUNTERS, key(program, TIER_PARTNERS, 0),
            key(program, TIER_PARTNERS, monday + 1), true, (key, value) ->
            {
                found[0] = decodeCounts(value);
                return false;
            });
        return null == found[0] ? new long[0] : found[0];
    }

    void putTierPartners(final WriteBatch batch, final int program, final int monday, final long[] counts)
    {
        store.put(batch, Table.PROGRAM_COUNTERS, key(program, TIER_PARTNERS, monday), CounterTable.encode(counts));
    }

    private static long[] decodeCounts(final byte[] stored)
    {
        final long[] values = new long[stored.length]; // each count takes at least one byte
        CounterTable.decode(stored, values);
        int length = 0;
        int position = 0;
        while (position < stored.length)
        {
            if (stored[position++] >= 0)
            {
                length++;
            }
        }
        return Arrays.copyOf(values, length);
    }

    static byte[] key(final int program, final byte section, final int epochDay)
    {
        return ByteBuffer.allocate(9).putInt(program).put(section).putInt(epochDay).array();
    }

    static byte[] key(final int program, final byte section, final int epochDay, final int number)
    {
        return ByteBuffer.allocate(13).putInt(program).put(section).putInt(epochDay)
            .putInt(number).array();
    }
}
