package dev.ricochet.aggregator.audit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of the audit trail, as stored and as {@code GET /v1/audit} answers it. Written by the aggregator while it
 * applies the journaled change; nothing rewrites or deletes it.
 *
 * @param id        the record's sequence number (1, 2, 3... in journal order), as text.
 * @param at        when the change was journaled (ISO-8601, the admin API's clock at the append).
 * @param actor     who made it.
 * @param requestId the request's id (its {@code X-Request-Id}).
 * @param action    what the request was (the admin route's name, e.g. {@code patch_partner}).
 * @param target    what was changed.
 * @param programId the program it belongs to, or null.
 * @param applied   false if the aggregator refused the change when applying it (it then changed nothing).
 * @param before    the target before, or null.
 * @param after     the target after, or the command's outcome, or null.
 */
public record AuditRecord(
    String id,
    String at,
    Actor actor,
    String requestId,
    String action,
    String target,
    String programId,
    boolean applied,
    JsonNode before,
    JsonNode after)
{
}
