package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.InvalidSpecException;

/**
 * A query parameter a route accepts: text passed on as given, or a whole number within bounds with a default.
 *
 * @param name     the parameter's name in the query string.
 * @param isNumber true if the value must be a whole number within {@code min..max}.
 * @param min      smallest number accepted.
 * @param max      largest number accepted.
 * @param fallback the number when the parameter is absent.
 */
record QueryParameter(String name, boolean isNumber, long min, long max, long fallback)
{
    /**
     * @param name the parameter's name.
     * @return a text parameter, checked by the resource that reads it.
     */
    static QueryParameter text(final String name)
    {
        return new QueryParameter(name, false, 0, 0, 0);
    }

    /**
     * @param name     the parameter's name.
     * @param min      smallest number accepted.
     * @param max      largest number accepted.
     * @param fallback the number when the parameter is absent.
     * @return a bounded whole-number parameter.
     */
    static QueryParameter number(final String name, final long min, final long max, final long fallback)
    {
        return new QueryParameter(name, true, min, max, fallback);
    }

    /**
     * @param value the value given, or null if the parameter is absent.
     * @return the number, or the fallback if absent.
     * @throws InvalidSpecException if the value is not a number or outside the bounds (a 400).
     */
    long parse(final String value)
    {
        if (null == value)
        {
            return fallback;
        }
        try
        {
            final long parsed = Long.parseLong(value);
            if (parsed < min || parsed > max)
            {
                throw new InvalidSpecException(name + " must be between " + min + " and " + max);
            }
            return parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw new InvalidSpecException(name + " '" + value + "' is not a number");
        }
    }
}
