package dev.ricochet.aggregator.report;

import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Money;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;

import java.util.ArrayList;
import java.util.List;

/**
 * Each partner's counters summed over a date range, for the reports that need partners one by one (top partners,
 * active and dormant partners), from the partners' week buckets: whole ISO weeks inside the range are read from the
 * program's week buckets (one scan per range); for each of the at most two weeks the range cuts (its first and last),
 * the partners with a bucket that week have their days inside the range read from their day buckets.
 *
 * <p>Cost (docs/reports.md): one row per partner active in each whole week, plus, per cut week, one range read of at
 * most 6 day buckets per partner active that week (multi-gets of 4,096 keys). Committed state only.
 */
public final class PartnerRangeSums
{
    private static final int MULTI_GET_KEYS = 4096;

    private final ProgramCounterTable table;
    private final StateStore store;

    /**
     * @param store committed state.
     */
    public PartnerRangeSums(final StateStore store)
    {
        this.table = new ProgramCounterTable(store);
        this.store = store;
    }

    /**
     * @param program catalog number of the program.
     * @param fromDay first epoch day, inclusive.
     * @param toDay   last epoch day, inclusive.
     * @return summed counters by partner number, for every partner with a bucket in the range.
     */
    public Int2ObjectHashMap<long[]> sums(final int program, final int fromDay, final int toDay)
    {
        final Int2ObjectHashMap<long[]> sums = new Int2ObjectHashMap<>();
        final int firstMonday = ProgramCounters.monday(fromDay);
        final int lastMonday = ProgramCounters.monday(toDay);
        final int fullFrom = firstMonday == fromDay ? firstMonday : firstMonday + 7;
        final int fullTo = lastMonday + 6 == toDay ? lastMonday : lastMonday - 7;
        if (fullFrom <= fullTo)
        {
            table.readPartnerWeeks(program, fullFrom, fullTo, (monday, partner, values) ->
                add(sums, partner, values));
        }
        if (firstMonday < fullFrom || firstMonday > fullTo)
        {
            addCutWeek(sums, program, firstMonday, fromDay, Math.min(toDay, firstMonday + 6));
        }
        if (lastMonday != firstMonday && (lastMonday < fullFrom || lastMonday > fullTo))
        {
            addCutWeek(sums, program, lastMonday, lastMonday, toDay);
        }
        return sums;
    }

    private void addCutWeek(final Int2ObjectHashMap<long[]> sums, final int program, final int monday,
        final int fromDay, final int toDay)
    {
        final IntArrayList partners = new IntArrayList();
        table.readPartnerWeeks(program, monday, monday, (week, partner, values) -> partners.addInt(partner));
        // One multi-get per chunk of day keys: an iterator per partner costs more than the reads themselves.
        final List<byte[]> keys = new ArrayList<>(MULTI_GET_KEYS);
        final IntArrayList owners = new IntArrayList();
        for (int i = 0; i < partners.size(); i++)
        {
            for (int day = fromDay; day <= toDay; day++)
            {
                keys.add(CounterTable.dayKey(partners.getInt(i), day));
                owners.addInt(partners.getInt(i));
            }
            if (keys.size() >= MULTI_GET_KEYS)
            {
                addDays(sums, keys, owners);
            }
        }
        addDays(sums, keys, owners);
    }

    private void addDays(final Int2ObjectHashMap<long[]> sums, final List<byte[]> keys, final IntArrayList owners)
    {
        if (keys.isEmpty())
        {
            return;
        }
        final List<byte[]> stored = store.multiGet(Table.COUNTERS, keys);
        final long[] values = new long[CounterField.COUNT];
        for (int i = 0; i < stored.size(); i++)
        {
            if (null != stored.get(i))
            {
                CounterTable.decode(stored.get(i), values);
                add(sums, owners.getInt(i), values);
            }
        }
        keys.clear();
        owners.clear();
    }

    private static void add(final Int2ObjectHashMap<long[]> sums, final int partner, final long[] values)
    {
        long[] total = sums.get(partner);
        if (null == total)
        {
            total = new long[CounterField.COUNT];
            sums.put(partner, total);
        }
        for (int i = 0; i < total.length; i++)
        {
            total[i] = Money.addSaturated(total[i], values[i]);
        }
    }
}
