package dev.ricochet.aggregator.bulk;

import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.PartnerSpec;

import java.util.List;

/**
 * Applies a journaled bulk change in the aggregator: plans it again against the catalog at its journal position and,
 * only if every selected partner's new record is valid, writes each through the same path as a single partner write
 * (its timeline events, tier pin and saved entry), in the one commit batch of the event. All or nothing.
 */
public final class BulkChanges
{
    private BulkChanges()
    {
    }

    /**
     * Writes one partner's new record as a single partner change would.
     */
    @FunctionalInterface
    public interface PartnerWriter
    {
        /**
         * @param partner the partner's new record.
         */
        void write(CatalogEntry<PartnerSpec> partner);
    }

    /**
     * @param planner plans over the catalog and committed tiers.
     * @param command the journaled change.
     * @param writer  writes each partner.
     * @return what was done: the audit record's {@code after}; nothing was written if its {@code failed} is not empty.
     */
    public static BulkSummary apply(final BulkPlanner planner, final BulkRequest command, final PartnerWriter writer)
    {
        final BulkPlanner.Plan plan;
        try
        {
            plan = planner.plan(command, false);
        }
        catch (final InvalidSpecException ex)
        {
            // Valid when the API checked it, invalid now (a segment deleted or the schema changed in between).
            return new BulkSummary(command.action(), 0, 0, 0, List.of(new BulkSummary.Failure(null, ex.getMessage())),
                List.of(), false);
        }
        for (final CatalogEntry<PartnerSpec> change : plan.changes())
        {
            writer.write(change);
        }
        return plan.summary();
    }
}
