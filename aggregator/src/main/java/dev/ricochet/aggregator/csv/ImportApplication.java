package dev.ricochet.aggregator.csv;

import dev.ricochet.aggregator.audit.AuditDetail;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.ingest.CatalogEventFlyweight;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The aggregator's side of an import ({@link ImportCommand}, catalog kind {@code KIND_IMPORT}): checks that every
 * entity the file was checked against is still as it was, then applies every row through the catalog's own path for
 * a partner or a link (the one a {@code PUT} takes), all in the current commit batch; or, if anything changed in
 * between, nothing. Its audit detail is the summary the import answers with, and each row's before and after.
 * Aggregator thread only.
 */
public final class ImportApplication
{
    /**
     * Applies one catalog change the way a single write does.
     */
    @FunctionalInterface
    public interface Applier
    {
        /**
         * @param kind     the catalog kind.
         * @param document the change.
         * @param timeMs   its journal time.
         * @return what it did, or null if it was refused.
         */
        AuditDetail apply(byte kind, byte[] document, long timeMs);
    }

    private final Catalog catalog;
    private final Applier applier;

    /**
     * @param catalog the catalog, to check the rows against.
     * @param applier the catalog's path for one partner or link.
     */
    public ImportApplication(final Catalog catalog, final Applier applier)
    {
        this.catalog = catalog;
        this.applier = applier;
    }

    /**
     * @param document the journaled {@link ImportCommand}.
     * @param timeMs   its journal time.
     * @return the import's summary and changes, or null if it was refused and changed nothing.
     */
    public AuditDetail apply(final byte[] document, final long timeMs)
    {
        final ImportCommand command = CatalogJson.read(document, ImportCommand.class);
        final String programId = command.programId();
        if (null == catalog.program(programId) || !partnersAsChecked(command) || !linksAsChecked(command))
        {
            return null;
        }
        final Summary summary = new Summary();
        for (final ImportCommand.Row<PartnerSpec> row : command.partners())
        {
            summary.add(row.id(), applier.apply(CatalogEventFlyweight.KIND_PARTNER,
                CatalogJson.write(new CatalogEntry<>(row.id(), 0, row.spec())), timeMs));
        }
        for (final ImportCommand.Row<LinkSpec> row : command.links())
        {
            summary.add(row.id(), applier.apply(CatalogEventFlyweight.KIND_LINK,
                CatalogJson.write(new CatalogEntry<>(row.id(), 0, row.spec())), timeMs));
        }
        final Map<String, Object> after = new LinkedHashMap<>();
        after.put("entity", command.links().isEmpty() ? "partners" : "links");
        after.put("rows", summary.created + summary.updated + command.unchanged() + summary.refused.size());
        after.put("created", summary.created);
        after.put("updated", summary.updated);
        after.put("unchanged", command.unchanged());
        after.put("refused", summary.refused);
        after.put("changes", summary.changes);
        return new AuditDetail("program:" + programId, programId, null, after);
    }

    private boolean partnersAsChecked(final ImportCommand command)
    {
        for (final ImportCommand.Row<PartnerSpec> row : command.partners())
        {
            final CatalogEntry<PartnerSpec> existing = catalog.partner(row.id());
            if (!command.programId().equals(row.spec().programId()) ||
                (null != existing && !command.programId().equals(existing.spec().programId())) ||
                !isAsChecked(row, null == existing ? null : existing.spec()))
            {
                return false;
            }
        }
        return true;
    }

    private boolean linksAsChecked(final ImportCommand command)
    {
        for (final ImportCommand.Row<LinkSpec> row : command.links())
        {
            final CatalogEntry<LinkSpec> existing = catalog.link(row.id());
            if (!command.programId().equals(programOf(row.spec().partnerId())) ||
                (null != existing && !command.programId().equals(programOf(existing.spec().partnerId()))) ||
                !isAsChecked(row, null == existing ? null : existing.spec()))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The entity is as the file was checked against, or already as the row makes it (an import applied again after a
     * crash between a commit in the middle of it and the commit of its journal position).
     */
    private static <T> boolean isAsChecked(final ImportCommand.Row<T> row, final T existing)
    {
        return Objects.equals(row.base(), ImportCommand.fingerprint(existing)) || row.spec().equals(existing);
    }

    private String programOf(final String partnerId)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        return null == partner ? null : partner.spec().programId();
    }

    /**
     * What the rows did.
     */
    private static final class Summary
    {
        private final List<Map<String, Object>> changes = new ArrayList<>();
        private final List<String> refused = new ArrayList<>();
        private int created;
        private int updated;

        void add(final String id, final AuditDetail detail)
        {
            if (null == detail)
            {
                // Checked above, so only a rule of the single write's own path refuses it (as it would a PUT).
                refused.add(id);
                return;
            }
            if (null == detail.before())
            {
                created++;
            }
            else
            {
                updated++;
            }
            final Map<String, Object> change = new LinkedHashMap<>();
            change.put("target", detail.target());
            change.put("before", detail.before());
            change.put("after", detail.after());
            changes.add(change);
        }
    }
}
