package dev.ricochet.aggregator.catalog;

import dev.ricochet.ingest.Money;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Checks a URL that the edge will redirect to or the aggregator will post to: a link's destination, a program's
 * default destination and webhook URL. Every message names the field.
 */
public final class DestinationUrl
{
    private static final int MAX_URL_LENGTH = 2048;

    private DestinationUrl()
    {
    }

    /**
     * Accept only an absolute http(s) URL with a host and no whitespace or control characters: it becomes a
     * Location header verbatim.
     *
     * @param field name for the message.
     * @param url   candidate.
     * @return the URL in ASCII form.
     * @throws InvalidSpecException if not acceptable.
     */
    public static String require(final String field, final String url)
    {
        if (null == url)
        {
            throw new InvalidSpecException(field + " is required (an absolute http or https URL)");
        }
        if (url.length() > MAX_URL_LENGTH)
        {
            throw new InvalidSpecException(field + " is longer than " + MAX_URL_LENGTH + " characters");
        }
        for (int i = 0; i < url.length(); i++)
        {
            final char c = url.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\')
            {
                throw new InvalidSpecException(field + " contains a space, quote or control character");
            }
        }
        final URI uri;
        try
        {
            uri = new URI(url);
        }
        catch (final URISyntaxException ex)
        {
            throw new InvalidSpecException(field + " is not a valid URL: " + ex.getReason());
        }
        final String scheme = uri.getScheme();
        if (!uri.isAbsolute() || null == scheme ||
            !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)))
        {
            throw new InvalidSpecException(field + " must be an absolute http or https URL");
        }
        if (null == uri.getHost() || uri.getHost().isEmpty() || null != uri.getRawUserInfo())
        {
            throw new InvalidSpecException(field + " must name a host (and no user info)");
        }
        if (-1 != uri.getPort() && (uri.getPort() < 1 || uri.getPort() > 65_535))
        {
            throw new InvalidSpecException(field + " has port " + uri.getPort() + ": expected 1-65535");
        }
        if (-1 != uri.getPort() && !Money.isPlainInteger(
            uri.getRawAuthority().substring(uri.getRawAuthority().lastIndexOf(':') + 1)))
        {
            // One spelling per number: ":0080" is port 80 to Java, and not to every reader of the URL.
            throw new InvalidSpecException(field + " port must be written without leading zeros");
        }
        if (!isCanonicalHost(uri.getHost()))
        {
            throw new InvalidSpecException(field + " host '" + uri.getHost() + "' is a number that is not a " +
                "dotted-quad IPv4 address (a.b.c.d, each 0-255 without leading zeros)");
        }
        // Bound the stored form too: non-ASCII characters are percent-encoded, up to 9 characters each, so 2,048
        // characters in could otherwise be stored (and redirected to) as 18 KB.
        final String ascii = uri.toASCIIString();
        if (ascii.length() > MAX_URL_LENGTH)
        {
            throw new InvalidSpecException(field + " is longer than " + MAX_URL_LENGTH +
                " characters once non-ASCII characters are percent-encoded (" + ascii.length() + ")");
        }
        return ascii;
    }

    /**
     * A host whose last label is a number is an IPv4 address to a browser and to {@code InetAddress}, which read
     * {@code 2130706433}, {@code 0x7f.1} or {@code 0177.0.0.1} differently from each other: only the dotted quad is
     * accepted, so that every reader sees the address the check saw.
     *
     * @param host as {@link URI#getHost()} gives it ({@code [...]} for an IPv6 literal).
     * @return false for a numeric host that is not a canonical dotted quad.
     */
    public static boolean isCanonicalHost(final String host)
    {
        if (host.startsWith("["))
        {
            return true;
        }
        final String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        final String[] labels = name.split("\\.", -1);
        final String last = labels[labels.length - 1];
        final boolean isNumeric = !last.isEmpty() && (last.chars().allMatch(c -> c >= '0' && c <= '9') ||
            last.toLowerCase(Locale.ROOT).startsWith("0x"));
        if (!isNumeric)
        {
            return true;
        }
        if (4 != labels.length || name.length() != host.length())
        {
            return false;
        }
        for (final String label : labels)
        {
            if (label.isEmpty() || label.length() > 3 || (label.length() > 1 && label.charAt(0) == '0') ||
                !label.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(label) > 255)
            {
                return false;
            }
        }
        return true;
    }
}
