package dev.ricochet.aggregator.ledger;

/**
 * One append-only line of a partner's ledger. An entry either books an amount into a balance ({@code to} only:
 * accruals, reversals, clawbacks, re-ratings, voids, signed) or moves a positive amount between balances
 * ({@code from} and {@code to}: approvals, holds, releases, payouts). For every balance B,
 * {@code B = sum(amount where to = B) - sum(amount where from = B)}.
 *
 * @param seq        position in the partner's ledger, from 1.
 * @param date       UTC day it took effect.
 * @param type       accrual, approval, reversal, clawback, rerate, hold, release, void, payout_scheduled or payout.
 * @param amount     minor units.
 * @param from       balance the amount leaves, or null.
 * @param to         balance the amount enters.
 * @param programId  program of the conversion or run.
 * @param externalId conversion the entry is about, or null.
 * @param runId      payout run, or null.
 * @param note       why, in words (tier and rate, refund, review reason), or null.
 */
public record LedgerEntry(
    long seq,
    String date,
    String type,
    long amount,
    String from,
    String to,
    String programId,
    String externalId,
    String runId,
    String note)
{
}
