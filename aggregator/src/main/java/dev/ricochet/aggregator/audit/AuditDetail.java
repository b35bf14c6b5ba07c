package dev.ricochet.aggregator.audit;

/**
 * What one admin change did, as the code that applied it saw it: the audit trail's record of it, without who and when.
 *
 * @param target    what was changed ({@code partner:p_1}, {@code program:acme}, {@code payout_run:r1}...).
 * @param programId the program it belongs to, for a program-scoped reader; null if none.
 * @param before    the target before (secrets redacted), or null if it did not exist or has no state.
 * @param after     the target after, or the command's outcome (a bulk change's summary), or null.
 */
public record AuditDetail(String target, String programId, Object before, Object after)
{
}
