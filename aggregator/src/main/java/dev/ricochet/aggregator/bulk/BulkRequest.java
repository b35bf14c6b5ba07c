package dev.ricochet.aggregator.bulk;

import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.directory.PartnerFilter;

import java.util.List;

/**
 * A bulk change as {@code POST /v1/programs/{programId}/partners/bulk} accepts it, and as it is journaled (with its
 * program, without {@code dryRun}): exactly one selection ({@code segment}, {@code filter} or {@code ids}) and one
 * action with its own fields. Null where the action uses a field means "clear it" (a commission override, a tier pin,
 * an attribute).
 *
 * @param programId         the program (from the path; set by the API before journaling).
 * @param segment           a saved segment's id.
 * @param filter            a filter.
 * @param ids               partner ids.
 * @param action            {@code status}, {@code tags}, {@code attribute}, {@code tierPin} or {@code commission}.
 * @param status            the new status (action status).
 * @param reason            why (action status: the partner's status reason).
 * @param add               tags to add (action tags).
 * @param remove            tags to remove (action tags).
 * @param name              the attribute (action attribute).
 * @param value             its new value, or null to clear it (action attribute).
 * @param tierPin           the pin, or null to unpin (action tierPin).
 * @param commissionPercent the override, or null to clear it (action commission).
 * @param dryRun            answer what would change without changing anything.
 */
public record BulkRequest(
    String programId,
    String segment,
    PartnerFilter filter,
    List<String> ids,
    String action,
    String status,
    String reason,
    List<String> add,
    List<String> remove,
    String name,
    Object value,
    PartnerSpec.TierPin tierPin,
    String commissionPercent,
    Boolean dryRun)
{
    /**
     * @param programId the program of the path.
     * @return the command as journaled: this request in that program, not a dry run.
     */
    public BulkRequest journaled(final String programId)
    {
        return new BulkRequest(programId, segment, filter, ids, action, status, reason, add, remove, name, value,
            tierPin, commissionPercent, null);
    }
}
