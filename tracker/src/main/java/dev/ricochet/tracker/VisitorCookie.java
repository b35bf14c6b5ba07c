package dev.ricochet.tracker;

import dev.ricochet.ingest.IdCodec;

import java.nio.charset.StandardCharsets;

/**
 * Reads the first-party visitor id from a Cookie header and formats the Set-Cookie that (re)issues it.
 *
 * <p>The value is the id (22 characters, {@link IdCodec}) followed by its tag (11 characters of the same alphabet):
 * SipHash-2-4 of the id under the server's {@link VisitorKey}. A cookie whose tag does not verify (forged, guessed,
 * from another deployment, or an unsigned one from before tags) is not the visitor's: a new id is issued, so nobody
 * can choose which visitor (and so which earlier touches) a browser is taken for. SipHash is a keyed MAC built for
 * short inputs, computed here without allocating, at a few nanoseconds.
 *
 * <p>The cookie is refreshed on every hit so that an active visitor keeps their id for the whole cookie lifetime.
 * Not thread-safe: one per channel handler.
 */
final class VisitorCookie
{
    /**
     * {@link #read} found no visitor cookie.
     */
    static final int ABSENT = 0;

    /**
     * {@link #read} found a visitor cookie whose tag verified; read the id with {@link #hi()} and {@link #lo()}.
     */
    static final int VALID = 1;

    /**
     * {@link #read} found a visitor cookie that is malformed or whose tag did not verify.
     */
    static final int REJECTED = 2;

    /**
     * Characters of the tag: 64 bits, 4 in the first character and 6 in each of the other 10.
     */
    static final int TAG_LENGTH = 11;

    /**
     * Characters of a cookie value.
     */
    static final int VALUE_LENGTH = IdCodec.ENCODED_LENGTH + TAG_LENGTH;

    private static final byte[] ALPHABET =
        "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".getBytes(
            StandardCharsets.US_ASCII);

    private final String name;
    private final String attributes;
    private final long k0;
    private final long k1;
    private final StringBuilder setCookie = new StringBuilder(128);
    private final byte[] encoded = new byte[VALUE_LENGTH];
    private long hi;
    private long lo;
    private long formattedHi;
    private long formattedLo;

    VisitorCookie(final String name, final long maxAgeSeconds, final boolean secure, final VisitorKey key)
    {
        this.name = name;
        this.attributes = "; Max-Age=" + maxAgeSeconds + "; Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" :
            "");
        this.k0 = key.k0();
        this.k1 = key.k1();
    }

    /**
     * @param cookieHeader value of the Cookie header, or null.
     * @return {@link #ABSENT}, {@link #VALID} (read the id with {@link #hi()} and {@link #lo()}) or {@link #REJECTED}.
     */
    int read(final String cookieHeader)
    {
        if (null == cookieHeader)
        {
            return ABSENT;
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
                return verify(cookieHeader, valueStart, end) ? VALID : REJECTED;
            }
            start = end + 1;
        }
        return ABSENT;
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
        encodeValue(visitorHi, visitorLo);
        for (final byte b : encoded)
        {
            setCookie.append((char)b);
        }
        return setCookie.append(attributes);
    }

    /**
     * @return the cookie value this key gives an id (allocates: for tests and benchmarks that play a returning
     * visitor).
     */
    static String value(final VisitorKey key, final long visitorHi, final long visitorLo)
    {
        final VisitorCookie cookie = new VisitorCookie("v", 0, false, key);
        cookie.encodeValue(visitorHi, visitorLo);
        return new String(cookie.encoded, StandardCharsets.US_ASCII);
    }

    private void encodeValue(final long visitorHi, final long visitorLo)
    {
        IdCodec.encode(visitorHi, visitorLo, encoded, 0);
        long tag = tag(visitorHi, visitorLo);
        for (int i = VALUE_LENGTH - 1; i > IdCodec.ENCODED_LENGTH; i--)
        {
            encoded[i] = ALPHABET[(int)(tag & 0x3F)];
            tag >>>= 6;
        }
        encoded[IdCodec.ENCODED_LENGTH] = ALPHABET[(int)(tag & 0xF)];
    }

    private boolean verify(final String text, final int start, final int end)
    {
        final int idEnd = start + IdCodec.ENCODED_LENGTH;
        if (end - start != VALUE_LENGTH || !IdCodec.isValid(text, start, idEnd))
        {
            return false;
        }
        long tag = 0;
        for (int i = idEnd; i < end; i++)
        {
            final int digit = digit(text.charAt(i));
            if (digit < 0 || (i == idEnd && digit > 0xF))
            {
                return false;
            }
            tag = (tag << 6) | digit;
        }
        final long idHi = IdCodec.decodeHi(text, start);
        final long idLo = IdCodec.decodeLo(text, start);
        // One comparison of two longs: no early exit that would time how many characters of a guess were right.
        if (tag != tag(idHi, idLo))
        {
            return false;
        }
        hi = idHi;
        lo = idLo;
        return true;
    }

    private static int digit(final char c)
    {
        if (c == '-')
        {
            return 0;
        }
        if (c >= '0' && c <= '9')
        {
            return c - '0' + 1;
        }
        if (c >= 'A' && c <= 'Z')
        {
            return c - 'A' + 11;
        }
        if (c == '_')
        {
            return 37;
        }
        if (c >= 'a' && c <= 'z')
        {
            return c - 'a' + 38;
        }
        return -1;
    }

    private long tag(final long idHi, final long idLo)
    {
        return SipHash.hash24(k0, k1, idHi, idLo);
    }
}
