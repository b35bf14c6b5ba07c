package dev.ricochet.tracker;

/**
 * The value of the Date header, rewritten in place once a second: every response carries it (RFC 9110 asks an
 * origin server with a clock to send it) without formatting a date, or allocating one, per request.
 *
 * <p>Owned by one event loop; the responses of that loop's channels hold it by reference and the encoder copies
 * its characters when it writes the header.
 */
final class HttpDate implements CharSequence
{
    private static final int LENGTH = 29;
    private static final String[] DAYS = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    private static final String[] MONTHS =
        {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    private final char[] chars = new char[LENGTH];
    private long second = Long.MIN_VALUE;

    /**
     * Make the value show {@code nowMs}, rewriting it only when the second changed.
     *
     * @param nowMs epoch milliseconds.
     * @return this.
     */
    HttpDate update(final long nowMs)
    {
        final long nowSecond = Math.floorDiv(nowMs, 1000L);
        if (nowSecond != second)
        {
            second = nowSecond;
            format(nowSecond);
        }
        return this;
    }

    private void format(final long epochSecond)
    {
        final long day = Math.floorDiv(epochSecond, 86_400L);
        final int secondOfDay = (int)Math.floorMod(epochSecond, 86_400L);
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm), to stay free of java.time objects.
        final long z = day + 719_468;
        final long era = Math.floorDiv(z, 146_097);
        final long dayOfEra = z - era * 146_097;
        final long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        final long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        final long mp = (5 * dayOfYear + 2) / 153;
        final int dayOfMonth = (int)(dayOfYear - (153 * mp + 2) / 5 + 1);
        final int month = (int)(mp < 10 ? mp + 3 : mp - 9);
        final long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

        put(0, DAYS[(int)Math.floorMod(day, 7L)]);
        chars[3] = ',';
        chars[4] = ' ';
        twoDigits(5, dayOfMonth);
        chars[7] = ' ';
        put(8, MONTHS[month - 1]);
        chars[11] = ' ';
        twoDigits(12, (int)(year / 100));
        twoDigits(14, (int)(year % 100));
        chars[16] = ' ';
        twoDigits(17, secondOfDay / 3600);
        chars[19] = ':';
        twoDigits(20, secondOfDay / 60 % 60);
        chars[22] = ':';
        twoDigits(23, secondOfDay % 60);
        put(25, " GMT");
    }

    private void put(final int at, final String text)
    {
        text.getChars(0, text.length(), chars, at);
    }

    private void twoDigits(final int at, final int value)
    {
        chars[at] = (char)('0' + value / 10);
        chars[at + 1] = (char)('0' + value % 10);
    }

    @Override
    public int length()
    {
        return LENGTH;
    }

    @Override
    public char charAt(final int index)
    {
        return chars[index];
    }

    @Override
    public CharSequence subSequence(final int start, final int end)
    {
        return new String(chars, start, end - start);
    }

    @Override
    public String toString()
    {
        return new String(chars);
    }
}
