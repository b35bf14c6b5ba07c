package dev.ricochet.aggregator.attribution;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.commission.CommissionRules;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.IdCodec;
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
 * refund reverses exactly what was credited and no sequence of refunds reverses more. The rules: docs/money.md. A refund that arrives before
 * its sale waits in the sale's record and is applied when the sale arrives.
 *
 * <p>Writes are held in memory until {@link #flush(WriteBatch)} adds them to the commit batch, so lookups see this
 * batch's own conversions.
 */
public final class AttributionEngine
{
    private static final long DAY_MS = 86_400_000L;

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

    /**
     * A referred customer: when they first bought, and how that sale was credited (the split recurring revenue
     * follows).
     */
    private record CustomerRecord(long firstSaleMs, List<ConversionRecord.Credit> shares)
    {
    }

    private record PartnerIndexEntry(int partnerNumber, long timeMs, int programNumber, String externalId)
    {
    }

    private final ClickTable clickTable;
    private final TouchTable touchTable;
    private final ConversionTable conversionTable;
    private final CustomerTable customerTable;
    private final Catalog catalog;
    private final PendingClicks pendingClicks;
    private final CounterSink counters;
    private final CreditListener listener;
    private final Map<String, ConversionRecord> pendingConversions = new HashMap<>();
    private final Map<String, CustomerRecord> pendingCustomers = new HashMap<>();
    private final List<PartnerIndexEntry> pendingPartnerIndex = new ArrayList<>();
    private final List<PartnerIndexEntry> pendingPartnerIndexDeletes = new ArrayList<>();
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
        this.clickTable = new ClickTable(store);
        this.touchTable = new TouchTable(store);
        this.conversionTable = new ConversionTable(store);
        this.customerTable = new CustomerTable(store);
        this.catalog = catalog;
        this.pendingClicks = pendingClicks;
        this.counters = counters;
        this.listener = listener;
    }

    /**
     * Apply one conversion event.
     *
     * @param conversion the decoded event.
     */
    public void onConversion(final ConversionEventFlyweight conversion)
    {
        final int program = conversion.programNumber();
        final String externalId = conversion.externalId();
        final ConversionRecord existing = conversion(program, externalId);
        final byte kind = conversion.kind();
        final boolean isPixel = ConversionEventFlyweight.SOURCE_PIXEL == conversion.source();
        if (null != existing && !"awaiting_sale".equals(existing.kind()))
        {
            if (isPixel || !"pixel".equals(existing.source()))
            {
                duplicates++;
                return;
            }
            // A verified report of an order the browser reported first replaces the browser's version.
            withdraw(program, existing);
            listener.withdrawn(program, existing, conversion.timestampMs());
        }
        if (ConversionEventFlyweight.KIND_REFUND == kind || ConversionEventFlyweight.KIND_CHARGEBACK == kind)
        {
            onReversal(program, conversion);
            return;
        }
        // For a lead, sale or recurring payment the second id is an alias: the same payment under another id
        // (Stripe's invoice and payment intent). Either id finds it; reported under either, it counts once.
        final String aliasId = emptyToNull(conversion.originalExternalId());
        final ConversionRecord atAlias = null == aliasId ? null : conversion(program, aliasId);
        if (null != atAlias && !"awaiting_sale".equals(atAlias.kind()) &&
            !(null != existing && "pixel".equals(existing.source())))
        {
            if (null == existing)
            {
                pendingConversions.put(key(program, externalId), alias(externalId, primaryId(atAlias),
                    conversion.timestampMs()));
            }
            duplicates++;
            return;
        }

        final CatalogEntry<ProgramSpec> programEntry = catalog.programByNumber(program);
        final String clickId = conversion.hasFlag(ConversionEventFlyweight.FLAG_HAS_CLICK_ID) ?
            IdCodec.toString(conversion.clickIdHi(), conversion.clickIdLo()) : null;
        final String customerId = emptyToNull(conversion.customerId());
        final String coupon = emptyToNull(conversion.coupon());
        final long timeMs = conversion.timestampMs();
        final long amount = conversion.amountMinor();

        List<ConversionRecord.Credit> credits = List.of();
        List<ConversionRecord.Credit> touchCredits = null;
        // Who counts the conversion, and the weights a flat lead commission is split by: the partners with a positive
        // weight in the model, whatever the amount (a share that rounds to 0 still counts the sale).
        List<ConversionRecord.Credit> countedShares = List.of();
        String attributedBy = null;
        String reason = null;
        if (null == programEntry)
        {
            reason = "unknown program";
        }
        else if (!programEntry.spec().currency().equals(conversion.currency()))
        {
            // Never relabel money: the edge refuses another currency, but the program's may have changed (before it
            // had money) while this event was on its way.
            reason = "currency " + conversion.currency() + " is not the program's " + programEntry.spec().currency();
        }
        else
        {
            final ProgramSpec.Attribution settings = programEntry.spec().attribution();
            final String model = null == settings ? null : settings.model();
            final long windowMs = (null == settings || null == settings.windowDays() ? 30 : settings.windowDays()) *
                DAY_MS;
            final long halfLifeMs = (null == settings || null == settings.halfLifeDays() ? 7 :
                settings.halfLifeDays()) * DAY_MS;

            List<Touch> path = List.of();
            if (null != clickId)
            {
                ClickTable.StoredClick click = pendingClicks.find(conversion.clickIdHi(), conversion.clickIdLo());
                if (null == click)
                {
                    click = clickTable.find(conversion.clickIdHi(), conversion.clickIdLo());
                }
                if (null == click)
                {
                    reason = "unknown click id";
                }
                else if (click.isBot())
                {
                    reason = "click was classified as a bot's"; // a bot's click never earns a partner credit
                }
                else if (click.programNumber() != program)
                {
                    reason = "click belongs to another program";
                }
                else if (timeMs - click.timeMs() > windowMs)
                {
                    reason = "click outside the attribution window";
                }
                else if (click.timeMs() - timeMs > CLICK_SKEW_MS)
                {
                    // The window applies both ways: a checkout cannot carry a click made after it.
                    reason = "click after the conversion";
                }
                else
                {
                    // The checkout came through this click: the path is the visitor's touches up to it.
                    path = touchPath(click.visitorHi(), click.visitorLo(), program, timeMs - windowMs,
                        click.timeMs(), new Touch(clickId, click.timeMs(), click.partnerNumber()));
                    attributedBy = "click_id";
                }
            }
            if (path.isEmpty() && conversion.hasFlag(ConversionEventFlyweight.FLAG_HAS_VISITOR_ID))
            {
                path = touchPath(conversion.visitorIdHi(), conversion.visitorIdLo(), program, timeMs - windowMs,
                    timeMs, null);
                if (!path.isEmpty())
                {
                    attributedBy = "visitor_id";
                    reason = null;
                }
            }
            if (!path.isEmpty())
            {
                final long[] weights = AttributionModel.weights(model, path, timeMs, halfLifeMs);
                touchCredits = AttributionModel.credits(path, Money.split(amount, weights));
                credits = AttributionModel.byPartner(touchCredits);
                countedShares = AttributionModel.byPartner(AttributionModel.credits(path, weights));
            }
            else if (null != coupon && 0 != catalog.couponPartner(program, coupon))
            {
                credits = List.of(new ConversionRecord.Credit(catalog.couponPartner(program, coupon), amount, null, 0));
                countedShares = List.of(new ConversionRecord.Credit(credits.get(0).partnerNumber(), 1, null, 0));
                attributedBy = "coupon";
                reason = null;
            }
            else if (null != customerId)
            {
                final CustomerRecord customer = customer(program, customerId);
                final Integer months = programEntry.spec().recurringMonths();
                if (null != customer &&
                    timeMs - customer.firstSaleMs() <= (null == months ? 12 : months) * 31L * DAY_MS &&
                    customer.firstSaleMs() - timeMs <= CLICK_SKEW_MS)
                {
                    credits = AttributionModel.byPartner(split(amount, customer.shares()));
                    countedShares = AttributionModel.byPartner(customer.shares());
                    attributedBy = "customer_id";
                    reason = null;
                }
                else if (null == reason)
                {
                    reason = null == customer ? "customer was not referred" :
                        customer.firstSaleMs() - timeMs > CLICK_SKEW_MS ? "payment before the customer's first sale" :
                        "customer's recurring period has ended";
                }
            }
        }
        if (credits.isEmpty() && null == reason)
        {
            reason = "no click id, visitor, coupon or referred customer";
        }

        final CounterField countField = ConversionEventFlyweight.KIND_LEAD == kind ? CounterField.LEADS :
            ConversionEventFlyweight.KIND_SALE == kind ? CounterField.SALES : null;
        for (final ConversionRecord.Credit credit : credits)
        {
            counters.add(credit.partnerNumber(), timeMs, CounterField.REVENUE, credit.revenue());
            // Every partner on the path is listed once, even with a zero share (first/last click).
            pendingPartnerIndex.add(new PartnerIndexEntry(credit.partnerNumber(), timeMs, program, externalId));
        }
        final List<Integer> counted = new ArrayList<>();
        if (null != countField)
        {
            for (final ConversionRecord.Credit share : countedShares)
            {
                if (share.revenue() > 0)
                {
                    counted.add(share.partnerNumber());
                    counters.add(share.partnerNumber(), timeMs, countField, 1);
                }
            }
        }
        if (!credits.isEmpty() && null != customerId && ConversionEventFlyweight.KIND_SALE == kind &&
            null == customer(program, customerId))
        {
            pendingCustomers.put(key(program, customerId), new CustomerRecord(timeMs, credits));
        }

        ConversionRecord record = new ConversionRecord(externalId, kindName(kind), timeMs, amount,
            conversion.currency(), clickId, customerId, coupon, null, attributedBy, reason, credits, 0, List.of(), 0, 0,
            sourceName(conversion.source()), counted, touchCredits);
        pendingConversions.put(key(program, externalId), record);
        if (null != aliasId)
        {
            pendingConversions.put(key(program, aliasId), alias(aliasId, externalId, timeMs));
        }
        if (!countedShares.isEmpty() || !credits.isEmpty())
        {
            listener.credited(program, record, ConversionEventFlyweight.KIND_LEAD == kind ? countedShares : credits);
        }
        for (final ConversionRecord waitingAt : new ConversionRecord[]{ existing, atAlias })
        {
            if (null != waitingAt && "awaiting_sale".equals(waitingAt.kind()) &&
                (null == waitingAt.currency() || waitingAt.currency().equals(record.currency())))
            {
                // Like a refund after its sale: one in another currency is kept, never applied as if it were this one
                // (a refund waited in USD, the program moved to EUR, and the EUR sale was reversed by its number).
                for (final ConversionRecord.WaitingReversal waiting : waitingAt.waitingReversals())
                {
                    record = reverse(program, record, waiting.amount(), waiting.cumulative(), waiting.timeMs(),
                        "refund");
                }
            }
        }
    }

    private static ConversionRecord alias(final String aliasId, final String primaryId, final long timeMs)
    {
        return new ConversionRecord(aliasId, "alias", timeMs, 0, null, null, null, null, primaryId, null, null,
            List.of(), 0, List.of(), 0, 0, null, List.of(), null);
    }

    private static String primaryId(final ConversionRecord record)
    {
        return "alias".equals(record.kind()) ? record.originalExternalId() : record.externalId();
    }

    private void onReversal(final int program, final ConversionEventFlyweight reversal)
    {
        final String originalId = reversal.originalExternalId();
        final long amount = reversal.amountMinor();
        final long timeMs = reversal.timestampMs();
        final boolean cumulative = reversal.hasFlag(ConversionEventFlyweight.FLAG_CUMULATIVE_REVERSAL);
        pendingConversions.put(key(program, reversal.externalId()), new ConversionRecord(reversal.externalId(),
            kindName(reversal.kind()), timeMs, amount, reversal.currency(), null, null, null, originalId, null, null,
            List.of(), 0, List.of(), 0, 0, sourceName(reversal.source()), List.of(), null));

        final ConversionRecord found = conversion(program, originalId);
        final ConversionRecord original = null != found && "alias".equals(found.kind()) ?
            conversion(program, found.originalExternalId()) : found;
        if (null == original || "awaiting_sale".equals(original.kind()))
        {
            final List<ConversionRecord.WaitingReversal> waiting = new ArrayList<>(
                null == original ? List.of() : original.waitingReversals());
            waiting.add(new ConversionRecord.WaitingReversal(reversal.externalId(), amount, timeMs, cumulative));
            final ConversionRecord placeholder = null == original ?
                new ConversionRecord(originalId, "awaiting_sale", timeMs, 0, reversal.currency(), null, null, null,
                null, null, "refund arrived before its conversion", List.of(), 0, List.of(), 0, 0, null, List.of(), null) :
                original;
            pendingConversions.put(key(program, originalId), placeholder.withWaitingReversals(waiting));
            return;
        }
        if (null != original.currency() && !original.currency().equals(reversal.currency()))
        {
            return; // a reversal in another currency than its conversion's is kept, never applied as if it were
        }
        reverse(program, original, amount, cumulative, timeMs,
            ConversionEventFlyweight.KIND_CHARGEBACK == reversal.kind() ? "chargeback" : "refund");
    }

    /**
     * Take back everything a conversion still credits and counts, on the days it was credited.
     */
    private void withdraw(final int program, final ConversionRecord record)
    {
        for (final ConversionRecord.Credit credit : record.credits())
        {
            final PartnerIndexEntry index =
                new PartnerIndexEntry(credit.partnerNumber(), record.timeMs(), program, record.externalId());
            if (!pendingPartnerIndex.remove(index))
            {
                pendingPartnerIndexDeletes.add(index);
            }
            final long remaining = credit.revenue() -
                CommissionRules.share(credit.revenue(), record.reversedAmount(), record.amount());
            if (0 != remaining)
            {
                counters.add(credit.partnerNumber(), record.timeMs(), CounterField.REVENUE, -remaining);
            }
        }
        final CounterField countField = "lead".equals(record.kind()) ? CounterField.LEADS :
            "sale".equals(record.kind()) ? CounterField.SALES : null;
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
            final long before = CommissionRules.share(credit.revenue(), original.reversedAmount(), original.amount());
            final long after = CommissionRules.share(credit.revenue(), newReversed, original.amount());
            if (after != before)
            {
                counters.add(credit.partnerNumber(), timeMs, CounterField.REVENUE, -(after - before));
                counters.add(credit.partnerNumber(), timeMs, CounterField.REFUNDED, after - before);
            }
        }
        pendingConversions.put(key(program, original.externalId()), updated);
        if (updated.reversedAmount() != original.reversedAmount())
        {
            listener.reversed(program, updated, timeMs, reason);
        }
        return updated;
    }

    /**
     * The visitor's touches in the program between fromMs and toMs, oldest first, at most the last 50; the given
     * touch is always part of it.
     */
    private List<Touch> touchPath(final long visitorHi, final long visitorLo, final int program, final long fromMs,
        final long toMs, final Touch mustInclude)
    {
        final List<Touch> path = new ArrayList<>();
        final TouchTable.TouchConsumer inWindow = (timeMs, clickHi, clickLo, partner, touchProgram) ->
        {
            if (touchProgram == program && timeMs >= fromMs && timeMs <= toMs)
            {
                path.add(new Touch(IdCodec.toString(clickHi, clickLo), timeMs, partner));
            }
        };
        touchTable.forEach(visitorHi, visitorLo, fromMs, toMs, inWindow);
        pendingClicks.forEachTouch(visitorHi, visitorLo, inWindow);
        if (null != mustInclude && path.stream().noneMatch(t -> t.clickId().equals(mustInclude.clickId())))
        {
            path.add(mustInclude);
        }
        path.sort(java.util.Comparator.comparingLong(Touch::timeMs).thenComparing(Touch::clickId));
        return path.size() > 50 ? new ArrayList<>(path.subList(path.size() - 50, path.size())) : path;
    }

    private static List<ConversionRecord.Credit> split(final long amount, final List<ConversionRecord.Credit> shares)
    {
        // The recurring payment is split in the proportions of the first sale's credits, by the one money split.
        final long[] weights = new long[shares.size()];
        for (int i = 0; i < weights.length; i++)
        {
            weights[i] = shares.get(i).revenue();
        }
        final long[] parts = Money.split(amount, weights);
        final List<ConversionRecord.Credit> credits = new ArrayList<>();
        for (int i = 0; i < parts.length; i++)
        {
            credits.add(new ConversionRecord.Credit(shares.get(i).partnerNumber(), parts[i], null, 0));
        }
        return credits;
    }

    /**
     * @param program    catalog number of the program.
     * @param externalId idempotency key.
     * @return the record including uncommitted changes, or null.
     */
    public ConversionRecord conversion(final int program, final String externalId)
    {
        final ConversionRecord pending = pendingConversions.get(key(program, externalId));
        if (null != pending)
        {
            return pending;
        }
        return conversionTable.find(program, externalId);
    }

    private CustomerRecord customer(final int program, final String customerId)
    {
        final CustomerRecord pending = pendingCustomers.get(key(program, customerId));
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
        for (final Map.Entry<String, ConversionRecord> entry : pendingConversions.entrySet())
        {
            final int split = entry.getKey().indexOf('\u0000');
            conversionTable.put(batch, Integer.parseInt(entry.getKey().substring(0, split)),
                entry.getKey().substring(split + 1), entry.getValue());
        }
        for (final Map.Entry<String, CustomerRecord> entry : pendingCustomers.entrySet())
        {
            final int split = entry.getKey().indexOf('\u0000');
            customerTable.put(batch, Integer.parseInt(entry.getKey().substring(0, split)),
                entry.getKey().substring(split + 1), entry.getValue());
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
        pendingConversions.clear();
        pendingCustomers.clear();
        pendingPartnerIndex.clear();
        pendingPartnerIndexDeletes.clear();
    }

    /**
     * @return conversions ignored because their (program, external id) was already applied, since start.
     */
    public long duplicates()
    {
        return duplicates;
    }

    static String sourceName(final byte source)
    {
        switch (source)
        {
            case ConversionEventFlyweight.SOURCE_API:
                return "api";
            case ConversionEventFlyweight.SOURCE_POSTBACK:
                return "postback";
            case ConversionEventFlyweight.SOURCE_STRIPE:
                return "stripe";
            case ConversionEventFlyweight.SOURCE_SHOPIFY:
                return "shopify";
            case ConversionEventFlyweight.SOURCE_PIXEL:
                return "pixel";
            default:
                return "unknown";
        }
    }

    static String kindName(final byte kind)
    {
        switch (kind)
        {
            case ConversionEventFlyweight.KIND_LEAD:
                return "lead";
            case ConversionEventFlyweight.KIND_SALE:
                return "sale";
            case ConversionEventFlyweight.KIND_RECURRING:
                return "recurring";
            case ConversionEventFlyweight.KIND_REFUND:
                return "refund";
            case ConversionEventFlyweight.KIND_CHARGEBACK:
                return "chargeback";
            default:
                throw new IllegalStateException("unknown conversion kind " + kind);
        }
    }

    private static String key(final int program, final String id)
    {
        return program + "\u0000" + id;
    }

    private static String emptyToNull(final String value)
    {
        return null == value || value.isEmpty() ? null : value;
    }

}
