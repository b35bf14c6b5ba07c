package dev.ricochet.aggregator.csv;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.ingest.StrictJson;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a partners file row by row and checks each row the way {@code PUT /v1/partners/{id}} checks a body
 * ({@link CatalogValidation#partner}), after merging its columns onto the partner it names: a column present sets its
 * field (an empty cell clears it, except {@code status}, where it keeps the partner's status or, for a new partner,
 * the default), a column absent keeps it. See docs/import-export.md.
 */
public final class PartnerImport
{
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    private static final Pattern MINOR_UNITS = Pattern.compile("0|[1-9][0-9]{0,17}");
    private static final int MAX_NUMBER_CHARS = 32;

    private final String programId;
    private final Catalog catalog;
    private final long nowMs;
    private final ImportFile file;
    private final Map<PartnerColumn, Integer> columns = new EnumMap<>(PartnerColumn.class);
    private final Map<String, Integer> attributeColumns = new LinkedHashMap<>();
    private final Map<String, ProgramSpec.AttributeDef> attributeDefs = new HashMap<>();
    private final Map<String, Integer> firstLines = new HashMap<>();
    private final List<ImportCommand.Row<PartnerSpec>> changes = new ArrayList<>();
    private final List<ImportError> errors = new ArrayList<>();
    private int created;
    private int updated;
    private int unchanged;

    private PartnerImport(final CatalogEntry<ProgramSpec> program, final Catalog catalog, final long nowMs,
        final InputStream body)
    {
        this.programId = program.id();
        this.catalog = catalog;
        this.nowMs = nowMs;
        this.file = new ImportFile(body);
        if (null != program.spec().attributes())
        {
            for (final ProgramSpec.AttributeDef def : program.spec().attributes())
            {
                attributeDefs.put(def.name(), def);
            }
        }
        header(file.header());
    }

    /**
     * @param program the program the partners are of (the path's).
     * @param catalog the catalog as it is now.
     * @param nowMs   now, the latest {@code joinedAt} a new partner may carry.
     * @param body    the file.
     * @return every row as the partner it would store, or every bad row.
     * @throws InvalidSpecException    if the header names an unknown column, a column twice, or no {@code id}.
     * @throws CsvFormatException      if the file is not CSV.
     * @throws ImportTooLargeException if it has too many rows.
     */
    public static ImportPlan<PartnerSpec> plan(final CatalogEntry<ProgramSpec> program, final Catalog catalog,
        final long nowMs, final InputStream body)
    {
        return new PartnerImport(program, catalog, nowMs, body).readRows();
    }

    private void header(final List<String> header)
    {
        for (int i = 0; i < header.size(); i++)
        {
            final String name = header.get(i);
            final PartnerColumn column = PartnerColumn.of(name);
            if (null != column)
            {
                columns.put(column, i);
            }
            else if (name.startsWith(PartnerColumn.ATTRIBUTE_PREFIX))
            {
                final String attribute = name.substring(PartnerColumn.ATTRIBUTE_PREFIX.length());
                if (!attributeDefs.containsKey(attribute))
                {
                    throw new InvalidSpecException("line 1: unknown column '" + ImportFile.echo(name) + "': program '" +
                        programId + "' has no attribute '" + ImportFile.echo(attribute) + "'");
                }
                attributeColumns.put(attribute, i);
            }
            else if (!PartnerColumn.READ_ONLY.contains(name))
            {
                throw new InvalidSpecException("line 1: unknown column '" + ImportFile.echo(name) + "': expected " +
                    "id, name, email, status, tags, payoutAccount, commissionPercent, leadCommission, monthlyCap, " +
                    "joinedAt, attr.<attribute> or the export's read-only " + PartnerColumn.READ_ONLY);
            }
        }
        if (!columns.containsKey(PartnerColumn.ID))
        {
            throw new InvalidSpecException("line 1: the header has no 'id' column");
        }
    }

    private ImportPlan<PartnerSpec> readRows()
    {
        int rows = 0;
        for (CsvRecord record = file.next(); null != record; record = file.next())
        {
            rows++;
            final ImportError shape = file.shapeError(record);
            if (null != shape)
            {
                errors.add(shape);
            }
            else
            {
                row(new Row(record));
            }
        }
        return new ImportPlan<>(errors.isEmpty() ? List.copyOf(changes) : List.of(), List.copyOf(errors),
            rows, created, updated, unchanged);
    }

    private void row(final Row row)
    {
        final String id = row.text(PartnerColumn.ID);
        try
        {
            CatalogValidation.requireId("id", id);
        }
        catch (final InvalidSpecException ex)
        {
            row.error(PartnerColumn.ID.header(), ex.getMessage());
            return;
        }
        final Integer firstLine = firstLines.putIfAbsent(id, row.line());
        if (null != firstLine)
        {
            row.error(PartnerColumn.ID.header(), "id '" + id + "' is on line " + firstLine + " already");
            return;
        }
        final CatalogEntry<PartnerSpec> existing = catalog.partner(id);
        if (null != existing && !programId.equals(existing.spec().programId()))
        {
            // Not naming the program: a program-scoped token learns no other program's id from its own import.
            row.error(PartnerColumn.ID.header(), "partner '" + id + "' is a partner of another program; an import " +
                "writes only the path's program's partners");
            return;
        }
        final PartnerSpec merged = merge(row, null == existing ? null : existing.spec());
        if (row.hasErrors())
        {
            return;
        }
        final PartnerSpec validated;
        try
        {
            // The same checks as a PUT: the partner's fields, then its attributes against the program's schema.
            validated = CatalogValidation.partnerAttributes(CatalogValidation.partner(merged),
                catalog.program(programId).spec(), null == existing ? null : existing.spec());
        }
        catch (final InvalidSpecException ex)
        {
            row.error(fieldOf(ex.getMessage()), ex.getMessage());
            return;
        }
        if (null != existing && existing.spec().equals(validated))
        {
            unchanged++;
            return;
        }
        if (null == existing)
        {
            created++;
        }
        else
        {
            updated++;
        }
        changes.add(new ImportCommand.Row<>(id, validated,
            ImportCommand.fingerprint(null == existing ? null : existing.spec())));
    }

    private PartnerSpec merge(final Row row, final PartnerSpec existing)
    {
        final PartnerSpec base = null == existing ? new PartnerSpec(programId, null, null, null, null, null, null,
            null, null, null, null, null, null, null) : existing;
        final String status = row.has(PartnerColumn.STATUS) && !row.text(PartnerColumn.STATUS).isEmpty() ?
            row.text(PartnerColumn.STATUS) : base.status();
        return new PartnerSpec(programId,
            row.has(PartnerColumn.NAME) ? row.optional(PartnerColumn.NAME) : base.name(),
            row.has(PartnerColumn.EMAIL) ? row.optional(PartnerColumn.EMAIL) : base.email(),
            status,
            row.has(PartnerColumn.COMMISSION_PERCENT) ? row.optional(PartnerColumn.COMMISSION_PERCENT) :
                base.commissionPercent(),
            row.has(PartnerColumn.LEAD_COMMISSION) ? row.minorUnits(PartnerColumn.LEAD_COMMISSION) :
                base.leadCommission(),
            row.has(PartnerColumn.MONTHLY_CAP) ? row.minorUnits(PartnerColumn.MONTHLY_CAP) : base.monthlyCap(),
            row.has(PartnerColumn.PAYOUT_ACCOUNT) ? row.optional(PartnerColumn.PAYOUT_ACCOUNT) :
                base.payoutAccount(),
            base.customerIds(),
            row.has(PartnerColumn.TAGS) ? tags(row.text(PartnerColumn.TAGS), base.tags()) : base.tags(),
            attributes(row, base.attributes()),
            base.tierPin(),
            base.statusReason(),
            joinedAt(row, existing));
    }

    /**
     * Tags separated by {@value PartnerColumn#TAG_SEPARATOR}, each trimmed, empty ones dropped; an empty cell is no
     * tags (kept as the partner's own "no tags", null or empty, so that it reads back unchanged).
     */
    private static List<String> tags(final String cell, final List<String> before)
    {
        final List<String> tags = new ArrayList<>();
        for (final String tag : cell.split(PartnerColumn.TAG_SEPARATOR, -1))
        {
            final String trimmed = tag.strip();
            if (!trimmed.isEmpty())
            {
                tags.add(trimmed);
            }
        }
        if (tags.isEmpty() && (null == before || before.isEmpty()))
        {
            return before;
        }
        return tags;
    }

    private Map<String, Object> attributes(final Row row, final Map<String, Object> before)
    {
        if (attributeColumns.isEmpty())
        {
            return before;
        }
        final Map<String, Object> attributes = null == before ? new LinkedHashMap<>() : new LinkedHashMap<>(before);
        for (final Map.Entry<String, Integer> column : attributeColumns.entrySet())
        {
            final String name = column.getKey();
            final String cell = row.cell(column.getValue());
            if (cell.isEmpty())
            {
                attributes.remove(name);
            }
            else if ("number".equals(attributeDefs.get(name).type()))
            {
                final Object number = number(cell);
                if (null == number)
                {
                    row.error(PartnerColumn.ATTRIBUTE_PREFIX + name, PartnerColumn.ATTRIBUTE_PREFIX + name + " '" +
                        ImportFile.echo(cell) + "' is not a number");
                }
                attributes.put(name, number);
            }
            else
            {
                attributes.put(name, cell);
            }
        }
        return attributes.isEmpty() && null == before ? null : attributes;
    }

    /**
     * A number cell as a JSON body would give it, so that a file and a PUT store the same value.
     */
    private static Object number(final String cell)
    {
        if (cell.length() > MAX_NUMBER_CHARS || !JSON_NUMBER.matcher(cell).matches())
        {
            return null;
        }
        try
        {
            final Object value = StrictJson.MAPPER.readValue(cell, Object.class);
            return value instanceof Double && ((Double)value).isInfinite() ? null : value;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /**
     * Set by the server when a partner is created (now, for a new partner without one), kept by every change: a new
     * partner may bring its date from another system (not after now); an existing partner's cell must be empty or its
     * own date.
     */
    private String joinedAt(final Row row, final PartnerSpec existing)
    {
        final String cell = row.has(PartnerColumn.JOINED_AT) ? row.text(PartnerColumn.JOINED_AT) : "";
        final String field = PartnerColumn.JOINED_AT.header();
        if (null != existing)
        {
            if (!cell.isEmpty() && !cell.equals(existing.joinedAt()))
            {
                row.error(field, field + " '" + ImportFile.echo(cell) + "' differs from partner's " +
                    existing.joinedAt() + ": it is set when the partner joins and never changes");
            }
            return existing.joinedAt();
        }
        if (cell.isEmpty())
        {
            return Instant.ofEpochMilli(nowMs).toString();
        }
        try
        {
            final Instant joined = Instant.parse(cell);
            if (joined.toEpochMilli() > nowMs || joined.getEpochSecond() < 0)
            {
                row.error(field, field + " '" + cell + "' is not between 1970 and now");
            }
            return joined.toString();
        }
        catch (final DateTimeParseException | ArithmeticException ex)
        {
            row.error(field, field + " '" + ImportFile.echo(cell) + "' is not an ISO-8601 instant " +
                "(2026-03-10T10:15:00Z)");
            return null;
        }
    }

    /**
     * The column a validation message is about: its first word, the way {@link CatalogValidation} names fields.
     */
    private String fieldOf(final String message)
    {
        int end = 0;
        while (end < message.length() && (Character.isLetterOrDigit(message.charAt(end)) ||
            '.' == message.charAt(end) || '_' == message.charAt(end)))
        {
            end++;
        }
        final String word = message.substring(0, end);
        if (word.startsWith("attributes."))
        {
            return PartnerColumn.ATTRIBUTE_PREFIX + word.substring("attributes.".length());
        }
        if ("partnerId".equals(word))
        {
            return PartnerColumn.ID.header();
        }
        final PartnerColumn column = PartnerColumn.of(word);
        return null == column ? null : column.header();
    }

    /**
     * One data row and its errors.
     */
    private final class Row
    {
        private final CsvRecord record;
        private boolean hasErrors;

        Row(final CsvRecord record)
        {
            this.record = record;
        }

        int line()
        {
            return record.line();
        }

        boolean has(final PartnerColumn column)
        {
            return columns.containsKey(column);
        }

        String cell(final int index)
        {
            return CsvCells.unescapeFormula(record.fields().get(index));
        }

        String text(final PartnerColumn column)
        {
            return cell(columns.get(column));
        }

        String optional(final PartnerColumn column)
        {
            final String text = text(column);
            return text.isEmpty() ? null : text;
        }

        Long minorUnits(final PartnerColumn column)
        {
            final String text = text(column);
            if (text.isEmpty())
            {
                return null;
            }
            if (!MINOR_UNITS.matcher(text).matches())
            {
                error(column.header(), column.header() + " '" + ImportFile.echo(text) + "' is not a whole number of " +
                    "minor units (0 or more, no sign, separator or decimals)");
                return null;
            }
            return Long.parseLong(text);
        }

        void error(final String field, final String message)
        {
            hasErrors = true;
            errors.add(new ImportError(record.line(), field, message));
        }

        boolean hasErrors()
        {
            return hasErrors;
        }
    }
}
