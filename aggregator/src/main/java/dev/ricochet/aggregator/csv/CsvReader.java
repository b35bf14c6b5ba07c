package dev.ricochet.aggregator.csv;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RFC 4180 CSV one record at a time from a stream of UTF-8 bytes, holding one record at most: fields separated
 * by commas, optionally quoted with {@code "} (a quote inside doubled), quoted fields may hold commas and line
 * breaks; records end with CRLF, LF or a lone CR; a UTF-8 byte order mark at the start is skipped; empty lines are
 * skipped. Strict where a guess would be wrong: bytes that are not UTF-8, a quote inside an unquoted field, text
 * after a closing quote, an unclosed quote and a record of more than the bound of fields all stop the reading with a
 * {@link CsvFormatException} naming the line. A field longer than its bound is cut and flagged on its record
 * ({@link CsvRecord#oversizeField()}), so the caller reports that row and reads on.
 */
public final class CsvReader
{
    private static final int END = -1;
    private static final int NONE = -2;
    private static final char BOM = '\uFEFF';

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final int maxFieldChars;
    private final int maxFields;
    private final StringBuilder field = new StringBuilder();
    private final ByteBuffer bytes = ByteBuffer.allocate(8192).flip();
    private final CharBuffer chars = CharBuffer.allocate(8192).flip();
    private boolean isInputEnded;
    private boolean isMalformed;
    private int pushedBack = NONE;
    private int line = 1;
    private boolean started;

    /**
     * @param in            the file's bytes, read as they are needed.
     * @param maxFieldChars longest field kept whole.
     * @param maxFields     most fields in a record.
     */
    public CsvReader(final InputStream in, final int maxFieldChars, final int maxFields)
    {
        this.in = in;
        this.maxFieldChars = maxFieldChars;
        this.maxFields = maxFields;
    }

    /**
     * @return the next record, or null at the end of the file.
     * @throws CsvFormatException if the file is not CSV from here on.
     */
    public CsvRecord next()
    {
        if (!started)
        {
            started = true;
            if (BOM == peek())
            {
                read();
            }
        }
        while (true)
        {
            if (END == peek())
            {
                return null;
            }
            final int startLine = line;
            if (isLineBreak(peek()))
            {
                endOfLine(read()); // an empty line: no record
                continue;
            }
            return record(startLine);
        }
    }

    /**
     * @return the physical line the reader is on (the first is 1).
     */
    public int line()
    {
        return line;
    }

    private CsvRecord record(final int startLine)
    {
        final List<String> fields = new ArrayList<>();
        int oversize = -1;
        while (true)
        {
            if (fields.size() == maxFields)
            {
                throw new CsvFormatException(startLine, "more than " + maxFields + " fields in one record");
            }
            field.setLength(0);
            final boolean isCut;
            final int terminator;
            if ('"' == peek())
            {
                read();
                isCut = quoted(startLine, fields.size());
                terminator = read();
                if (',' != terminator && !isLineBreak(terminator) && END != terminator)
                {
                    throw new CsvFormatException(line, "text after the closing quote of field " +
                        (fields.size() + 1) + " (a quote inside a quoted field is written twice: \"\")");
                }
            }
            else
            {
                isCut = unquoted(fields.size());
                terminator = read();
            }
            if (isCut && oversize < 0)
            {
                oversize = fields.size();
            }
            fields.add(field.toString());
            if (',' != terminator)
            {
                endOfLine(terminator);
                return new CsvRecord(startLine, List.copyOf(fields), oversize);
            }
        }
    }

    /**
     * After the opening quote, up to and including the closing one.
     *
     * @return true if the field was cut at its bound.
     */
    private boolean quoted(final int startLine, final int index)
    {
        final int fieldLine = line;
        boolean isCut = false;
        while (true)
        {
            final int c = read();
            if (END == c)
            {
                throw new CsvFormatException(fieldLine, "the quoted field " + (index + 1) + " of the record on line " +
                    startLine + " is never closed");
            }
            if ('"' == c)
            {
                if ('"' != peek())
                {
                    return isCut;
                }
                read();
            }
            else if ('\r' == c)
            {
                // kept as written, CRLF or CR, and counted as one line
                if ('\n' != peek())
                {
                    line++;
                }
            }
            else if ('\n' == c)
            {
                line++;
            }
            isCut |= append((char)c);
        }
    }

    /**
     * Up to (not including) the comma, line break or end of the file.
     *
     * @return true if the field was cut at its bound.
     */
    private boolean unquoted(final int index)
    {
        boolean isCut = false;
        while (true)
        {
            final int c = peek();
            if (',' == c || END == c || isLineBreak(c))
            {
                return isCut;
            }
            if ('"' == c)
            {
                throw new CsvFormatException(line, "a quote inside the unquoted field " + (index + 1) +
                    ": quote the whole field and write the quote twice (\"say \"\"hi\"\"\")");
            }
            isCut |= append((char)read());
        }
    }

    private boolean append(final char c)
    {
        if (field.length() >= maxFieldChars)
        {
            return true;
        }
        field.append(c);
        return false;
    }

    private void endOfLine(final int terminator)
    {
        if ('\r' == terminator && '\n' == peek())
        {
            read();
        }
        if (isLineBreak(terminator))
        {
            line++;
        }
    }

    private static boolean isLineBreak(final int c)
    {
        return '\n' == c || '\r' == c;
    }

    private int peek()
    {
        if (NONE == pushedBack)
        {
            pushedBack = fill();
        }
        return pushedBack;
    }

    private int read()
    {
        final int c = peek();
        pushedBack = NONE;
        return c;
    }

    /**
     * The next character, decoded here rather than by a Reader: the characters before bytes that are not UTF-8 are
     * read first, so the error names the line the bytes are on.
     */
    private int fill()
    {
        while (!chars.hasRemaining())
        {
            if (isMalformed)
            {
                throw new CsvFormatException(line, "the file is not UTF-8 here");
            }
            if (isInputEnded && !bytes.hasRemaining())
            {
                return END;
            }
            bytes.compact();
            try
            {
                final int read = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (read < 0)
                {
                    isInputEnded = true;
                }
                else
                {
                    bytes.position(bytes.position() + read);
                }
            }
            catch (final IOException ex)
            {
                throw new CsvFormatException(line, "the file could not be read: " + ex.getMessage());
            }
            bytes.flip();
            chars.clear();
            final CoderResult result = decoder.decode(bytes, chars, isInputEnded);
            isMalformed = result.isError();
            chars.flip();
        }
        return chars.get();
    }
}
