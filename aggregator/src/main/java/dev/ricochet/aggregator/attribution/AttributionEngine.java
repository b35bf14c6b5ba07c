package dev.ricochet.aggregator.attribution;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.Money;
import org.rocksdb.WriteBatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Attributes conversions to partners and reverses credit on refunds, exactly once per (program, external id).
 *
 * <p>Runs on the aggregator thread. Keys, in order of trust: the click id passed back by the checkout (its visitor's
 * touch path up to that click), then the visitor id of a browser-reported conversion (the visitor's touch path),
 * then a coupon code linked to a partner, then the customer id of a referred customer (recurring invoices within
 * the program's recurringMonths). The path is split by the program's {@link AttributionModel}, one credit per
 * partner however often it is on the path. A click outside the program's attribution window (in either direction:
 * more than {@link #CLICK_SKEW_MS} after the conversion counts as outside), from another program, or unknown leaves
 * the conversion unattributed, with the reason recorded, as does a currency other than the program's. Refunds
 * reverse credit in proportion to the refunded amount, cumulatively rounded ({@link Money#share}) so that a full
 * refund reverses exactly what was credited and no sequence of refunds reverses more. The rules: docs/money.md. A
 * refund that arrives before its sale waits in the sale's place ({@link StoredConversion.AwaitingSale}) and is applied
 * when the sale arrives. Who is credited is decided by {@link Attributor}; this class dedupes, applies credits,
 * counts and reversals, and keeps the pending writes.
 *
 * <p>Writes are held in memory until {@link #flush(WriteBatch)} adds them to the commit batch, so lookups see this
 * batch's own conversions.
 */
public final class AttributionEngine
{
    /**
     * How far a click may be dated after the conversion credited to it: the clocks of two edges (or of the edge and
     * a sender whose event time is used) may differ by this much. A click later than that is not credited.
     */
    public static final long CLICK_SKEW_MS = 5 * 60_000L;

    /**
     * Receives counter changes for a partner on the day of an event.
     */
    @FunctionalInterface
    public interface CounterSink
    {
        /**
         * @param partnerNumber partner.
         * @param timeMs        event time, whose UTC day is the bucket.
         * @param field         counter.
         * @param delta         change (negative for reversals).
         */
        void add(int partnerNumber, long timeMs, CounterField field, long delta);
    }

    /**
     * Told of every change in what a conversion credits, to book commissions; called on the aggregator thread after
     * the partners' counters include the change.
     */
    public interface CreditListener
    {
        /**
         * A lead, sale or recurring payment was attributed.
         *
         * @param programNumber program.
         * @param record        the conversion as recorded.
         * @param shares        the partners credited: revenue shares, or for a lead the model's weights.
         */
        void credited(int programNumber, ConversionRecord record, List<ConversionRecord.Credit> shares);

        /**
         * More of a conversion was refunded or charged back.
         *
         * @param programNumber program.
         * @param record        the conversion with its new reversed amount.
         * @param timeMs        time of the reversal.
         * @param reason        refund or chargeback.
         */
        void reversed(int programNumber, ConversionRecord record, long timeMs, String reason);

        /**
         * A browser-reported conversion was replaced by a verified report of the same order.
         *
         * @param programNumber program.
         * @param record        the withdrawn conversion.
         * @param timeMs        time of the verified report.
         */
        void withdrawn(int programNumber, ConversionRecord record, long timeMs);
    }

    private record PartnerIndexEntry(int partnerNumber, long timeMs, int programNumber, String externalId)
    {
    }

    private record CustomerKey(int programNumber, String customerId)
    {
    }

    /** Part 8 item 1 (lists): a row of the program's conversion index. */
    private record ProgramIndexEntry(int programNumber, long timeMs, String externalId)
    {
    }

    private final ConversionTable conversionTable;
    private final CustomerTable customerTable;
    private final Attributor attributor;
    private final CounterSink counters;
    private final CreditListener listener;
    private final Map<ConversionKey, StoredConversion> pendingConversions = new HashMap<>();
    private final Map<CustomerKey, CustomerRecord> pendingCustomers = new HashMap<>();
    private final List<PartnerIndexEntry> pendingPartnerIndex = new ArrayList<>();
    private final List<PartnerIndexEntry> pendingPartnerIndexDeletes = new ArrayList<>();
    // Part 8 item 1 (lists): the program's conversion index, written in the same batch as the conversions.
    private final ProgramConversionIndex programIndex;
    private final List<ProgramIndexEntry> pendingProgramIndex = new ArrayList<>();
    private final List<ProgramIndexEntry> pendingProgramIndexDeletes = new ArrayList<>();
    private long duplicates;

    /**
     * @param store    committed state.
     * @param catalog  programs and coupons.
     * @param pendingClicks clicks applied but not yet committed.
     * @param counters counter sink.
     * @param listener told of credits and reversals.
     */
    public AttributionEngine(
        final StateStore store,
        final Catalog catalog,
        final PendingClicks pendingClicks,
        final CounterSink counters,
        final CreditListener listener)
    {
        this.conversionTable = new ConversionTable(store);
        this.programIndex = new ProgramConversionIndex(store);
        this.customerTable = new CustomerTable(store);
        this.attributor = new Attributor(store, catalog, pendingClicks, this::customer);
        this.counters = counters;
        this.listener = listener;
    }

    /**
     * Apply one conversion event: dedupe, then for a lead, sale or recurring payment attribute it, credit and count
     * its partners, and record it (commissions follow through the {@link CreditListener}); a refund or chargeback
     * reverses credit instead.
     *
     * @param conversion the decoded event.
     */
    public void onConversion(final ConversionEventFlyweight conversion)
    {
        final ConversionKey key = new ConversionKey(conversion.programNumber(), conversion.externalId());
        final StoredConversion existing = conversion(key);
        if (isDuplicate(key, existing, conversion))
        {
            duplicates++;
            return;
        }
        if (ConversionKind.isReversal(conversion.kind()))
        {
            onReversal(key, conversion);
            return;
        }
        // For a lead, sale or recurring payment the second id is an alias: the same payment under another id
        // (Stripe's invoice and payment intent). Either id finds it; reported under either, it counts once.
        final String aliasId = Reported.emptyToNull(conversion.originalExternalId());
        final StoredConversion atAlias = null == aliasId ? null :
            conversion(new ConversionKey(key.programNumber(), aliasId));
        if (null != atAlias && !(atAlias instanceof StoredConversion.AwaitingSale) && !isPixel(existing))
        {
            if (null == existing)
            {
                pendingConversions.put(key, new StoredConversion.Alias(key.externalId(),
                    StoredConversion.primaryId(atAlias), conversion.timestampMs()));
            }
            duplicates++;
            return;
        }

        final Reported reported = Reported.of(conversion, ConversionKind.fromEvent(conversion.kind()));
        final Attribution attribution = attributor.attribute(reported, conversion);
        credit(reported, attribution);
        final List<Integer> counted = count(reported, attribution);
        rememberCustomer(reported, attribution);
        final ConversionRecord record = record(reported, attribution, counted, aliasId);
        if (attribution.creditsAnyone())
        {
            listener.credited(key.programNumber(), record, ConversionKind.LEAD == reported.kind() ?
                attribution.countedShares() : attribution.credits());
        }
        applyWaitingReversals(key.programNumber(), record, existing, atAlias);
    }

    /**
     * Record step: the conversion under its id, and under its alias an alias of it.
     */
    private ConversionRecord record(final Reported reported, final Attribution attribution,
        final List<Integer> counted, final String aliasId)
    {
        final ConversionRecord record = ConversionRecord.attributed(reported, attribution, counted);
        pendingConversions.put(reported.key(), record);
        pendingProgramIndex.add(new ProgramIndexEntry(reported.program(), record.timeMs(), record.externalId()));
        if (null != aliasId)
        {
            pendingConversions.put(new ConversionKey(reported.program(), aliasId),
                new StoredConversion.Alias(aliasId, reported.externalId(), reported.timeMs()));
        }
        return record;
    }

    /**
     * Refunds that arrived before the sale, waiting under its id or its alias, are applied now that it is here.
     */
    private void applyWaitingReversals(final int program, final ConversionRecord arrived,
        final StoredConversion existing, final StoredConversion atAlias)
    {
        ConversionRecord record = arrived;
        for (final StoredConversion waitingAt : new StoredConversion[]{ existing, atAlias })
        {
            if (waitingAt instanceof StoredConversion.AwaitingSale awaiting && awaiting.appliesTo(record.currency()))
            {
                // Like a refund after its sale: one in another currency is kept, never applied as if it were this one
                // (a refund waited in USD, the program moved to EUR, and the EUR sale was reversed by its number).
                for (final StoredConversion.WaitingReversal waiting : awaiting.waiting())
                {
                    record = reverse(program, record, waiting.amount(), waiting.cumulative(),
                        waiting.timeMs(), "refund");
                }
            }
        }
    }

    /**
     * Dedupe: an id already applied is a duplicate, except that a verified report of an order the browser reported
     * first replaces the browser's version (withdrawn here) and a sale with refunds waiting is expected.
     */
    private boolean isDuplicate(final ConversionKey key, final StoredConversion existing,
        final ConversionEventFlyweight conversion)
    {
        if (null == existing || existing instanceof StoredConversion.AwaitingSale)
        {
            return false;
        }
        if (ConversionEventFlyweight.SOURCE_PIXEL == conversion.source() || !isPixel(existing))
        {
            return true;
        }
        final ConversionRecord browserReported = (ConversionRecord)existing;
        withdraw(key.programNumber(), browserReported);
        listener.withdrawn(key.programNumber(), browserReported, conversion.timestampMs());
        return false;
    }

    private static boolean isPixel(final StoredConversion stored)
    {
        return stored instanceof ConversionRecord record && record.isPixel();
    }

    /**
     * Credit step: each credited partner's revenue on the conversion's day, and the conversion in its partners' lists
     * (every partner on the path once, even with a zero share: first/last click).
     */
    private void credit(final Reported reported, final Attribution attribution)
    {
        for (final ConversionRecord.Credit credit : attribution.credits())
        {
            counters.add(credit.partnerNumber(), reported.timeMs(), CounterField.REVENUE, credit.revenue());
            pendingPartnerIndex.add(new PartnerIndexEntry(credit.partnerNumber(), reported.timeMs(),
                reported.program(), reported.externalId()));
        }
    }

    /**
     * Count step: a lead or sale counts once for each partner with a positive weight.
     *
     * @return the partners counted.
     */
    private List<Integer> count(final Reported reported, final Attribution attribution)
    {
        final List<Integer> counted = new ArrayList<>();
        final CounterField countField = reported.kind().countField();
        if (null != countField)
        {
            for (final ConversionRecord.Credit share : attribution.countedShares())
            {
                if (share.revenue() > 0)
                {
                    counted.add(share.partnerNumber());
                    counters.add(share.partnerNumber(), reported.timeMs(), countField, 1);
                }
            }
        }
        return counted;
    }

    /**
     * A credited sale with a customer id makes a referred customer, whose recurring payments follow its credits.
     */
    private void rememberCustomer(final Reported reported, final Attribution attribution)
    {
        if (!attribution.credits().isEmpty() && null != reported.customerId() &&
            ConversionKind.SALE == reported.kind() && null == customer(reported.program(), reported.customerId()))
        {
            pendingCustomers.put(new CustomerKey(reported.program(), reported.customerId()),
                new CustomerRecord(reported.timeMs(), attribution.credits()));
        }
    }

    private void onReversal(final ConversionKey key, final ConversionEventFlyweight reversal)
    {
        final int program = key.programNumber();
        final String originalId = reversal.originalExternalId();
        final long amount = reversal.amountMinor();
        final long timeMs = reversal.timestampMs();
        final boolean cumulative = reversal.hasFlag(ConversionEventFlyweight.FLAG_CUMULATIVE_REVERSAL);
        final ConversionKind kind = ConversionKind.fromEvent(reversal.kind());
        pendingConversions.put(key, ConversionRecord.reversal(key.externalId(), kind, timeMs, amount,
            reversal.currency(), originalId, Reported.sourceName(reversal.source())));
        pendingProgramIndex.add(new ProgramIndexEntry(program, timeMs, key.externalId()));

        final ConversionKey originalKey = new ConversionKey(program, originalId);
        final StoredConversion found = conversion(originalKey);
        final StoredConversion original = found instanceof StoredConversion.Alias alias ?
            conversion(new ConversionKey(program, alias.primaryId())) : found;
        final StoredConversion.WaitingReversal waiting =
            new StoredConversion.WaitingReversal(key.externalId(), amount, timeMs, cumulative);
        if (null == original)
        {
            pendingConversions.put(originalKey, new StoredConversion.AwaitingSale(originalId, timeMs,
                reversal.currency(), List.of(waiting)));
            return;
        }
        if (original instanceof StoredConversion.AwaitingSale awaiting)
        {
            pendingConversions.put(originalKey, awaiting.with(waiting));
            return;
        }
        if (!(original instanceof ConversionRecord record) ||
            (null != record.currency() && !record.currency().equals(reversal.currency())))
        {
            return; // a reversal in another currency than its conversion's is kept, never applied as if it were
        }
        reverse(program, record, amount, cumulative, timeMs, kind.wireName());
    }

    /**
     * Take back everything a conversion still credits and counts, on the days it was credited.
     */
    private void withdraw(final int program, final ConversionRecord record)
    {
        final ProgramIndexEntry indexed = new ProgramIndexEntry(program, record.timeMs(), record.externalId());
        if (!pendingProgramIndex.remove(indexed))
        {
            pendingProgramIndexDeletes.add(indexed);
        }
        for (final ConversionRecord.Credit credit : record.credits())
        {
            final PartnerIndexEntry index =
                new PartnerIndexEntry(credit.partnerNumber(), record.timeMs(), program, record.externalId());
            if (!pendingPartnerIndex.remove(index))
            {
                pendingPartnerIndexDeletes.add(index);
            }
            final long remaining = record.remaining(credit);
            if (0 != remaining)
            {
                counters.add(credit.partnerNumber(), record.timeMs(), CounterField.REVENUE, -remaining);
            }
        }
        final CounterField countField = record.kind().countField();
        if (null != countField && null != record.countedPartners())
        {
            for (final int partnerNumber : record.countedPartners())
            {
                counters.add(partnerNumber, record.timeMs(), countField, -1);
            }
        }
    }

    private ConversionRecord reverse(final int program, final ConversionRecord original, final long amount,
        final boolean cumulative, final long timeMs, final String reason)
    {
        // Running totals and increments are kept apart: a cumulative refund total must not absorb a chargeback.
        final long newCumulative = cumulative ? Math.max(original.cumulativeReversed(), amount) :
            original.cumulativeReversed();
        // Saturated: only min(amount, cumulative + additive) is ever used, and 9.2 million refunds of the bound on one
        // sale (each its own id) passed a long and stopped the aggregator at that event.
        final long newAdditive = Money.addSaturated(original.additiveReversed(), cumulative ? 0 : Math.max(0, amount));
        final ConversionRecord updated = original.withReversal(newCumulative, newAdditive);
        final long newReversed = updated.reversedAmount();
        for (final ConversionRecord.Credit credit : original.credits())
        {
            // Cumulative rounding: what is reversed in total is always round(credit * reversed / amount), so a full
            // refund reverses the credit exactly and partial refunds never drift past it.
            final long before = original.reversedShare(credit, original.reversedAmount());
            final long after = original.reversedShare(credit, newReversed);
            if (after != before)
            {
                counters.add(credit.partnerNumber(), timeMs, CounterField.REVENUE, -(after - before));
                counters.add(credit.partnerNumber(), timeMs, CounterField.REFUNDED, after - before);
            }
        }
        pendingConversions.put(new ConversionKey(program, original.externalId()), updated);
        if (updated.reversedAmount() != original.reversedAmount())
        {
            listener.reversed(program, updated, timeMs, reason);
        }
        return updated;
    }

    /**
     * @param program    catalog number of the program.
     * @param externalId idempotency key.
     * @return what is stored under the id including uncommitted changes, or null.
     */
    public StoredConversion conversion(final int program, final String externalId)
    {
        return conversion(new ConversionKey(program, externalId));
    }

    private StoredConversion conversion(final ConversionKey key)
    {
        final StoredConversion pending = pendingConversions.get(key);
        if (null != pending)
        {
            return pending;
        }
        return conversionTable.find(key.programNumber(), key.externalId());
    }

    private CustomerRecord customer(final int program, final String customerId)
    {
        final CustomerRecord pending = pendingCustomers.get(new CustomerKey(program, customerId));
        if (null != pending)
        {
            return pending;
        }
        return customerTable.find(program, customerId, CustomerRecord.class);
    }

    /**
     * Add everything applied since the last flush to the commit batch.
     *
     * @param batch the batch being built.
     */
    public void flush(final WriteBatch batch)
    {
        for (final Map.Entry<ConversionKey, StoredConversion> entry : pendingConversions.entrySet())
        {
            conversionTable.put(batch, entry.getKey().programNumber(), entry.getKey().externalId(), entry.getValue());
        }
        for (final Map.Entry<CustomerKey, CustomerRecord> entry : pendingCustomers.entrySet())
        {
            customerTable.put(batch, entry.getKey().programNumber(), entry.getKey().customerId(), entry.getValue());
        }
        for (final PartnerIndexEntry index : pendingPartnerIndexDeletes)
        {
            conversionTable.deletePartnerIndex(
                batch, index.partnerNumber(), index.timeMs(), index.programNumber(), index.externalId());
        }
        for (final PartnerIndexEntry index : pendingPartnerIndex)
        {
            conversionTable.putPartnerIndex(
                batch, index.partnerNumber(), index.timeMs(), index.programNumber(), index.externalId());
        }
        for (final ProgramIndexEntry index : pendingProgramIndexDeletes)
        {
            programIndex.delete(batch, index.programNumber(), index.timeMs(), index.externalId());
        }
        for (final ProgramIndexEntry index : pendingProgramIndex)
        {
            programIndex.put(batch, index.programNumber(), index.timeMs(), index.externalId());
        }
        pendingConversions.clear();
        pendingCustomers.clear();
        pendingPartnerIndex.clear();
        pendingPartnerIndexDeletes.clear();
        pendingProgramIndex.clear();
        pendingProgramIndexDeletes.clear();
    }

    /**
     * @return conversions ignored because their (program, external id) was already applied, since start.
     */
    public long duplicates()
    {
        return duplicates;
    }
}
