package dev.ricochet.aggregator.audit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The journaled envelope of every admin change (catalog kind {@code KIND_ADMIN_CHANGE}): the change itself, as the
 * document of one of the other catalog kinds, and who made it, so that the aggregator records it in the audit trail
 * while applying it, and a replay records it again the same way.
 *
 * @param kind      the catalog kind of the document.
 * @param action    what the request was (the admin route's name, e.g. {@code patch_partner}).
 * @param target    what the request is about, as the API saw it ({@code partner:p_1}); the code that applies the
 *                  change may name it more exactly.
 * @param actor     who made it.
 * @param requestId the request's id.
 * @param document  the change, as the document of its kind.
 */
public record AdminChange(byte kind, String action, String target, Actor actor, String requestId,
    JsonNode document)
{
    /**
     * Largest change, in bytes of its envelope: the admin API refuses a larger one (413) and the aggregator never
     * reassembles one.
     */
    public static final int MAX_BYTES = 64 << 20;

    /**
     * What the last of the events of a change too large for one event says: the envelope is the concatenation of the
     * parts just before it.
     *
     * @param parts  how many parts.
     * @param length the envelope's length in bytes.
     */
    public record PartsRef(int parts, int length)
    {
    }

    /**
     * One part of a change too large for one event.
     *
     * @param seq  its place, from 0.
     * @param data its bytes.
     */
    public record Part(int seq, byte[] data)
    {
    }
}
