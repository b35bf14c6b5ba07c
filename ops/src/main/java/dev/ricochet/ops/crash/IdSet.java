package dev.ricochet.ops.crash;

/**
 * A set of 128-bit ids in two primitive arrays (open addressing, linear probing), so that an audit can hold the
 * tens of millions of click ids of a long soak in about 32 bytes each instead of a boxed object per id.
 */
final class IdSet
{
    private long[] his = new long[1 << 16];
    private long[] los = new long[1 << 16];
    private int size;

    /**
     * @param hi high bits; (0, 0) is not a valid id.
     * @param lo low bits.
     * @return false if the id was already in the set.
     */
    boolean add(final long hi, final long lo)
    {
        if (2 * (size + 1) > his.length)
        {
            grow();
        }
        final int mask = his.length - 1;
        int slot = slot(hi, lo, mask);
        while (0 != his[slot] || 0 != los[slot])
        {
            if (his[slot] == hi && los[slot] == lo)
            {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        his[slot] = hi;
        los[slot] = lo;
        size++;
        return true;
    }

    boolean contains(final long hi, final long lo)
    {
        final int mask = his.length - 1;
        int slot = slot(hi, lo, mask);
        while (0 != his[slot] || 0 != los[slot])
        {
            if (his[slot] == hi && los[slot] == lo)
            {
                return true;
            }
            slot = (slot + 1) & mask;
        }
        return false;
    }

    int size()
    {
        return size;
    }

    private void grow()
    {
        final long[] oldHis = his;
        final long[] oldLos = los;
        his = new long[oldHis.length * 2];
        los = new long[oldLos.length * 2];
        size = 0;
        for (int i = 0; i < oldHis.length; i++)
        {
            if (0 != oldHis[i] || 0 != oldLos[i])
            {
                add(oldHis[i], oldLos[i]);
            }
        }
    }

    private static int slot(final long hi, final long lo, final int mask)
    {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int)h & mask;
    }
}
