package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CodeIndex;
import dev.ricochet.aggregator.catalog.CouponSpec;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.payout.PayoutRun;
import dev.ricochet.aggregator.payout.PayoutRunTable;
import dev.ricochet.aggregator.store.StateStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;

/**
 * A program's lists (part 8 item 1): its links, coupons, conversions ({@link ConversionList}) and payout runs, each
 * a page of {@code {"items":[...],"next":cursor|null}} read from a maintained index, never a scan of events: links
 * and coupons from the catalog's {@link CodeIndex}es (by code), payout runs from the run table's period entries
 * (latest period first). See docs/lists.md.
 */
final class ListsResource
{
    /**
     * Longest text search accepted, in characters.
     */
    static final int MAX_QUERY_LENGTH = 100;

    /**
     * Most links a text search examines per request; a page may then be short, with a cursor to go on.
     */
    static final int MAX_EXAMINED = 5_000;

    private static final int SHOWN_LENGTH = 64;

    private final Catalog catalog;
    private final PayoutRunTable runs;
    private final ConversionList conversions;

    /**
     * @param catalog catalog in memory.
     * @param store   committed state.
     * @param records committed commissions.
     */
    ListsResource(final Catalog catalog, final StateStore store, final StoredRecords records)
    {
        this.catalog = catalog;
        this.runs = new PayoutRunTable(store);
        this.conversions = new ConversionList(catalog, store, records);
    }

    /**
     * {@code GET /v1/programs/{programId}/links}: the program's links by code, one partner's with {@code partnerId},
     * those whose code or destination holds {@code q} (case-insensitive) with it.
     *
     * @param call the request: programId, partnerId, q, limit, cursor.
     * @return the page.
     */
    ApiResponse links(final RouteCall call)
    {
        return links(call.id(), call.text("partnerId"), call.text("q"), (int)call.number("limit"),
            call.text("cursor"));
    }

    /**
     * {@code GET /v1/programs/{programId}/coupons}: the program's coupons by code, one partner's with
     * {@code partnerId}.
     *
     * @param call the request: programId, partnerId, limit, cursor.
     * @return the page.
     */
    ApiResponse coupons(final RouteCall call)
    {
        return coupons(call.id(), call.text("partnerId"), (int)call.number("limit"), call.text("cursor"));
    }

    /**
     * {@code GET /v1/programs/{programId}/conversions}: see {@link ConversionList}.
     *
     * @param call the request: programId, partnerId, kind, source, state, from, to, order, limit, cursor.
     * @return the page.
     */
    ApiResponse conversions(final RouteCall call)
    {
        final Map<String, String> filters = new HashMap<>();
        for (final String name : List.of("partnerId", "kind", "source", "state", "from", "to", "order"))
        {
            final String value = call.text(name);
            if (null != value)
            {
                filters.put(name, value);
            }
        }
        return conversions.list(call.id(), filters, (int)call.number("limit"), call.text("cursor"));
    }

    /**
     * {@code GET /v1/programs/{programId}/payout-runs}: the program's runs, latest period first, those in one
     * status with {@code status}; each without its lines ({@code GET /v1/payout-runs/{runId}} has them).
     *
     * @param call the request: programId, status, limit, cursor.
     * @return the page.
     */
    ApiResponse payoutRuns(final RouteCall call)
    {
        return payoutRuns(call.id(), call.text("status"), (int)call.number("limit"), call.text("cursor"));
    }

    private ApiResponse links(final String programId, final String partnerId, final String q, final int limit,
        final String cursor)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.notFound("program", programId);
        }
        if (null != q && (q.isEmpty() || q.length() > MAX_QUERY_LENGTH))
        {
            throw new InvalidSpecException("q must be 1 to " + MAX_QUERY_LENGTH + " characters");
        }
        final String needle = null == q ? null : q.toLowerCase(Locale.ROOT);
        final NavigableSet<String> codes = codes(catalog.linkCodes(), program, partnerId,
            ListCursor.text(ListCursor.ListName.LINKS, cursor));
        return page(ListCursor.ListName.LINKS, codes, limit, code ->
        {
            final CatalogEntry<LinkSpec> link = catalog.link(code);
            if (null == link || !isOf(program, link.spec().partnerId()) || (null != needle &&
                !code.toLowerCase(Locale.ROOT).contains(needle) &&
                !link.spec().destination().toLowerCase(Locale.ROOT).contains(needle)))
            {
                return null;
            }
            final Map<String, Object> view = new LinkedHashMap<>();
            view.put("code", code);
            view.put("partnerId", link.spec().partnerId());
            view.put("destination", link.spec().destination());
            return view;
        });
    }

    private ApiResponse coupons(final String programId, final String partnerId, final int limit,
        final String cursor)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.notFound("program", programId);
        }
        final NavigableSet<String> codes = codes(catalog.couponCodes(), program, partnerId,
            ListCursor.text(ListCursor.ListName.COUPONS, cursor));
        return page(ListCursor.ListName.COUPONS, codes, limit, code ->
        {
            final CatalogEntry<CouponSpec> coupon = catalog.coupon(code);
            if (null == coupon || !isOf(program, coupon.spec().partnerId()))
            {
                return null;
            }
            final Map<String, Object> view = new LinkedHashMap<>();
            view.put("code", coupon.id());
            view.put("partnerId", coupon.spec().partnerId());
            return view;
        });
    }

    private ApiResponse payoutRuns(final String programId, final String status, final int limit,
        final String cursor)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.notFound("program", programId);
        }
        if (null != status && !PayoutRun.PENDING_APPROVAL.equals(status) && !PayoutRun.PAID.equals(status))
        {
            throw new InvalidSpecException("status '" + shown(status) + "' is invalid: expected " +
                PayoutRun.PENDING_APPROVAL + " or " + PayoutRun.PAID);
        }
        final List<Map<String, Object>> items = new ArrayList<>();
        final String[] last = new String[1];
        final boolean[] more = new boolean[1];
        final int[] examined = new int[1];
        runs.forEachPeriod(program.number(), ListCursor.text(ListCursor.ListName.PAYOUT_RUNS, cursor),
            (periodEnd, runId) ->
            {
                if (items.size() >= limit || examined[0] >= MAX_EXAMINED)
                {
                    more[0] = true;
                    return false;
                }
                examined[0]++;
                last[0] = periodEnd;
                final PayoutRun run = runs.find(runId);
                if (null != run && (null == status || status.equals(run.status())))
                {
                    items.add(runView(run));
                }
                return true;
            });
        return page(items, more[0] ? ListCursor.of(ListCursor.ListName.PAYOUT_RUNS, last[0]) : null);
    }

    /**
     * @param text text from a request.
     * @return the text as an error message quotes it: cut to a bounded length.
     */
    static String shown(final String text)
    {
        return text.length() <= SHOWN_LENGTH ? text : text.substring(0, SHOWN_LENGTH) + "...";
    }

    private NavigableSet<String> codes(final CodeIndex index, final CatalogEntry<ProgramSpec> program,
        final String partnerId, final String after)
    {
        if (null == partnerId)
        {
            return index.ofProgram(program.number(), after);
        }
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        if (null == partner || !partner.spec().programId().equals(program.id()))
        {
            // The same answer for an unknown partner and another program's: no id of another program leaks.
            throw new InvalidSpecException("partnerId '" + shown(partnerId) + "' is not a partner of program '" +
                program.id() + "'");
        }
        return index.ofPartner(partner.number(), after);
    }

    private boolean isOf(final CatalogEntry<ProgramSpec> program, final String partnerId)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        return null != partner && partner.spec().programId().equals(program.id());
    }

    private static ApiResponse page(final ListCursor.ListName list, final NavigableSet<String> codes, final int limit,
        final ItemView view)
    {
        final List<Map<String, Object>> items = new ArrayList<>();
        String last = null;
        boolean more = false;
        int examined = 0;
        for (final String code : codes)
        {
            if (items.size() >= limit || examined >= MAX_EXAMINED)
            {
                more = true;
                break;
            }
            examined++;
            last = code;
            final Map<String, Object> item = view.of(code);
            if (null != item)
            {
                items.add(item);
            }
        }
        return page(items, more ? ListCursor.of(list, last) : null);
    }

    private static ApiResponse page(final List<Map<String, Object>> items, final String next)
    {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("next", next);
        return ApiResponse.ok(body);
    }

    private static Map<String, Object> runView(final PayoutRun run)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", run.id());
        view.put("periodEnd", run.periodEnd());
        view.put("status", run.status());
        view.put("createdOn", run.createdOn());
        view.put("paidOn", run.paidOn());
        view.put("currency", run.currency());
        view.put("total", run.total());
        view.put("partnerCount", run.lines().size());
        return view;
    }

    /**
     * Builds an item of a code list.
     */
    @FunctionalInterface
    private interface ItemView
    {
        /**
         * @param code a code of the index.
         * @return its item, or null to skip it (gone, moved, or not matching).
         */
        Map<String, Object> of(String code);
    }
}
