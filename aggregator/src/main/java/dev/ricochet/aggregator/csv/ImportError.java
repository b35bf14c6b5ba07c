package dev.ricochet.aggregator.csv;

/**
 * One bad row of an import file.
 *
 * @param line    physical line of the file the row starts on; the header is line 1.
 * @param field   the column at fault, or null if the row as a whole is (a wrong number of fields).
 * @param message what is wrong, naming the field.
 */
public record ImportError(int line, String field, String message)
{
}
