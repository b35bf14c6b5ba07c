package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.admin.AdminRoles.Role;
import dev.ricochet.aggregator.admin.FieldOwners.View;
import dev.ricochet.aggregator.attribution.ConversionRecord;
import dev.ricochet.aggregator.attribution.ConversionTable;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.csv.CsvWriter;
import dev.ricochet.aggregator.csv.LinkColumn;
import dev.ricochet.aggregator.csv.PartnerColumn;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.ledger.Commission;
import dev.ricochet.aggregator.ledger.LedgerEntry;
import dev.ricochet.aggregator.ledger.LedgerTable;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.Money;
import org.agrona.concurrent.EpochClock;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A program's CSV exports: its partners with their counters over a date range, its links, its conversions and its
 * partners' ledger entries (item 9 of part 8; docs/import-export.md). Each column is a field of an API view and is
 * written only for a caller whose role owns that field ({@link FieldOwners}), so a file shows no more than the JSON
 * would. Text cells are formula-escaped ({@link dev.ricochet.aggregator.csv.CsvCells}).
 */
final class ExportResource
{
    /**
     * Most rows of a conversions or ledger export; a range with more is refused, to be narrowed.
     */
    static final int MAX_EXPORT_ROWS = 100_000;

    private static final String CSV = "text/csv; charset=utf-8";
    private static final String CONVERSION = "conversions[].";
    private static final List<CounterField> STATS = List.of(CounterField.CLICKS, CounterField.UNIQUE_CLICKS,
        CounterField.LEADS, CounterField.SALES, CounterField.REVENUE, CounterField.COMMISSION);

    private final Catalog catalog;
    private final StateStore store;
    private final StoredRecords records;
    private final CounterTable counters;
    private final ConversionTable conversions;
    private final LedgerTable ledger;
    private final EpochClock epochClock;

    /**
     * @param catalog    catalog in memory.
     * @param store      committed state.
     * @param records    committed records shared between resources.
     * @param epochClock today's date for the default range.
     */
    ExportResource(final Catalog catalog, final StateStore store, final StoredRecords records,
        final EpochClock epochClock)
    {
        this.catalog = catalog;
        this.store = store;
        this.records = records;
        this.counters = new CounterTable(store);
        this.conversions = new ConversionTable(store);
        this.ledger = new LedgerTable(store);
        this.epochClock = epochClock;
    }

    /**
     * {@code GET /v1/programs/{programId}/partners/export.csv?from=&to=}: one row per partner, in catalog order,
     * with its counters summed over the range.
     *
     * @param call the request: the program, the range ({@code from} and {@code to}, by default the last 30 days) and
     *             the caller, whose role owns the columns.
     * @return the file, or 404.
     */
    ApiResponse partners(final RouteCall call)
    {
        final String programId = call.param("programId");
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        final ApiResponse refusal = refusal(call, program);
        if (null != refusal)
        {
            return refusal;
        }
        final Role role = call.caller().role();
        final DayRange range = DayRange.of(call.text("from"), call.text("to"), epochClock);
        final List<String> attributes = new ArrayList<>();
        if (null != program.spec().attributes() && owns(View.PARTNER, "attributes", role))
        {
            program.spec().attributes().forEach(def -> attributes.add(def.name()));
        }
        final List<PartnerColumn> columns = new ArrayList<>();
        for (final PartnerColumn column : PartnerColumn.values())
        {
            if (owns(View.PARTNER, column.header(), role))
            {
                columns.add(column);
            }
        }
        final boolean hasTier = owns(View.PARTNER, "tier", role);
        final List<String> header = new ArrayList<>();
        columns.forEach(column -> header.add(column.header()));
        attributes.forEach(name -> header.add(PartnerColumn.ATTRIBUTE_PREFIX + name));
        if (hasTier)
        {
            header.add("tier");
        }
        header.add("currency");
        STATS.forEach(field -> header.add(field.jsonName()));
        final CsvWriter csv = new CsvWriter().header(header);
        final List<ProgramSpec.Tier> tiers = program.spec().tiers();
        for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(programId))
        {
            for (final PartnerColumn column : columns)
            {
                csv.text(cell(partner, column));
            }
            final Map<String, Object> values = partner.spec().attributes();
            for (final String name : attributes)
            {
                final Object value = null == values ? null : values.get(name);
                csv.text(null == value ? null : value.toString());
            }
            if (hasTier)
            {
                final int tier = records.account(partner.number()).tier();
                csv.text(tiers.isEmpty() ? null : tiers.get(Math.min(tier, tiers.size() - 1)).name());
            }
            csv.text(program.spec().currency());
            final long[] sums = sums(partner.number(), range);
            STATS.forEach(field -> csv.number(sums[field.ordinal()]));
            csv.endRow();
        }
        return ApiResponse.file(CSV, programId + "-partners-" + range + ".csv", csv.toBytes());
    }

    private long[] sums(final int partnerNumber, final DayRange range)
    {
        final long[] sums = new long[CounterField.COUNT];
        counters.readDays(partnerNumber, range.fromDay(), range.toDay(), (day, values) ->
        {
            for (int i = 0; i < sums.length; i++)
            {
                sums[i] = Money.addSaturated(sums[i], values[i]);
            }
        });
        return sums;
    }

    private static String cell(final CatalogEntry<PartnerSpec> partner, final PartnerColumn column)
    {
        final PartnerSpec spec = partner.spec();
        return switch (column)
        {
            case ID -> partner.id();
            case NAME -> spec.name();
            case EMAIL -> spec.email();
            case STATUS -> spec.status();
            case TAGS -> null == spec.tags() ? null : String.join(PartnerColumn.TAG_SEPARATOR, spec.tags());
            case PAYOUT_ACCOUNT -> spec.payoutAccount();
            case COMMISSION_PERCENT -> spec.commissionPercent();
            case LEAD_COMMISSION -> null == spec.leadCommission() ? null : spec.leadCommission().toString();
            case MONTHLY_CAP -> null == spec.monthlyCap() ? null : spec.monthlyCap().toString();
            case JOINED_AT -> spec.joinedAt();
        };
    }

    /**
     * {@code GET /v1/programs/{programId}/links/export.csv}: one row per link of the program's partners, by code; the
     * links import's columns, so that the file imports back unchanged. The codes are read from the saved catalog
     * (committed), each link's settings from the catalog in memory.
     *
     * @param call the request: the program and the caller, whose role owns the columns.
     * @return the file, or 404.
     */
    ApiResponse links(final RouteCall call)
    {
        final String programId = call.param("programId");
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        final ApiResponse refusal = refusal(call, program);
        if (null != refusal)
        {
            return refusal;
        }
        final List<LinkColumn> columns = new ArrayList<>();
        for (final LinkColumn column : LinkColumn.values())
        {
            if (owns(View.LINK, column.header(), call.caller().role()))
            {
                columns.add(column);
            }
        }
        final CsvWriter csv = new CsvWriter().header(columns.stream().map(LinkColumn::header).toList());
        final byte[] first = {CatalogEventFlyweight.KIND_LINK};
        final byte[] end = {CatalogEventFlyweight.KIND_LINK + 1};
        store.scan(Table.CATALOG, first, end, false, (key, value) ->
        {
            final CatalogEntry<LinkSpec> link = catalog.link(CatalogJson.read(value, CatalogJson.LINK).id());
            final CatalogEntry<PartnerSpec> partner = null == link ? null : catalog.partner(link.spec().partnerId());
            if (null != partner && programId.equals(partner.spec().programId()))
            {
                for (final LinkColumn column : columns)
                {
                    csv.text(switch (column)
                    {
                        case CODE -> link.id();
                        case PARTNER_ID -> link.spec().partnerId();
                        case DESTINATION -> link.spec().destination();
                    });
                }
                csv.endRow();
            }
            return true;
        });
        return ApiResponse.file(CSV, programId + "-links.csv", csv.toBytes());
    }

    /**
     * {@code GET /v1/programs/{programId}/conversions/export.csv?from=&to=}: one row per conversion and partner it
     * credits (a conversion split between partners is a row for each, with that partner's credit), in time order.
     *
     * @param call the request: the program, the range ({@code from} and {@code to}, by default the last 30 days) and
     *             the caller, whose role owns the columns.
     * @return the file, 400 if the range holds more than {@value #MAX_EXPORT_ROWS} rows, or 404.
     */
    ApiResponse conversions(final RouteCall call)
    {
        final String programId = call.param("programId");
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        final ApiResponse refusal = refusal(call, program);
        if (null != refusal)
        {
            return refusal;
        }
        final Role role = call.caller().role();
        final DayRange range = DayRange.of(call.text("from"), call.text("to"), epochClock);
        final List<ConversionLine> lines = new ArrayList<>();
        for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(programId))
        {
            conversionsOf(partner, program.number(), range, lines);
        }
        lines.sort(Comparator.comparingLong((ConversionLine line) -> line.record().timeMs())
            .thenComparing(line -> line.record().externalId()).thenComparing(line -> line.partner().number()));
        final ConversionColumns columns = new ConversionColumns(role);
        final CsvWriter csv = new CsvWriter().header(columns.header());
        for (final ConversionLine line : lines)
        {
            columns.write(csv, line, line.commission());
        }
        return ApiResponse.file(CSV, programId + "-conversions-" + range + ".csv", csv.toBytes());
    }

    private void conversionsOf(final CatalogEntry<PartnerSpec> partner, final int programNumber,
        final DayRange range, final List<ConversionLine> lines)
    {
        final byte[] first = ByteBuffer.allocate(12).putInt(partner.number()).putLong(range.fromMs()).array();
        final byte[] end = ByteBuffer.allocate(12).putInt(partner.number()).putLong(range.endMs()).array();
        store.scan(Table.PARTNER_CONVERSIONS, first, end, false, (key, value) ->
        {
            final ByteBuffer parsed = ByteBuffer.wrap(key);
            parsed.position(12);
            if (parsed.getInt() != programNumber)
            {
                return true;
            }
            final String externalId = new String(key, 16, key.length - 16, StandardCharsets.UTF_8);
            // A partner only listed on the path (model weight 0: no commission, docs/money.md) is not credited by
            // the conversion and has no row (docs/import-export.md).
            if (conversions.find(programNumber, externalId) instanceof ConversionRecord record)
            {
                final Commission commission = records.committedCommission(new CommissionKey(partner.number(),
                    record.timeMs(), programNumber, record.externalId()));
                if (null != commission)
                {
                    if (lines.size() == MAX_EXPORT_ROWS)
                    {
                        throw tooMany();
                    }
                    lines.add(new ConversionLine(partner, record, commission));
                }
            }
            return true;
        });
    }

    /**
     * {@code GET /v1/programs/{programId}/ledger/export.csv?from=&to=}: the ledger entries of every partner of the
     * program dated within the range, partner by partner (catalog order), each in ledger order.
     *
     * @param call the request: the program and the range ({@code from} and {@code to}, by default the last 30
     *             days).
     * @return the file, 400 if the range holds more than {@value #MAX_EXPORT_ROWS} rows, or 404.
     */
    ApiResponse ledger(final RouteCall call)
    {
        final String programId = call.param("programId");
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        final ApiResponse refusal = refusal(call, program);
        if (null != refusal)
        {
            return refusal;
        }
        final DayRange range = DayRange.of(call.text("from"), call.text("to"), epochClock);
        final String first = range.from().toString();
        final String last = range.to().toString();
        final CsvWriter csv = new CsvWriter().header(List.of("partnerId", "seq", "date", "type", "amount", "from",
            "to", "currency", "externalId", "runId", "note"));
        for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(programId))
        {
            ledger.forEachEntry(partner.number(), 0, entry ->
            {
                if (entry.date().compareTo(first) >= 0 && entry.date().compareTo(last) <= 0)
                {
                    if (csv.rows() > MAX_EXPORT_ROWS)
                    {
                        throw tooMany();
                    }
                    ledgerRow(csv, partner.id(), entry, program.spec().currency());
                }
                return true;
            });
        }
        return ApiResponse.file(CSV, programId + "-ledger-" + range + ".csv", csv.toBytes());
    }

    private static void ledgerRow(final CsvWriter csv, final String partnerId, final LedgerEntry entry,
        final String currency)
    {
        csv.text(partnerId).number(entry.seq()).text(entry.date()).text(entry.type()).number(entry.amount())
            .text(entry.from()).text(entry.to()).text(currency).text(entry.externalId()).text(entry.runId())
            .text(entry.note()).endRow();
    }

    private static ApiResponse refusal(final RouteCall call, final CatalogEntry<ProgramSpec> program)
    {
        final String programId = call.param("programId");
        final String scope = call.caller().programId();
        if (null != scope && !scope.equals(programId))
        {
            return ApiResponse.error(403, "this token is scoped to program '" + scope + "'");
        }
        return null == program ? ApiResponse.notFound("program", programId) : null;
    }

    private static InvalidSpecException tooMany()
    {
        return new InvalidSpecException("the export would hold more than " + MAX_EXPORT_ROWS + " rows: narrow " +
            "from and to");
    }

    static boolean owns(final View view, final String field, final Role role)
    {
        final Set<Role> owners = FieldOwners.owners(view).get(field);
        return null == owners ? Role.ADMIN == role : owners.contains(role);
    }

    /**
     * A conversion, one partner it credits and that partner's commission on it.
     */
    private record ConversionLine(CatalogEntry<PartnerSpec> partner, ConversionRecord record, Commission commission)
    {
    }

    /**
     * The conversions export's columns a role owns, and how each row fills them.
     */
    private static final class ConversionColumns
    {
        private final boolean hasCustomer;
        private final boolean hasCommission;
        private final boolean hasSource;

        ConversionColumns(final Role role)
        {
            hasCustomer = owns(View.CONVERSIONS, CONVERSION + "customerId", role);
            hasCommission = owns(View.CONVERSIONS, CONVERSION + "commission", role);
            hasSource = owns(View.CONVERSIONS, CONVERSION + "source", role);
        }

        List<String> header()
        {
            final List<String> header = new ArrayList<>(List.of("externalId", "time", "kind", "partnerId", "amount",
                "currency", "credit", "reversedAmount", "attributedBy", "coupon"));
            if (hasSource)
            {
                header.add("source");
            }
            if (hasCustomer)
            {
                header.add("customerId");
            }
            if (hasCommission)
            {
                header.addAll(List.of("commissionState", "commissionAmount"));
            }
            return header;
        }

        void write(final CsvWriter csv, final ConversionLine line, final Commission commission)
        {
            final ConversionRecord record = line.record();
            long credit = 0;
            for (final ConversionRecord.Credit c : record.credits())
            {
                if (c.partnerNumber() == line.partner().number())
                {
                    credit = Money.addSaturated(credit, c.revenue());
                }
            }
            csv.text(record.externalId()).text(Instant.ofEpochMilli(record.timeMs()).toString())
                .text(record.kind().wireName()).text(line.partner().id()).number(record.amount())
                .text(record.currency()).number(credit).number(record.reversedAmount()).text(record.attributedBy())
                .text(record.coupon());
            if (hasSource)
            {
                csv.text(record.source());
            }
            if (hasCustomer)
            {
                csv.text(record.customerId());
            }
            if (hasCommission)
            {
                csv.text(null == commission ? null : commission.state())
                    .number(null == commission ? null : commission.net());
            }
            csv.endRow();
        }
    }

    /**
     * A range of whole UTC days, bounded like every report's.
     */
    private record DayRange(LocalDate from, LocalDate to)
    {
        static DayRange of(final String from, final String to, final EpochClock epochClock)
        {
            final LocalDate toDate = null == to ? LocalDate.ofEpochDay(RequestDates.today(epochClock)) :
                RequestDates.parseDate("to", to);
            final LocalDate fromDate = null == from ? toDate.minusDays(29) : RequestDates.parseDate("from", from);
            if (fromDate.isAfter(toDate))
            {
                throw new InvalidSpecException("from " + fromDate + " is after to " + toDate);
            }
            if (toDate.toEpochDay() - fromDate.toEpochDay() >= RequestDates.MAX_REPORT_DAYS)
            {
                throw new InvalidSpecException("range is longer than " + RequestDates.MAX_REPORT_DAYS +
                    " days: to must be at most " + (RequestDates.MAX_REPORT_DAYS - 1) + " days after from");
            }
            return new DayRange(fromDate, toDate);
        }

        int fromDay()
        {
            return (int)from.toEpochDay();
        }

        int toDay()
        {
            return (int)to.toEpochDay();
        }

        long fromMs()
        {
            return from.toEpochDay() * 86_400_000L;
        }

        long endMs()
        {
            return (to.toEpochDay() + 1) * 86_400_000L;
        }

        @Override
        public String toString()
        {
            return from + "-to-" + to;
        }
    }
}
