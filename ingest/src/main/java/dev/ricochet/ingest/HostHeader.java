package dev.ricochet.ingest;

/**
 * The syntax of an HTTP {@code Host} value (RFC 9112 section 3.2, RFC 3986 section 3.2.2), one rule for the edge and
 * the admin port: {@code host [":" port]} where host is a bracketed IP literal or a reg-name/IPv4 address of
 * unreserved characters, sub-delims and percent-encodings, and port is at most five digits up to 65535 (or empty, as
 * RFC 3986 allows). Empty is valid: an authority without a host. No '@', '/', '?', '#', space, comma, control or
 * non-ASCII character. Reads the value's own characters: no allocation.
 */
public final class HostHeader
{
    /**
     * The largest TCP port.
     */
    public static final int MAX_PORT = 65_535;

    private HostHeader()
    {
    }

    /**
     * @param host a Host field's value, not null.
     * @return true if it is {@code host [":" port]} as described on this class.
     */
    public static boolean isValid(final CharSequence host)
    {
        final int length = host.length();
        int i = 0;
        if (length > 0 && '[' == host.charAt(0))
        {
            i = 1;
            while (i < length && ']' != host.charAt(i))
            {
                final char c = host.charAt(i);
                if (!(isHexDigit(c) || ':' == c || '.' == c || 'v' == c || 'V' == c || isUnreserved(c) ||
                    isSubDelim(c)))
                {
                    return false;
                }
                i++;
            }
            if (i == length || 1 == i)
            {
                return false; // no closing bracket, or nothing inside
            }
            i++;
        }
        else
        {
            while (i < length && ':' != host.charAt(i))
            {
                final char c = host.charAt(i);
                if ('%' == c)
                {
                    if (i + 2 >= length || !isHexDigit(host.charAt(i + 1)) || !isHexDigit(host.charAt(i + 2)))
                    {
                        return false;
                    }
                    i += 2;
                }
                else if (!(isUnreserved(c) || isSubDelim(c)))
                {
                    return false;
                }
                i++;
            }
        }
        return i == length || (':' == host.charAt(i) && isPort(host, i + 1, length));
    }

    private static boolean isPort(final CharSequence host, final int from, final int to)
    {
        if (to - from > 5)
        {
            return false;
        }
        int port = 0;
        for (int i = from; i < to; i++)
        {
            final char c = host.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        return port <= MAX_PORT;
    }

    private static boolean isUnreserved(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || '-' == c || '.' == c ||
            '_' == c || '~' == c;
    }

    private static boolean isSubDelim(final char c)
    {
        return '!' == c || '$' == c || '&' == c || '\'' == c || '(' == c || ')' == c || '*' == c || '+' == c ||
            ';' == c || '=' == c; // ',' is a sub-delim too, but in a Host it is two values folded into one field
    }

    private static boolean isHexDigit(final char c)
    {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
