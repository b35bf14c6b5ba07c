package dev.ricochet.tracker;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Token buckets for any number of keys in a fixed amount of memory, shared by every event loop without locks.
 *
 * <p>Each bucket is the generic cell rate algorithm's one number, the "theoretical arrival time" (TAT): the time at
 * which the bucket would be full again. A hit at {@code now} is allowed when {@code max(TAT, now) - now} is within
 * the burst tolerance {@code (burst - 1) / rate}, and then moves the TAT on by {@code 1 / rate}. That is exactly a
 * token bucket of {@code burst} tokens refilled at {@code rate} per second, kept in one long, so a compare-and-set
 * updates it atomically from any thread.
 *
 * <p>Memory is bounded: a power-of-two table of longs, each packing a 16-bit tag of the key's hash with a 48-bit TAT
 * in microseconds since the limiter started (8.9 years). A key may live in one of two neighbouring slots. A new key
 * takes the one whose bucket is fuller (smaller TAT); a full bucket (TAT in the past) holds nothing worth keeping.
 * When more keys are busy at once than there are slots, evicted keys start again with a full bucket: under table
 * pressure the limiter lets hits through, it never limits a key for another key's hits. Two keys sharing a slot and a
 * tag (one in 65,536 of the keys that meet in a slot) share a bucket.
 *
 * <p>Allocates nothing: the redirect path calls it for every click.
 */
final class RateLimiter
{
    private static final int TIME_BITS = 48;
    private static final long TIME_MASK = (1L << TIME_BITS) - 1;
    private static final long TAG_MASK = ~TIME_MASK;
    private static final int MAX_ATTEMPTS = 4;

    private final AtomicLongArray slots;
    private final int mask;
    private final long intervalUs;
    private final long toleranceUs;
    private final long originNs;

    /**
     * @param intervalUs microseconds between tokens (1,000,000 / the rate per second), at least 1.
     * @param burst      bucket size, at least 1.
     * @param slotCount  a power of two: the number of buckets kept.
     * @param originNs   {@link System#nanoTime()} at start; times are kept relative to it.
     */
    RateLimiter(final long intervalUs, final int burst, final int slotCount, final long originNs)
    {
        if (intervalUs < 1 || intervalUs > 3_600_000_000L || burst < 1 || Integer.bitCount(slotCount) != 1 ||
            slotCount < 2)
        {
            throw new IllegalArgumentException(
                "interval " + intervalUs + " us, burst " + burst + ", slots " + slotCount + ": out of range");
        }
        this.slots = new AtomicLongArray(slotCount);
        this.mask = slotCount - 1;
        this.intervalUs = intervalUs;
        this.toleranceUs = (burst - 1L) * intervalUs;
        this.originNs = originNs;
    }

    /**
     * Take one token from the key's bucket if it has one.
     *
     * @param keyHash a well-mixed 64-bit hash of the key (its low bits pick the slot, its high bits are the tag).
     * @param nowNs   {@link System#nanoTime()} now.
     * @return 0 if the hit is allowed (and counted), otherwise the microseconds until the bucket has a token.
     */
    long tryAcquire(final long keyHash, final long nowNs)
    {
        // +1 keeps a live time apart from an unused slot's 0.
        final long nowUs = (nowNs - originNs) / 1000 + 1;
        final long tag = keyHash & TAG_MASK;
        final int first = (int)keyHash & mask;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
        {
            int slot = first;
            long entry = slots.get(first);
            long tat = nowUs;
            if ((entry & TAG_MASK) == tag)
            {
                tat = Math.max(entry & TIME_MASK, nowUs);
            }
            else
            {
                final int second = first ^ 1;
                final long neighbour = slots.get(second);
                if ((neighbour & TAG_MASK) == tag)
                {
                    slot = second;
                    entry = neighbour;
                    tat = Math.max(neighbour & TIME_MASK, nowUs);
                }
                else if ((neighbour & TIME_MASK) < (entry & TIME_MASK))
                {
                    // A new key evicts the fuller bucket; it starts with a full bucket itself.
                    slot = second;
                    entry = neighbour;
                }
            }
            final long waitUs = tat - toleranceUs - nowUs;
            if (waitUs > 0)
            {
                return waitUs;
            }
            if (slots.compareAndSet(slot, entry, tag | ((tat + intervalUs) & TIME_MASK)))
            {
                return 0;
            }
            // Another loop updated the slot meanwhile: read it again.
        }
        // Contended beyond reason: let the hit through rather than spin on the redirect path.
        return 0;
    }

    /**
     * @param seed  random per process, so that no client can choose which slot its keys fall into.
     * @param value the key: a link's catalog number, a client's address bits.
     * @return a well-mixed 64-bit hash of the value (MurmurHash3's finaliser over value and seed).
     */
    static long hash(final long seed, final long value)
    {
        long h = value ^ seed;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
