package dev.ricochet.aggregator.catalog;

import dev.ricochet.aggregator.audit.AuditDetail;
import dev.ricochet.ingest.CatalogEventFlyweight;
import org.rocksdb.WriteBatch;

/**
 * Applies a journaled segment change in the aggregator (part 8, item 4): saves or deletes it in memory and in the
 * catalog table, in the event's commit batch.
 */
public final class SegmentChanges
{
    private final Catalog catalog;
    private final CatalogTable catalogTable;
    private final WriteBatch batch;

    /**
     * @param catalog      the catalog, whose segments change.
     * @param catalogTable the saved catalog.
     * @param batch        the agent's batch.
     */
    public SegmentChanges(final Catalog catalog, final CatalogTable catalogTable, final WriteBatch batch)
    {
        this.catalog = catalog;
        this.catalogTable = catalogTable;
        this.batch = batch;
    }

    /**
     * @param change the segment as journaled; a null spec deletes it.
     * @return what changed, or null if nothing did (its program unknown, or a deleted segment absent).
     */
    public AuditDetail apply(final CatalogEntry<SegmentSpec> change)
    {
        final String programId = change.id().substring(0, Math.max(0, change.id().indexOf('/')));
        if (null == catalog.program(programId) || (null != change.spec() &&
            !programId.equals(change.spec().programId())))
        {
            return null;
        }
        final CatalogEntry<SegmentSpec> before = catalog.segments().apply(change);
        if (null == change.spec())
        {
            if (null == before)
            {
                return null;
            }
            catalogTable.delete(batch, CatalogEventFlyweight.KIND_SEGMENT, change.id());
        }
        else
        {
            catalogTable.put(batch, CatalogEventFlyweight.KIND_SEGMENT, change);
        }
        return new AuditDetail("segment:" + change.id(), programId, null == before ? null : before.spec(),
            change.spec());
    }
}
