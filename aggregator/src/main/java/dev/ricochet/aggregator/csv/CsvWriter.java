package dev.ricochet.aggregator.csv;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a CSV file (RFC 4180, UTF-8 without byte order mark, CRLF after every record) row by row: text from outside
 * through {@link #text} (formula-escaped and quoted, {@link CsvCells}), numbers through {@link #number}.
 */
public final class CsvWriter
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    private final StringBuilder row = new StringBuilder(256);
    private int rows;
    private int cells;

    /**
     * @param cell a text cell, or null for an empty one.
     * @return this.
     */
    public CsvWriter text(final String cell)
    {
        return raw(CsvCells.quote(CsvCells.escapeFormula(cell)));
    }

    /**
     * @param cell a number.
     * @return this.
     */
    public CsvWriter number(final long cell)
    {
        return raw(Long.toString(cell));
    }

    /**
     * @param cell a number, or null for an empty cell.
     * @return this.
     */
    public CsvWriter number(final Long cell)
    {
        return raw(null == cell ? "" : cell.toString());
    }

    /**
     * @param names the header's column names.
     * @return this, the header written.
     */
    public CsvWriter header(final Iterable<String> names)
    {
        for (final String name : names)
        {
            text(name);
        }
        return endRow();
    }

    /**
     * Ends the row.
     *
     * @return this.
     */
    public CsvWriter endRow()
    {
        row.append("\r\n");
        out.writeBytes(row.toString().getBytes(StandardCharsets.UTF_8));
        row.setLength(0);
        cells = 0;
        rows++;
        return this;
    }

    /**
     * @return rows ended so far, the header included.
     */
    public int rows()
    {
        return rows;
    }

    /**
     * @return the file.
     */
    public byte[] toBytes()
    {
        return out.toByteArray();
    }

    private CsvWriter raw(final String cell)
    {
        if (0 != cells)
        {
            row.append(',');
        }
        row.append(cell);
        cells++;
        return this;
    }
}
