package dev.ricochet.aggregator.bulk;

import dev.ricochet.aggregator.audit.AuditDetail;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.ledger.LedgerTable;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.timeline.Timeline;
import dev.ricochet.ingest.StrictJson;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a journaled bulk change in the aggregator (part 8, item 4): plans it again against the catalog at its
 * journal position and, only if every selected partner's new record is valid, writes each through the same path as a
 * single partner write (its timeline events, tier pin and saved entry), in the one commit batch of the event. All or
 * nothing: a change that has become invalid since the API checked it applies nothing and is audited as refused.
 */
public final class BulkChanges
{
    private final Catalog catalog;
    private final Timeline timeline;
    private final Runnable commitApplied;
    private final BulkPlanner planner;

    /**
     * @param catalog       the catalog.
     * @param store         committed state: the partners' tiers.
     * @param timeline      where tag, attribute and commission changes are recorded (status changes and tier pins
     *                      are recorded by the partner write itself).
     * @param commitApplied commits everything applied before, so that the tiers read are current.
     */
    public BulkChanges(final Catalog catalog, final StateStore store, final Timeline timeline,
        final Runnable commitApplied)
    {
        this.catalog = catalog;
        this.timeline = timeline;
        this.commitApplied = commitApplied;
        final LedgerTable accounts = new LedgerTable(store);
        this.planner = new BulkPlanner(catalog, (partner, program) ->
        {
            final PartnerAccount account = accounts.account(partner.number());
            return tierName(program, null == account ? 0 : account.tier());
        });
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
     * @param program a program.
     * @param tier    a partner's tier index.
     * @return the tier's name, or null if the program has no tiers.
     */
    public static String tierName(final ProgramSpec program, final int tier)
    {
        final List<ProgramSpec.Tier> tiers = program.tiers();
        return tiers.isEmpty() ? null : tiers.get(Math.min(tier, tiers.size() - 1)).name();
    }

    /**
     * @param command the journaled change.
     * @param timeMs  its journal time.
     * @param writer  writes each partner.
     * @return the audit detail: {@code after} is the summary and, per partner changed, the action's field before and
     * after; null if nothing was applied.
     */
    public AuditDetail apply(final BulkRequest command, final long timeMs, final PartnerWriter writer)
    {
        commitApplied.run();
        final BulkPlanner.Plan plan;
        try
        {
            plan = planner.plan(command, false, LocalDate.ofEpochDay(Math.floorDiv(timeMs, 86_400_000L)));
        }
        catch (final InvalidSpecException ex)
        {
            return null; // valid when the API checked it, invalid now (its segment deleted in between)
        }
        if (!plan.summary().isApplicable())
        {
            return null;
        }
        final BulkAction action = BulkAction.of(command.action());
        final List<Map<String, Object>> changes = new ArrayList<>();
        for (final CatalogEntry<PartnerSpec> change : plan.changes())
        {
            final PartnerSpec before = catalog.partner(change.id()).spec();
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", change.id());
            row.put("before", field(action, command, before));
            row.put("after", field(action, command, change.spec()));
            changes.add(row);
            writer.write(change);
            record(action, command, row, timeMs);
        }
        final Map<String, Object> after = StrictJson.MAPPER.convertValue(plan.summary(), BulkResults.FIELDS);
        after.put("changes", changes);
        return new AuditDetail("partners:" + command.programId() + "/bulk", command.programId(), command, after);
    }

    /**
     * The timeline event of a tag, attribute or commission change made in bulk: {@code partner.tags_changed},
     * {@code partner.attribute_changed} or {@code partner.commission_changed}, with the field before and after.
     */
    private void record(final BulkAction action, final BulkRequest command, final Map<String, Object> row,
        final long timeMs)
    {
        final String type = switch (action)
        {
            case TAGS -> "partner.tags_changed";
            case ATTRIBUTE -> "partner.attribute_changed";
            case COMMISSION -> "partner.commission_changed";
            case STATUS, TIER_PIN -> null;
        };
        if (null != type)
        {
            final CatalogEntry<PartnerSpec> partner = catalog.partner((String)row.get("id"));
            final Map<String, Object> data = new LinkedHashMap<>();
            if (BulkAction.ATTRIBUTE == action)
            {
                data.put("name", command.name());
            }
            data.put("from", row.get("before"));
            data.put("to", row.get("after"));
            timeline.record(partner.number(), partner, catalog.program(partner.spec().programId()), timeMs, type,
                data);
        }
    }

    private static Object field(final BulkAction action, final BulkRequest command, final PartnerSpec spec)
    {
        return switch (action)
        {
            case STATUS -> spec.status();
            case TAGS -> spec.tags();
            case ATTRIBUTE -> null == spec.attributes() ? null : spec.attributes().get(command.name());
            case TIER_PIN -> spec.tierPin();
            case COMMISSION -> spec.commissionPercent();
        };
    }
}
