package dev.ricochet.aggregator.directory;

import java.util.List;

/**
 * A page of a program's partner list to answer: checked filters (all of which must hold), the joined-date range, the
 * sort and where the previous page ended.
 *
 * @param filters      checked filters: the request's own and a saved segment's.
 * @param joinedFromMs first joined instant included (epoch ms), or {@link Long#MIN_VALUE}.
 * @param joinedToMs   first joined instant no longer included, or {@link Long#MAX_VALUE}.
 * @param sort         the sort.
 * @param descending   true for the largest first.
 * @param limit        partners per page, 1..500.
 * @param cursor       where the previous page ended, or null for the first page.
 */
public record DirectoryQuery(
    List<DirectoryFilters.Compiled> filters,
    long joinedFromMs,
    long joinedToMs,
    DirectorySort sort,
    boolean descending,
    int limit,
    DirectoryCursor cursor)
{
    /**
     * Most partners per page.
     */
    public static final int MAX_LIMIT = 500;

    /**
     * @param entry a partner.
     * @return true if it meets every filter and joined in the range (a partner without a joined time only when no
     *         range is given).
     */
    boolean matches(final DirectoryEntry entry)
    {
        if (Long.MIN_VALUE != joinedFromMs || Long.MAX_VALUE != joinedToMs)
        {
            if (Long.MIN_VALUE == entry.joinedMs() || entry.joinedMs() < joinedFromMs ||
                entry.joinedMs() >= joinedToMs)
            {
                return false;
            }
        }
        for (final DirectoryFilters.Compiled filter : filters)
        {
            if (!filter.matches(entry))
            {
                return false;
            }
        }
        return true;
    }
}
