package dev.ricochet.aggregator.timeline;

import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.store.StateStore;
import org.rocksdb.WriteBatch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Appends partner activity to the timeline and, for programs with a {@code webhookUrl}, to the outbox that the
 * {@link dev.ricochet.aggregator.webhook.WebhookDispatcher} delivers: the outbox row is written in the same atomic
 * batch as the change it reports, so a change is never committed without its webhook, and delivery never holds up
 * the aggregator.
 */
public final class Timeline
{
    private final TimelineTable table;
    private final OutboxTable outbox;
    private final Ledger ledger;
    private final List<byte[][]> pendingTimeline = new ArrayList<>();
    private final List<byte[][]> pendingOutbox = new ArrayList<>();
    private long outboxSeq = -1;

    /**
     * @param store  committed state.
     * @param ledger owns the partner accounts that number each partner's events.
     */
    public Timeline(final StateStore store, final Ledger ledger)
    {
        this.table = new TimelineTable(store);
        this.outbox = new OutboxTable(store);
        this.ledger = ledger;
    }

    /**
     * @param partnerNumber partner.
     * @param partner       the partner.
     * @param program       its program.
     * @param timeMs        when, from the journal.
     * @param type          event type.
     * @param data          details.
     */
    public void record(final int partnerNumber, final CatalogEntry<PartnerSpec> partner,
        final CatalogEntry<ProgramSpec> program, final long timeMs, final String type, final Map<String, Object> data)
    {
        final PartnerAccount account = ledger.account(partnerNumber);
        final long seq = account.timelineSeq() + 1;
        ledger.account(partnerNumber, account.withTimelineSeq(seq));
        final TimelineEvent event = new TimelineEvent("evt_" + partnerNumber + "_" + seq, type,
            Instant.ofEpochMilli(timeMs).toString(), program.id(), partner.id(), data);
        final byte[] json = TimelineTable.encode(event);
        pendingTimeline.add(new byte[][]{ TimelineTable.key(partnerNumber, seq), json });
        if (null != program.spec().webhookUrl())
        {
            if (outboxSeq < 0)
            {
                outboxSeq = outbox.lastSeq();
            }
            outboxSeq++;
            pendingOutbox.add(new byte[][]{ OutboxTable.key(outboxSeq), json });
        }
    }

    /**
     * Add everything recorded since the last flush to the commit batch.
     *
     * @param batch the batch being built.
     */
    public void flush(final WriteBatch batch)
    {
        for (final byte[][] entry : pendingTimeline)
        {
            table.put(batch, entry[0], entry[1]);
        }
        for (final byte[][] entry : pendingOutbox)
        {
            outbox.put(batch, entry[0], entry[1]);
        }
        if (!pendingOutbox.isEmpty())
        {
            outbox.putLastSeq(batch, outboxSeq);
        }
        pendingTimeline.clear();
        pendingOutbox.clear();
    }
}
