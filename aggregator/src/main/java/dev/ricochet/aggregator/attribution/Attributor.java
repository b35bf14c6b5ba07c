package dev.ricochet.aggregator.attribution;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.PartnerStatus;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.IdCodec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides who a lead, sale or recurring payment credits, by the keys in order of trust (click id, visitor id, coupon,
 * referred customer), and splits it by the program's {@link AttributionModel}; reads clicks and touches, changes
 * nothing. Only partners whose status, when the conversion is applied, is credited ({@link PartnerStatus#isCredited()}:
 * active or suspended) take part: the touches of a pending, paused or rejected partner are left off the path, its
 * coupon and its referred customers attribute nothing to it.
 */
final class Attributor
{
    private static final long DAY_MS = 86_400_000L;
    private static final int MAX_PATH = 50;

    /**
     * Finds a referred customer, uncommitted ones included.
     */
    @FunctionalInterface
    interface Customers
    {
        CustomerRecord find(int program, String customerId);
    }

    private final ClickTable clickTable;
    private final TouchTable touchTable;
    private final Catalog catalog;
    private final PendingClicks pendingClicks;
    private final Customers customers;

    Attributor(final StateStore store, final Catalog catalog, final PendingClicks pendingClicks,
        final Customers customers)
    {
        this.clickTable = new ClickTable(store);
        this.touchTable = new TouchTable(store);
        this.catalog = catalog;
        this.pendingClicks = pendingClicks;
        this.customers = customers;
    }

    Attribution attribute(final Reported reported, final ConversionEventFlyweight event)
    {
        final CatalogEntry<ProgramSpec> programEntry = catalog.programByNumber(reported.program());
        if (null == programEntry)
        {
            return Attribution.none("unknown program");
        }
        if (!programEntry.spec().currency().equals(reported.currency()))
        {
            // Never relabel money: the edge refuses another currency, but the program's may have changed (before it
            // had money) while this event was on its way.
            return Attribution.none(
                "currency " + reported.currency() + " is not the program's " + programEntry.spec().currency());
        }
        final ProgramSpec.Attribution settings = programEntry.spec().attribution();
        final long windowMs = (null == settings || null == settings.windowDays() ? 30 : settings.windowDays()) *
            DAY_MS;
        final long timeMs = reported.timeMs();

        String reason = null;
        String attributedBy = null;
        List<Touch> path = List.of();
        if (null != reported.clickId())
        {
            ClickTable.StoredClick click = pendingClicks.find(event.clickIdHi(), event.clickIdLo());
            if (null == click)
            {
                click = clickTable.find(event.clickIdHi(), event.clickIdLo());
            }
            reason = refusal(click, reported.program(), timeMs, windowMs);
            if (null == reason)
            {
                // The checkout came through this click: the path is the visitor's touches up to it.
                path = touchPath(click.visitorHi(), click.visitorLo(), reported.program(), timeMs - windowMs,
                    click.timeMs(), new Touch(reported.clickId(), click.timeMs(), click.partnerNumber()));
                reason = path.isEmpty() ? notCredited(click.partnerNumber()) : null;
                attributedBy = "click_id";
            }
        }
        if (path.isEmpty() && event.hasFlag(ConversionEventFlyweight.FLAG_HAS_VISITOR_ID))
        {
            path = touchPath(event.visitorIdHi(), event.visitorIdLo(), reported.program(), timeMs - windowMs, timeMs,
                null);
            if (!path.isEmpty())
            {
                attributedBy = "visitor_id";
                reason = null;
            }
        }
        final int couponPartner = null == reported.coupon() ? 0 :
            catalog.couponPartner(reported.program(), reported.coupon());
        final Attribution attribution;
        if (!path.isEmpty())
        {
            attribution = byPath(reported, path, attributedBy, settings);
        }
        else if (0 != couponPartner && isCredited(couponPartner))
        {
            attribution = new Attribution("coupon", null,
                List.of(new ConversionRecord.Credit(couponPartner, reported.amount(), null, 0)),
                List.of(new ConversionRecord.Credit(couponPartner, 1, null, 0)), null);
        }
        else if (null != reported.customerId())
        {
            attribution = byCustomer(reported, programEntry.spec(), reason);
        }
        else
        {
            attribution = Attribution.none(null == reason && 0 != couponPartner ? notCredited(couponPartner) : reason);
        }
        if (attribution.credits().isEmpty() && null == attribution.unattributedReason())
        {
            return Attribution.none("no click id, visitor, coupon or referred customer");
        }
        return attribution;
    }

    /**
     * The path split by the program's model: one credit per touch kept as the path, one per partner credited.
     */
    private static Attribution byPath(final Reported reported, final List<Touch> path, final String attributedBy,
        final ProgramSpec.Attribution settings)
    {
        final String model = null == settings ? null : settings.model();
        final long halfLifeMs = (null == settings || null == settings.halfLifeDays() ? 7 :
            settings.halfLifeDays()) * DAY_MS;
        final long[] weights = AttributionModel.weights(model, path, reported.timeMs(), halfLifeMs);
        final List<ConversionRecord.Credit> touchCredits = AttributionModel.split(path, reported.amount(), weights);
        return new Attribution(attributedBy, null, AttributionModel.byPartner(touchCredits),
            AttributionModel.byPartner(AttributionModel.credits(path, weights)), touchCredits);
    }

    private static String refusal(final ClickTable.StoredClick click, final int program, final long timeMs,
        final long windowMs)
    {
        if (null == click)
        {
            return "unknown click id";
        }
        if (click.isBot())
        {
            return "click was classified as a bot's"; // a bot's click never earns a partner credit
        }
        if (click.programNumber() != program)
        {
            return "click belongs to another program";
        }
        if (timeMs - click.timeMs() > windowMs)
        {
            return "click outside the attribution window";
        }
        if (click.timeMs() - timeMs > AttributionEngine.CLICK_SKEW_MS)
        {
            // The window applies both ways: a checkout cannot carry a click made after it.
            return "click after the conversion";
        }
        return null;
    }

    /**
     * A recurring payment of a referred customer within the program's recurringMonths, split like its first sale.
     */
    private Attribution byCustomer(final Reported reported, final ProgramSpec program, final String clickReason)
    {
        final long timeMs = reported.timeMs();
        final CustomerRecord customer = customers.find(reported.program(), reported.customerId());
        final Integer months = program.recurringMonths();
        if (null != customer &&
            timeMs - customer.firstSaleMs() <= (null == months ? 12 : months) * 31L * DAY_MS &&
            customer.firstSaleMs() - timeMs <= AttributionEngine.CLICK_SKEW_MS)
        {
            final List<ConversionRecord.Credit> shares = new ArrayList<>();
            for (final ConversionRecord.Credit share : customer.shares())
            {
                if (isCredited(share.partnerNumber()))
                {
                    shares.add(share);
                }
            }
            if (shares.isEmpty())
            {
                return Attribution.none(notCredited(customer.shares().get(0).partnerNumber()));
            }
            return new Attribution("customer_id", null,
                AttributionModel.byPartner(AttributionModel.resplit(reported.amount(), shares)),
                AttributionModel.byPartner(shares), null);
        }
        if (null != clickReason)
        {
            return Attribution.none(clickReason);
        }
        return Attribution.none(null == customer ? "customer was not referred" :
            customer.firstSaleMs() - timeMs > AttributionEngine.CLICK_SKEW_MS ?
                "payment before the customer's first sale" : "customer's recurring period has ended");
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
        path.removeIf(touch -> !isCredited(touch.partnerNumber()));
        path.sort(Comparator.comparingLong(Touch::timeMs).thenComparing(Touch::clickId));
        return path.size() > MAX_PATH ? new ArrayList<>(path.subList(path.size() - MAX_PATH, path.size())) : path;
    }

    /**
     * @param partnerNumber a partner.
     * @return false if the partner's status, now (at the conversion's place in the journal), is not credited.
     */
    private boolean isCredited(final int partnerNumber)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(partnerNumber);
        return null == partner || PartnerStatus.of(partner.spec()).isCredited();
    }

    private String notCredited(final int partnerNumber)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(partnerNumber);
        return null == partner ? "partner is unknown" : "partner '" + partner.id() + "' is " +
            PartnerStatus.of(partner.spec()).wireName() + ": it earns no credit";
    }
}
