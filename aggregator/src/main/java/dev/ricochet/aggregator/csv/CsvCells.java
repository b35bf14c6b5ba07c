package dev.ricochet.aggregator.csv;

/**
 * The formula rule of every CSV the admin API writes and reads (OWASP "CSV injection"). On export a text cell that a
 * spreadsheet would run as a formula, or whose leading character it would strip before doing so, is written with a
 * {@code '} in front: it starts with {@code = + - @}, a TAB, CR, LF or NUL, or with one of {@code = + - @} (or their
 * fullwidth forms) behind white space or invisible characters. On import the one {@code '} the export added is taken
 * off again, so an exported file imports unchanged: a cell of one or more {@code '} followed by such a start loses its
 * first {@code '}; every other cell is kept as given. The export adds a {@code '} to exactly those cells whose import
 * takes one off (a stored value that itself starts with {@code '=} is written {@code ''=}).
 */
public final class CsvCells
{
    private static final String TRIGGERS = "=+-@\t\r\n\0";
    private static final String TRIGGERS_AFTER_BLANKS = "=+-@\uFF1D\uFF0B\uFF0D\uFF20";

    private CsvCells()
    {
    }

    /**
     * @param value a stored text value, or null.
     * @return the value as written into a cell of an export (not yet quoted); null is an empty cell.
     */
    public static String escapeFormula(final String value)
    {
        if (null == value)
        {
            return "";
        }
        return isEscaped(value) ? "'" + value : value;
    }

    /**
     * @param cell a cell as read from an import.
     * @return its value: the cell without the {@code '} an export put in front of a formula, else the cell as given.
     */
    public static String unescapeFormula(final String cell)
    {
        return !cell.isEmpty() && '\'' == cell.charAt(0) && isEscaped(cell.substring(1)) ? cell.substring(1) : cell;
    }

    /**
     * True for a value that, behind any number of {@code '}, starts like a formula.
     */
    private static boolean isEscaped(final String value)
    {
        int start = 0;
        while (start < value.length() && '\'' == value.charAt(start))
        {
            start++;
        }
        if (start == value.length())
        {
            return false;
        }
        if (TRIGGERS.indexOf(value.charAt(start)) >= 0)
        {
            return true;
        }
        for (int i = start; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (!Character.isWhitespace(c) && !Character.isSpaceChar(c) && Character.getType(c) != Character.FORMAT)
            {
                return TRIGGERS_AFTER_BLANKS.indexOf(c) >= 0;
            }
        }
        return false;
    }

    /**
     * @param cell a cell's text (already escaped if it is text from outside).
     * @return the cell quoted if it holds a separator of any locale ({@code ,} or {@code ;}), a quote or a line break.
     */
    public static String quote(final String cell)
    {
        for (int i = 0; i < cell.length(); i++)
        {
            final char c = cell.charAt(i);
            if (',' == c || ';' == c || '"' == c || '\n' == c || '\r' == c)
            {
                return "\"" + cell.replace("\"", "\"\"") + "\"";
            }
        }
        return cell;
    }
}
