package dev.ricochet.aggregator.directory;

import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.ProgramSpec;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks a {@link PartnerFilter} against its program and matches partners with it: the one implementation behind a
 * directory page, a saved segment and a bulk change's selection.
 *
 * <p>Matching (docs/directory.md): every condition given must hold; within a list any value may. Status and tier are
 * exact names (a tier must be one of the program's); a tag matches case-insensitively (tags are stored lower-cased);
 * an attribute must be one of the program's and matches its value's text form (a number compared as a number:
 * {@code 5} is {@code 5.0}); q, trimmed, is a case-insensitive substring of the name or the email.
 */
public final class DirectoryFilters
{
    /**
     * The statuses a filter may name.
     */
    public static final Set<String> STATUSES = Set.of("pending", "active", "paused", "suspended", "rejected");

    private static final List<String> STATUS_BITS = List.of("pending", "active", "paused", "suspended", "rejected");

    /**
     * Most values in one list of a filter, and most attributes.
     */
    public static final int MAX_VALUES = 50;

    /**
     * Longest value (a tag, an attribute value, the search text).
     */
    public static final int MAX_VALUE_LENGTH = 200;

    /**
     * Most digits a number filter has before or after its point.
     */
    public static final int MAX_NUMBER_DIGITS = 40;

    /**
     * How the fields of a filter are named in an error: as query parameters of the directory or as a JSON body's
     * fields.
     */
    public enum Syntax
    {
        QUERY("status", "tier", "tag", "attr.", "q"),
        JSON("status", "tier", "tags", "attributes.", "q");

        private final String status;
        private final String tier;
        private final String tags;
        private final String attribute;
        private final String q;

        Syntax(final String status, final String tier, final String tags, final String attribute, final String q)
        {
            this.status = status;
            this.tier = tier;
            this.tags = tags;
            this.attribute = attribute;
            this.q = q;
        }
    }

    /**
     * A filter checked against its program, ready to match.
     *
     * @param status     statuses, empty for any.
     * @param statusMask their bits ({@link #statusBit}), 0 for any.
     * @param tier       tier names, empty for any.
     * @param tags       tags, empty for any.
     * @param attributes text forms by attribute name, all of which must hold.
     * @param q          lower-cased search text, or null.
     */
    public record Compiled(Set<String> status, int statusMask, Set<String> tier, Set<String> tags,
        Map<String, String> attributes,
        String q)
    {
        /**
         * Matches every partner.
         */
        public static final Compiled ALL = new Compiled(Set.of(), 0, Set.of(), Set.of(), Map.of(), null);

        /**
         * @param entry a partner.
         * @return true if it meets every condition.
         */
        public boolean matches(final DirectoryEntry entry)
        {
            if (0 != statusMask && 0 == (statusMask & entry.statusBit()))
            {
                return false;
            }
            if (!tier.isEmpty() && (null == entry.tier() || !tier.contains(entry.tier())))
            {
                return false;
            }
            if (!tags.isEmpty() && !hasAnyTag(entry.tags()))
            {
                return false;
            }
            for (final Map.Entry<String, String> attribute : attributes.entrySet())
            {
                if (!attribute.getValue().equals(entry.attributeText().get(attribute.getKey())))
                {
                    return false;
                }
            }
            return null == q || entry.nameKey().contains(q) || entry.emailKey().contains(q);
        }

        private boolean hasAnyTag(final List<String> partnerTags)
        {
            for (final String tag : partnerTags)
            {
                if (tags.contains(tag.toLowerCase(Locale.ROOT))) // the same instance when already lower case
                {
                    return true;
                }
            }
            return false;
        }
    }

    private DirectoryFilters()
    {
    }

    /**
     * @param program the program whose partners are filtered.
     * @param filter  the filter, or null for all partners.
     * @param syntax  how fields are named in an error.
     * @return the filter, checked.
     * @throws InvalidSpecException naming the field, if a value is unknown to the program, malformed or too long.
     */
    public static Compiled compile(final ProgramSpec program, final PartnerFilter filter, final Syntax syntax)
    {
        if (null == filter)
        {
            return Compiled.ALL;
        }
        final Set<String> status = names(syntax.status, filter.status());
        int statusMask = 0;
        for (final String value : status)
        {
            if (!STATUSES.contains(value))
            {
                throw new InvalidSpecException(syntax.status + ": '" + value + "' is not a status: expected one of " +
                    "pending, active, paused, suspended, rejected");
            }
            statusMask |= statusBit(value);
        }
        final Set<String> tier = names(syntax.tier, filter.tier());
        for (final String value : tier)
        {
            if (program.tiers().stream().noneMatch(t -> t.name().equals(value)))
            {
                throw new InvalidSpecException(syntax.tier + ": '" + value + "' is not a tier of the program");
            }
        }
        // Tags are stored trimmed and lower-cased (VIP and vip are one tag): a filter's are read the same way.
        final Set<String> tags = lowerCased(names(syntax.tags, filter.tags()));
        final Map<String, String> attributes = attributes(program, filter.attributes(), syntax);
        final String q = null == filter.q() || filter.q().isBlank() ? null :
            filter.q().strip().toLowerCase(Locale.ROOT);
        if (null != q && q.length() > MAX_VALUE_LENGTH)
        {
            throw new InvalidSpecException(syntax.q + ": at most " + MAX_VALUE_LENGTH + " characters");
        }
        return new Compiled(status, statusMask, tier, tags, attributes, q);
    }

    private static Set<String> names(final String field, final List<String> values)
    {
        if (null == values || values.isEmpty())
        {
            return Set.of();
        }
        if (values.size() > MAX_VALUES)
        {
            throw new InvalidSpecException(field + ": at most " + MAX_VALUES + " values");
        }
        final Set<String> names = new LinkedHashSet<>();
        for (final String value : values)
        {
            if (null == value || value.isEmpty() || value.length() > MAX_VALUE_LENGTH)
            {
                throw new InvalidSpecException(field + ": each value 1-" + MAX_VALUE_LENGTH + " characters");
            }
            names.add(value);
        }
        return Set.copyOf(names);
    }

    private static Set<String> lowerCased(final Set<String> values)
    {
        final Set<String> lower = new LinkedHashSet<>();
        for (final String value : values)
        {
            lower.add(value.strip().toLowerCase(Locale.ROOT));
        }
        return Set.copyOf(lower);
    }

    private static Map<String, String> attributes(final ProgramSpec program, final Map<String, String> given,
        final Syntax syntax)
    {
        if (null == given || given.isEmpty())
        {
            return Map.of();
        }
        if (given.size() > MAX_VALUES)
        {
            throw new InvalidSpecException(syntax.attribute + "*: at most " + MAX_VALUES + " attributes");
        }
        final Map<String, String> attributes = new LinkedHashMap<>();
        for (final Map.Entry<String, String> attribute : given.entrySet())
        {
            final String field = syntax.attribute + attribute.getKey();
            final ProgramSpec.AttributeDef definition = null == program.attributes() ? null :
                program.attributes().stream().filter(a -> a.name().equals(attribute.getKey())).findFirst()
                    .orElse(null);
            if (null == definition)
            {
                throw new InvalidSpecException(field + ": the program has no attribute '" + attribute.getKey() + "'");
            }
            final String value = attribute.getValue();
            if (null == value || value.length() > MAX_VALUE_LENGTH)
            {
                throw new InvalidSpecException(field + ": a value of at most " + MAX_VALUE_LENGTH + " characters");
            }
            attributes.put(attribute.getKey(), typed(field, definition, value));
        }
        return Map.copyOf(attributes);
    }

    private static String typed(final String field, final ProgramSpec.AttributeDef definition, final String value)
    {
        switch (String.valueOf(definition.type()))
        {
            case "number":
                try
                {
                    final BigDecimal number = new BigDecimal(value);
                    if (Math.abs(number.scale()) <= MAX_NUMBER_DIGITS &&
                        number.precision() - number.scale() <= MAX_NUMBER_DIGITS)
                    {
                        return text(number);
                    }
                }
                catch (final NumberFormatException ex)
                {
                    // answered below
                }
                throw new InvalidSpecException(field + ": '" + value + "' is not a number of at most " +
                    MAX_NUMBER_DIGITS + " digits either side of the point");
            case "date":
                try
                {
                    return LocalDate.parse(value).toString();
                }
                catch (final DateTimeParseException ex)
                {
                    throw new InvalidSpecException(field + ": '" + value + "' is not a date (YYYY-MM-DD)");
                }
            case "choice":
                if (null != definition.choices() && !definition.choices().contains(value))
                {
                    throw new InvalidSpecException(field + ": '" + value + "' is not one of " + definition.choices());
                }
                return value;
            default:
                return value;
        }
    }

    /**
     * @param status a partner's status.
     * @return its bit (1, 2, 4, 8 or 16), or a bit no filter holds for an unknown status.
     */
    public static int statusBit(final String status)
    {
        final int index = STATUS_BITS.indexOf(status);
        return index < 0 ? 1 << 30 : 1 << index;
    }

    /**
     * @param value an attribute's value as stored (text, number or date text).
     * @return its text form: a number without trailing zeros in plain notation, anything else as its string.
     */
    public static String text(final Object value)
    {
        if (value instanceof Number)
        {
            final BigDecimal number;
            try
            {
                number = value instanceof BigDecimal ? (BigDecimal)value : new BigDecimal(value.toString());
            }
            catch (final NumberFormatException ex)
            {
                return value.toString(); // NaN or infinite: never a filter's number
            }
            final BigDecimal stripped = number.stripTrailingZeros();
            return Math.abs(stripped.scale()) > MAX_NUMBER_DIGITS ? stripped.toString() :
                (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
        }
        return null == value ? null : value.toString();
    }
}
