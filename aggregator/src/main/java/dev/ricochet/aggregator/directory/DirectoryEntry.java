package dev.ricochet.aggregator.directory;

import dev.ricochet.aggregator.counters.CounterField;

import java.util.List;
import java.util.Map;

/**
 * A partner as the directory lists, filters and sorts it: its catalog fields, its tier and its lifetime totals at the
 * time the entry was built. Immutable once published (the totals array is never written after construction).
 *
 * @param number        catalog number.
 * @param id            partner id.
 * @param programId     its program.
 * @param name          display name.
 * @param email         contact address, or null.
 * @param status        status.
 * @param tier          name of the current tier (a pinned one while the pin lasts), or null if the program has none.
 * @param tags          tags, never null.
 * @param attributes    custom attribute values as given, never null.
 * @param attributeText each attribute's text form ({@link DirectoryFilters#text}), for filters.
 * @param joinedAt      ISO-8601 instant the partner joined, or null (created before part 8).
 * @param joinedMs      the same in epoch milliseconds, {@link Long#MIN_VALUE} if unknown.
 * @param totals        lifetime counters, indexed by {@link CounterField#ordinal()}.
 * @param statusBit     the status's bit in {@link DirectoryFilters#statusBit}, for filters without a string compare.
 * @param clicks        lifetime real clicks, inline for the sort.
 * @param conversions   lifetime leads + sales, inline for the sort.
 * @param revenue       lifetime revenue, inline for the sort.
 * @param commission    lifetime commission, inline for the sort.
 * @param epc           {@link DirectoryMetrics#epc} of the totals.
 * @param conversionRate {@link DirectoryMetrics#conversionRate} of the totals.
 * @param nameKey       the name lower-cased, for search and the name sort.
 * @param emailKey      the email lower-cased (empty if none), for search.
 * @param countersStamp changes whenever a commit has written new totals for the partner: a health score computed at
 *                      one stamp is fresh as long as the stamp (and the day) is the same.
 */
public record DirectoryEntry(
    int number,
    String id,
    String programId,
    String name,
    String email,
    String status,
    String tier,
    List<String> tags,
    Map<String, Object> attributes,
    Map<String, String> attributeText,
    String joinedAt,
    long joinedMs,
    long[] totals,
    int statusBit,
    long clicks,
    long conversions,
    long revenue,
    long commission,
    long epc,
    long conversionRate,
    String nameKey,
    String emailKey,
    long countersStamp)
{
    /**
     * @param field a counter.
     * @return its lifetime total.
     */
    public long total(final CounterField field)
    {
        return totals[field.ordinal()];
    }

}
