package dev.ricochet.tracker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A list of CIDR blocks ({@code 127.0.0.0/8,::1/128}), parsed once at start-up, that a client address is checked
 * against once per connection.
 */
final class AddressBlocks
{
    private final List<byte[]> networks = new ArrayList<>();
    private final List<Integer> prefixBits = new ArrayList<>();

    /**
     * @param key  the setting's name, for messages.
     * @param list comma-separated blocks, each an address with an optional {@code /bits}; empty for none.
     * @throws IllegalArgumentException naming the key and the block that is not valid.
     */
    AddressBlocks(final String key, final String list)
    {
        for (final String item : list.split(","))
        {
            final String block = item.trim();
            if (block.isEmpty())
            {
                continue;
            }
            final int slash = block.indexOf('/');
            final String address = slash < 0 ? block : block.substring(0, slash);
            if (!address.matches("[0-9A-Fa-f.:]+") || !address.contains(".") && !address.contains(":"))
            {
                // Literal addresses only: InetAddress.getByName would otherwise look a host name up in DNS.
                throw new IllegalArgumentException(key + "=" + list + ": " + block +
                    " is not an IP address or CIDR block");
            }
            final byte[] network;
            try
            {
                network = InetAddress.getByName(address).getAddress();
            }
            catch (final UnknownHostException ex)
            {
                throw new IllegalArgumentException(key + "=" + list + ": " + block + " is not an IP address", ex);
            }
            final int maxBits = network.length * 8;
            final int bits;
            try
            {
                bits = slash < 0 ? maxBits : Integer.parseInt(block.substring(slash + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(key + "=" + list + ": " + block + " has no valid prefix length");
            }
            if (bits < 0 || bits > maxBits)
            {
                throw new IllegalArgumentException(
                    key + "=" + list + ": " + block + " prefix must be between 0 and " + maxBits);
            }
            networks.add(network);
            prefixBits.add(bits);
        }
    }

    /**
     * @param address a client's address.
     * @return true if it lies in one of the blocks (an IPv4 block never holds an IPv6 address, and the reverse).
     */
    boolean contains(final InetAddress address)
    {
        final byte[] bytes = unmapped(address.getAddress());
        for (int i = 0; i < networks.size(); i++)
        {
            final byte[] network = networks.get(i);
            if (network.length == bytes.length && matchesPrefix(network, bytes, prefixBits.get(i)))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param address 4 or 16 bytes.
     * @return the IPv4 address inside an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, how a dual-stack socket
     * may report an IPv4 client), otherwise the address as given.
     */
    static byte[] unmapped(final byte[] address)
    {
        if (16 != address.length || (byte)0xFF != address[10] || (byte)0xFF != address[11])
        {
            return address;
        }
        for (int i = 0; i < 10; i++)
        {
            if (0 != address[i])
            {
                return address;
            }
        }
        return Arrays.copyOfRange(address, 12, 16);
    }

    private static boolean matchesPrefix(final byte[] network, final byte[] address, final int bits)
    {
        final int wholeBytes = bits / 8;
        for (int i = 0; i < wholeBytes; i++)
        {
            if (network[i] != address[i])
            {
                return false;
            }
        }
        final int restBits = bits % 8;
        if (0 == restBits)
        {
            return true;
        }
        final int restMask = (0xFF << (8 - restBits)) & 0xFF;
        return (network[wholeBytes] & restMask) == (address[wholeBytes] & restMask);
    }
}
