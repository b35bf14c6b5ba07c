package dev.ricochet.aggregator.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * JSON Merge Patch (RFC 7396): a patch object names the members to change; {@code null} removes a member, an object
 * merges into the member's object, anything else (a string, a number, an array) replaces it. A patch that is not an
 * object replaces the whole target. Pure: neither argument is modified.
 */
final class MergePatch
{
    /**
     * The media type of a merge patch ({@code Content-Type} of a {@code PATCH}).
     */
    static final String MEDIA_TYPE = "application/merge-patch+json";

    private MergePatch()
    {
    }

    /**
     * The algorithm of RFC 7396 section 2, on copies.
     *
     * @param target the document patched, or null for none.
     * @param patch  the patch.
     * @return the patched document (a new tree; null only if the patch is a JSON null).
     */
    static JsonNode apply(final JsonNode target, final JsonNode patch)
    {
        if (null == patch || !patch.isObject())
        {
            return null == patch || patch.isNull() ? null : patch.deepCopy();
        }
        final ObjectNode result = null != target && target.isObject() ?
            ((ObjectNode)target).deepCopy() : JsonNodeFactory.instance.objectNode();
        for (final Map.Entry<String, JsonNode> member : patch.properties())
        {
            if (member.getValue().isNull())
            {
                result.remove(member.getKey());
            }
            else
            {
                result.set(member.getKey(), apply(result.get(member.getKey()), member.getValue()));
            }
        }
        return result;
    }

    /**
     * @param contentType the request's {@code Content-Type}, or null.
     * @return true if it is {@value #MEDIA_TYPE} (any case, parameters such as {@code charset} allowed).
     */
    static boolean isMergePatch(final String contentType)
    {
        if (null == contentType)
        {
            return false;
        }
        final int semicolon = contentType.indexOf(';');
        final String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return MEDIA_TYPE.equalsIgnoreCase(type);
    }
}
