package dev.ricochet.ingest;

import java.nio.charset.StandardCharsets;

/**
 * What the edge needs to answer one partner link: its catalog numbers and its redirect target, packed into one
 * byte array.
 *
 * <p>A catalog holds millions of these, so each is two objects: this one and the ASCII text of its code, destination
 * and click parameter. The redirect appends the parts of that text straight into the Location it builds; the
 * {@code String} accessors are for the admin API and tests, and allocate.
 *
 * <p>Immutable. The destination was validated by the admin API as an absolute http(s) URL in ASCII form without
 * control characters; the edge only ever appends a click id and re-encoded {@code utm_*} values to it, so the
 * Location header can never carry anything the request supplied verbatim.
 */
public final class LinkRoute
{
    private static final byte NO_SEPARATOR = 0;

    private final byte[] text;
    private final int linkId;
    private final int partnerId;
    private final int programId;
    private final int codeHash;
    private final short codeEnd;
    private final short destinationEnd;
    private final short baseEnd;
    private final byte separator;
    /**
     * The destination as configured when it held the click parameter (so differs from the one served), else null.
     */
    private final String configuredDestination;

    /**
     * @param code        the link code, as in {@code /r/{code}}.
     * @param linkId      catalog number of the link.
     * @param partnerId   catalog number of the partner credited with its clicks.
     * @param programId   catalog number of the partner's program.
     * @param configuredDestination absolute http(s) URL the shopper lands on, in ASCII form; any parameter of its
     *                              query named like the click parameter is removed.
     * @param clickParam  query parameter name that carries the click id to the destination.
     */
    public LinkRoute(
        final String code,
        final int linkId,
        final int partnerId,
        final int programId,
        final String configuredDestination,
        final String clickParam)
    {
        final String destination = withoutParameter(configuredDestination, clickParam);
        this.configuredDestination = destination.equals(configuredDestination) ? null : configuredDestination;
        this.text = (code + destination + clickParam).getBytes(StandardCharsets.US_ASCII);
        if (text.length > Short.MAX_VALUE)
        {
            throw new IllegalArgumentException("link '" + code + "' is longer than " + Short.MAX_VALUE + " bytes");
        }
        this.linkId = linkId;
        this.partnerId = partnerId;
        this.programId = programId;
        this.codeHash = LinkDirectory.hash(code, 0, code.length());
        this.codeEnd = (short)code.length();
        this.destinationEnd = (short)(codeEnd + destination.length());

        final int fragment = destination.indexOf('#');
        final String base = fragment < 0 ? destination : destination.substring(0, fragment);
        this.baseEnd = (short)(codeEnd + base.length());
        this.separator = base.indexOf('?') < 0 ? (byte)'?' :
            (base.endsWith("?") || base.endsWith("&") ? NO_SEPARATOR : (byte)'&');
    }

    /**
     * @return the link code (allocates).
     */
    public String code()
    {
        return new String(text, 0, codeEnd, StandardCharsets.US_ASCII);
    }

    /**
     * @return catalog number of the link.
     */
    public int linkId()
    {
        return linkId;
    }

    /**
     * @return catalog number of the partner.
     */
    public int partnerId()
    {
        return partnerId;
    }

    /**
     * @return catalog number of the program.
     */
    public int programId()
    {
        return programId;
    }

    /**
     * @return the destination as configured (allocates).
     */
    public String destination()
    {
        return null != configuredDestination ? configuredDestination :
            new String(text, codeEnd, destinationEnd - codeEnd, StandardCharsets.US_ASCII);
    }

    /**
     * @return the destination as served: as configured, less any parameter named like the click parameter
     * (allocates).
     */
    public String servedDestination()
    {
        return new String(text, codeEnd, destinationEnd - codeEnd, StandardCharsets.US_ASCII);
    }

    /**
     * @return the query parameter carrying the click id (allocates).
     */
    public String clickParam()
    {
        return new String(text, destinationEnd, text.length - destinationEnd, StandardCharsets.US_ASCII);
    }

    /**
     * Append the destination up to and including {@code clickParam=}, ready for the click id.
     *
     * @param location the Location being built.
     */
    public void appendLocationPrefix(final StringBuilder location)
    {
        appendAscii(location, codeEnd, baseEnd);
        if (NO_SEPARATOR != separator)
        {
            location.append((char)separator);
        }
        appendAscii(location, destinationEnd, text.length);
        location.append('=');
    }

    /**
     * Append the destination without its fragment, for a redirect that carries no click id.
     *
     * @param location the Location being built.
     */
    public void appendDestinationBase(final StringBuilder location)
    {
        appendAscii(location, codeEnd, baseEnd);
    }

    /**
     * @return true if the destination (before any fragment) already has a query, so parameters follow with '&'.
     */
    public boolean destinationHasQuery()
    {
        return '?' != separator;
    }

    /**
     * Append the destination's fragment including '#', if it has one: it goes after any appended parameters.
     *
     * @param location the Location being built.
     */
    public void appendFragment(final StringBuilder location)
    {
        appendAscii(location, baseEnd, destinationEnd);
    }

    /**
     * @param name a query parameter name.
     * @return true if the destination already sets {@code name=} in its query, so the request's value must not
     * override the merchant's.
     */
    public boolean setsParameter(final CharSequence name)
    {
        for (int i = codeEnd; i < baseEnd; i++)
        {
            if ((text[i] == '?' || text[i] == '&') && parameterAt(i + 1, name))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param candidate text holding a query parameter name.
     * @param start     first character of the name.
     * @param end       one past its last character.
     * @return true if the name is the click parameter, ignoring ASCII letter case: a request parameter of that name
     * must never follow the click id into the Location, where a framework reading the last (or, for names, any
     * case) value would take it for the click id.
     */
    public boolean isClickParam(final CharSequence candidate, final int start, final int end)
    {
        if (end - start != text.length - destinationEnd)
        {
            return false;
        }
        for (int i = start; i < end; i++)
        {
            if (toLowerAscii(candidate.charAt(i)) != toLowerAscii((char)text[destinationEnd + i - start]))
            {
                return false;
            }
        }
        return true;
    }

    boolean hasCode(final CharSequence candidate, final int start, final int end)
    {
        if (end - start != codeEnd)
        {
            return false;
        }
        for (int i = start; i < end; i++)
        {
            if (candidate.charAt(i) != text[i - start])
            {
                return false;
            }
        }
        return true;
    }

    int codeHash()
    {
        return codeHash;
    }

    private boolean parameterAt(final int index, final CharSequence name)
    {
        final int equals = index + name.length();
        if (equals >= baseEnd || text[equals] != '=')
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            if (text[index + i] != name.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private static char toLowerAscii(final char c)
    {
        return c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
    }

    /**
     * The destination without the query parameters whose name, percent-decoded, is the click parameter in any
     * letter case. Runs once per link when the catalog is loaded, not per click.
     */
    static String withoutParameter(final String destination, final String clickParam)
    {
        final int fragment = destination.indexOf('#');
        final int baseEnd = fragment < 0 ? destination.length() : fragment;
        final int question = destination.indexOf('?');
        if (question < 0 || question > baseEnd || clickParam.isEmpty())
        {
            return destination;
        }
        final StringBuilder kept = new StringBuilder(destination.length());
        kept.append(destination, 0, question + 1);
        boolean removed = false;
        int start = question + 1;
        while (start < baseEnd)
        {
            int end = destination.indexOf('&', start);
            if (end < 0 || end > baseEnd)
            {
                end = baseEnd;
            }
            int nameEnd = destination.indexOf('=', start);
            if (nameEnd < 0 || nameEnd > end)
            {
                nameEnd = end;
            }
            if (decodedName(destination, start, nameEnd).equalsIgnoreCase(clickParam))
            {
                removed = true;
            }
            else
            {
                if (kept.length() > question + 1)
                {
                    kept.append('&');
                }
                kept.append(destination, start, end);
            }
            start = end + 1;
        }
        if (!removed)
        {
            return destination;
        }
        if (kept.length() == question + 1)
        {
            kept.setLength(question); // nothing else in the query: no dangling '?'
        }
        return kept.append(destination, baseEnd, destination.length()).toString();
    }

    private static String decodedName(final String text, final int start, final int end)
    {
        final StringBuilder name = new StringBuilder(end - start);
        for (int i = start; i < end; i++)
        {
            final char c = text.charAt(i);
            if (c == '%' && i + 2 < end &&
                Character.digit(text.charAt(i + 1), 16) >= 0 && Character.digit(text.charAt(i + 2), 16) >= 0)
            {
                name.append((char)Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            }
            else
            {
                name.append(c == '+' ? ' ' : c);
            }
        }
        return name.toString();
    }

    private void appendAscii(final StringBuilder location, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            location.append((char)text[i]);
        }
    }
}
