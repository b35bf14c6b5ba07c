package dev.ricochet.aggregator.counters;

import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The counter buckets, {@link Table#COUNTERS} (days, kept for good) and {@link Table#HOUR_COUNTERS} (hours, kept for
 * {@link #HOUR_BUCKET_RETENTION_HOURS}).
 *
 * <pre>
 *   counters       partnerNumber:i32 + epochDay:i32 (big-endian)  -> counters
 *   hour_counters  epochHour:i32 + partnerNumber:i32 (big-endian) -> counters
 * </pre>
 * Day keys are partner-major so that a partner's report is one range scan. Hour keys are hour-major, so that retention
 * is one range delete per hour for all partners: a range delete per partner piled tombstones into the memtable that
 * every later read had to consult. A bucket's value is one zig-zag varint per field in {@link CounterField} order (one
 * to three bytes for most fields, so that a partner's history stays small); a bucket from a layout with fewer fields
 * reads as zero for the new ones.
 */
public final class CounterTable
{
    /**
     * How long hour buckets are kept; day buckets are kept for good.
     */
    public static final int HOUR_BUCKET_RETENTION_HOURS = 8 * 24;

    private final StateStore store;

    /**
     * @param store the state.
     */
    public CounterTable(final StateStore store)
    {
        this.store = store;
    }

    /**
     * @param partnerNumber catalog number of the partner.
     * @param epochDay      day bucket.
     * @return the bucket's counters, all zero if none were stored.
     */
    public long[] day(final int partnerNumber, final int epochDay)
    {
        final long[] values = new long[CounterField.COUNT];
        final byte[] stored = store.get(Table.COUNTERS, dayKey(partnerNumber, epochDay));
        if (null != stored)
        {
            decode(stored, values);
        }
        return values;
    }

    /**
     * @param batch         the batch being built.
     * @param partnerNumber catalog number of the partner.
     * @param epochDay      day bucket.
     * @param values        absolute values of the bucket.
     */
    public void putDay(final WriteBatch batch, final int partnerNumber, final int epochDay, final long[] values)
    {
        store.put(batch, Table.COUNTERS, dayKey(partnerNumber, epochDay), encode(values));
    }

    /**
     * @param partnerNumber catalog number of the partner.
     * @param epochHour     hour bucket (epoch milliseconds / 3,600,000).
     * @return the bucket's counters, or null if none were stored.
     */
    public long[] hour(final int partnerNumber, final int epochHour)
    {
        final byte[] stored = store.get(Table.HOUR_COUNTERS, hourKey(epochHour, partnerNumber));
        if (null == stored)
        {
            return null;
        }
        final long[] values = new long[CounterField.COUNT];
        decode(stored, values);
        return values;
    }

    /**
     * @param batch         the batch being built.
     * @param partnerNumber catalog number of the partner.
     * @param epochHour     hour bucket.
     * @param values        absolute values of the bucket.
     */
    public void putHour(final WriteBatch batch, final int partnerNumber, final int epochHour, final long[] values)
    {
        store.put(batch, Table.HOUR_COUNTERS, hourKey(epochHour, partnerNumber), encode(values));
    }

    /**
     * Drop every partner's hour buckets before an hour, with one range delete.
     *
     * @param batch     the batch being built.
     * @param epochHour first hour kept.
     */
    public void expireHoursBefore(final WriteBatch batch, final int epochHour)
    {
        store.deleteRange(batch, Table.HOUR_COUNTERS, hourKey(0, 0), hourKey(Math.max(0, epochHour), 0));
    }

    /**
     * Read a partner's hour buckets in a range, with one multi-get.
     *
     * @param partnerNumber catalog number of the partner.
     * @param fromHour      first epoch hour, inclusive.
     * @param toHour        last epoch hour, inclusive; less than {@link #HOUR_BUCKET_RETENTION_HOURS} after fromHour.
     * @param consumer      receives each stored bucket in hour order.
     */
    public void readHours(final int partnerNumber, final int fromHour, final int toHour, final BucketConsumer consumer)
    {
        if ((long)toHour - fromHour >= HOUR_BUCKET_RETENTION_HOURS)
        {
            // One key per hour is built below: a caller's range must be bounded before it gets here.
            throw new IllegalArgumentException("at most " + HOUR_BUCKET_RETENTION_HOURS + " hours per read, not " +
                fromHour + ".." + toHour);
        }
        final List<byte[]> keys = new ArrayList<>();
        for (int hour = fromHour; hour <= toHour; hour++)
        {
            keys.add(hourKey(hour, partnerNumber));
        }
        final List<byte[]> stored = store.multiGet(Table.HOUR_COUNTERS, keys);
        final long[] values = new long[CounterField.COUNT];
        for (int i = 0; i < stored.size(); i++)
        {
            if (null != stored.get(i))
            {
                decode(stored.get(i), values);
                consumer.accept(fromHour + i, values);
            }
        }
    }

    /**
     * Read a partner's day buckets in a range with one scan of a consistent snapshot.
     *
     * @param partnerNumber catalog number of the partner.
     * @param fromDay       first epoch day, inclusive.
     * @param toDay         last epoch day, inclusive.
     * @param consumer      receives each stored bucket in day order (days without events are not stored).
     */
    public void readDays(final int partnerNumber, final int fromDay, final int toDay, final BucketConsumer consumer)
    {
        final long[] values = new long[CounterField.COUNT];
        final byte[] end = dayKey(partnerNumber, toDay);
        store.scan(Table.COUNTERS, dayKey(partnerNumber, fromDay), null, false, (key, value) ->
        {
            if (Arrays.compareUnsigned(key, end) > 0)
            {
                return false;
            }
            decode(value, values);
            consumer.accept(ByteBuffer.wrap(key).getInt(4), values);
            return true;
        });
    }

    /**
     * Visit every day bucket of every partner, in key order (for tools, such as the crash suite's audit).
     *
     * @param consumer receives each bucket.
     */
    public void forEachDay(final DayBucketConsumer consumer)
    {
        store.scan(Table.COUNTERS, null, null, false, (key, value) ->
        {
            final long[] values = new long[CounterField.COUNT];
            decode(value, values);
            final ByteBuffer buffer = ByteBuffer.wrap(key);
            consumer.accept(buffer.getInt(0), buffer.getInt(4), values);
            return true;
        });
    }

    /**
     * Receives stored buckets of one partner.
     */
    @FunctionalInterface
    public interface BucketConsumer
    {
        /**
         * @param epochDayOrHour the bucket's day (or hour).
         * @param values         the bucket's counters, indexed by {@link CounterField#ordinal()}; reused between calls.
         */
        void accept(int epochDayOrHour, long[] values);
    }

    /**
     * Receives day buckets of every partner.
     */
    @FunctionalInterface
    public interface DayBucketConsumer
    {
        /**
         * @param partnerNumber the bucket's partner.
         * @param epochDay      the bucket's day.
         * @param values        the bucket's counters, indexed by {@link CounterField#ordinal()}; the caller's.
         */
        void accept(int partnerNumber, int epochDay, long[] values);
    }

    /**
     * @param partnerNumber catalog number of the partner.
     * @param epochDay      day.
     * @return the key of the partner's day bucket.
     */
    public static byte[] dayKey(final int partnerNumber, final int epochDay)
    {
        return ByteBuffer.allocate(8).putInt(partnerNumber).putInt(epochDay).array();
    }

    /**
     * @param epochHour     hour.
     * @param partnerNumber catalog number of the partner.
     * @return the key of the partner's hour bucket.
     */
    public static byte[] hourKey(final int epochHour, final int partnerNumber)
    {
        return ByteBuffer.allocate(8).putInt(epochHour).putInt(partnerNumber).array();
    }

    /**
     * @param values a bucket's counters in {@link CounterField} order.
     * @return the bucket as stored.
     */
    public static byte[] encode(final long[] values)
    {
        final byte[] out = new byte[10 * values.length];
        int length = 0;
        for (final long value : values)
        {
            long zigzag = (value << 1) ^ (value >> 63);
            while ((zigzag & ~0x7FL) != 0)
            {
                out[length++] = (byte)((zigzag & 0x7F) | 0x80);
                zigzag >>>= 7;
            }
            out[length++] = (byte)zigzag;
        }
        return Arrays.copyOf(out, length);
    }

    /**
     * @param stored a bucket as stored.
     * @param values receives the fields in {@link CounterField} order (zero for fields the bucket lacks).
     */
    public static void decode(final byte[] stored, final long[] values)
    {
        Arrays.fill(values, 0);
        int position = 0;
        for (int i = 0; i < values.length && position < stored.length; i++)
        {
            long zigzag = 0;
            int shift = 0;
            byte b;
            do
            {
                b = stored[position++];
                zigzag |= (long)(b & 0x7F) << shift;
                shift += 7;
            }
            while (b < 0 && position < stored.length);
            values[i] = (zigzag >>> 1) ^ -(zigzag & 1);
        }
    }
}
