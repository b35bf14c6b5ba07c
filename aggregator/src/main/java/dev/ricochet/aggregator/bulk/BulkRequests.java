package dev.ricochet.aggregator.bulk;

import dev.ricochet.aggregator.catalog.AttributeSchema;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.PartnerTags;
import dev.ricochet.aggregator.catalog.ProgramSpec;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A bulk request's action: the check of its own fields, and what it makes of one partner's record.
 */
final class BulkRequests
{
    /**
     * Longest reason (a status change's or a tier pin's).
     */
    static final int MAX_REASON_LENGTH = 500;

    private static final DateTimeFormatter DATE =
        DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

    private BulkRequests()
    {
    }

    /**
     * @param action  the action.
     * @param request the request.
     * @param program its program.
     * @throws InvalidSpecException naming the field that is missing, invalid or not the action's.
     */
    static void requireAction(final BulkAction action, final BulkRequest request, final ProgramSpec program)
    {
        refuseOthers(action, "status", request.status(), BulkAction.STATUS);
        refuseOthers(action, "reason", request.reason(), BulkAction.STATUS);
        refuseOthers(action, "add", request.add(), BulkAction.TAGS);
        refuseOthers(action, "remove", request.remove(), BulkAction.TAGS);
        refuseOthers(action, "name", request.name(), BulkAction.ATTRIBUTE);
        refuseOthers(action, "value", request.value(), BulkAction.ATTRIBUTE);
        refuseOthers(action, "tierPin", request.tierPin(), BulkAction.TIER_PIN);
        refuseOthers(action, "commissionPercent", request.commissionPercent(), BulkAction.COMMISSION);
        switch (action)
        {
            case STATUS -> requireStatus(request);
            case TAGS -> requireTags(request);
            case ATTRIBUTE -> requireAttribute(request, program);
            case TIER_PIN -> requireTierPin(request.tierPin(), program);
            case COMMISSION ->
            {
                if (null != request.commissionPercent())
                {
                    CatalogValidation.requirePercent("commissionPercent", request.commissionPercent());
                }
            }
            default -> throw new IllegalStateException(action.name());
        }
    }

    private static void refuseOthers(final BulkAction action, final String field, final Object value,
        final BulkAction owner)
    {
        if (null != value && action != owner)
        {
            throw new InvalidSpecException(field + " is not a field of action " + action.jsonName() +
                " (it belongs to action " + owner.jsonName() + ")");
        }
    }

    private static void requireStatus(final BulkRequest request)
    {
        if (null == request.status() || !CatalogValidation.PARTNER_STATUSES.contains(request.status()))
        {
            throw new InvalidSpecException(
                "status '" + AttributeSchema.abbreviated(String.valueOf(request.status())) +
                "' is invalid: expected one of " + CatalogValidation.PARTNER_STATUSES);
        }
        requireReason("reason", request.reason(), false);
    }

    private static void requireReason(final String field, final String reason, final boolean isRequired)
    {
        if (null == reason ? isRequired : reason.isBlank() || reason.length() > MAX_REASON_LENGTH ||
            reason.chars().anyMatch(Character::isISOControl))
        {
            throw new InvalidSpecException(field + " must be 1-" + MAX_REASON_LENGTH +
                " characters without control characters");
        }
    }

    private static void requireTags(final BulkRequest request)
    {
        final List<String> add = PartnerTags.normalise("add", request.add());
        final List<String> remove = PartnerTags.normalise("remove", request.remove());
        if (null == add && null == remove)
        {
            throw new InvalidSpecException("add or remove must list at least one tag");
        }
        if (null != add && null != remove)
        {
            for (final String tag : add)
            {
                if (remove.contains(tag))
                {
                    throw new InvalidSpecException("tag '" + tag + "' is both in add and in remove");
                }
            }
        }
    }

    private static void requireAttribute(final BulkRequest request, final ProgramSpec program)
    {
        if (null == request.name() || request.name().isEmpty() || request.name().length() > 40)
        {
            throw new InvalidSpecException("name is required: the attribute to set (1-40 characters)");
        }
        // Clearing a name the schema no longer has is allowed: that is how old values are cleaned up.
        if (null != request.value() || null != BulkPlanner.definition(program, request.name()))
        {
            if (null == BulkPlanner.definition(program, request.name()))
            {
                throw new InvalidSpecException("name '" + request.name() + "' is not an attribute of the program");
            }
            if (null != request.value())
            {
                BulkPlanner.checkAttribute(program, request.name(), request.value());
            }
        }
    }

    /**
     * @param pin     a tier pin, or null (unpin).
     * @param program the partner's program.
     * @throws InvalidSpecException naming the field.
     */
    static void requireTierPin(final PartnerSpec.TierPin pin, final ProgramSpec program)
    {
        if (null == pin)
        {
            return;
        }
        if (null == pin.tier() || program.tiers().stream().noneMatch(tier -> tier.name().equals(pin.tier())))
        {
            throw new InvalidSpecException(
                "tierPin.tier '" + AttributeSchema.abbreviated(String.valueOf(pin.tier())) +
                "' is not a tier of the program");
        }
        requireReason("tierPin.reason", pin.reason(), true);
        if (null != pin.until())
        {
            try
            {
                if (pin.until().length() != 10)
                {
                    throw new DateTimeParseException("length", pin.until(), 0);
                }
                LocalDate.parse(pin.until(), DATE);
            }
            catch (final DateTimeParseException ex)
            {
                throw new InvalidSpecException("tierPin.until must be a real date YYYY-MM-DD");
            }
        }
    }

    /**
     * @param action  the action, its fields checked.
     * @param request the request.
     * @param spec    a partner's record.
     * @return the record after the action (equal to it if the action changes nothing).
     */
    static PartnerSpec applyTo(final BulkAction action, final BulkRequest request, final PartnerSpec spec)
    {
        return switch (action)
        {
            case STATUS -> copy(spec, request.status(), null == request.reason() ? spec.statusReason() :
                request.reason(), spec.tags(), spec.attributes(), spec.tierPin(), spec.commissionPercent());
            case TAGS -> copy(spec, spec.status(), spec.statusReason(), tags(spec.tags(), request), spec.attributes(),
                spec.tierPin(), spec.commissionPercent());
            case ATTRIBUTE -> copy(spec, spec.status(), spec.statusReason(), spec.tags(),
                attribute(spec.attributes(), request.name(), request.value()), spec.tierPin(),
                spec.commissionPercent());
            case TIER_PIN -> copy(spec, spec.status(), spec.statusReason(), spec.tags(), spec.attributes(),
                request.tierPin(), spec.commissionPercent());
            case COMMISSION -> copy(spec, spec.status(), spec.statusReason(), spec.tags(), spec.attributes(),
                spec.tierPin(), request.commissionPercent());
        };
    }

    private static List<String> tags(final List<String> tags, final BulkRequest request)
    {
        final Set<String> result = new LinkedHashSet<>(null == tags ? List.of() : tags);
        final List<String> add = PartnerTags.normalise("add", request.add());
        final List<String> remove = PartnerTags.normalise("remove", request.remove());
        if (null != add)
        {
            result.addAll(add);
        }
        if (null != remove)
        {
            result.removeAll(remove);
        }
        // More than the bound fails this partner in validation (CatalogValidation.partner), not silently.
        return result.isEmpty() ? null : new ArrayList<>(result);
    }

    private static Map<String, Object> attribute(final Map<String, Object> attributes, final String name,
        final Object value)
    {
        final Map<String, Object> result = new TreeMap<>(null == attributes ? Map.of() : attributes);
        if (null == value)
        {
            result.remove(name);
        }
        else
        {
            result.put(name, value);
        }
        return result.isEmpty() ? null : new LinkedHashMap<>(result);
    }

    private static PartnerSpec copy(final PartnerSpec spec, final String status, final String statusReason,
        final List<String> tags, final Map<String, Object> attributes, final PartnerSpec.TierPin tierPin,
        final String commissionPercent)
    {
        return new PartnerSpec(spec.programId(), spec.name(), spec.email(), status, commissionPercent,
            spec.leadCommission(), spec.monthlyCap(), spec.payoutAccount(), spec.customerIds(), tags, attributes,
            tierPin, statusReason, spec.joinedAt());
    }
}
