package dev.ricochet.aggregator.csv;

import dev.ricochet.aggregator.catalog.InvalidSpecException;

import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An import file as its header and then one row at a time, within the import's bounds: at most {@value #MAX_ROWS}
 * data rows, {@value #MAX_COLUMNS} columns and {@value #MAX_FIELD_CHARS} characters in a field.
 */
final class ImportFile
{
    /**
     * Most data rows in one import.
     */
    static final int MAX_ROWS = 10_000;

    /**
     * Most columns (and fields in a record).
     */
    static final int MAX_COLUMNS = 128;

    /**
     * Longest field (a destination URL is at most 2048).
     */
    static final int MAX_FIELD_CHARS = 4096;

    private static final int MAX_COLUMN_NAME_ECHO = 64;

    private final CsvReader reader;
    private final List<String> header;
    private int rows;

    /**
     * Reads the header.
     *
     * @param body the file.
     * @throws InvalidSpecException if it has no header, or a column twice or empty.
     * @throws CsvFormatException   if it is not CSV.
     */
    ImportFile(final InputStream body)
    {
        this.reader = new CsvReader(body, MAX_FIELD_CHARS, MAX_COLUMNS);
        final CsvRecord first = reader.next();
        if (null == first)
        {
            throw new InvalidSpecException("the file is empty: its first line is the header naming the columns");
        }
        if (first.hasOversizeField())
        {
            throw new InvalidSpecException("line 1: column " + (first.oversizeField() + 1) + " has a name longer " +
                "than " + MAX_FIELD_CHARS + " characters");
        }
        final Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < first.fields().size(); i++)
        {
            final String name = first.fields().get(i);
            if (name.isEmpty())
            {
                throw new InvalidSpecException("line 1: column " + (i + 1) + " has no name");
            }
            final Integer before = seen.put(name, i);
            if (null != before)
            {
                throw new InvalidSpecException("line 1: column '" + echo(name) + "' is named twice (columns " +
                    (before + 1) + " and " + (i + 1) + ")");
            }
        }
        this.header = first.fields();
    }

    /**
     * @return the column names, in file order.
     */
    List<String> header()
    {
        return header;
    }

    /**
     * @return the next data row, or null at the end.
     * @throws ImportTooLargeException past {@value #MAX_ROWS} rows.
     * @throws CsvFormatException      if the file is not CSV from here on.
     */
    CsvRecord next()
    {
        final CsvRecord record = reader.next();
        if (null != record && ++rows > MAX_ROWS)
        {
            throw new ImportTooLargeException("the file has more than " + MAX_ROWS + " rows (line " + record.line() +
                "); split it into imports of at most " + MAX_ROWS);
        }
        return record;
    }

    /**
     * @param record a data row.
     * @return why its shape is wrong (a field count unlike the header's, a field over the bound), or null.
     */
    ImportError shapeError(final CsvRecord record)
    {
        if (record.fields().size() != header.size())
        {
            return new ImportError(record.line(), null, "the row has " + record.fields().size() + " fields; the " +
                "header has " + header.size());
        }
        if (record.hasOversizeField())
        {
            final String column = header.get(record.oversizeField());
            return new ImportError(record.line(), column, column + " is longer than " + MAX_FIELD_CHARS +
                " characters");
        }
        return null;
    }

    /**
     * @param name a column name from the file.
     * @return the name, cut for a message.
     */
    static String echo(final String name)
    {
        return name.length() > MAX_COLUMN_NAME_ECHO ? name.substring(0, MAX_COLUMN_NAME_ECHO) + "..." : name;
    }
}
