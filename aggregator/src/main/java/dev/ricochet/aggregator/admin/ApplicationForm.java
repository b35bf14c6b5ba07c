package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.ProgramSpec;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A program's public application form: the email it requires and the program's attributes it asks
 * ({@link ProgramSpec.AttributeDef#application()}), each checked by its type; every refusal names the field.
 */
final class ApplicationForm
{
    /**
     * Most characters of a text answer.
     */
    static final int MAX_TEXT_LENGTH = 500;

    /**
     * Largest magnitude of a number answer.
     */
    static final BigDecimal MAX_NUMBER = new BigDecimal("1e15");

    private final List<ProgramSpec.AttributeDef> fields;

    /**
     * @param program the program applied to.
     */
    ApplicationForm(final ProgramSpec program)
    {
        this.fields = null == program.attributes() ? List.of() : program.attributes().stream()
            .filter(def -> Boolean.TRUE.equals(def.application())).toList();
    }

    /**
     * @param name as sent, or null (the partner's own rules say whether it is required).
     * @return the name.
     * @throws InvalidSpecException if it holds a control or format character (a bidirectional override would
     *                              disguise it in the manager's list).
     */
    String name(final String name)
    {
        if (null != name && !DisplayText.isPrintable(name, false, true))
        {
            throw new InvalidSpecException("name contains a control, format or unassigned character");
        }
        return name;
    }

    /**
     * @param email as sent.
     * @return the email; the partner's own rules check its form.
     */
    String email(final String email)
    {
        if (null == email || email.isBlank())
        {
            throw new InvalidSpecException("email is required");
        }
        final String stripped = email.strip();
        if (!DisplayText.isPrintable(stripped, false))
        {
            // A zero-width or bidirectional character would make "jo@example.com" a new email each time, past the
            // check that one email applies once, and disguise it in the manager's list.
            throw new InvalidSpecException("email contains a control, format or unassigned character");
        }
        return stripped;
    }

    /**
     * @param answers as sent, or null.
     * @return the answers in the program's order, or null if there are none.
     * @throws InvalidSpecException naming the first bad field.
     */
    Map<String, Object> attributes(final Map<String, Object> answers)
    {
        final Map<String, Object> given = null == answers ? Map.of() : answers;
        for (final String name : given.keySet())
        {
            if (fields.stream().noneMatch(def -> def.name().equals(name)))
            {
                throw new InvalidSpecException("attributes." + name + " is not a field of this program's application");
            }
        }
        final Map<String, Object> result = new LinkedHashMap<>();
        for (final ProgramSpec.AttributeDef def : fields)
        {
            final Object value = given.get(def.name());
            final String field = "attributes." + def.name();
            if (null == value)
            {
                if (Boolean.TRUE.equals(def.required()))
                {
                    throw new InvalidSpecException(field + " is required");
                }
                continue;
            }
            result.put(def.name(), typed(field, def, value));
        }
        return result.isEmpty() ? null : result;
    }

    private static Object typed(final String field, final ProgramSpec.AttributeDef def, final Object value)
    {
        switch (null == def.type() ? "text" : def.type())
        {
            case "number":
            {
                if (!(value instanceof Number number))
                {
                    throw new InvalidSpecException(field + " must be a number");
                }
                if (number instanceof Double d && (d.isInfinite() || d.isNaN()))
                {
                    // 1e999 reads as infinity: past every bound, and no decimal (it was a 500).
                    throw new InvalidSpecException(field + " must be between -1e15 and 1e15");
                }
                final BigDecimal decimal = new BigDecimal(number.toString());
                if (decimal.abs().compareTo(MAX_NUMBER) > 0)
                {
                    throw new InvalidSpecException(field + " must be between -1e15 and 1e15");
                }
                return value;
            }
            case "date":
            {
                final String text = text(field, value);
                try
                {
                    return LocalDate.parse(text).toString();
                }
                catch (final DateTimeParseException ex)
                {
                    throw new InvalidSpecException(field + " must be a date (YYYY-MM-DD)");
                }
            }
            case "choice":
            {
                final String text = text(field, value);
                if (null == def.choices() || !def.choices().contains(text))
                {
                    throw new InvalidSpecException(field + " must be one of " + def.choices());
                }
                return text;
            }
            default:
                return text(field, value);
        }
    }

    private static String text(final String field, final Object value)
    {
        if (!(value instanceof String text) || text.isBlank() || text.length() > MAX_TEXT_LENGTH)
        {
            throw new InvalidSpecException(field + " must be text of 1-" + MAX_TEXT_LENGTH + " characters");
        }
        if (!DisplayText.isPrintable(text, true, true))
        {
            throw new InvalidSpecException(field + " contains a control, format or unassigned character");
        }
        return text;
    }
}
