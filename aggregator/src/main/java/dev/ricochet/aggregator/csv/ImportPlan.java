package dev.ricochet.aggregator.csv;

import java.util.List;

/**
 * An import file read row by row and checked against the catalog as it is now: what it would write, or why not.
 *
 * @param changes   every row that changes something, as the full entity it would store (its columns merged onto
 *                  the entity the row names) with the fingerprint of that entity, in file order; empty if any row is
 *                  bad.
 * @param errors    every bad row, in file order.
 * @param rows      data rows read (the header not counted).
 * @param created   rows naming an entity that does not exist yet.
 * @param updated   rows that would change an existing entity.
 * @param unchanged rows equal to what is stored.
 * @param <T>       the spec type.
 */
public record ImportPlan<T>(
    List<ImportCommand.Row<T>> changes,
    List<ImportError> errors,
    int rows,
    int created,
    int updated,
    int unchanged)
{
    /**
     * @return true if every row is good: the import may be journaled.
     */
    public boolean isValid()
    {
        return errors.isEmpty();
    }
}
