package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.InvalidSpecException;
import org.agrona.concurrent.EpochClock;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Dates and instants in requests (report ranges, a payout run's period), read strictly and bounded to the years any
 * program's data can have.
 */
final class RequestDates
{
    /**
     * Longest report range, in days.
     */
    static final int MAX_REPORT_DAYS = 400;

    /**
     * Earliest year a date or instant in a request may name: no program's data is older.
     */
    static final int MIN_REPORT_YEAR = 2000;

    /**
     * Latest year a date or instant in a request may name: far beyond any real query, and epoch days and hours of
     * years up to it fit an int.
     */
    static final int MAX_REPORT_YEAR = 2200;

    private static final Instant MIN_REPORT_INSTANT =
        LocalDate.of(MIN_REPORT_YEAR, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
    private static final Instant MAX_REPORT_INSTANT =
        LocalDate.of(MAX_REPORT_YEAR + 1, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();

    private RequestDates()
    {
    }

    /**
     * @param epochClock the wall clock.
     * @return today's UTC epoch day.
     */
    static int today(final EpochClock epochClock)
    {
        return (int)Math.floorDiv(epochClock.time(), 86_400_000L);
    }

    /**
     * @param field the field or parameter, for the message.
     * @param value {@code YYYY-MM-DD}.
     * @return the date.
     * @throws InvalidSpecException if it is not a date within the years (a 400).
     */
    static LocalDate parseDate(final String field, final String value)
    {
        final LocalDate date;
        try
        {
            date = LocalDate.parse(value);
        }
        catch (final DateTimeParseException ex)
        {
            throw new InvalidSpecException(field + " '" + value + "' is not a date YYYY-MM-DD");
        }
        if (date.getYear() < MIN_REPORT_YEAR || date.getYear() > MAX_REPORT_YEAR)
        {
            throw new InvalidSpecException(field + " '" + value + "' is outside the years " + MIN_REPORT_YEAR + "-" +
                MAX_REPORT_YEAR);
        }
        return date;
    }

    /**
     * @param field the parameter, for the message.
     * @param value an instant like {@code 2026-11-21T13:00:00Z}.
     * @return its epoch hour.
     * @throws InvalidSpecException if it is not an instant within the years (a 400).
     */
    static long parseHour(final String field, final String value)
    {
        final Instant instant;
        try
        {
            instant = Instant.parse(value);
        }
        catch (final DateTimeParseException ex)
        {
            throw new InvalidSpecException(field + " '" + value + "' is not an instant like 2026-11-21T13:00:00Z");
        }
        // Checked before any arithmetic: Instant reaches year 1,000,000,000, whose milliseconds overflow a long.
        if (instant.isBefore(MIN_REPORT_INSTANT) || !instant.isBefore(MAX_REPORT_INSTANT))
        {
            throw new InvalidSpecException(field + " '" + value + "' is outside the years " + MIN_REPORT_YEAR + "-" +
                MAX_REPORT_YEAR);
        }
        return Math.floorDiv(instant.toEpochMilli(), 3_600_000L);
    }
}
