package dev.ricochet.ops.crash;

import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import net.openhft.chronicle.queue.RollCycle;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a journal holds, read straight from its files: every click id (and how many were there twice), every
 * conversion's order id (the runs it audits send to one program), and per partner and day the clicks the aggregator
 * must count.
 */
final class JournalAudit
{
    private static final long DAY_MS = 86_400_000L;

    final IdSet clickIds = new IdSet();
    final Set<String> orderIds = new HashSet<>();
    /**
     * partner number << 32 | epoch day -> { clicks, bot clicks, previews }, as the aggregator counts them.
     */
    final Map<Long, long[]> clicksByPartnerDay = new HashMap<>();
    long events;
    long clicks;
    long duplicateClicks;
    long pixels;
    long conversions;
    long duplicateOrders;
    long lastIndex = Journal.NULL_INDEX;

    private JournalAudit()
    {
    }

    /**
     * @param journalDir the journal's directory.
     * @param rollCycle  its roll cycle.
     * @return the whole journal's content.
     */
    static JournalAudit scan(final Path journalDir, final RollCycle rollCycle)
    {
        return scan(journalDir, rollCycle, Long.MAX_VALUE);
    }

    /**
     * @param journalDir the journal's directory.
     * @param rollCycle  its roll cycle.
     * @param lastIndex  read up to and including this index.
     * @return the content of that prefix.
     */
    static JournalAudit scan(final Path journalDir, final RollCycle rollCycle, final long lastIndex)
    {
        final JournalAudit audit = new JournalAudit();
        final ClickEventFlyweight click = new ClickEventFlyweight();
        final ConversionEventFlyweight conversion = new ConversionEventFlyweight();
        try (Journal journal = Journal.open(new Journal.Context().dir(journalDir).rollCycle(rollCycle));
            JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            final boolean[] done = new boolean[1];
            while (!done[0] && poller.poll((buffer, length, index) ->
            {
                if (index > lastIndex || done[0])
                {
                    done[0] = true;
                    return;
                }
                audit.events++;
                audit.lastIndex = index;
                switch (buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET))
                {
                    case EventHeaderDescriptor.TYPE_CLICK -> audit.onClick(click.wrap(buffer, 0));
                    case EventHeaderDescriptor.TYPE_PIXEL -> audit.pixels++;
                    case EventHeaderDescriptor.TYPE_CONVERSION ->
                    {
                        conversion.wrap(buffer, 0);
                        audit.conversions++;
                        if (!audit.orderIds.add(conversion.externalId()))
                        {
                            audit.duplicateOrders++;
                        }
                    }
                    default ->
                    {
                        // catalog changes, clock ticks, dead letters: not what the load generator sends
                    }
                }
            }, 10_000) > 0)
            {
                // read on
            }
        }
        return audit;
    }

    private void onClick(final ClickEventFlyweight click)
    {
        clicks++;
        if (!clickIds.add(click.clickIdHi(), click.clickIdLo()))
        {
            duplicateClicks++;
        }
        final long key = ((long)click.partnerId() << 32) | Math.floorDiv(click.timestampMs(), DAY_MS);
        final long[] counts = clicksByPartnerDay.computeIfAbsent(key, ignore -> new long[3]);
        counts[click.hasFlag(ClickEventFlyweight.FLAG_PREVIEW) ? 2 :
            click.hasFlag(ClickEventFlyweight.FLAG_BOT) ? 1 : 0]++;
    }

}
