package dev.ricochet.tracker;

import dev.ricochet.ingest.IdCodec;

/**
 * Reads the first-party visitor id from a Cookie header and formats the Set-Cookie that (re)issues it.
 *
 * <p>The cookie is refreshed on every hit so that an active visitor keeps their id for the whole cookie lifetime.
 * A malformed or forged value is ignored and a new id issued: the cookie is an attribution key, not a credential.
 */
final class VisitorCookie
{
    private final String name;
    private final String attributes;
    private final StringBuilder setCookie = new StringBuilder(128);
    private final byte[] encoded = new byte[IdCodec.ENCODED_LENGTH];
    private long hi;
    private long lo;
    private long formattedHi;
    private long formattedLo;

    VisitorCookie(final String name, final long maxAgeSeconds, final boolean secure)
    {
        this.name = name;
        this.attributes = "; Max-Age=" + maxAgeSeconds + "; Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
    }

    /**
     * @param cookieHeader value of the Cookie header, or null.
     * @return true if a well-formed visitor id was found; read it with {@link #hi()} and {@link #lo()}.
     */
    boolean read(final String cookieHeader)
    {
        if (null == cookieHeader)
        {
            return false;
        }
        int start = 0;
        while (start < cookieHeader.length())
        {
            while (start < cookieHeader.length() && cookieHeader.charAt(start) == ' ')
            {
                start++;
            }
            int end = cookieHeader.indexOf(';', start);
            if (end < 0)
            {
                end = cookieHeader.length();
            }
            final int valueStart = start + name.length() + 1;
            if (cookieHeader.startsWith(name, start) && valueStart <= end && cookieHeader.charAt(valueStart - 1) == '=')
            {
                if (IdCodec.isValid(cookieHeader, valueStart, end))
                {
                    hi = IdCodec.decodeHi(cookieHeader, valueStart);
                    lo = IdCodec.decodeLo(cookieHeader, valueStart);
                    return true;
                }
                return false;
            }
            start = end + 1;
        }
        return false;
    }

    long hi()
    {
        return hi;
    }

    long lo()
    {
        return lo;
    }

    /**
     * @return the buffer {@link #format} writes into: the reusable redirect holds it as its Set-Cookie value.
     */
    CharSequence setCookie()
    {
        return setCookie;
    }

    CharSequence format(final long visitorHi, final long visitorLo)
    {
        // A keep-alive connection is one browser, so mostly one visitor: format its cookie once.
        if (setCookie.length() > 0 && visitorHi == formattedHi && visitorLo == formattedLo)
        {
            return setCookie;
        }
        formattedHi = visitorHi;
        formattedLo = visitorLo;
        setCookie.setLength(0);
        setCookie.append(name).append('=');
        IdCodec.encode(visitorHi, visitorLo, encoded, 0);
        for (final byte b : encoded)
        {
            setCookie.append((char)b);
        }
        return setCookie.append(attributes);
    }
}
