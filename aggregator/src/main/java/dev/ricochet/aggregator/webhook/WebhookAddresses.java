package dev.ricochet.aggregator.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where an outbound webhook may go: not to this machine, nor to a private, link-local (cloud metadata,
 * {@code 169.254.169.254}) or otherwise non-public network, unless {@code ricochet.webhook.allow.private.networks}
 * says so. A program's admin could otherwise make the service post to, and probe, the operator's own network (SSRF).
 *
 * <p>Checked twice: the admin API refuses a {@code webhookUrl} whose host is such an address literal or a
 * {@code localhost} name (no DNS lookup at write time), and the dispatcher resolves the host before every delivery and
 * refuses it if any of its addresses is one (so a name that points, or is re-pointed, at a private address is caught).
 */
public final class WebhookAddresses
{
    private WebhookAddresses()
    {
    }

    /**
     * @param host a URL's host ({@code [...]} for an IPv6 literal); only literals and {@code localhost} names are
     *             judged, nothing is resolved.
     * @return why a webhook may not go there, or null if nothing is known against it yet.
     */
    public static String literalRefusal(final String host)
    {
        final String name = host.toLowerCase(Locale.ROOT);
        final String bare = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if ("localhost".equals(bare) || bare.endsWith(".localhost"))
        {
            return "is this machine (localhost)";
        }
        if (!isLiteral(bare))
        {
            return null;
        }
        try
        {
            final InetAddress address = InetAddress.getByName(bare);
            return isPublic(address) ? null : "is a loopback, private, link-local or reserved address";
        }
        catch (final UnknownHostException ex)
        {
            return "is not a valid address";
        }
    }

    /**
     * Resolve the URL's host and judge every address it has.
     *
     * @param url a stored webhook URL.
     * @return why the webhook may not go there, or null if every address is public.
     */
    public static String resolvedRefusal(final String url)
    {
        final String host;
        try
        {
            host = URI.create(url).getHost();
        }
        catch (final IllegalArgumentException ex)
        {
            return "a URL that does not parse";
        }
        if (null == host)
        {
            return "a URL without a host";
        }
        final String literal = literalRefusal(host);
        if (null != literal)
        {
            return "its host " + literal;
        }
        try
        {
            for (final InetAddress address : InetAddress.getAllByName(host))
            {
                if (!isPublic(address))
                {
                    return "its host resolves to a loopback, private, link-local or reserved address " +
                        "(ricochet.webhook.allow.private.networks is off)";
                }
            }
            return null;
        }
        catch (final UnknownHostException ex)
        {
            return "its host does not resolve";
        }
    }

    /**
     * @param address an address a webhook would connect to.
     * @return true if it is a public unicast address.
     */
    public static boolean isPublic(final InetAddress address)
    {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress() ||
            address.isSiteLocalAddress() || address.isMulticastAddress())
        {
            return false;
        }
        final byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address)
        {
            return isPublicV4(bytes, 0);
        }
        if (address instanceof Inet6Address)
        {
            final int first = bytes[0] & 0xFF;
            if ((first & 0xFE) == 0xFC)
            {
                return false; // fc00::/7 unique local
            }
            if (isZero(bytes, 0, 10) && (((bytes[10] & 0xFF) == 0xFF && (bytes[11] & 0xFF) == 0xFF) ||
                isZero(bytes, 10, 2)))
            {
                return isPublicV4(bytes, 12); // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), ::, ::1
            }
            if (first == 0x00 && (bytes[1] & 0xFF) == 0x64 && (bytes[2] & 0xFF) == 0xFF && (bytes[3] & 0xFF) == 0x9B)
            {
                return isPublicV4(bytes, 12); // 64:ff9b::/96 NAT64
            }
            if (first == 0x20 && (bytes[1] & 0xFF) == 0x02)
            {
                return isPublicV4(bytes, 2); // 2002::/16 6to4
            }
            if ((first & 0xE0) != 0x20)
            {
                // Only global unicast (2000::/3) is public; everything else is reserved, local, or a translation
                // that embeds an IPv4 address (::ffff:0:a.b.c.d IPv4-translated, 64:ff9b:1::/48 local-use NAT64,
                // 100::/64 discard): a list of the ranges to refuse missed those, an allowlist cannot.
                return false;
            }
            final int second = bytes[1] & 0xFF;
            if (first == 0x20 && second == 0x01 && (isZero(bytes, 2, 2) || // 2001::/32 Teredo: someone else's choice
                ((bytes[2] & 0xFF) == 0x0D && (bytes[3] & 0xFF) == 0xB8) || // 2001:db8::/32 documentation
                (isZero(bytes, 2, 1) && (bytes[3] & 0xFF) == 0x02 && isZero(bytes, 4, 2)) || // 2001:2::/48 benchmarking
                (isZero(bytes, 2, 1) && (bytes[3] & 0xF0) == 0x10) || // 2001:10::/28 ORCHID
                (isZero(bytes, 2, 1) && (bytes[3] & 0xF0) == 0x20))) // 2001:20::/28 ORCHIDv2
            {
                return false;
            }
            return !(first == 0x3F && second == 0xFF && (bytes[2] & 0xF0) == 0); // 3fff::/20 documentation
        }
        return false;
    }

    private static boolean isPublicV4(final byte[] bytes, final int offset)
    {
        final int a = bytes[offset] & 0xFF;
        final int b = bytes[offset + 1] & 0xFF;
        final int c = bytes[offset + 2] & 0xFF;
        return !(a == 0 || a == 10 || a == 127 || a >= 224 ||
            (a == 100 && b >= 64 && b <= 127) ||   // carrier-grade NAT
            (a == 169 && b == 254) ||              // link-local, cloud metadata
            (a == 172 && b >= 16 && b <= 31) ||
            (a == 192 && b == 168) ||
            (a == 192 && b == 0 && (c == 0 || c == 2)) || // IETF protocol assignments, TEST-NET-1
            (a == 198 && (b == 18 || b == 19)) ||  // benchmarking
            (a == 198 && b == 51 && c == 100) ||   // TEST-NET-2
            (a == 203 && b == 0 && c == 113));     // TEST-NET-3
    }

    private static boolean isZero(final byte[] bytes, final int offset, final int length)
    {
        for (int i = offset; i < offset + length; i++)
        {
            if (0 != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isLiteral(final String host)
    {
        if (host.startsWith("["))
        {
            return true;
        }
        for (int i = 0; i < host.length(); i++)
        {
            final char c = host.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '.')
            {
                return false;
            }
        }
        return !host.isEmpty();
    }
}
