package dev.ricochet.aggregator.csv;

/**
 * A file that is not RFC 4180 CSV (an unclosed quote, text after a closing quote, a quote inside an unquoted field,
 * bytes that are not UTF-8, too many fields): reading cannot go on past it, so the whole file is refused with the
 * physical line it was found on.
 */
public final class CsvFormatException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int line;

    /**
     * @param line    physical line of the file (the first is 1).
     * @param message what is wrong there.
     */
    public CsvFormatException(final int line, final String message)
    {
        super("line " + line + ": " + message);
        this.line = line;
    }

    /**
     * @return the physical line of the file the problem was found on (the first is 1).
     */
    public int line()
    {
        return line;
    }
}
