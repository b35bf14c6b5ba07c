package dev.ricochet.tracker;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * What a browser's request headers say about a hit, read without allocating: is it a navigation the visitor made,
 * and where is the referrer's host.
 */
final class BrowserHeaders
{
    private static final AsciiString SEC_FETCH_DEST = AsciiString.cached("sec-fetch-dest");
    private static final AsciiString SEC_FETCH_MODE = AsciiString.cached("sec-fetch-mode");
    private static final AsciiString SEC_PURPOSE = AsciiString.cached("sec-purpose");
    private static final AsciiString PURPOSE = AsciiString.cached("purpose");
    private static final AsciiString X_PURPOSE = AsciiString.cached("x-purpose");
    private static final AsciiString X_MOZ = AsciiString.cached("x-moz");

    private BrowserHeaders()
    {
    }

    /**
     * A browser says what a request is for (Fetch Metadata): a click is a top-level navigation. An image, script,
     * fetch or frame is not (nor a prefetch, which is not a click yet). Requests without the headers (older browsers,
     * scripts, bots) are judged as before.
     */
    static boolean isEmbedded(final HttpHeaders headers)
    {
        final String mode = headers.get(SEC_FETCH_MODE);
        final String destination = headers.get(SEC_FETCH_DEST);
        return (null != mode && !"navigate".equals(mode)) || (null != destination && !"document".equals(destination));
    }

    /**
     * A speculative load: speculation rules ({@code Sec-Purpose: prefetch}, {@code prefetch;prerender}), Chrome's
     * legacy {@code Purpose: prefetch}, Safari's {@code X-Purpose: preview}, Firefox's {@code X-Moz: prefetch}.
     * Header lookups only, nothing allocated: most clicks carry none of these headers.
     */
    static boolean isSpeculative(final HttpHeaders headers)
    {
        return announcesSpeculation(headers.get(SEC_PURPOSE)) || announcesSpeculation(headers.get(PURPOSE)) ||
            announcesSpeculation(headers.get(X_PURPOSE)) || announcesSpeculation(headers.get(X_MOZ));
    }

    private static boolean announcesSpeculation(final String value)
    {
        return null != value && (AsciiString.indexOfIgnoreCaseAscii(value, "prefetch", 0) >= 0 ||
            AsciiString.indexOfIgnoreCaseAscii(value, "prerender", 0) >= 0 ||
            AsciiString.indexOfIgnoreCaseAscii(value, "preview", 0) >= 0);
    }

    /**
     * Where the host lies in a Referer value, as {@code start << 32 | end}; 0 when there is none, or when it holds a
     * character no host name has (only letters, digits, '.', '-' and '_' are journaled: a "host" of markup or quotes
     * is a request value, not a referrer). Returned as a number so the redirect path copies the host straight from
     * the header.
     */
    static long referrerHostBounds(final String referrer)
    {
        if (null == referrer)
        {
            return 0;
        }
        final int scheme = referrer.indexOf("://");
        if (scheme < 0)
        {
            return 0;
        }
        final int start = scheme + 3;
        int end = start;
        while (end < referrer.length())
        {
            final char c = referrer.charAt(end);
            if (c == '/' || c == ':' || c == '?' || c == '#')
            {
                break;
            }
            end++;
        }
        final int at = referrer.lastIndexOf('@', end - 1);
        final int hostStart = at >= start ? at + 1 : start;
        for (int i = hostStart; i < end; i++)
        {
            final char c = referrer.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                c == '_'))
            {
                return 0;
            }
        }
        return ((long)hostStart << 32) | end;
    }
}
