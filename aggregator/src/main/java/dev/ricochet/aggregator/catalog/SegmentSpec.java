package dev.ricochet.aggregator.catalog;

import dev.ricochet.aggregator.directory.PartnerFilter;

/**
 * A saved segment: a named filter over a program's partners
 * ({@code PUT /v1/programs/{programId}/segments/{segmentId}}).
 *
 * @param programId the program whose partners it selects (from the path).
 * @param name      display name.
 * @param filter    which partners; a filter without conditions selects every partner of the program.
 */
public record SegmentSpec(String programId, String name, PartnerFilter filter)
{
}
