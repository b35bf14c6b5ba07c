package dev.ricochet.aggregator.bulk;

import dev.ricochet.aggregator.catalog.AttributeSchema;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.LifecycleValidation;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.catalog.SegmentSpec;
import dev.ricochet.aggregator.directory.PartnerFilter;
import dev.ricochet.aggregator.directory.PartnerFilters;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Works out a bulk change over the catalog as it stands: which partners it selects, each one's record after the
 * action, and which of those would be invalid. The API runs it for a dry run and before journaling; the aggregator
 * runs it again when it applies the journaled command, so the result is the one at that journal position, and a
 * replay works out the same.
 */
public final class BulkPlanner
{
    /**
     * Most partners one bulk change selects (by ids, a segment or a filter).
     */
    public static final int MAX_PARTNERS = 10_000;

    private final Catalog catalog;
    private final TierNames tiers;

    /**
     * @param catalog the catalog.
     * @param tiers   each partner's current tier, for a filter on tiers.
     */
    public BulkPlanner(final Catalog catalog, final TierNames tiers)
    {
        this.catalog = catalog;
        this.tiers = tiers;
    }

    /**
     * A partner's current tier name.
     */
    @FunctionalInterface
    public interface TierNames
    {
        /**
         * @param partner a partner.
         * @param program its program.
         * @return its tier's name, or null if the program has no tiers.
         */
        String tierOf(CatalogEntry<PartnerSpec> partner, ProgramSpec program);
    }

    /**
     * The result of a plan: the summary and the partners' new records.
     *
     * @param summary what the change does (changed ids included only if nothing failed).
     * @param changes the partners' new records, in catalog order; empty if any failed.
     */
    public record Plan(BulkSummary summary, List<CatalogEntry<PartnerSpec>> changes)
    {
    }

    /**
     * @param request the change, its program set.
     * @param dryRun  for the summary.
     * @param today   today's UTC date (the API's clock, or the change's journal time when the aggregator applies it):
     *                a new tier pin ends today or later.
     * @return the plan.
     * @throws InvalidSpecException if the request itself is invalid (a 400 naming the field).
     */
    public Plan plan(final BulkRequest request, final boolean dryRun, final LocalDate today)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(request.programId());
        if (null == program)
        {
            throw new InvalidSpecException("programId '" + request.programId() + "' is not a known program");
        }
        final BulkAction action = BulkAction.of(request.action());
        BulkRequests.requireAction(action, request, program.spec());
        final List<BulkSummary.Failure> failed = new ArrayList<>();
        final List<CatalogEntry<PartnerSpec>> selected = select(request, program, failed);
        final List<CatalogEntry<PartnerSpec>> changes = new ArrayList<>();
        int unchanged = 0;
        for (final CatalogEntry<PartnerSpec> partner : selected)
        {
            final PartnerSpec after = BulkRequests.applyTo(action, request, partner.spec());
            if (after.equals(partner.spec()))
            {
                unchanged++;
                continue;
            }
            try
            {
                final PartnerSpec valid = CatalogValidation.partnerAttributes(CatalogValidation.partner(after),
                    program.spec(), partner.spec());
                // The lifecycle's checks (items 3 and 5) as for a single write: status reason, tier pin.
                LifecycleValidation.requireLifecycle(valid, program.spec(), partner.spec(), today);
                changes.add(new CatalogEntry<>(partner.id(), 0, valid));
            }
            catch (final InvalidSpecException ex)
            {
                failed.add(new BulkSummary.Failure(partner.id(), ex.getMessage()));
            }
        }
        final boolean isApplicable = failed.isEmpty();
        final List<String> changedIds = changes.stream().map(CatalogEntry::id).toList();
        return new Plan(new BulkSummary(action.jsonName(), selected.size(), isApplicable || dryRun ? changes.size() : 0,
            unchanged, List.copyOf(failed), isApplicable || dryRun ? changedIds : List.of(), dryRun),
            isApplicable ? List.copyOf(changes) : List.of());
    }

    private List<CatalogEntry<PartnerSpec>> select(final BulkRequest request, final CatalogEntry<ProgramSpec> program,
        final List<BulkSummary.Failure> failed)
    {
        final int selections = (null == request.segment() ? 0 : 1) + (null == request.filter() ? 0 : 1) +
            (null == request.ids() ? 0 : 1);
        if (1 != selections)
        {
            throw new InvalidSpecException("give exactly one of segment, filter or ids");
        }
        if (null != request.ids())
        {
            return byIds(request.ids(), program.id(), failed);
        }
        final PartnerFilter filter;
        if (null != request.segment())
        {
            CatalogValidation.requireId("segment", request.segment());
            final CatalogEntry<SegmentSpec> segment = catalog.segments().get(program.id(), request.segment());
            if (null == segment)
            {
                throw new InvalidSpecException("segment '" + request.segment() + "' is not a segment of program '" +
                    program.id() + "'");
            }
            // Checked again: the schema or the tiers may have changed since the segment was saved.
            filter = PartnerFilters.validate(segment.spec().filter(), program.spec(), "segment.filter");
        }
        else
        {
            filter = PartnerFilters.validate(request.filter(), program.spec(), "filter");
        }
        final List<CatalogEntry<PartnerSpec>> result = new ArrayList<>();
        for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(program.id()))
        {
            // A partner's tier is read from its committed account only when the filter asks for tiers.
            final String tier = null == filter.tier() ? null : tiers.tierOf(partner, program.spec());
            if (PartnerFilters.matches(filter, program.spec(), partner, tier))
            {
                result.add(partner);
            }
        }
        if (result.size() > MAX_PARTNERS)
        {
            throw new InvalidSpecException((null == request.segment() ? "filter" : "segment") + " selects " +
                result.size() + " partners, more than " + MAX_PARTNERS + " in one bulk change: narrow it");
        }
        return result;
    }

    private List<CatalogEntry<PartnerSpec>> byIds(final List<String> ids, final String programId,
        final List<BulkSummary.Failure> failed)
    {
        if (ids.isEmpty() || ids.size() > MAX_PARTNERS)
        {
            throw new InvalidSpecException("ids must list 1-" + MAX_PARTNERS + " partner ids");
        }
        final Set<String> distinct = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++)
        {
            CatalogValidation.requireId("ids[" + i + "]", ids.get(i));
            distinct.add(ids.get(i));
        }
        final List<CatalogEntry<PartnerSpec>> result = new ArrayList<>();
        for (final String id : distinct)
        {
            final CatalogEntry<PartnerSpec> partner = catalog.partner(id);
            if (null == partner || !Objects.equals(partner.spec().programId(), programId))
            {
                failed.add(new BulkSummary.Failure(id, "not a partner of program '" + programId + "'"));
            }
            else
            {
                result.add(partner);
            }
        }
        result.sort((a, b) -> Integer.compare(a.number(), b.number()));
        return result;
    }

    /**
     * For a filter's or attribute action's checks: the definition of an attribute, or null.
     *
     * @param program a program.
     * @param name    an attribute name.
     * @return its definition, or null.
     */
    static ProgramSpec.AttributeDef definition(final ProgramSpec program, final String name)
    {
        return null == program.attributes() ? null :
            program.attributes().stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * @param program a program.
     * @param name    an attribute name.
     * @param value   a non-null value.
     */
    static void checkAttribute(final ProgramSpec program, final String name, final Object value)
    {
        AttributeSchema.check(definition(program, name), name, value);
    }
}
