package dev.ricochet.aggregator.csv;

import java.util.List;

/**
 * One record of a CSV file.
 *
 * @param line          physical line of the file the record starts on (the first line is 1); a quoted field with
 *                      line breaks makes the next record start further down.
 * @param fields        its fields, unquoted.
 * @param oversizeField index of the first field that was longer than the reader's bound (cut there), or -1.
 */
public record CsvRecord(int line, List<String> fields, int oversizeField)
{
    /**
     * @return true if a field was longer than the reader's bound.
     */
    public boolean hasOversizeField()
    {
        return oversizeField >= 0;
    }
}
