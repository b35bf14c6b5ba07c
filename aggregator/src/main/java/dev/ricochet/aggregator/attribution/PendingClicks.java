package dev.ricochet.aggregator.attribution;


import java.util.Arrays;

/**
 * Clicks applied since the last commit, so attribution sees them before they reach RocksDB.
 *
 * <p>Single writer (the aggregator thread). Each click is six longs appended to one array that a commit empties: a
 * click costs no allocation, and the rare lookup (a conversion naming a click id, or a visitor's touches) scans at
 * most one commit's worth of clicks.
 */
public final class PendingClicks
{
    private static final int FIELDS = 6;
    private static final int CLICK_HI = 0;
    private static final int CLICK_LO = 1;
    private static final int VISITOR_HI = 2;
    private static final int VISITOR_LO = 3;
    private static final int TIME_MS = 4;
    private static final int NUMBERS = 5;

    private long[] clicks = new long[FIELDS * 1024];
    private long[] touchFlags = new long[16];
    private int count;

    /**
     * Remember a click applied but not committed.
     *
     * @param clickHi       high bits of the click id.
     * @param clickLo       low bits of the click id.
     * @param visitorHi     high bits of the visitor id.
     * @param visitorLo     low bits of the visitor id.
     * @param timeMs        click time.
     * @param partnerNumber partner of the link.
     * @param programNumber program of the link.
     * @param isTouch       true for a real click (a touch on the visitor's path), false for a bot's.
     */
    public void add(final long clickHi, final long clickLo, final long visitorHi, final long visitorLo,
        final long timeMs, final int partnerNumber, final int programNumber, final boolean isTouch)
    {
        final int at = count * FIELDS;
        if (at == clicks.length)
        {
            clicks = Arrays.copyOf(clicks, clicks.length * 2);
        }
        if (count >> 6 == touchFlags.length)
        {
            touchFlags = Arrays.copyOf(touchFlags, touchFlags.length * 2);
        }
        clicks[at + CLICK_HI] = clickHi;
        clicks[at + CLICK_LO] = clickLo;
        clicks[at + VISITOR_HI] = visitorHi;
        clicks[at + VISITOR_LO] = visitorLo;
        clicks[at + TIME_MS] = timeMs;
        clicks[at + NUMBERS] = ((long)partnerNumber << 32) | (programNumber & 0xFFFF_FFFFL);
        if (isTouch)
        {
            touchFlags[count >> 6] |= 1L << count;
        }
        else
        {
            touchFlags[count >> 6] &= ~(1L << count);
        }
        count++;
    }

    /**
     * @param clickHi high bits of the click id.
     * @param clickLo low bits of the click id.
     * @return the pending click, or null.
     */
    public ClickTable.StoredClick find(final long clickHi, final long clickLo)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            final int at = i * FIELDS;
            if (clicks[at + CLICK_HI] == clickHi && clicks[at + CLICK_LO] == clickLo)
            {
                return new ClickTable.StoredClick(clicks[at + VISITOR_HI], clicks[at + VISITOR_LO],
                    clicks[at + TIME_MS], (int)(clicks[at + NUMBERS] >>> 32), (int)clicks[at + NUMBERS],
                    (touchFlags[i >> 6] & (1L << i)) == 0);
            }
        }
        return null;
    }

    /**
     * Visit a visitor's pending touches, in the order applied.
     *
     * @param visitorHi high bits of the visitor id.
     * @param visitorLo low bits of the visitor id.
     * @param consumer  receives each touch.
     */
    public void forEachTouch(final long visitorHi, final long visitorLo, final TouchTable.TouchConsumer consumer)
    {
        for (int i = 0; i < count; i++)
        {
            final int at = i * FIELDS;
            if ((touchFlags[i >> 6] & (1L << i)) != 0 &&
                clicks[at + VISITOR_HI] == visitorHi && clicks[at + VISITOR_LO] == visitorLo)
            {
                consumer.accept(clicks[at + TIME_MS], clicks[at + CLICK_HI], clicks[at + CLICK_LO],
                    (int)(clicks[at + NUMBERS] >>> 32), (int)clicks[at + NUMBERS]);
            }
        }
    }

    /**
     * Forget every pending click, once they are committed.
     */
    public void clear()
    {
        count = 0;
    }
}
