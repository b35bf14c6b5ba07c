package dev.ricochet.aggregator.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.ingest.StrictJson;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.util.List;
import java.util.function.Function;

/**
 * The versions of catalog entities over HTTP: a read answers the entity's {@code ETag}; a replace ({@code PUT}) or a
 * partial update ({@code PATCH}, JSON Merge Patch) runs under the journal's write lock, checks the request's
 * conditions against the current version (412), builds the whole new spec (the body as given, or the patch merged
 * into the stored spec) and hands it to the resource's own checks and write, then tags the answer with the new
 * version. Because the check, the merge and the write hold one lock, two managers cannot both write over the version
 * they read, and a patch always applies to the latest version.
 */
final class EntityRevisions
{
    private final JournalWrites writes;
    private final EntityTag tags;

    /**
     * @param writes journals changes; its write lock makes check-and-write atomic.
     * @param tags   computes entity tags.
     */
    EntityRevisions(final JournalWrites writes, final EntityTag tags)
    {
        this.writes = writes;
        this.tags = tags;
    }

    /**
     * One kind of catalog entity, as this class needs it.
     *
     * @param what      the kind's name in messages ("partner").
     * @param kind      its catalog event kind (part of its tag).
     * @param type      its spec type, which a body is parsed into.
     * @param lookup    reads the stored entity by id, or null.
     * @param serverSet the fields the server sets, which a patch may not name.
     * @param <T>       the spec type.
     */
    record Kind<T>(String what, byte kind, Class<T> type, Function<String, CatalogEntry<T>> lookup,
        List<String> serverSet)
    {
    }

    /**
     * The resource's part of a write: its own checks of the whole new spec, and the journaled write.
     *
     * @param <T> the spec type.
     */
    @FunctionalInterface
    interface Store<T>
    {
        /**
         * @param existing the stored entity, or null if it is created.
         * @param given    the whole new spec as parsed, before the resource's checks and defaults.
         * @return the answer: 200 with the stored view, or the error.
         */
        ApiResponse store(CatalogEntry<T> existing, T given);
    }

    /**
     * A read, tagged.
     *
     * @param kind the entity's kind.
     * @param id   from the path.
     * @param view the answer's body for the stored entity.
     * @param <T>  the spec type.
     * @return 200 with the view and its ETag, or 404.
     */
    <T> ApiResponse read(final Kind<T> kind, final String id, final Function<CatalogEntry<T>, Object> view)
    {
        final CatalogEntry<T> entry = kind.lookup().apply(id);
        return null == entry ? ApiResponse.notFound(kind.what(), id) :
            ApiResponse.ok(view.apply(entry)).withHeader("ETag", tags.of(kind.kind(), entry));
    }

    /**
     * {@code PUT}: the body is the whole new spec.
     *
     * @param call  the request.
     * @param kind  the entity's kind.
     * @param store the resource's checks and write.
     * @param <T>   the spec type.
     * @return the answer, tagged with the new version if written.
     */
    <T> ApiResponse put(final RouteCall call, final Kind<T> kind, final Store<T> store)
    {
        return guarded(call, kind, false,
            existing -> store.store(existing, CatalogJson.parseRequest(call.body(), kind.type())));
    }

    /**
     * {@code PATCH}: the body is a JSON Merge Patch (RFC 7396) of the stored spec; {@code null} removes a field (it
     * takes its default), an object merges into the field's object, anything else replaces the field.
     *
     * @param call  the request.
     * @param kind  the entity's kind.
     * @param store the resource's checks and write, the same as for a {@code PUT}.
     * @param <T>   the spec type.
     * @return the answer, tagged with the new version if written.
     */
    <T> ApiResponse patch(final RouteCall call, final Kind<T> kind, final Store<T> store)
    {
        final List<String> contentTypes = call.headers().getAll(HttpHeaderNames.CONTENT_TYPE);
        if (1 != contentTypes.size() || !MergePatch.isMergePatch(contentTypes.get(0)))
        {
            return ApiResponse.error(415, "PATCH takes a JSON Merge Patch (RFC 7396): send one Content-Type: " +
                MergePatch.MEDIA_TYPE);
        }
        return guarded(call, kind, true, existing ->
        {
            final JsonNode merged = MergePatch.apply(StrictJson.MAPPER.valueToTree(existing.spec()),
                patchOf(kind, call.body()));
            return store.store(existing, CatalogJson.parseRequest(CatalogJson.write(merged), kind.type()));
        });
    }

    /**
     * Any write to the one entity of the request's path (a replace, a patch, an approval, a tier pin): under the
     * journal's write lock, once every earlier change is applied, judge the request's {@code If-Match} and
     * {@code If-None-Match} against the entity's current version (412), then write, and tag a 200 with the version
     * written. Routes that change an entity by other means than PUT and PATCH call this to honour the same headers.
     *
     * @param call      the request; its path's id names the entity.
     * @param kind      the entity's kind.
     * @param mustExist true if the write needs the entity (404 without it, whatever the conditions, as RFC 9110
     *                  section 13.2.1 has it); false if it may create it (the write then gets null).
     * @param write     the write, given the stored entity.
     * @param <T>       the spec type.
     * @return the answer, tagged with the new version if written.
     */
    <T> ApiResponse guarded(final RouteCall call, final Kind<T> kind, final boolean mustExist,
        final Function<CatalogEntry<T>, ApiResponse> write)
    {
        final WritePreconditions conditions = conditions(call);
        synchronized (writes.writeLock())
        {
            final ApiResponse behind = writes.awaitAllApplied();
            if (null != behind)
            {
                return behind;
            }
            final CatalogEntry<T> existing = kind.lookup().apply(call.id());
            if (mustExist && null == existing)
            {
                return ApiResponse.notFound(kind.what(), call.id());
            }
            final String refusal = conditions.refusal(describe(kind, call.id()), tags.of(kind.kind(), existing));
            if (null != refusal)
            {
                return ApiResponse.error(412, refusal);
            }
            return tagged(kind, call.id(), write.apply(existing));
        }
    }

    private <T> ApiResponse tagged(final Kind<T> kind, final String id, final ApiResponse answer)
    {
        // Still under the write lock: the entity read back is the version this write made.
        return 200 != answer.status() ? answer :
            answer.withHeader("ETag", tags.of(kind.kind(), kind.lookup().apply(id)));
    }

    private static <T> JsonNode patchOf(final Kind<T> kind, final byte[] body)
    {
        final JsonNode patch;
        try
        {
            patch = StrictJson.readTree(body);
        }
        catch (final StrictJson.InvalidJsonException ex)
        {
            throw new InvalidSpecException(ex.getMessage());
        }
        if (!(patch instanceof ObjectNode))
        {
            throw new InvalidSpecException("a merge patch of a " + kind.what() + " must be a JSON object naming the " +
                "fields to change");
        }
        for (final String field : kind.serverSet())
        {
            if (patch.has(field))
            {
                throw new InvalidSpecException(field + " is set by the server and cannot be patched");
            }
        }
        return patch;
    }

    /**
     * A header given more than once is one comma-separated list (RFC 9110 section 5.3).
     */
    private static WritePreconditions conditions(final RouteCall call)
    {
        return WritePreconditions.of(joined(call, HttpHeaderNames.IF_MATCH),
            joined(call, HttpHeaderNames.IF_NONE_MATCH));
    }

    private static String joined(final RouteCall call, final CharSequence name)
    {
        final List<String> values = call.headers().getAll(name);
        return values.isEmpty() ? null : String.join(", ", values);
    }

    private static String describe(final Kind<?> kind, final String id)
    {
        return kind.what() + " '" + id + "'";
    }
}
