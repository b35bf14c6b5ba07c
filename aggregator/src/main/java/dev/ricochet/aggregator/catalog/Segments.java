package dev.ricochet.aggregator.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The saved segments in memory, by program then segment id: applied from the journal by the aggregator (the single
 * writer), restored from the catalog table at start, read by the admin API.
 *
 * <p>A segment's catalog entry id is {@code programId/segmentId} (ids never contain a slash), so that two programs
 * may each have a segment called {@code vip}; its number is always 0 (no event refers to a segment).
 */
public final class Segments
{
    /**
     * Most segments a program keeps.
     */
    public static final int MAX_PER_PROGRAM = 200;

    private final NavigableMap<String, CatalogEntry<SegmentSpec>> segments = new ConcurrentSkipListMap<>();

    /**
     * @param programId a program.
     * @param segmentId a segment of it.
     * @return the catalog entry id of the segment.
     */
    public static String key(final String programId, final String segmentId)
    {
        return programId + "/" + segmentId;
    }

    /**
     * @param entry a segment's catalog entry.
     * @return the segment id (after the program's).
     */
    public static String segmentId(final CatalogEntry<SegmentSpec> entry)
    {
        return entry.id().substring(entry.id().indexOf('/') + 1);
    }

    /**
     * @param programId a program.
     * @param segmentId a segment id.
     * @return the segment or null.
     */
    public CatalogEntry<SegmentSpec> get(final String programId, final String segmentId)
    {
        return segments.get(key(programId, segmentId));
    }

    /**
     * @param programId a program.
     * @param after     the last segment id of the previous page, or null.
     * @param limit     most segments answered.
     * @return the program's segments in id order, after {@code after}.
     */
    public List<CatalogEntry<SegmentSpec>> list(final String programId, final String after, final int limit)
    {
        // '0' follows '/': the range holds exactly the keys "programId/...".
        final NavigableMap<String, CatalogEntry<SegmentSpec>> range = null == after ?
            segments.subMap(programId + "/", true, programId + "0", false) :
            segments.subMap(key(programId, after), false, programId + "0", false);
        final List<CatalogEntry<SegmentSpec>> result = new ArrayList<>();
        for (final CatalogEntry<SegmentSpec> entry : range.values())
        {
            if (result.size() == limit)
            {
                break;
            }
            result.add(entry);
        }
        return result;
    }

    /**
     * @param programId a program.
     * @return how many segments it has.
     */
    public int count(final String programId)
    {
        return segments.subMap(programId + "/", true, programId + "0", false).size();
    }

    /**
     * Save or replace a segment, or delete it (aggregator thread, or start-up restore).
     *
     * @param entry the segment; a null spec deletes it.
     * @return the segment as it was before, or null.
     */
    public CatalogEntry<SegmentSpec> apply(final CatalogEntry<SegmentSpec> entry)
    {
        return null == entry.spec() ? segments.remove(entry.id()) : segments.put(entry.id(), entry);
    }
}
