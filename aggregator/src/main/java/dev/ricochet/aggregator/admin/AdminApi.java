package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.attribution.ConversionRecord;
import dev.ricochet.aggregator.attribution.StoredConversion;
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
import dev.ricochet.aggregator.health.HealthScore;
import dev.ricochet.aggregator.ledger.Commission;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.aggregator.ledger.LedgerCommand;
import dev.ricochet.aggregator.ledger.LedgerEntry;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.payout.PayoutRun;
import dev.ricochet.aggregator.payout.PayoutRuns;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.tier.TierLadder;
import dev.ricochet.aggregator.timeline.TimelineEvent;
import dev.ricochet.aggregator.webhook.WebhookAddresses;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.IdGenerator;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.Money;
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

    /**
     * Earliest year a date or instant in a request may name: no program's data is older.
     */
    public static final int MIN_REPORT_YEAR = 2000;

    /**
     * Latest year a date or instant in a request may name: far beyond any real query, and epoch days and hours of
     * years up to it fit an int.
     */
    public static final int MAX_REPORT_YEAR = 2200;

    private static final java.time.Instant MIN_REPORT_INSTANT =
        LocalDate.of(MIN_REPORT_YEAR, 1, 1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    private static final java.time.Instant MAX_REPORT_INSTANT =
        LocalDate.of(MAX_REPORT_YEAR + 1, 1, 1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();

    private static final long APPLY_TIMEOUT_MS = 10_000;

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
         * @return index of the last journal event whose effects are committed (visible to reads of RocksDB).
         */
        long committedIndex();

        /**
         * @return true if the aggregator stopped on a failure.
         */
        boolean hasFailed();

        /**
         * @return journal events applied since start.
         */
        long eventsApplied();

        /**
         * @return journal events not yet applied: how far the aggregator is behind the edge.
         */
        long lagEvents();

        /**
         * @return why the aggregator is not applying events while it waits for its state store, or null.
         */
        String stallReason();

        /**
         * @return why the aggregator is making no progress although the journal holds events it has not applied
         *         (one event holding it longer than the stall timeout), or null.
         */
        default String progressStall()
        {
            return null;
        }

        /**
         * @return events applied with their header time bounded (ahead of the wall clock, or before 1970) since start.
         */
        default long headerTimesBounded()
        {
            return 0;
        }

        /**
         * @return failed attempts to commit since start: writes the state store refused and failed reopens.
         */
        long storeFailures();

        /**
         * @return stalls that ended with the refused commit written.
         */
        long storeRecoveries();

        /**
         * @return conversions and pixel reports left out because their amount is outside the bound.
         */
        long amountsRefused();

        /**
         * @return counter additions that stopped at the end of the range of a long instead of wrapping.
         */
        long counterSaturations();
    }

    private final Catalog catalog;
    private final StateStore store;
    private final CatalogWriter writer;
    private final AggregatorView aggregator;
    private final EpochClock epochClock;
    private final boolean allowPrivateWebhooks;
    private final Supplier<String> extraMetrics;
    private final Object writeLock = new Object();
    private final IdGenerator runIds = new IdGenerator();

    /**
     * @param catalog    catalog in memory.
     * @param store      committed state.
     * @param writer     appends catalog changes.
     * @param aggregator progress of the aggregator.
     * @param epochClock today's date for default report ranges.
     * @param allowPrivateWebhooks accept a {@code webhookUrl} on a loopback, private or link-local address.
     * @param extraMetrics         more Prometheus text for {@code /metrics} (the edge's business volume).
     */
    public AdminApi(
        final Catalog catalog,
        final StateStore store,
        final CatalogWriter writer,
        final AggregatorView aggregator,
        final EpochClock epochClock,
        final boolean allowPrivateWebhooks,
        final Supplier<String> extraMetrics)
    {
        this.allowPrivateWebhooks = allowPrivateWebhooks;
        this.extraMetrics = extraMetrics;
        this.catalog = catalog;
        this.store = store;
        this.writer = writer;
        this.aggregator = aggregator;
        this.epochClock = epochClock;
    }

    /**
     * @return the aggregator's progress in Prometheus text format: events applied, lag behind the edge, failure; and
     * the edge's business volume where the launcher wires it.
     */
    public String prometheusText()
    {
        return metric("ricochet_aggregator_events_applied_total", "counter",
                "Journal events applied since start",
                aggregator.eventsApplied()) +
            metric("ricochet_aggregator_lag_events", "gauge",
                "Journal events not yet applied (behind the edge)",
                aggregator.lagEvents()) +
            metric("ricochet_aggregator_failed", "gauge",
                "1 if the aggregator stopped on a failure",
                aggregator.hasFailed() ? 1 : 0) +
            metric("ricochet_aggregator_store_stalled", "gauge",
                "1 while the state store refuses commits (disk full, I/O error)",
                null == aggregator.stallReason() ? 0 : 1) +
            metric("ricochet_aggregator_store_failures_total", "counter",
                "Failed commit attempts: refused writes, failed reopens",
                aggregator.storeFailures()) +
            metric("ricochet_aggregator_store_recoveries_total", "counter",
                "Stalls ended by writing the refused commit",
                aggregator.storeRecoveries()) +
            metric("ricochet_aggregator_amounts_refused_total", "counter",
                "Conversions and pixel reports left out: amount past the bound",
                aggregator.amountsRefused()) +
            metric("ricochet_aggregator_counter_saturations_total", "counter",
                "Counter sums held at the end of a long",
                aggregator.counterSaturations()) +
            metric("ricochet_aggregator_progress_stalled", "gauge",
                "1 while events wait and none is applied (see /readyz)",
                null == aggregator.progressStall() ? 0 : 1) +
            metric("ricochet_aggregator_header_times_bounded_total", "counter",
                "Events read with a header time ahead of the wall clock (or before 1970), applied as wall clock + " +
                "5 min (or 1970)",
                aggregator.headerTimesBounded()) +
            extraMetrics.get();
    }

    /**
     * One metric in Prometheus text format: its HELP and TYPE lines, then its sample.
     */
    private static String metric(final String name, final String type, final String help, final long value)
    {
        return "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " + value + "\n";
    }

    /**
     * {@code GET /readyz}: ready while the aggregator applies the journal; otherwise 503 and why.
     *
     * @return the readiness answer.
     */
    public ApiResponse readiness()
    {
        if (aggregator.hasFailed())
        {
            return ApiResponse.error(503, "not ready: the aggregator stopped on a failure; a restart resumes from " +
                "the last commit");
        }
        final String stallReason = aggregator.stallReason();
        if (null != stallReason)
        {
            return ApiResponse.error(503, "not ready: " + stallReason);
        }
        final String progressStall = aggregator.progressStall();
        if (null != progressStall)
        {
            return ApiResponse.error(503, "not ready: " + progressStall);
        }
        return ApiResponse.ok(Map.of("status", "ready", "lagEvents", aggregator.lagEvents()));
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
        if (!allowPrivateWebhooks && null != spec.webhookUrl())
        {
            final String refusal = WebhookAddresses.literalRefusal(java.net.URI.create(spec.webhookUrl()).getHost());
            if (null != refusal)
            {
                throw new InvalidSpecException("webhookUrl host " + refusal + "; set " +
                    "ricochet.webhook.allow.private.networks=true to post to the operator's own network");
            }
        }
        final CatalogEntry<ProgramSpec> existing = catalog.program(programId);
        if (null != existing && !java.util.Objects.equals(existing.spec().currency(), spec.currency()))
        {
            for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(programId))
            {
                if (Ledger.hasMoneyHistory(store, partner.number()))
                {
                    return ApiResponse.error(409, "program '" + programId + "' has money in " +
                        existing.spec().currency() + " (partner '" + partner.id() + "' has conversions or ledger " +
                        "entries); its currency cannot change to " + spec.currency() + ": create a new program");
                }
            }
        }
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
        final CatalogEntry<PartnerSpec> existing = catalog.partner(partnerId);
        if (null != existing && !existing.spec().programId().equals(spec.programId()) &&
            Ledger.hasMoneyHistory(store, existing.number()))
        {
            return ApiResponse.error(409, "partner '" + partnerId + "' has conversions or ledger entries in program '" +
                existing.spec().programId() + "'; its program cannot change to '" + spec.programId() +
                "': create a new partner for that program");
        }
        return upsert(CatalogEventFlyweight.KIND_PARTNER, new CatalogEntry<>(partnerId, 0, spec),
            () -> catalog.partner(partnerId), this::partnerView);
    }

    /**
     * @param partnerId the partner a partner token speaks for.
     * @return true if the partner exists and is not suspended: only then does its token read anything.
     */
    public boolean isPartnerActiveEnoughToRead(final String partnerId)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        return null != partner && !"suspended".equals(partner.spec().status());
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
     * @param granularity day (default) or hour (the last 8 days only: hour buckets are not kept longer).
     * @return the report.
     */
    public ApiResponse partnerStats(final String partnerId, final String from, final String to,
        final String granularity)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        if (null == partner)
        {
            return unknownPartner(partnerId);
        }
        if ("hour".equals(granularity))
        {
            return hourlyStats(partnerId, partner, from, to);
        }
        if (null != granularity && !"day".equals(granularity))
        {
            throw new InvalidSpecException("granularity '" + granularity + "' is invalid: expected day or hour");
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
            throw new InvalidSpecException("range is longer than " + MAX_REPORT_DAYS + " days: to must be at most " +
                (MAX_REPORT_DAYS - 1) + " days after from");
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
                totals[field.ordinal()] = Money.addSaturated(totals[field.ordinal()], values[field.ordinal()]);
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
            if (!(CatalogJson.read(stored, StoredConversion.class) instanceof ConversionRecord record))
            {
                return; // the id is now another order's alias (a verified report named it): not this partner's
            }
            final CatalogEntry<ProgramSpec> program = catalog.programByNumber(programNumber);
            long credit = 0;
            final List<Map<String, Object>> touches = new ArrayList<>();
            // The touch path, a partner possibly more than once (one commission per partner, its credit the sum).
            for (final ConversionRecord.Credit c : null != record.path() ? record.path() : record.credits())
            {
                final CatalogEntry<PartnerSpec> credited = catalog.partnerByNumber(c.partnerNumber());
                if (c.partnerNumber() == partner.number())
                {
                    credit = Money.addSaturated(credit, c.revenue());
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
            final Commission commission = null == program ? null : committedCommission(
                new CommissionKey(partner.number(), record.timeMs(), program.number(), record.externalId()));
            view.put("commission", null == commission ? null : commissionView(commission));
            views.add(view);
        });
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("partnerId", partnerId);
        body.put("conversions", views);
        return ApiResponse.ok(body);
    }


    private Map<String, Object> windows(final int partnerNumber, final long[][] days)
    {
        final Map<String, Object> windows = new LinkedHashMap<>();
        final long nowHour = Math.floorDiv(epochClock.time(), 3_600_000L);
        final long[] lastDay = new long[CounterField.COUNT];
        store.readHourCounters(partnerNumber, (int)nowHour - 23, (int)nowHour, (hour, values) ->
        {
            for (int i = 0; i < lastDay.length; i++)
            {
                lastDay[i] = Money.addSaturated(lastDay[i], values[i]);
            }
        });
        windows.put("24h", counterView(lastDay));
        for (final int length : new int[]{ 7, 30, 60, 90 })
        {
            final long[] sums = new long[CounterField.COUNT];
            for (int i = 90 - length; i < 90; i++)
            {
                if (null != days[i])
                {
                    for (int f = 0; f < sums.length; f++)
                    {
                        sums[f] = Money.addSaturated(sums[f], days[i][f]);
                    }
                }
            }
            windows.put(length + "d", counterView(sums));
        }
        return windows;
    }

    private static Map<String, Object> counterView(final long[] values)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        for (final CounterField field : CounterField.values())
        {
            view.put(field.jsonName(), values[field.ordinal()]);
        }
        return view;
    }

    private ApiResponse hourlyStats(final String partnerId, final CatalogEntry<PartnerSpec> partner,
        final String from, final String to)
    {
        final long nowHour = Math.floorDiv(epochClock.time(), 3_600_000L);
        final long toHour = null == to ? nowHour : parseHour("to", to);
        final long fromHour = null == from ? toHour - 23 : parseHour("from", from);
        if (fromHour > toHour)
        {
            throw new InvalidSpecException("from is after to");
        }
        // Both ends are bounded: the hours between them are read one key each.
        if (toHour - fromHour >= StateStore.HOUR_BUCKET_RETENTION_HOURS)
        {
            throw new InvalidSpecException("range is longer than " + StateStore.HOUR_BUCKET_RETENTION_HOURS +
                " hours: to must be at most " + (StateStore.HOUR_BUCKET_RETENTION_HOURS - 1) + " hours after from");
        }
        if (fromHour < nowHour - StateStore.HOUR_BUCKET_RETENTION_HOURS + 1)
        {
            throw new InvalidSpecException("hour buckets are kept for " + StateStore.HOUR_BUCKET_RETENTION_HOURS +
                " hours; use granularity=day for older data");
        }
        final List<Map<String, Object>> hours = new ArrayList<>();
        final long[] totals = new long[CounterField.COUNT];
        store.readHourCounters(partner.number(), (int)fromHour, (int)toHour, (hour, values) ->
        {
            final Map<String, Object> view = new LinkedHashMap<>();
            view.put("hour", java.time.Instant.ofEpochMilli(hour * 3_600_000L).toString());
            view.putAll(counterView(values));
            hours.add(view);
            for (int i = 0; i < totals.length; i++)
            {
                totals[i] = Money.addSaturated(totals[i], values[i]);
            }
        });
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("partnerId", partnerId);
        view.put("from", java.time.Instant.ofEpochMilli(fromHour * 3_600_000L).toString());
        view.put("to", java.time.Instant.ofEpochMilli(toHour * 3_600_000L).toString());
        view.putAll(counterView(totals));
        view.put("currency", catalog.program(partner.spec().programId()).spec().currency());
        view.put("hours", hours);
        return ApiResponse.ok(view);
    }

    private static long parseHour(final String field, final String value)
    {
        final java.time.Instant instant;
        try
        {
            instant = java.time.Instant.parse(value);
        }
        catch (final DateTimeParseException ex)
        {
            throw new InvalidSpecException(field + " '" + value + "' is not an instant like 2026-11-21T13:00:00Z");
        }
        // Checked before any arithmetic: Instant reaches year 1,000,000,000, whose milliseconds overflow a long.
        if (instant.isBefore(MIN_REPORT_INSTANT) || !instant.isBefore(MAX_REPORT_INSTANT))
        {
            throw new InvalidSpecException(field + " '" + value + "' is outside the years " + MIN_REPORT_YEAR + "-" +
                MAX_REPORT_YEAR);
        }
        return Math.floorDiv(instant.toEpochMilli(), 3_600_000L);
    }

    /**
     * {@code GET /v1/partners/{partnerId}/ledger}: balances and entries, oldest first.
     *
     * @param partnerId from the path.
     * @param after     only entries with a larger sequence number (paging).
     * @param limit     most entries to return.
     * @return the ledger.
     */
    public ApiResponse partnerLedger(final String partnerId, final long after, final int limit)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        if (null == partner)
        {
            return unknownPartner(partnerId);
        }
        final PartnerAccount account = account(partner.number());
        final List<Object> entries = new ArrayList<>();
        store.scan(StateStore.Family.LEDGER, Ledger.entryKey(partner.number(), after + 1),
            Ledger.partnerKey(partner.number() + 1), false, (key, value) ->
            {
                entries.add(CatalogJson.read(value, LedgerEntry.class));
                return entries.size() < limit;
            });
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("partnerId", partnerId);
        view.put("currency", catalog.program(partner.spec().programId()).spec().currency());
        view.put("pending", account.pending());
        view.put("approved", account.approved());
        view.put("held", account.held());
        view.put("scheduled", account.scheduled());
        view.put("paid", account.paid());
        final byte[] day = store.meta("ledger.day");
        view.put("asOf", null == day ? null : LocalDate.ofEpochDay(java.nio.ByteBuffer.wrap(day).getInt()).toString());
        view.put("entries", entries);
        return ApiResponse.ok(view);
    }

    /**
     * {@code GET /v1/partners/{partnerId}/timeline}: the partner's activity, newest first.
     *
     * @param partnerId from the path.
     * @param limit     most events to return.
     * @return the timeline.
     */
    public ApiResponse partnerTimeline(final String partnerId, final int limit)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        if (null == partner)
        {
            return unknownPartner(partnerId);
        }
        final List<Object> events = new ArrayList<>();
        store.scan(StateStore.Family.TIMELINE, Ledger.partnerKey(partner.number()),
            Ledger.partnerKey(partner.number() + 1), true, (key, value) ->
            {
                events.add(CatalogJson.read(value, TimelineEvent.class));
                return events.size() < limit;
            });
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("partnerId", partnerId);
        view.put("events", events);
        return ApiResponse.ok(view);
    }

    /**
     * {@code POST /v1/partners/{partnerId}/commission-reviews} (finance):
     * {@code {"externalId","action":"hold|release|void","reason"}}.
     *
     * @param partnerId from the path.
     * @param body      request JSON.
     * @return the commission after the decision.
     */
    public ApiResponse reviewCommission(final String partnerId, final byte[] body)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        if (null == partner)
        {
            return unknownPartner(partnerId);
        }
        final CommissionReviewRequest request = CatalogJson.parseRequest(body, CommissionReviewRequest.class);
        if (null == request.externalId() || null == request.action())
        {
            throw new InvalidSpecException("externalId and action are required");
        }
        if (!List.of("hold", "release", "void").contains(request.action()))
        {
            throw new InvalidSpecException("action '" + request.action() + "' is invalid: expected hold, release or void");
        }
        if (null != request.reason() && request.reason().length() > 500)
        {
            throw new InvalidSpecException("reason is longer than 500 characters");
        }
        final CatalogEntry<ProgramSpec> program = catalog.program(partner.spec().programId());
        final CommissionKey key = commissionKey(partner, program, request.externalId());
        final Commission commission = null == key ? null : committedCommission(key);
        if (null == commission)
        {
            return ApiResponse.error(404, "partner '" + partnerId + "' has no commission on '" +
                request.externalId() + "'");
        }
        final boolean isAllowed = "hold".equals(request.action()) ?
            Commission.PENDING.equals(commission.state()) || Commission.APPROVED.equals(commission.state()) :
            Commission.HELD.equals(commission.state());
        if (!isAllowed)
        {
            return ApiResponse.error(409, "cannot " + request.action() + " a commission that is " +
                commission.state());
        }
        final ApiResponse failure = command(CatalogEventFlyweight.KIND_COMMISSION_REVIEW, new LedgerCommand
            .CommissionReview(partnerId, request.externalId(), key.timeMs(), request.action(), request.reason()));
        if (null != failure)
        {
            return failure;
        }
        final Commission after = committedCommission(key);
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("partnerId", partnerId);
        view.put("externalId", request.externalId());
        view.put("state", after.state());
        view.put("amount", after.net());
        return ApiResponse.ok(view);
    }

    /**
     * {@code GET /v1/programs/{programId}/held-commissions}: finance's review queue, the program's commissions held
     * for review (failed fraud checks, a suspended partner's, or held by finance), by partner then conversion time.
     *
     * @param programId from the path.
     * @param limit     most to return.
     * @return the queue.
     */
    public ApiResponse heldCommissions(final String programId, final int limit)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.error(404, "unknown program '" + programId + "'");
        }
        final byte[] from = java.nio.ByteBuffer.allocate(4).putInt(program.number()).array();
        final byte[] to = java.nio.ByteBuffer.allocate(4).putInt(program.number() + 1).array();
        final List<Map<String, Object>> held = new ArrayList<>();
        final long[] total = new long[1];
        store.scan(StateStore.Family.HELD_COMMISSIONS, from, to, false, (heldKey, value) ->
        {
            final CommissionKey key = CommissionKey.fromBytes(heldKey, 4);
            final Commission commission = committedCommission(key);
            final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(key.partnerNumber());
            if (null == commission || !Commission.HELD.equals(commission.state()))
            {
                return true;
            }
            total[0] = Money.addSaturated(total[0], commission.net());
            if (held.size() < limit)
            {
                final Map<String, Object> view = new LinkedHashMap<>();
                view.put("partnerId", null == partner ? null : partner.id());
                view.put("partnerStatus", null == partner ? null : partner.spec().status());
                view.put("externalId", key.externalId());
                view.put("conversionTime", java.time.Instant.ofEpochMilli(key.timeMs()).toString());
                view.putAll(commissionView(commission));
                held.add(view);
            }
            return true;
        });
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("programId", programId);
        view.put("currency", program.spec().currency());
        view.put("total", total[0]);
        view.put("commissions", held);
        return ApiResponse.ok(view);
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

    /**
     * Body of a commission review.
     *
     * @param externalId the conversion.
     * @param action     hold, release or void.
     * @param reason     note for the ledger, optional.
     */
    public record CommissionReviewRequest(String externalId, String action, String reason)
    {
    }

    private CommissionKey commissionKey(final CatalogEntry<PartnerSpec> partner,
        final CatalogEntry<ProgramSpec> program, final String externalId)
    {
        final byte[] stored = store.conversion(program.number(), externalId);
        if (null == stored)
        {
            return null;
        }
        final StoredConversion record = CatalogJson.read(stored, StoredConversion.class);
        return new CommissionKey(partner.number(), record.timeMs(), program.number(), record.externalId());
    }

    private Commission committedCommission(final CommissionKey key)
    {
        final byte[] stored = store.get(StateStore.Family.COMMISSIONS, key.toBytes());
        return null == stored ? null : CatalogJson.read(stored, Commission.class);
    }

    /**
     * {@code POST /v1/programs/{programId}/payout-runs}: {@code {"periodEnd":"YYYY-MM-DD"}} (default today). One
     * run per program and period: asking again answers the same run.
     *
     * @param programId from the path.
     * @param body      request JSON, may be empty.
     * @return 201 and the run, or 200 and the existing run of the period.
     */
    public ApiResponse createPayoutRun(final String programId, final byte[] body)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.error(404, "unknown program '" + programId + "'");
        }
        final PayoutRunRequest request = 0 == body.length ? new PayoutRunRequest(null) :
            CatalogJson.parseRequest(body, PayoutRunRequest.class);
        final LocalDate today = LocalDate.ofEpochDay(today());
        final LocalDate periodEnd = null == request.periodEnd() ? today : parseDate("periodEnd", request.periodEnd());
        if (periodEnd.isAfter(today))
        {
            throw new InvalidSpecException("periodEnd " + periodEnd + " is in the future");
        }
        final String existing = PayoutRuns.findForPeriod(store, program.number(), periodEnd.toString());
        if (null != existing)
        {
            return ApiResponse.ok(runView(PayoutRuns.find(store, existing)));
        }
        final ApiResponse open = openRunConflict(programId);
        if (null != open)
        {
            return open;
        }
        final String runId;
        synchronized (runIds)
        {
            runIds.next(epochClock.time());
            runId = "po_" + IdCodec.toString(runIds.hi(), runIds.lo());
        }
        final ApiResponse failure = command(CatalogEventFlyweight.KIND_PAYOUT_RUN,
            new LedgerCommand.PayoutRun(runId, programId, periodEnd.toString()));
        if (null != failure)
        {
            return failure;
        }
        final String applied = PayoutRuns.findForPeriod(store, program.number(), periodEnd.toString());
        if (null == applied)
        {
            // A run built concurrently for another period was applied first: this one was refused.
            final ApiResponse conflict = openRunConflict(programId);
            return null != conflict ? conflict : ApiResponse.error(409, "the payout run was not built; retry");
        }
        final PayoutRun run = PayoutRuns.find(store, applied);
        return new ApiResponse(runId.equals(applied) ? 201 : 200, runView(run));
    }

    private ApiResponse openRunConflict(final String programId)
    {
        final PayoutRun open = PayoutRuns.openRun(store, programId);
        return null == open ? null : ApiResponse.error(409, "payout run '" + open.id() + "' of program '" +
            programId + "' (periodEnd " + open.periodEnd() + ") is waiting for finance's approval; approve it " +
            "before building another (a partner is never in two open runs)");
    }

    /**
     * Body of a payout run request.
     *
     * @param periodEnd UTC day the run covers up to.
     */
    public record PayoutRunRequest(String periodEnd)
    {
    }

    /**
     * {@code GET /v1/payout-runs/{runId}}.
     *
     * @param runId from the path.
     * @return the run.
     */
    public ApiResponse getPayoutRun(final String runId)
    {
        final PayoutRun run = PayoutRuns.find(store, runId);
        return null == run ? unknownRun(runId) : ApiResponse.ok(runView(run));
    }

    /**
     * {@code POST /v1/payout-runs/{runId}/approve} (finance): the run is paid. Approving a paid run again answers
     * it unchanged.
     *
     * @param runId from the path.
     * @return the run.
     */
    public ApiResponse approvePayoutRun(final String runId)
    {
        final PayoutRun run = PayoutRuns.find(store, runId);
        if (null == run)
        {
            return unknownRun(runId);
        }
        if (PayoutRun.PENDING_APPROVAL.equals(run.status()))
        {
            final ApiResponse failure = command(CatalogEventFlyweight.KIND_PAYOUT_APPROVAL,
                new LedgerCommand.PayoutApproval(runId));
            if (null != failure)
            {
                return failure;
            }
        }
        return ApiResponse.ok(runView(PayoutRuns.find(store, runId)));
    }

    /**
     * {@code GET /v1/payout-runs/{runId}/export.csv}: one row per partner, for a bank, PayPal or Stripe Connect
     * upload. Cells that a spreadsheet would run as a formula are prefixed with an apostrophe.
     *
     * @param runId from the path.
     * @return the CSV.
     */
    public ApiResponse exportPayoutRun(final String runId)
    {
        final PayoutRun run = PayoutRuns.find(store, runId);
        if (null == run)
        {
            return unknownRun(runId);
        }
        final int digits = java.util.Currency.getInstance(run.currency()).getDefaultFractionDigits();
        final StringBuilder csv = new StringBuilder(
            "run_id,program_id,period_end,status,partner_id,name,email,payout_account,currency,amount_minor,amount\r\n");
        for (final PayoutRun.Line line : run.lines())
        {
            csv.append(String.join(",", cell(run.id()), cell(run.programId()), cell(run.periodEnd()),
                cell(run.status()), cell(line.partnerId()), cell(line.name()), cell(line.email()),
                cell(line.payoutAccount()), cell(run.currency()), Long.toString(line.amount()),
                java.math.BigDecimal.valueOf(line.amount(), Math.max(0, digits)).toPlainString())).append("\r\n");
        }
        return ApiResponse.file("text/csv; charset=utf-8", runId + ".csv",
            csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String cell(final String value)
    {
        if (null == value)
        {
            return "";
        }
        String text = value;
        // CSV injection (OWASP): a cell a spreadsheet would run as a formula, or whose leading control character it
        // would strip before doing so, is shown as text.
        if (!text.isEmpty() && ("=+-@\t\r\n\0".indexOf(text.charAt(0)) >= 0 || startsFormulaAfterBlanks(text)))
        {
            text = "'" + text;
        }
        // Quoted when it holds a separator of any locale (',' or ';'), a quote or a line break.
        if (text.indexOf(',') >= 0 || text.indexOf(';') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 ||
            text.indexOf('\r') >= 0)
        {
            text = "\"" + text.replace("\"", "\"\"") + "\"";
        }
        return text;
    }

    /**
     * A formula behind white space or invisible characters (' =1+1', NBSP, U+2028, a zero-width space) or written
     * with a fullwidth sign ('＝1+1'): spreadsheets that trim a cell on import, or fold fullwidth forms, run it too.
     */
    private static boolean startsFormulaAfterBlanks(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.getType(c) == Character.FORMAT)
            {
                continue;
            }
            return "=+-@\uFF1D\uFF0B\uFF0D\uFF20".indexOf(c) >= 0;
        }
        return false;
    }

    private static Map<String, Object> runView(final PayoutRun run)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", run.id());
        view.put("programId", run.programId());
        view.put("periodEnd", run.periodEnd());
        view.put("status", run.status());
        view.put("createdOn", run.createdOn());
        view.put("paidOn", run.paidOn());
        view.put("currency", run.currency());
        view.put("total", run.total());
        final List<Map<String, Object>> lines = new ArrayList<>();
        for (final PayoutRun.Line line : run.lines())
        {
            final Map<String, Object> item = new LinkedHashMap<>();
            item.put("partnerId", line.partnerId());
            item.put("name", line.name());
            item.put("payoutAccount", line.payoutAccount());
            item.put("amount", line.amount());
            lines.add(item);
        }
        view.put("partners", lines);
        return view;
    }

    private static ApiResponse unknownRun(final String runId)
    {
        return ApiResponse.error(404, "unknown payout run '" + runId + "'");
    }

    /**
     * {@code GET /v1/programs/{programId}/at-risk?threshold=40}: active partners whose health is below the
     * threshold, least healthy first.
     *
     * @param programId from the path.
     * @param threshold score below which a partner is listed.
     * @return the list.
     */
    public ApiResponse atRisk(final String programId, final int threshold)
    {
        if (null == catalog.program(programId))
        {
            return ApiResponse.error(404, "unknown program '" + programId + "'");
        }
        final int today = today();
        final List<Map<String, Object>> partners = new ArrayList<>();
        for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(programId))
        {
            if (!"active".equals(partner.spec().status()))
            {
                continue;
            }
            final HealthScore health = HealthScore.of(store, partner.number(), today);
            if (health.score() < threshold)
            {
                final Map<String, Object> view = new LinkedHashMap<>();
                view.put("partnerId", partner.id());
                view.put("name", partner.spec().name());
                view.put("health", health.score());
                view.put("components", health.components());
                partners.add(view);
            }
        }
        partners.sort(java.util.Comparator.comparingInt(p -> (Integer)p.get("health")));
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("programId", programId);
        view.put("threshold", threshold);
        view.put("partners", partners);
        return ApiResponse.ok(view);
    }

    private PartnerAccount account(final int partnerNumber)
    {
        final byte[] stored = store.get(StateStore.Family.PARTNER_STATE, Ledger.partnerKey(partnerNumber));
        return null == stored ? PartnerAccount.empty() : CatalogJson.read(stored, PartnerAccount.class);
    }

    private int today()
    {
        return (int)Math.floorDiv(epochClock.time(), 86_400_000L);
    }

    /**
     * Journal a ledger command and wait until its effects are committed (the views read RocksDB).
     *
     * @return null on success, else the answer to give.
     */
    private ApiResponse command(final byte kind, final Object command)
    {
        synchronized (writeLock)
        {
            final long index = writer.append(kind, CatalogJson.write(command));
            if (Journal.NULL_INDEX == index)
            {
                return notRecorded("the request");
            }
            if (!await(index, aggregator::committedIndex))
            {
                return ApiResponse.error(503,
                    "the request is journaled but not applied yet; it will apply on recovery, read it back later");
            }
        }
        return null;
    }

    private ApiResponse notRecorded(final String what)
    {
        final String lowSpace = writer.lowSpaceReason();
        return ApiResponse.error(503, null == lowSpace ?
            "journal unavailable: " + what + " was not recorded, retry later" :
            lowSpace + ": " + what + " was not recorded; retry once space is freed");
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
                return notRecorded("the change");
            }
            if (!await(index, aggregator::appliedIndex))
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

    private boolean await(final long index, final java.util.function.LongSupplier progress)
    {
        final long deadlineNs = System.nanoTime() + APPLY_TIMEOUT_MS * 1_000_000L;
        while (progress.getAsLong() < index)
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
        final LocalDate date;
        try
        {
            date = LocalDate.parse(value);
        }
        catch (final DateTimeParseException ex)
        {
            throw new InvalidSpecException(field + " '" + value + "' is not a date YYYY-MM-DD");
        }
        if (date.getYear() < MIN_REPORT_YEAR || date.getYear() > MAX_REPORT_YEAR)
        {
            throw new InvalidSpecException(field + " '" + value + "' is outside the years " + MIN_REPORT_YEAR + "-" +
                MAX_REPORT_YEAR);
        }
        return date;
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
        view.put("recurringMonths", spec.recurringMonths());
        view.put("pixelConversions", spec.pixelConversions());
        view.put("tierMode", spec.tierMode());
        view.put("tierReview", spec.tierReview());
        view.put("retroactive", spec.retroactive());
        view.put("monthlyCap", spec.monthlyCap());
        view.put("webhookUrl", spec.webhookUrl());
        view.put("fraud", spec.fraud());
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
        if (null != secrets.webhook())
        {
            secretsSet.add("webhook");
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
        final PartnerAccount account = account(partner.number());
        final ProgramSpec program = catalog.program(spec.programId()).spec();
        final int today = today();
        view.put("tier", tiers.isEmpty() ? null : tiers.get(Math.min(account.tier(), tiers.size() - 1)).name());
        view.put("tierSince", account.tierSince());
        view.put("nextTierReview", tiers.size() < 2 ? null :
            TierLadder.nextReview(program.tierReview(), LocalDate.ofEpochDay(today)).toString());
        // One scan of the last 90 days serves both the health score and the windows.
        final long[][] days = HealthScore.lastNinetyDays(store, partner.number(), today);
        final HealthScore health = HealthScore.of(days);
        view.put("health", health.score());
        view.put("healthComponents", health.components());
        view.put("commissionPercent", spec.commissionPercent());
        view.put("leadCommission", spec.leadCommission());
        view.put("monthlyCap", spec.monthlyCap());
        view.put("payoutAccount", spec.payoutAccount());
        view.put("customerIds", spec.customerIds());
        view.put("windows", windows(partner.number(), days));
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
