package dev.ricochet.tracker;

import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.LinkRoute;

import java.nio.charset.StandardCharsets;

/**
 * Builds the Location of a click's redirect: the route's destination, the click id under the program's click
 * parameter, and the request's {@code utm_*} parameters re-encoded.
 *
 * <p>Only the destination from the directory decides where the shopper goes. Passed-through values are decoded and
 * re-encoded so that only unreserved characters and {@code %XX} escapes reach the header: no CR, LF, space or quote
 * from the request can survive. Parameters the destination already sets are left as the merchant configured them.
 * A request parameter named like the program's click parameter (which may itself be a {@code utm_*} name such as
 * {@code utm_id}) is never passed through, in any letter case: the Location carries one click parameter, the edge's.
 * Names are taken literally ({@code [a-z0-9_]}, no escapes), so {@code utm%5Fid} is not a pass-through name either.
 */
final class RedirectLocation
{
    static final String UTM_PREFIX = "utm_";
    private static final int MAX_UTM_NAME_LENGTH = 32;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final StringBuilder location = new StringBuilder(256);
    private final byte[] clickId = new byte[IdCodec.ENCODED_LENGTH];

    /**
     * @return the buffer {@link #build} writes into: the reusable redirect holds it as its Location value.
     */
    CharSequence location()
    {
        return location;
    }

    CharSequence build(final LinkRoute route, final long clickIdHi, final long clickIdLo, final String query)
    {
        location.setLength(0);
        route.appendLocationPrefix(location);
        IdCodec.encode(clickIdHi, clickIdLo, clickId, 0);
        for (final byte b : clickId)
        {
            location.append((char)b);
        }
        if (null != query && query.contains(UTM_PREFIX))
        {
            appendUtmParameters(route, query);
        }
        route.appendFragment(location);
        return location;
    }

    /**
     * The Location of a redirect without credit (a hit over a rate limit): the destination and the utm_* parameters,
     * no click id, so nothing the shopper does next can be credited to this hit.
     */
    CharSequence buildUncredited(final LinkRoute route, final String query)
    {
        location.setLength(0);
        route.appendDestinationBase(location);
        if (null != query && query.contains(UTM_PREFIX))
        {
            final int parametersStart = location.length();
            appendUtmParameters(route, query);
            // Parameters are appended as "&name=value"; a destination without a query starts one.
            if (location.length() > parametersStart && !route.destinationHasQuery())
            {
                location.setCharAt(parametersStart, '?');
            }
        }
        route.appendFragment(location);
        return location;
    }

    private void appendUtmParameters(final LinkRoute route, final String query)
    {
        int start = 0;
        while (start < query.length())
        {
            int end = query.indexOf('&', start);
            if (end < 0)
            {
                end = query.length();
            }
            final int equals = query.indexOf('=', start);
            if (equals > start && equals < end && query.startsWith(UTM_PREFIX, start) &&
                isParameterName(query, start, equals) && !route.isClickParam(query, start, equals))
            {
                final String name = query.substring(start, equals);
                if (!route.setsParameter(name))
                {
                    location.append('&').append(name).append('=');
                    appendEncoded(decode(query, equals + 1, end));
                }
            }
            start = end + 1;
        }
    }

    /**
     * Percent-decode {@code text[start, end)} as a browser's URLSearchParams does: {@code %XX} escapes and '+' are
     * decoded, and a '%' not followed by two hex digits stays a '%'. Netty's decoder throws on such a '%' instead,
     * and a sloppy {@code utm_campaign=50%off} must not cost the shopper the redirect of a click already journaled.
     */
    private static String decode(final String text, final int start, final int end)
    {
        final byte[] bytes = new byte[end - start];
        int length = 0;
        for (int i = start; i < end; i++)
        {
            final char c = text.charAt(i);
            final int escaped = c == '%' ? hexByte(text, i + 1, end) : -1;
            if (escaped >= 0)
            {
                bytes[length++] = (byte)escaped;
                i += 2;
            }
            else
            {
                bytes[length++] = (byte)(c == '+' ? ' ' : c);
            }
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * @return the byte of the two hex digits at index, or -1 if there are not two there before end.
     */
    private static int hexByte(final String text, final int index, final int end)
    {
        if (index + 2 > end)
        {
            return -1;
        }
        final int high = hexDigit(text.charAt(index));
        final int low = hexDigit(text.charAt(index + 1));
        return high < 0 || low < 0 ? -1 : high << 4 | low;
    }

    private static int hexDigit(final char c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        final char lower = (char)(c | 0x20);
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    private static boolean isParameterName(final String query, final int start, final int end)
    {
        if (end - start > MAX_UTM_NAME_LENGTH)
        {
            return false;
        }
        for (int i = start; i < end; i++)
        {
            final char c = query.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    private void appendEncoded(final String value)
    {
        for (final byte b : value.getBytes(StandardCharsets.UTF_8))
        {
            final int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~')
            {
                location.append((char)c);
            }
            else
            {
                location.append('%').append(HEX[c >>> 4]).append(HEX[c & 0xF]);
            }
        }
    }
}
