package dev.ricochet.aggregator;

import dev.ricochet.aggregator.admin.CatalogWriter;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.Journal;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;

import java.nio.charset.StandardCharsets;

/**
 * Writes the passage of time into the journal: one clock tick per new hour. The ledger acts on journal time only
 * (approvals when a hold period ends, tier reviews), so a quiet program still gets them on time, and a replay makes
 * them at the same point in the journal.
 */
final class LedgerClock implements Agent
{
    private static final long HOUR_MS = 3_600_000L;
    private static final byte[] EMPTY_DOCUMENT = "{}".getBytes(StandardCharsets.US_ASCII);

    private final CatalogWriter writer;
    private final EpochClock epochClock;
    private long lastTickHour = Long.MIN_VALUE;

    LedgerClock(final CatalogWriter writer, final EpochClock epochClock)
    {
        this.writer = writer;
        this.epochClock = epochClock;
    }

    @Override
    public int doWork()
    {
        final long hour = Math.floorDiv(epochClock.time(), HOUR_MS);
        if (hour > lastTickHour &&
            Journal.NULL_INDEX != writer.append(CatalogEventFlyweight.KIND_CLOCK_TICK, EMPTY_DOCUMENT))
        {
            lastTickHour = hour;
            return 1;
        }
        return 0;
    }

    @Override
    public String roleName()
    {
        return "ledger-clock";
    }
}
