package dev.ricochet.tracker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class IpHasherTest
{
    private static final long NOON_MS = 1_773_144_000_000L; // 2026-03-10T12:00:00Z
    private static final long DAY_MS = IpHasher.DAY_MS;

    private final IpHasher hasher = new IpHasher(IpSalts.inMemory());

    @ParameterizedTest(name = "{0} and {1} alike, {2} differently")
    @CsvSource({
        "203.0.113.7, 203.0.113.250, 203.0.114.7",
        "2001:db8:1:aaaa::1, 2001:db8:1:bbbb:cccc::2, 2001:db8:2:aaaa::1" })
    void shouldHashTwoAddressesOfOneNetworkAlikeAndOfAnotherDifferently(
        final String visitor, final String neighbour, final String stranger) throws Exception
    {
        // Given two visitors in one IPv4 /24 or IPv6 /48 and one in the next network, on the same day
        final long a = hash(visitor, NOON_MS);
        final long b = hash(neighbour, NOON_MS);
        final long c = hash(stranger, NOON_MS);

        // Then only the network reaches the hash: the rest of the address is dropped before hashing
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void shouldHashAVisitorAlikeAllUtcDayAndDifferentlyTheNextDay() throws Exception
    {
        // Given one visitor seen at 00:00, 23:59:59.999 and then 00:00 the next UTC day
        final long startOfDay = NOON_MS - DAY_MS / 2;
        final long first = hash("198.51.100.20", startOfDay);
        final long last = hash("198.51.100.20", startOfDay + DAY_MS - 1);
        final long nextDay = hash("198.51.100.20", startOfDay + DAY_MS);

        // Then the salt rotates at the UTC day boundary, and coming back to a day still kept gives its hash again
        assertEquals(first, last);
        assertNotEquals(first, nextDay);
        assertEquals(first, hash("198.51.100.20", startOfDay));
    }

    @Test
    void shouldHashDifferentlyUnderAnotherEdgesSalts() throws Exception
    {
        // Given the same visitor and day on two edges, each with its own random salts
        final IpHasher other = new IpHasher(IpSalts.inMemory());
        final byte[] address = InetAddress.getByName("198.51.100.20").getAddress();

        // Then nobody without the day's salt can reproduce the hash
        assertNotEquals(hasher.hash(address, NOON_MS), other.hash(address, NOON_MS));
    }

    @Test
    void shouldLeaveTheCallersAddressBytesUntouched() throws Exception
    {
        final byte[] address = InetAddress.getByName("198.51.100.20").getAddress();

        hasher.hash(address, NOON_MS);

        assertEquals(20, address[3]);
    }

    private long hash(final String ip, final long nowMs) throws Exception
    {
        return hasher.hash(InetAddress.getByName(ip).getAddress(), nowMs);
    }
}
