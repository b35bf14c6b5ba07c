package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.attribution.ConversionRecord;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.CouponSpec;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.Journal;
import org.agrona.concurrent.EpochClock;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admin and reporting API's logic, independent of HTTP: catalog upserts go through the journal and are
 * answered once the aggregator has applied them (read-your-writes); reports read committed RocksDB state.
 */
public final class AdminApi
{
    /**
     * Longest report range, in days.
     */
    public static final int MAX_REPORT_DAYS = 400;

    private static final long APPLY_TIMEOUT_MS = 10_000;
    private static final com.fasterxml.jackson.core.type.TypeReference<ConversionRecord> CONVERSION_RECORD =
        new com.fasterxml.jackson.core.type.TypeReference<>()
        {
        };

    /**
     * What the API needs from the aggregator, read without calling into its thread.
     */
    public interface AggregatorView
    {
        /**
         * @return index of the last journal event applied to the catalog.
         */
        long appliedIndex();

        /**
         * @return true if the aggregator stopped on a failure.
         */
        boolean hasFailed();
    }

    private final Catalog catalog;
    private final StateStore store;
    private final CatalogWriter writer;
    private final AggregatorView aggregator;
    private final EpochClock epochClock;
    private final Object writeLock = new Object();

    /**
     * @param catalog    catalog in memory.
     * @param store      committed state.
     * @param writer     appends catalog changes.
     * @param aggregator progress of the aggregator.
     * @param epochClock today's date for default report ranges.
     */
    public AdminApi(
        final Catalog catalog,
        final StateStore store,
        final CatalogWriter writer,
        final AggregatorView aggregator,
        final EpochClock epochClock)
    {
        this.catalog = catalog;
        this.store = store;
        this.writer = writer;
        this.aggregator = aggregator;
        this.epochClock = epochClock;
    }

    /**
     * {@code PUT /v1/programs/{programId}}.
     *
     * @param programId from the path.
     * @param body      request JSON.
     * @return the program as stored.
     */
    public ApiResponse putProgram(final String programId, final byte[] body)
    {
        CatalogValidation.requireId("programId", programId);
        final ProgramSpec spec = CatalogValidation.program(CatalogJson.parseRequest(body, ProgramSpec.class));
        return upsert(CatalogEventFlyweight.KIND_PROGRAM, new CatalogEntry<>(programId, 0, spec),
            () -> catalog.program(programId), AdminApi::programView);
    }

    /**
     * {@code GET /v1/programs/{programId}}.
     *
     * @param programId from the path.
     * @return the program, secrets redacted.
     */
    public ApiResponse getProgram(final String programId)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        return null == program ? ApiResponse.error(404, "unknown program '" + programId + "'") :
            ApiResponse.ok(programView(program));
    }

    /**
     * {@code PUT /v1/partners/{partnerId}}.
     *
     * @param partnerId from the path.
     * @param body      request JSON.
     * @return the partner as stored.
     */
    public ApiResponse putPartner(final String partnerId, final byte[] body)
    {
        CatalogValidation.requireId("partnerId", partnerId);
        final PartnerSpec spec = CatalogValidation.partner(CatalogJson.parseRequest(body, PartnerSpec.class));
        if (null == catalog.program(spec.programId()))
        {
            throw new InvalidSpecException("programId '" + spec.programId() + "' is not a known program");
        }
        return upsert(CatalogEventFlyweight.KIND_PARTNER, new CatalogEntry<>(partnerId, 0, spec),
            () -> catalog.partner(partnerId), this::partnerView);
    }

    /**
     * {@code GET /v1/partners/{partnerId}}.
     *
     * @param partnerId from the path.
     * @return the partner.
     */
    public ApiResponse getPartner(final String partnerId)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        return null == partner ? unknownPartner(partnerId) : ApiResponse.ok(partnerView(partner));
    }

    /**
     * {@code PUT /v1/links/{code}}.
     *
     * @param code from the path.
     * @param body request JSON.
     * @return the link as stored.
     */
    public ApiResponse putLink(final String code, final byte[] body)
    {
        CatalogValidation.requireId("code", code);
        final LinkSpec spec = CatalogValidation.link(CatalogJson.parseRequest(body, LinkSpec.class));
        if (null == catalog.partner(spec.partnerId()))
        {
            throw new InvalidSpecException("partnerId '" + spec.partnerId() + "' is not a known partner");
        }
        return upsert(CatalogEventFlyweight.KIND_LINK, new CatalogEntry<>(code, 0, spec),
            () -> catalog.link(code), this::linkView);
    }

    /**
     * {@code GET /v1/links/{code}}.
     *
     * @param code from the path.
     * @return the link.
     */
    public ApiResponse getLink(final String code)
    {
        final CatalogEntry<LinkSpec> link = catalog.link(code);
        return null == link ? ApiResponse.error(404, "unknown link '" + code + "'") : ApiResponse.ok(linkView(link));
    }

    /**
     * {@code PUT /v1/coupons/{code}}: link a coupon code to a partner (coupon attribution).
     *
     * @param code from the path.
     * @param body request JSON.
     * @return the coupon.
     */
    public ApiResponse putCoupon(final String code, final byte[] body)
    {
        CatalogValidation.requireId("code", code);
        final CouponSpec spec = CatalogJson.parseRequest(body, CouponSpec.class);
        if (null == spec.partnerId() || null == catalog.partner(spec.partnerId()))
        {
            throw new InvalidSpecException(null == spec.partnerId() ? "partnerId is required" :
                "partnerId '" + spec.partnerId() + "' is not a known partner");
        }
        return upsert(CatalogEventFlyweight.KIND_COUPON, new CatalogEntry<>(code, 0, spec),
            () -> catalog.coupon(code), AdminApi::couponView);
    }

    /**
     * {@code GET /v1/coupons/{code}}.
     *
     * @param code from the path.
     * @return the coupon.
     */
    public ApiResponse getCoupon(final String code)
    {
        final CatalogEntry<CouponSpec> coupon = catalog.coupon(code);
        return null == coupon ? ApiResponse.error(404, "unknown coupon '" + code + "'") :
            ApiResponse.ok(couponView(coupon));
    }

    private static Map<String, Object> couponView(final CatalogEntry<CouponSpec> coupon)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("code", coupon.id());
        view.put("partnerId", coupon.spec().partnerId());
        return view;
    }

    /**
     * {@code GET /v1/partners/{partnerId}/stats?from=&to=}: totals and one entry per day, inclusive range, UTC.
     *
     * @param partnerId from the path.
     * @param from      first day {@code YYYY-MM-DD}, or null for 29 days before {@code to}.
     * @param to        last day, or null for today.
     * @return the report.
     */
    public ApiResponse partnerStats(final String partnerId, final String from, final String to)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        if (null == partner)
        {
            return unknownPartner(partnerId);
        }
        final LocalDate toDate = null == to ? LocalDate.ofEpochDay(Math.floorDiv(epochClock.time(), 86_400_000L)) :
            parseDate("to", to);
        final LocalDate fromDate = null == from ? toDate.minusDays(29) : parseDate("from", from);
        if (fromDate.isAfter(toDate))
        {
            throw new InvalidSpecException("from " + fromDate + " is after to " + toDate);
        }
        if (toDate.toEpochDay() - fromDate.toEpochDay() >= MAX_REPORT_DAYS)
        {
            throw new InvalidSpecException("range is longer than " + MAX_REPORT_DAYS + " days");
        }

        final int fromDay = (int)fromDate.toEpochDay();
        final int toDay = (int)toDate.toEpochDay();
        final long[][] days = new long[toDay - fromDay + 1][];
        store.readDayCounters(partner.number(), fromDay, toDay, (epochDay, values) -> days[epochDay - fromDay] =
            values.clone());

        final long[] totals = new long[CounterField.COUNT];
        final List<Map<String, Object>> dayViews = new ArrayList<>(days.length);
        for (int i = 0; i < days.length; i++)
        {
            final long[] values = null == days[i] ? new long[CounterField.COUNT] : days[i];
            final Map<String, Object> day = new LinkedHashMap<>();
            day.put("date", LocalDate.ofEpochDay(fromDay + i).toString());
            for (final CounterField field : CounterField.values())
            {
                day.put(field.jsonName(), values[field.ordinal()]);
                totals[field.ordinal()] += values[field.ordinal()];
            }
            dayViews.add(day);
        }

        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("partnerId", partnerId);
        view.put("from", fromDate.toString());
        view.put("to", toDate.toString());
        for (final CounterField field : CounterField.values())
        {
            view.put(field.jsonName(), totals[field.ordinal()]);
        }
        view.put("currency", catalog.program(partner.spec().programId()).spec().currency());
        view.put("days", dayViews);
        return ApiResponse.ok(view);
    }

    /**
     * {@code GET /v1/partners/{partnerId}/conversions}: the partner's credited conversions, newest first, each with
     * its attribution and what has been reversed.
     *
     * @param partnerId from the path.
     * @param limit     most to return.
     * @return the list.
     */
    public ApiResponse partnerConversions(final String partnerId, final int limit)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        if (null == partner)
        {
            return unknownPartner(partnerId);
        }
        final List<Map<String, Object>> views = new ArrayList<>();
        store.forEachPartnerConversion(partner.number(), limit, (programNumber, externalId) ->
        {
            final byte[] stored = store.conversion(programNumber, externalId);
            if (null == stored)
            {
                return;
            }
            final ConversionRecord record = CatalogJson.read(stored, CONVERSION_RECORD);
            final CatalogEntry<ProgramSpec> program = catalog.programByNumber(programNumber);
            long credit = 0;
            final List<Map<String, Object>> touches = new ArrayList<>();
            for (final ConversionRecord.Credit c : record.credits())
            {
                final CatalogEntry<PartnerSpec> credited = catalog.partnerByNumber(c.partnerNumber());
                if (c.partnerNumber() == partner.number())
                {
                    credit += c.revenue();
                }
                final Map<String, Object> touch = new LinkedHashMap<>();
                touch.put("partnerId", null == credited ? null : credited.id());
                touch.put("clickId", c.clickId());
                touch.put("clickTime", 0 == c.clickTimeMs() ? null :
                    java.time.Instant.ofEpochMilli(c.clickTimeMs()).toString());
                touch.put("credit", c.revenue());
                touches.add(touch);
            }
            final Map<String, Object> view = new LinkedHashMap<>();
            view.put("programId", null == program ? null : program.id());
            view.put("externalId", record.externalId());
            view.put("kind", record.kind());
            view.put("time", java.time.Instant.ofEpochMilli(record.timeMs()).toString());
            view.put("amount", record.amount());
            view.put("currency", record.currency());
            view.put("credit", credit);
            view.put("reversedAmount", record.reversedAmount());
            view.put("attributedBy", record.attributedBy());
            view.put("coupon", record.coupon());
            view.put("customerId", record.customerId());
            view.put("touches", touches);
            views.add(view);
        });
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("partnerId", partnerId);
        body.put("conversions", views);
        return ApiResponse.ok(body);
    }

    private <T> ApiResponse upsert(
        final byte kind,
        final CatalogEntry<T> entry,
        final Supplier<CatalogEntry<T>> readBack,
        final Function<CatalogEntry<T>, Object> view)
    {
        final long index;
        // One writer at a time keeps validate-then-append consistent between concurrent admin requests.
        synchronized (writeLock)
        {
            index = writer.append(kind, CatalogJson.write(entry));
            if (Journal.NULL_INDEX == index)
            {
                return ApiResponse.error(503, "journal unavailable: the change was not recorded, retry later");
            }
            if (!awaitApplied(index))
            {
                return ApiResponse.error(503,
                    "the change is journaled but the aggregator has not applied it yet; it will apply on recovery");
            }
        }
        final CatalogEntry<T> stored = readBack.get();
        if (null == stored || !stored.spec().equals(entry.spec()))
        {
            return ApiResponse.error(409, "the change conflicted with a concurrent change; read and retry");
        }
        return ApiResponse.ok(view.apply(stored));
    }

    private boolean awaitApplied(final long index)
    {
        final long deadlineNs = System.nanoTime() + APPLY_TIMEOUT_MS * 1_000_000L;
        while (aggregator.appliedIndex() < index)
        {
            if (aggregator.hasFailed() || System.nanoTime() > deadlineNs)
            {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        return true;
    }

    private static LocalDate parseDate(final String field, final String value)
    {
        try
        {
            return LocalDate.parse(value);
        }
        catch (final DateTimeParseException ex)
        {
            throw new InvalidSpecException(field + " '" + value + "' is not a date YYYY-MM-DD");
        }
    }

    private static ApiResponse unknownPartner(final String partnerId)
    {
        return ApiResponse.error(404, "unknown partner '" + partnerId + "'");
    }

    private static Map<String, Object> programView(final CatalogEntry<ProgramSpec> program)
    {
        final ProgramSpec spec = program.spec();
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", program.id());
        view.put("name", spec.name());
        view.put("currency", spec.currency());
        view.put("defaultDestination", spec.defaultDestination());
        view.put("clickParam", spec.clickParam());
        view.put("attribution", spec.attribution());
        view.put("tiers", spec.tiers());
        view.put("holdDays", spec.holdDays());
        view.put("minPayout", spec.minPayout());
        final ProgramSpec.Secrets secrets = spec.secrets();
        final List<String> secretsSet = new ArrayList<>();
        if (null != secrets.apiKey())
        {
            secretsSet.add("apiKey");
        }
        if (null != secrets.stripe())
        {
            secretsSet.add("stripe");
        }
        if (null != secrets.shopify())
        {
            secretsSet.add("shopify");
        }
        if (null != secrets.postback())
        {
            secretsSet.add("postback");
        }
        // Secrets are write-only: the view says which are set, never their values.
        view.put("secretsSet", secretsSet);
        return view;
    }

    private Map<String, Object> partnerView(final CatalogEntry<PartnerSpec> partner)
    {
        final PartnerSpec spec = partner.spec();
        final List<ProgramSpec.Tier> tiers = catalog.program(spec.programId()).spec().tiers();
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", partner.id());
        view.put("programId", spec.programId());
        view.put("name", spec.name());
        view.put("email", spec.email());
        view.put("status", spec.status());
        // Until conversions are counted every partner holds the first tier, which has no threshold.
        view.put("tier", tiers.isEmpty() ? null : tiers.get(0).name());
        // The health score needs conversion history; it is null until it can be computed.
        view.put("health", null);
        return view;
    }

    private Map<String, Object> linkView(final CatalogEntry<LinkSpec> link)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(link.spec().partnerId());
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("code", link.id());
        view.put("partnerId", link.spec().partnerId());
        view.put("programId", null == partner ? null : partner.spec().programId());
        view.put("destination", link.spec().destination());
        return view;
    }
}
