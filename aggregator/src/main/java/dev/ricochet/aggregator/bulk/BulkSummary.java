package dev.ricochet.aggregator.bulk;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;

/**
 * What a bulk change did, or would do: its answer and the {@code after} of its audit record.
 *
 * @param action     the action's name.
 * @param matched    partners selected.
 * @param changed    partners whose record changes (changed, or would change in a dry run; 0 if any failed).
 * @param unchanged  partners selected that already were as asked.
 * @param failed     partners whose result would be invalid, each with why: if any, nothing is applied.
 * @param changedIds the ids of the partners changed, in catalog order.
 * @param dryRun     true if nothing was journaled.
 */
public record BulkSummary(
    String action,
    int matched,
    int changed,
    int unchanged,
    List<Failure> failed,
    List<String> changedIds,
    boolean dryRun)
{
    /**
     * One partner the change cannot apply to.
     *
     * @param id      the partner's id.
     * @param message why, naming the field.
     */
    public record Failure(String id, String message)
    {
    }

    /**
     * @return true if the change applies (or would): no partner failed.
     */
    @JsonIgnore
    public boolean isApplicable()
    {
        return failed.isEmpty();
    }
}
