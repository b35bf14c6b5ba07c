package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.attribution.ConversionKind;
import dev.ricochet.aggregator.attribution.ConversionRecord;
import dev.ricochet.aggregator.attribution.ConversionTable;
import dev.ricochet.aggregator.attribution.ProgramConversionIndex;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.ledger.Commission;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.store.StateStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /v1/programs/{programId}/conversions} (part 8 item 1, lists): a program's conversions from its time
 * index ({@link ProgramConversionIndex}), or one partner's from the partner's index, filtered by kind, source, the
 * commission's state and a date range, newest first by default.
 *
 * <p>Bounded work: a request examines at most {@link #MAX_EXAMINED} index rows. Filters that skip many rows may end
 * a page with fewer items than the limit, even none, and a {@code next} cursor to go on from the last row examined;
 * {@code next} is null only once no row is left. Each row costs one read of the conversion, and with a state filter
 * (or to show them) one read per credited partner's commission.
 */
final class ConversionList
{
    /**
     * Most index rows one request examines.
     */
    static final int MAX_EXAMINED = 5_000;

    private static final long DAY_MS = 86_400_000L;

    private final Catalog catalog;
    private final ConversionTable conversions;
    private final ProgramConversionIndex index;
    private final StoredRecords records;

    /**
     * The intakes a conversion is stored with, as shown and filtered.
     */
    enum Source
    {
        API, POSTBACK, STRIPE, SHOPIFY, PIXEL;

        String wireName()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A request's filters, validated.
     *
     * @param partner     the partner whose conversions only, or null.
     * @param kind        the kind only, or null.
     * @param source      the intake only, or null.
     * @param state       the commission state only (any credited partner's, or the filtered partner's), or null.
     * @param fromMs      earliest time, inclusive.
     * @param toMs        latest time, exclusive.
     * @param newestFirst the order.
     */
    record Filter(CatalogEntry<PartnerSpec> partner, ConversionKind kind, Source source, String state, long fromMs,
        long toMs, boolean newestFirst)
    {
    }

    /**
     * @param catalog catalog in memory.
     * @param store   committed state.
     * @param records committed commissions.
     */
    ConversionList(final Catalog catalog, final StateStore store, final StoredRecords records)
    {
        this.catalog = catalog;
        this.conversions = new ConversionTable(store);
        this.index = new ProgramConversionIndex(store);
        this.records = records;
    }

    /**
     * @param programId from the path.
     * @param query     the query parameters: partnerId, kind, source, state, from, to, order.
     * @param limit     most items.
     * @param cursor    the previous page's next, or null.
     * @return the page.
     */
    ApiResponse list(final String programId, final Map<String, String> query, final int limit, final String cursor)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.notFound("program", programId);
        }
        final Filter filter = filter(program, query);
        final ListCursor.ListName list = filter.newestFirst() ? ListCursor.ListName.CONVERSIONS_DESC :
            ListCursor.ListName.CONVERSIONS_ASC;
        final ListCursor.TimeAndId after = ListCursor.timeAndId(list, cursor);
        final List<Map<String, Object>> items = new ArrayList<>();
        final ProgramConversionIndex.Position[] last = new ProgramConversionIndex.Position[1];
        final int[] examined = new int[1];
        final boolean[] more = new boolean[1];
        final ProgramConversionIndex.PositionConsumer consumer = position ->
        {
            if (items.size() >= limit || examined[0] >= MAX_EXAMINED)
            {
                more[0] = true;
                return false;
            }
            examined[0]++;
            last[0] = position;
            final Map<String, Object> item = item(program, filter, position);
            if (null != item)
            {
                items.add(item);
            }
            return true;
        };
        final ProgramConversionIndex.Position from = null == after ? null :
            new ProgramConversionIndex.Position(after.timeMs(), after.id());
        if (null == filter.partner())
        {
            index.scan(program.number(), filter.fromMs(), filter.toMs(), filter.newestFirst(), from, consumer);
        }
        else
        {
            index.scanPartner(filter.partner().number(), program.number(), filter.fromMs(), filter.toMs(),
                filter.newestFirst(), from, consumer);
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("next", more[0] ? ListCursor.of(list, last[0].timeMs(), last[0].externalId()) : null);
        return ApiResponse.ok(body);
    }

    private Map<String, Object> item(final CatalogEntry<ProgramSpec> program, final Filter filter,
        final ProgramConversionIndex.Position position)
    {
        if (!(conversions.find(program.number(), position.externalId()) instanceof ConversionRecord record) ||
            (null != filter.kind() && filter.kind() != record.kind()) ||
            (null != filter.source() && !filter.source().wireName().equals(record.source())))
        {
            return null;
        }
        final List<Map<String, Object>> credits = new ArrayList<>();
        boolean isInState = null == filter.state();
        for (final ConversionRecord.Credit credit : record.credits())
        {
            final Commission commission = records.committedCommission(new CommissionKey(credit.partnerNumber(),
                record.timeMs(), program.number(), record.externalId()));
            final boolean isFiltered = null == filter.partner() || filter.partner().number() == credit.partnerNumber();
            if (isFiltered && null != commission && commission.state().equals(filter.state()))
            {
                isInState = true;
            }
            final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(credit.partnerNumber());
            final Map<String, Object> view = new LinkedHashMap<>();
            view.put("partnerId", null == partner ? null : partner.id());
            view.put("credit", credit.revenue());
            view.put("commission", null == commission ? null : commissionView(commission));
            credits.add(view);
        }
        if (!isInState)
        {
            return null;
        }
        final Map<String, Object> item = new LinkedHashMap<>();
        item.put("externalId", record.externalId());
        item.put("kind", record.kind());
        item.put("source", record.source());
        item.put("time", Instant.ofEpochMilli(record.timeMs()).toString());
        item.put("amount", record.amount());
        item.put("currency", record.currency());
        item.put("reversedAmount", record.reversedAmount());
        item.put("originalExternalId", record.originalExternalId());
        item.put("attributedBy", record.attributedBy());
        item.put("unattributedReason", record.unattributedReason());
        item.put("coupon", record.coupon());
        item.put("customerId", record.customerId());
        item.put("credits", credits);
        return item;
    }

    private static Map<String, Object> commissionView(final Commission commission)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("kind", commission.kind());
        view.put("state", commission.state());
        view.put("revenue", commission.revenue());
        view.put("amount", commission.net());
        view.put("flags", null == commission.flags() ? List.of() : commission.flags());
        return view;
    }

    private Filter filter(final CatalogEntry<ProgramSpec> program, final Map<String, String> query)
    {
        final String partnerId = query.get("partnerId");
        final CatalogEntry<PartnerSpec> partner = null == partnerId ? null : catalog.partner(partnerId);
        if (null != partnerId && (null == partner || !partner.spec().programId().equals(program.id())))
        {
            // The same answer for an unknown partner and another program's: no id of another program leaks.
            throw new InvalidSpecException("partnerId '" + ListsResource.shown(partnerId) +
                "' is not a partner of program '" + program.id() + "'");
        }
        final String order = query.getOrDefault("order", "desc");
        if (!"desc".equals(order) && !"asc".equals(order))
        {
            throw new InvalidSpecException("order '" + ListsResource.shown(order) +
                "' is invalid: expected desc or asc");
        }
        final long[] range = range(query.get("from"), query.get("to"));
        return new Filter(partner, kind(query.get("kind")), source(query.get("source")), state(query.get("state")),
            range[0], range[1], "desc".equals(order));
    }

    private static ConversionKind kind(final String value)
    {
        if (null == value)
        {
            return null;
        }
        for (final ConversionKind kind : ConversionKind.values())
        {
            if (kind.wireName().equals(value))
            {
                return kind;
            }
        }
        throw new InvalidSpecException("kind '" + ListsResource.shown(value) +
            "' is invalid: expected lead, sale, recurring, refund or chargeback");
    }

    private static Source source(final String value)
    {
        if (null == value)
        {
            return null;
        }
        for (final Source source : Source.values())
        {
            if (source.wireName().equals(value))
            {
                return source;
            }
        }
        throw new InvalidSpecException("source '" + ListsResource.shown(value) +
            "' is invalid: expected api, postback, stripe, shopify or pixel");
    }

    private static String state(final String value)
    {
        final List<String> states = List.of(Commission.PENDING, Commission.APPROVED, Commission.HELD,
            Commission.SCHEDULED, Commission.PAID, Commission.VOID);
        if (null == value || states.contains(value))
        {
            return value;
        }
        throw new InvalidSpecException("state '" + ListsResource.shown(value) +
            "' is invalid: expected pending, approved, held, scheduled, paid or void");
    }

    /**
     * @return from (inclusive) and to (exclusive) in epoch milliseconds: whole UTC days, unbounded where absent.
     */
    private static long[] range(final String from, final String to)
    {
        final long fromDay = null == from ? Long.MIN_VALUE : RequestDates.parseDate("from", from).toEpochDay();
        final long toDay = null == to ? Long.MAX_VALUE : RequestDates.parseDate("to", to).toEpochDay();
        if (null != from && null != to)
        {
            if (toDay < fromDay)
            {
                throw new InvalidSpecException("to '" + to + "' is before from '" + from + "'");
            }
            if (toDay - fromDay + 1 > RequestDates.MAX_REPORT_DAYS)
            {
                throw new InvalidSpecException("from..to spans more than " + RequestDates.MAX_REPORT_DAYS + " days");
            }
        }
        return new long[]{ null == from ? 0 : fromDay * DAY_MS, null == to ? Long.MAX_VALUE : (toDay + 1) * DAY_MS };
    }
}
