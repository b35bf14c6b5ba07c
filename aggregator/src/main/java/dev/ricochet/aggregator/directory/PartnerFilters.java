package dev.ricochet.aggregator.directory;

import dev.ricochet.aggregator.catalog.AttributeSchema;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.PartnerTags;
import dev.ricochet.aggregator.catalog.ProgramSpec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks a {@link PartnerFilter} against its program and matches partners with it, over catalog fields only (status,
 * tier, tags, custom attributes, name and email): what a saved segment and a bulk change select. Every message names
 * the filter field.
 */
public final class PartnerFilters
{
    /**
     * Most values one list of a filter holds.
     */
    public static final int MAX_VALUES = 50;

    /**
     * Longest text search.
     */
    public static final int MAX_QUERY_LENGTH = 200;

    private PartnerFilters()
    {
    }

    /**
     * @param filter  as received, or null (every partner).
     * @param program the program it selects in.
     * @param field   the request field the filter came in, for messages ({@code filter}).
     * @return the filter with tags normalised, duplicates dropped and attributes in name order.
     * @throws InvalidSpecException naming an unknown status, tier or attribute, or a value that cannot match.
     */
    public static PartnerFilter validate(final PartnerFilter filter, final ProgramSpec program, final String field)
    {
        if (null == filter)
        {
            return new PartnerFilter(null, null, null, null, null);
        }
        final List<String> statuses = distinct(field + ".status", filter.status());
        for (final String status : statuses)
        {
            if (!CatalogValidation.PARTNER_STATUSES.contains(status))
            {
                throw new InvalidSpecException(
                    field + ".status '" + AttributeSchema.abbreviated(status) + "' is not a partner status: expected " +
                    "one of " + CatalogValidation.PARTNER_STATUSES);
            }
        }
        final List<String> tiers = distinct(field + ".tier", filter.tier());
        for (final String tier : tiers)
        {
            if (program.tiers().stream().noneMatch(t -> t.name().equals(tier)))
            {
                throw new InvalidSpecException(
                    field + ".tier '" + AttributeSchema.abbreviated(tier) + "' is not a tier of the program");
            }
        }
        final List<String> tags = null == filter.tags() ? null : PartnerTags.normalise(field + ".tags", filter.tags());
        final Map<String, String> attributes = attributes(field, filter.attributes(), program);
        final String q = null == filter.q() || filter.q().isBlank() ? null : filter.q().strip();
        if (null != q && (q.length() > MAX_QUERY_LENGTH || q.chars().anyMatch(Character::isISOControl)))
        {
            throw new InvalidSpecException(field + ".q must be at most " + MAX_QUERY_LENGTH +
                " characters without control characters");
        }
        return new PartnerFilter(statuses.isEmpty() ? null : statuses, tiers.isEmpty() ? null : tiers, tags,
            attributes, q);
    }

    private static List<String> distinct(final String field, final List<String> values)
    {
        if (null == values)
        {
            return List.of();
        }
        if (values.size() > MAX_VALUES)
        {
            throw new InvalidSpecException(field + " has more than " + MAX_VALUES + " entries");
        }
        if (values.contains(null))
        {
            throw new InvalidSpecException(field + " must list strings");
        }
        return new ArrayList<>(new LinkedHashSet<>(values));
    }

    private static Map<String, String> attributes(final String field, final Map<String, String> given,
        final ProgramSpec program)
    {
        if (null == given || given.isEmpty())
        {
            return null;
        }
        if (given.size() > MAX_VALUES)
        {
            throw new InvalidSpecException(field + ".attributes has more than " + MAX_VALUES + " entries");
        }
        final Map<String, String> result = new TreeMap<>();
        for (final Map.Entry<String, String> condition : given.entrySet())
        {
            final ProgramSpec.AttributeDef definition = null == program.attributes() ? null :
                program.attributes().stream().filter(d -> d.name().equals(condition.getKey())).findFirst()
                .orElse(null);
            final String name = field + ".attributes." + AttributeSchema.abbreviated(condition.getKey());
            if (null == definition)
            {
                throw new InvalidSpecException(name + " is not an attribute of the program");
            }
            if (null == condition.getValue())
            {
                throw new InvalidSpecException(name + " must be a string (the value's text form)");
            }
            final Object value = "number".equals(definition.type()) ? number(name, condition.getValue()) :
                condition.getValue();
            try
            {
                AttributeSchema.check(definition, condition.getKey(), value);
            }
            catch (final InvalidSpecException ex)
            {
                throw new InvalidSpecException(field + "." + ex.getMessage());
            }
            result.put(condition.getKey(), condition.getValue());
        }
        return result;
    }

    private static Object number(final String field, final String text)
    {
        try
        {
            if (text.length() > 32)
            {
                throw new NumberFormatException();
            }
            return new BigDecimal(text).doubleValue();
        }
        catch (final NumberFormatException ex)
        {
            throw new InvalidSpecException(field + " '" + AttributeSchema.abbreviated(text) + "' is not a number");
        }
    }

    /**
     * @param filter  a validated filter.
     * @param program the partner's program.
     * @param partner a partner of that program.
     * @param tier    the partner's tier name, or null if the program has no tiers.
     * @return true if every condition of the filter holds for the partner.
     */
    public static boolean matches(final PartnerFilter filter, final ProgramSpec program,
        final CatalogEntry<PartnerSpec> partner, final String tier)
    {
        final PartnerSpec spec = partner.spec();
        if (null != filter.status() && !filter.status().contains(spec.status()))
        {
            return false;
        }
        if (null != filter.tier() && !filter.tier().contains(tier))
        {
            return false;
        }
        if (null != filter.tags() && (null == spec.tags() || filter.tags().stream().noneMatch(spec.tags()::contains)))
        {
            return false;
        }
        if (null != filter.attributes())
        {
            for (final Map.Entry<String, String> condition : filter.attributes().entrySet())
            {
                final Object value = null == spec.attributes() ? null : spec.attributes().get(condition.getKey());
                if (!isEqual(typeOf(program, condition.getKey()), value, condition.getValue()))
                {
                    return false;
                }
            }
        }
        return null == filter.q() || contains(spec.name(), filter.q()) || contains(spec.email(), filter.q());
    }

    private static String typeOf(final ProgramSpec program, final String name)
    {
        if (null != program.attributes())
        {
            for (final ProgramSpec.AttributeDef definition : program.attributes())
            {
                if (definition.name().equals(name))
                {
                    return definition.type();
                }
            }
        }
        return null;
    }

    private static boolean isEqual(final String type, final Object value, final String wanted)
    {
        if (null == value)
        {
            return false;
        }
        if ("number".equals(type) && value instanceof Number number)
        {
            // 12, 12.0 and 1.2e1 are one number: compared as numbers, not as text.
            return new BigDecimal(number.toString()).compareTo(new BigDecimal(wanted)) == 0;
        }
        return value.toString().equals(wanted);
    }

    private static boolean contains(final String text, final String q)
    {
        return null != text && text.toLowerCase(Locale.ROOT).contains(q.toLowerCase(Locale.ROOT));
    }
}
