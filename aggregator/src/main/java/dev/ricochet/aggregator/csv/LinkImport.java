package dev.ricochet.aggregator.csv;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.aggregator.catalog.PartnerSpec;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a links file row by row and checks each row the way {@code PUT /v1/links/{code}} checks a body
 * ({@link CatalogValidation#link}); the partner must be one of the path's program's, and a code already taken must be
 * a link of that program too. See docs/import-export.md.
 */
public final class LinkImport
{
    private final String programId;
    private final Catalog catalog;
    private final ImportFile file;
    private final Map<LinkColumn, Integer> columns = new EnumMap<>(LinkColumn.class);
    private final Map<String, Integer> firstLines = new HashMap<>();
    private final List<ImportCommand.Row<LinkSpec>> changes = new ArrayList<>();
    private final List<ImportError> errors = new ArrayList<>();
    private int created;
    private int updated;
    private int unchanged;

    private LinkImport(final String programId, final Catalog catalog, final InputStream body)
    {
        this.programId = programId;
        this.catalog = catalog;
        this.file = new ImportFile(body);
        final List<String> header = file.header();
        for (int i = 0; i < header.size(); i++)
        {
            final LinkColumn column = LinkColumn.of(header.get(i));
            if (null == column)
            {
                throw new InvalidSpecException("line 1: unknown column '" + ImportFile.echo(header.get(i)) +
                    "': expected code, partnerId and destination");
            }
            columns.put(column, i);
        }
        for (final LinkColumn column : LinkColumn.values())
        {
            if (!columns.containsKey(column))
            {
                throw new InvalidSpecException("line 1: the header has no '" + column.header() + "' column");
            }
        }
    }

    /**
     * @param programId the program the links are of (the path's).
     * @param catalog   the catalog as it is now.
     * @param body      the file.
     * @return every row as the link it would store, or every bad row.
     * @throws InvalidSpecException    if the header names an unknown column, a column twice, or lacks one.
     * @throws CsvFormatException      if the file is not CSV.
     * @throws ImportTooLargeException if it has too many rows.
     */
    public static ImportPlan<LinkSpec> plan(final String programId, final Catalog catalog, final InputStream body)
    {
        return new LinkImport(programId, catalog, body).readRows();
    }

    private ImportPlan<LinkSpec> readRows()
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
                row(record);
            }
        }
        return new ImportPlan<>(errors.isEmpty() ? List.copyOf(changes) : List.of(), List.copyOf(errors), rows,
            created, updated, unchanged);
    }

    private void row(final CsvRecord record)
    {
        final String code = cell(record, LinkColumn.CODE);
        final String partnerId = cell(record, LinkColumn.PARTNER_ID);
        final ImportError error = refusal(record.line(), code, partnerId);
        if (null != error)
        {
            errors.add(error);
            return;
        }
        final LinkSpec link;
        try
        {
            link = CatalogValidation.link(new LinkSpec(partnerId, cell(record, LinkColumn.DESTINATION)));
        }
        catch (final InvalidSpecException ex)
        {
            errors.add(new ImportError(record.line(), ex.getMessage().startsWith("partnerId") ?
                LinkColumn.PARTNER_ID.header() : LinkColumn.DESTINATION.header(), ex.getMessage()));
            return;
        }
        final CatalogEntry<LinkSpec> existing = catalog.link(code);
        if (null != existing && existing.spec().equals(link))
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
        changes.add(new ImportCommand.Row<>(code, link,
            ImportCommand.fingerprint(null == existing ? null : existing.spec())));
    }

    private ImportError refusal(final int line, final String code, final String partnerId)
    {
        final String codeField = LinkColumn.CODE.header();
        try
        {
            CatalogValidation.requireId(codeField, code);
        }
        catch (final InvalidSpecException ex)
        {
            return new ImportError(line, codeField, ex.getMessage());
        }
        final Integer firstLine = firstLines.putIfAbsent(code, line);
        if (null != firstLine)
        {
            return new ImportError(line, codeField, "code '" + code + "' is on line " + firstLine + " already");
        }
        final CatalogEntry<LinkSpec> existing = catalog.link(code);
        final String owner = null == existing ? null : programOf(existing.spec().partnerId());
        if (null != existing && !programId.equals(owner))
        {
            return new ImportError(line, codeField, "code '" + code + "' is a link of another program");
        }
        final String partnerField = LinkColumn.PARTNER_ID.header();
        if (partnerId.isEmpty())
        {
            return new ImportError(line, partnerField, "partnerId is required");
        }
        if (!programId.equals(programOf(partnerId)))
        {
            return new ImportError(line, partnerField, "partnerId '" + ImportFile.echo(partnerId) +
                "' is not a partner of program '" + programId + "'");
        }
        return null;
    }

    private String programOf(final String partnerId)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        return null == partner ? null : partner.spec().programId();
    }

    private String cell(final CsvRecord record, final LinkColumn column)
    {
        return CsvCells.unescapeFormula(record.fields().get(columns.get(column)));
    }
}
