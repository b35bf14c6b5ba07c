package dev.ricochet.aggregator;

import dev.ricochet.aggregator.attribution.ClickTable;
import dev.ricochet.aggregator.attribution.PendingClicks;
import dev.ricochet.aggregator.attribution.TouchTable;
import dev.ricochet.aggregator.attribution.VisitTable;
import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.ClickEventFlyweight;
import org.agrona.collections.Object2LongHashMap;
import org.rocksdb.WriteBatch;

/**
 * The agent's role for clicks: counts each click (previews, bots, clicks, unique clicks per visitor and link), stores
 * it, and keeps a real click as a touch for attribution. Aggregator thread only.
 */
final class ClickCounting
{
    /**
     * Identifies a visitor on a link, for unique-click detection.
     */
    private record VisitKey(long visitorHi, long visitorLo, int linkNumber)
    {
    }

    private final ClickTable clickTable;
    private final TouchTable touchTable;
    private final VisitTable visitTable;
    private final WriteBatch batch;
    private final CounterBuckets counters;
    private final PendingClicks pendingClicks;
    private final long uniqueClickWindowMs;
    private final Object2LongHashMap<VisitKey> pendingVisits = new Object2LongHashMap<>(-1);

    /**
     * @param store               committed state, for a visitor's last unique click.
     * @param batch               the agent's batch the clicks are written to.
     * @param counters            the partners' counters.
     * @param pendingClicks       clicks not yet committed, for attribution.
     * @param uniqueClickWindowMs unique-click window.
     */
    ClickCounting(
        final StateStore store,
        final WriteBatch batch,
        final CounterBuckets counters,
        final PendingClicks pendingClicks,
        final long uniqueClickWindowMs)
    {
        this.clickTable = new ClickTable(store);
        this.touchTable = new TouchTable(store);
        this.visitTable = new VisitTable(store);
        this.batch = batch;
        this.counters = counters;
        this.pendingClicks = pendingClicks;
        this.uniqueClickWindowMs = uniqueClickWindowMs;
    }

    /**
     * Apply a click.
     *
     * @param click the decoded click event.
     */
    void onClick(final ClickEventFlyweight click)
    {
        final long timestampMs = click.timestampMs();
        final int partner = click.partnerId();
        if (click.hasFlag(ClickEventFlyweight.FLAG_PREVIEW))
        {
            counters.add(partner, timestampMs, CounterField.PREVIEWS, 1);
            return;
        }
        if (click.hasFlag(ClickEventFlyweight.FLAG_BOT))
        {
            counters.add(partner, timestampMs, CounterField.BOT_CLICKS, 1);
        }
        else
        {
            counters.add(partner, timestampMs, CounterField.CLICKS, 1);
            if (isUniqueClick(click, timestampMs))
            {
                counters.add(partner, timestampMs, CounterField.UNIQUE_CLICKS, 1);
            }
        }
        final boolean isBot = click.hasFlag(ClickEventFlyweight.FLAG_BOT);
        clickTable.put(batch, click.clickIdHi(), click.clickIdLo(), click.visitorIdHi(), click.visitorIdLo(),
            timestampMs, partner, click.programId(), isBot);
        // Only real clicks are touches: a bot's click must never earn a partner credit.
        pendingClicks.add(click.clickIdHi(), click.clickIdLo(), click.visitorIdHi(), click.visitorIdLo(),
            timestampMs, partner, click.programId(), !isBot);
        if (!isBot)
        {
            touchTable.put(batch, click.visitorIdHi(), click.visitorIdLo(), timestampMs, click.clickIdHi(),
                click.clickIdLo(), partner, click.programId());
        }
    }

    /**
     * A click is unique when its visitor has no unique click on the same link in the window before it; repeated
     * clicks inside the window do not extend it, so an active visitor counts once per window.
     */
    private boolean isUniqueClick(final ClickEventFlyweight click, final long timestampMs)
    {
        final VisitKey key = new VisitKey(click.visitorIdHi(), click.visitorIdLo(), click.linkId());
        long lastUniqueMs = pendingVisits.getValue(key);
        if (-1 == lastUniqueMs && !click.hasFlag(ClickEventFlyweight.FLAG_NEW_VISITOR))
        {
            lastUniqueMs = visitTable.lastUniqueClickMs(key.visitorHi(), key.visitorLo(), key.linkNumber());
        }
        if (-1 != lastUniqueMs && timestampMs - lastUniqueMs < uniqueClickWindowMs)
        {
            return false;
        }
        pendingVisits.put(key, timestampMs);
        return true;
    }

    /**
     * Write the unique clicks applied since the last commit into the batch.
     */
    void flush()
    {
        pendingVisits.forEach((visit, timeMs) ->
            visitTable.putLastUniqueClick(batch, visit.visitorHi(), visit.visitorLo(), visit.linkNumber(), timeMs));
    }

    /**
     * The batch is written: what was pending is now read from the store.
     */
    void committed()
    {
        pendingVisits.clear();
        pendingClicks.clear();
    }
}
