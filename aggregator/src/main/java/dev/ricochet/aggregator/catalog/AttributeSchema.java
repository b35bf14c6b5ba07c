package dev.ricochet.aggregator.catalog;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A program's custom attribute schema ({@link ProgramSpec#attributes()}) and the check of a partner's values against
 * it (docs/catalog.md, "Custom attributes and tags"). Every message names the attribute.
 *
 * <p>A schema change never rewrites partners: values the schema no longer accepts are kept and shown until the
 * partner's next write changes them. A write is checked for the values it sets or changes; a value the partner
 * already had, unchanged, passes even if the schema has since changed (so a manager can still pause a partner whose
 * old value no longer fits), and a required attribute is required of a new partner and may not be removed.
 */
public final class AttributeSchema
{
    /**
     * Attribute types.
     */
    public static final Set<String> TYPES = Set.of("text", "number", "date", "choice");

    /**
     * Most attributes a program defines.
     */
    public static final int MAX_ATTRIBUTES = 50;

    /**
     * Longest text value.
     */
    public static final int MAX_TEXT_LENGTH = 500;

    /**
     * Largest magnitude of a number value: exact in a double, far above any count or amount a partner carries.
     */
    public static final double MAX_NUMBER = 1e15;

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final int MAX_LABEL_LENGTH = 100;
    private static final int MAX_CHOICES = 100;
    private static final int MAX_CHOICE_LENGTH = 100;
    private static final DateTimeFormatter DATE =
        DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

    private AttributeSchema()
    {
    }

    /**
     * @param definitions the schema as received, or null.
     * @return the schema with defaults filled in (required and application false), or null if none was given.
     * @throws InvalidSpecException naming the invalid definition.
     */
    public static List<ProgramSpec.AttributeDef> definitions(final List<ProgramSpec.AttributeDef> definitions)
    {
        if (null == definitions)
        {
            return null;
        }
        if (definitions.size() > MAX_ATTRIBUTES)
        {
            throw new InvalidSpecException("attributes has more than " + MAX_ATTRIBUTES + " entries");
        }
        final List<ProgramSpec.AttributeDef> result = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        for (int i = 0; i < definitions.size(); i++)
        {
            final ProgramSpec.AttributeDef definition = definitions.get(i);
            final String field = "attributes[" + i + "]";
            if (null == definition)
            {
                throw new InvalidSpecException(field + " must be an object");
            }
            if (null == definition.name() || !NAME.matcher(definition.name()).matches())
            {
                throw new InvalidSpecException(field + ".name '" + definition.name() +
                    "' is invalid: expected a-z first, then up to 39 of a-z 0-9 _");
            }
            if (!names.add(definition.name()))
            {
                throw new InvalidSpecException(field + ".name '" + definition.name() + "' is used twice");
            }
            if (!TYPES.contains(definition.type()))
            {
                throw new InvalidSpecException(field + ".type '" + definition.type() + "' is invalid: expected one " +
                    "of text, number, date, choice");
            }
            result.add(new ProgramSpec.AttributeDef(definition.name(), definition.type(),
                label(field, definition.label()), Boolean.TRUE.equals(definition.required()),
                choices(field, definition.type(), definition.choices()),
                Boolean.TRUE.equals(definition.application())));
        }
        return List.copyOf(result);
    }

    private static String label(final String field, final String label)
    {
        if (null == label)
        {
            return null;
        }
        if (label.isBlank() || label.length() > MAX_LABEL_LENGTH || label.chars().anyMatch(Character::isISOControl))
        {
            throw new InvalidSpecException(field + ".label must be 1-" + MAX_LABEL_LENGTH +
                " characters without control characters");
        }
        return label.strip();
    }

    private static List<String> choices(final String field, final String type, final List<String> choices)
    {
        if (!"choice".equals(type))
        {
            if (null != choices)
            {
                throw new InvalidSpecException(field + ".choices is only for type choice");
            }
            return null;
        }
        if (null == choices || choices.isEmpty() || choices.size() > MAX_CHOICES)
        {
            throw new InvalidSpecException(field + ".choices must list 1-" + MAX_CHOICES + " values for type choice");
        }
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < choices.size(); i++)
        {
            final String choice = choices.get(i);
            if (null == choice || choice.isBlank() || choice.length() > MAX_CHOICE_LENGTH ||
                choice.chars().anyMatch(Character::isISOControl) || !choice.equals(choice.strip()))
            {
                throw new InvalidSpecException(field + ".choices[" + i + "] must be 1-" + MAX_CHOICE_LENGTH +
                    " characters without control characters or surrounding spaces");
            }
            if (!seen.add(choice))
            {
                throw new InvalidSpecException(field + ".choices[" + i + "] '" + choice + "' is listed twice");
            }
        }
        return List.copyOf(choices);
    }

    /**
     * Check a partner's attribute values against its program's schema.
     *
     * @param program  the partner's program.
     * @param values   the values the write leaves the partner with, or null; a null value means absent.
     * @param previous the values the partner had in the same program before the write, or null for a new partner (or
     *                 one moving program): unchanged values pass as they are.
     * @return the values, null ones dropped, in name order (the stored bytes do not depend on the request's order), or
     * null if none.
     * @throws InvalidSpecException naming the attribute.
     */
    public static Map<String, Object> values(final ProgramSpec program, final Map<String, Object> values,
        final Map<String, Object> previous)
    {
        final Map<String, ProgramSpec.AttributeDef> schema = new LinkedHashMap<>();
        if (null != program.attributes())
        {
            program.attributes().forEach(definition -> schema.put(definition.name(), definition));
        }
        final Map<String, Object> result = new TreeMap<>();
        if (null != values)
        {
            if (values.size() > MAX_ATTRIBUTES * 2)
            {
                throw new InvalidSpecException("attributes has more than " + MAX_ATTRIBUTES * 2 + " entries");
            }
            for (final Map.Entry<String, Object> value : values.entrySet())
            {
                if (null == value.getValue())
                {
                    continue;
                }
                final boolean isUnchanged = null != previous &&
                    Objects.equals(previous.get(value.getKey()), value.getValue());
                if (!isUnchanged)
                {
                    check(schema.get(value.getKey()), value.getKey(), value.getValue());
                }
                result.put(value.getKey(), value.getValue());
            }
        }
        for (final ProgramSpec.AttributeDef definition : schema.values())
        {
            final boolean wasSet = null != previous && null != previous.get(definition.name());
            if (Boolean.TRUE.equals(definition.required()) && !result.containsKey(definition.name()) &&
                (null == previous || wasSet))
            {
                throw new InvalidSpecException("attributes." + definition.name() + " is required");
            }
        }
        return result.isEmpty() ? null : new LinkedHashMap<>(result);
    }

    /**
     * @param definition the attribute's definition, or null if the program has none of that name.
     * @param name       the attribute's name.
     * @param value      a non-null value as parsed from JSON.
     * @throws InvalidSpecException naming the attribute and the expected type.
     */
    public static void check(final ProgramSpec.AttributeDef definition, final String name, final Object value)
    {
        final String field = "attributes." + abbreviated(name);
        if (null == definition)
        {
            throw new InvalidSpecException(field + " is not an attribute of the program");
        }
        switch (definition.type())
        {
            case "text" -> requireText(field, value);
            case "number" -> requireNumber(field, value);
            case "date" -> requireDate(field, value);
            case "choice" -> requireChoice(field, definition.choices(), value);
            default -> throw new IllegalStateException("unknown attribute type " + definition.type());
        }
    }

    private static void requireText(final String field, final Object value)
    {
        if (!(value instanceof String text))
        {
            throw new InvalidSpecException(field + " must be text (a JSON string)");
        }
        if (text.length() > MAX_TEXT_LENGTH || text.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n'))
        {
            throw new InvalidSpecException(field + " must be at most " + MAX_TEXT_LENGTH +
                " characters without control characters other than line feeds");
        }
    }

    private static void requireNumber(final String field, final Object value)
    {
        final boolean isBounded;
        if (value instanceof Integer || value instanceof Long)
        {
            isBounded = Math.abs(((Number)value).doubleValue()) <= MAX_NUMBER;
        }
        else if (value instanceof Double number)
        {
            isBounded = Double.isFinite(number) && Math.abs(number) <= MAX_NUMBER;
        }
        else if (value instanceof Number)
        {
            isBounded = false; // a BigInteger or BigDecimal: beyond a long
        }
        else
        {
            throw new InvalidSpecException(field + " must be a number (a JSON number)");
        }
        if (!isBounded)
        {
            throw new InvalidSpecException(field + " must be a number between -1e15 and 1e15");
        }
    }

    private static void requireDate(final String field, final Object value)
    {
        if (!(value instanceof String text))
        {
            throw new InvalidSpecException(field + " must be a date (a JSON string YYYY-MM-DD)");
        }
        try
        {
            if (text.length() != 10)
            {
                throw new DateTimeParseException("length", text, 0);
            }
            LocalDate.parse(text, DATE);
        }
        catch (final DateTimeParseException ex)
        {
            throw new InvalidSpecException(field + " '" + abbreviated(text) + "' is not a real date YYYY-MM-DD");
        }
    }

    private static void requireChoice(final String field, final List<String> choices, final Object value)
    {
        if (!(value instanceof String text))
        {
            throw new InvalidSpecException(field + " must be a choice (a JSON string, one of " + choices + ")");
        }
        if (!choices.contains(text))
        {
            throw new InvalidSpecException(field + " '" + abbreviated(text) + "' is not one of " + choices);
        }
    }

    /**
     * @param text text from a request.
     * @return the text cut to 40 characters for a message.
     */
    public static String abbreviated(final String text)
    {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
