package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.catalog.SegmentSpec;
import dev.ricochet.aggregator.catalog.Segments;
import dev.ricochet.aggregator.directory.PartnerFilter;
import dev.ricochet.aggregator.directory.PartnerFilters;
import dev.ricochet.ingest.CatalogEventFlyweight;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saved segments of a program (part 8, item 4): a named {@link PartnerFilter}, read from the catalog in memory and
 * changed through the journal.
 */
final class SegmentsResource
{
    private static final int MAX_NAME_LENGTH = 200;

    private final Catalog catalog;
    private final JournalWrites writes;

    /**
     * The body of {@code PUT /v1/programs/{programId}/segments/{segmentId}}.
     *
     * @param name   display name.
     * @param filter the filter.
     */
    record SegmentBody(String name, PartnerFilter filter)
    {
    }

    /**
     * @param catalog catalog in memory.
     * @param writes  journals changes and waits for them.
     */
    SegmentsResource(final Catalog catalog, final JournalWrites writes)
    {
        this.catalog = catalog;
        this.writes = writes;
    }

    /**
     * {@code PUT /v1/programs/{programId}/segments/{segmentId}}.
     *
     * @param call the request.
     * @return the segment as stored.
     */
    ApiResponse put(final RouteCall call)
    {
        final String programId = call.param("programId");
        final String segmentId = call.param("segmentId");
        CatalogValidation.requireId("segmentId", segmentId);
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program)
        {
            return ApiResponse.notFound("program", programId);
        }
        final SegmentBody body = CatalogJson.parseRequest(call.body(), SegmentBody.class);
        final SegmentSpec spec = new SegmentSpec(programId, name(body.name()),
            PartnerFilters.validate(body.filter(), program.spec(), "filter"));
        final Segments segments = catalog.segments();
        if (null == segments.get(programId, segmentId) && segments.count(programId) >= Segments.MAX_PER_PROGRAM)
        {
            return ApiResponse.error(409, "program '" + programId + "' has " + Segments.MAX_PER_PROGRAM +
                " segments, the most it keeps: delete one first");
        }
        return writes.upsert(call, CatalogEventFlyweight.KIND_SEGMENT,
            new CatalogEntry<>(Segments.key(programId, segmentId), 0, spec),
            () -> segments.get(programId, segmentId), SegmentsResource::view);
    }

    private static String name(final String name)
    {
        if (null == name || name.isBlank() || name.length() > MAX_NAME_LENGTH ||
            name.chars().anyMatch(Character::isISOControl))
        {
            throw new InvalidSpecException("name is required: 1-" + MAX_NAME_LENGTH +
                " characters without control characters");
        }
        return name.strip();
    }

    /**
     * {@code GET /v1/programs/{programId}/segments/{segmentId}}.
     *
     * @param call the request.
     * @return the segment.
     */
    ApiResponse get(final RouteCall call)
    {
        final CatalogEntry<SegmentSpec> segment = catalog.segments().get(call.param("programId"),
            call.param("segmentId"));
        return null == segment ? ApiResponse.notFound("segment", call.param("segmentId")) :
            ApiResponse.ok(view(segment));
    }

    /**
     * {@code DELETE /v1/programs/{programId}/segments/{segmentId}}.
     *
     * @param call the request.
     * @return the segment as it was, or 404.
     */
    ApiResponse delete(final RouteCall call)
    {
        final String programId = call.param("programId");
        final String segmentId = call.param("segmentId");
        final CatalogEntry<SegmentSpec> segment = catalog.segments().get(programId, segmentId);
        if (null == segment)
        {
            return ApiResponse.notFound("segment", segmentId);
        }
        final ApiResponse refusal = writes.command(call, CatalogEventFlyweight.KIND_SEGMENT,
            new CatalogEntry<SegmentSpec>(Segments.key(programId, segmentId), 0, null));
        return null != refusal ? refusal : ApiResponse.ok(view(segment));
    }

    /**
     * {@code GET /v1/programs/{programId}/segments?limit=&cursor=}.
     *
     * @param call the request.
     * @return a page of the program's segments in id order.
     */
    ApiResponse list(final RouteCall call)
    {
        final String programId = call.param("programId");
        if (null == catalog.program(programId))
        {
            return ApiResponse.notFound("program", programId);
        }
        final int limit = (int)call.number("limit");
        final String after = after(call.text("cursor"));
        final List<CatalogEntry<SegmentSpec>> page = catalog.segments().list(programId, after, limit + 1);
        final List<Object> items = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, page.size()); i++)
        {
            items.add(view(page.get(i)));
        }
        final Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("items", items);
        answer.put("next", page.size() > limit ? cursor(Segments.segmentId(page.get(limit - 1))) : null);
        return ApiResponse.ok(answer);
    }

    private static String cursor(final String segmentId)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(segmentId.getBytes(StandardCharsets.UTF_8));
    }

    private static String after(final String cursor)
    {
        if (null == cursor)
        {
            return null;
        }
        try
        {
            final String segmentId = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            CatalogValidation.requireId("cursor", segmentId);
            return segmentId;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new InvalidSpecException("cursor '" + cursor + "' is not a cursor this list gave");
        }
    }

    static Map<String, Object> view(final CatalogEntry<SegmentSpec> segment)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", Segments.segmentId(segment));
        view.put("programId", segment.spec().programId());
        view.put("name", segment.spec().name());
        view.put("filter", segment.spec().filter());
        return view;
    }
}
