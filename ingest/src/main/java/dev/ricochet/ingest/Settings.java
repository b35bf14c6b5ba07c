package dev.ricochet.ingest;

import java.util.Locale;

/**
 * Reads {@code ricochet.*} settings from system properties (where the launcher puts the file, environment and
 * flag values) and parses them with messages that name the key, so a bad setting stops start-up with a clear line.
 */
public final class Settings
{
    private Settings()
    {
    }

    /**
     * @param key          property name.
     * @param defaultValue used when the property is absent.
     * @return the value, trimmed.
     */
    public static String string(final String key, final String defaultValue)
    {
        final String value = System.getProperty(key);
        return null == value || value.isBlank() ? defaultValue : value.trim();
    }

    /**
     * @param key          property name.
     * @param defaultValue used when the property is absent.
     * @param min          smallest valid value.
     * @param max          largest valid value.
     * @return the value.
     * @throws IllegalArgumentException naming the key if the value is not an integer in range.
     */
    public static int integer(final String key, final int defaultValue, final int min, final int max)
    {
        final String value = System.getProperty(key);
        if (null == value || value.isBlank())
        {
            return defaultValue;
        }
        try
        {
            final String text = value.trim();
            if (!isAsciiInteger(text))
            {
                // Integer.parseInt also reads "+8" and other scripts' digits ("\u0668\u0660" as 80): one spelling.
                throw new NumberFormatException(text);
            }
            return requireRange(key, Integer.parseInt(text), min, max);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + "=" + value + ": not an integer");
        }
    }

    /**
     * @param key          property name.
     * @param defaultValue used when the property is absent.
     * @return the value.
     * @throws IllegalArgumentException naming the key if the value is not {@code true} or {@code false}.
     */
    public static boolean bool(final String key, final boolean defaultValue)
    {
        final String value = System.getProperty(key);
        if (null == value || value.isBlank())
        {
            return defaultValue;
        }
        switch (value.trim().toLowerCase(Locale.ROOT))
        {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(key + "=" + value + ": expected true or false");
        }
    }

    /**
     * @param key          property name.
     * @param defaultValue used when the property is absent, with a unit suffix.
     * @return the value in milliseconds.
     * @throws IllegalArgumentException naming the key if the value is not a duration such as 50ms, 10s, 1h, 30d.
     */
    public static long durationMs(final String key, final String defaultValue)
    {
        return parseDurationMs(key, string(key, defaultValue));
    }

    /**
     * @param key   property name, for the message.
     * @param value a number followed by ms, s, m, h or d; zero alone needs no unit.
     * @return the value in milliseconds.
     * @throws IllegalArgumentException naming the key if the value is malformed, negative or a number other than zero
     *                                  without a unit.
     */
    public static long parseDurationMs(final String key, final String value)
    {
        final String text = value.trim().toLowerCase(Locale.ROOT);
        final int split = numberEnd(key, value, text, "a duration such as 50ms, 10s, 1h, 30d");
        final long amount;
        try
        {
            amount = Long.parseLong(text.substring(0, split));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + "=" + value + ": number too large");
        }
        final long unitMs;
        switch (text.substring(split).trim())
        {
            case "ms":
                unitMs = 1;
                break;
            case "":
                // A bare number is ambiguous (seconds? milliseconds?): only zero ("off") needs no unit.
                if (0 != amount)
                {
                    throw new IllegalArgumentException(key + "=" + value + ": a duration needs a unit: ms, s, m, h " +
                        "or d (" + amount + "s for seconds, " + amount + "ms for milliseconds)");
                }
                unitMs = 1;
                break;
            case "s":
                unitMs = 1_000;
                break;
            case "m":
                unitMs = 60_000;
                break;
            case "h":
                unitMs = 3_600_000;
                break;
            case "d":
                unitMs = 86_400_000;
                break;
            default:
                throw new IllegalArgumentException(key + "=" + value + ": unknown unit, use ms, s, m, h or d");
        }
        try
        {
            return Math.multiplyExact(amount, unitMs);
        }
        catch (final ArithmeticException ex)
        {
            // "9999999999999999d": past a long in milliseconds; refused naming the key like any malformed value.
            throw new IllegalArgumentException(key + "=" + value + ": number too large");
        }
    }

    /**
     * @param key          property name.
     * @param defaultValue used when the property is absent, with an optional unit suffix.
     * @return the value in bytes.
     * @throws IllegalArgumentException naming the key if the value is not a size such as 65536, 64k, 512m, 2g.
     */
    public static long sizeBytes(final String key, final String defaultValue)
    {
        return parseSizeBytes(key, string(key, defaultValue));
    }

    /**
     * @param key   property name, for the message.
     * @param value a number optionally followed by k, m, g or t (binary multiples; kb, mb, gb, tb and b also read).
     * @return the value in bytes.
     * @throws IllegalArgumentException naming the key if the value is malformed or too large.
     */
    public static long parseSizeBytes(final String key, final String value)
    {
        final String text = value.trim().toLowerCase(Locale.ROOT);
        final int split = numberEnd(key, value, text, "a size such as 65536, 64k, 512m, 2g");
        final int shift;
        switch (text.substring(split).trim())
        {
            case "":
            case "b":
                shift = 0;
                break;
            case "k":
            case "kb":
                shift = 10;
                break;
            case "m":
            case "mb":
                shift = 20;
                break;
            case "g":
            case "gb":
                shift = 30;
                break;
            case "t":
            case "tb":
                shift = 40;
                break;
            default:
                throw new IllegalArgumentException(key + "=" + value + ": unknown unit, use k, m, g or t");
        }
        try
        {
            return Math.multiplyExact(Long.parseLong(text.substring(0, split)), 1L << shift);
        }
        catch (final ArithmeticException | NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + "=" + value + ": number too large");
        }
    }

    /**
     * @return where the leading digits of the text end, before its unit.
     * @throws IllegalArgumentException naming the key and what was expected if the text does not start with a digit.
     */
    private static boolean isAsciiDigit(final char c)
    {
        return c >= '0' && c <= '9';
    }

    private static boolean isAsciiInteger(final String text)
    {
        final int start = text.startsWith("-") ? 1 : 0;
        if (start == text.length())
        {
            return false;
        }
        for (int i = start; i < text.length(); i++)
        {
            if (!isAsciiDigit(text.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    private static int numberEnd(final String key, final String value, final String text, final String expected)
    {
        int end = 0;
        // ASCII digits only: Character.isDigit and Long.parseLong also take other scripts' digits ("\u0665s" was 5 s).
        while (end < text.length() && isAsciiDigit(text.charAt(end)))
        {
            end++;
        }
        if (0 == end)
        {
            throw new IllegalArgumentException(key + "=" + value + ": expected " + expected);
        }
        return end;
    }

    /**
     * @param key   property name, for the message.
     * @param value to check.
     * @param min   smallest valid value.
     * @param max   largest valid value.
     * @return the value.
     * @throws IllegalArgumentException naming the key if out of range.
     */
    public static int requireRange(final String key, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(key + "=" + value + ": must be between " + min + " and " + max);
        }
        return value;
    }
}
