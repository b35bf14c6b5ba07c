package dev.ricochet.aggregator.directory;

import java.util.List;

/**
 * One page of a partner list.
 *
 * @param items  the partners in order, each with the health score it was sorted or shown with.
 * @param next   the cursor of the next page, or null if this is the last.
 */
public record DirectoryPage(List<Item> items, String next)
{
    /**
     * A partner on a page.
     *
     * @param entry  the partner.
     * @param health its health score, 0-100.
     */
    public record Item(DirectoryEntry entry, int health)
    {
    }
}
