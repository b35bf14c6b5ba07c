package dev.ricochet.aggregator.directory;

/**
 * Where the directory reads a saved segment's filter ({@code segment=} of a list): the segments' store.
 */
@FunctionalInterface
public interface SavedSegments
{
    /**
     * No segments saved (until the segments' store is wired).
     */
    SavedSegments NONE = (programId, segmentId) -> null;

    /**
     * @param programId the program listed.
     * @param segmentId a segment id.
     * @return the segment's filter, or null if the program has no such segment.
     */
    PartnerFilter filter(String programId, String segmentId);
}
