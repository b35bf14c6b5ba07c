package dev.ricochet.ingest;

import java.security.SecureRandom;

/**
 * Generates 128-bit, time-ordered, unguessable ids for clicks and visitors; one instance per thread.
 *
 * <p>Layout: the high 48 bits are the epoch millisecond, the remaining 80 bits come from a {@link SecureRandom}, so
 * ids sort by creation time and cannot be guessed from one another. Random bytes are drawn in blocks into a reused
 * pool, which keeps generation allocation-free and cheap. Usage: {@code generator.next(nowMs)}, then read
 * {@link #hi()} and {@link #lo()}.
 */
public final class IdGenerator
{
    private static final int POOL_SIZE = 4096;

    private final SecureRandom random;
    private final byte[] pool = new byte[POOL_SIZE];
    private int poolPosition = POOL_SIZE;
    private long hi;
    private long lo;

    /**
     * Create a generator seeded by the platform's strong entropy source.
     */
    public IdGenerator()
    {
        this(new SecureRandom());
    }

    /**
     * @param random source of the random bits; tests may pass a seeded one.
     */
    public IdGenerator(final SecureRandom random)
    {
        this.random = random;
    }

    /**
     * Generate the next id; read it with {@link #hi()} and {@link #lo()}.
     *
     * @param nowMs current epoch milliseconds.
     */
    public void next(final long nowMs)
    {
        if (poolPosition + 10 > POOL_SIZE)
        {
            random.nextBytes(pool);
            poolPosition = 0;
        }
        final int p = poolPosition;
        poolPosition += 10;
        final long random16 = ((pool[p] & 0xFFL) << 8) | (pool[p + 1] & 0xFFL);
        long random64 = 0;
        for (int i = 2; i < 10; i++)
        {
            random64 = (random64 << 8) | (pool[p + i] & 0xFFL);
        }
        hi = (nowMs << 16) | random16;
        lo = random64;
    }

    /**
     * @return high 64 bits of the last generated id.
     */
    public long hi()
    {
        return hi;
    }

    /**
     * @return low 64 bits of the last generated id.
     */
    public long lo()
    {
        return lo;
    }
}
