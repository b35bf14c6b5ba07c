package dev.ricochet.aggregator.ledger;

/**
 * Identifies one partner's commission on one conversion; its stored layout is {@link CommissionTable}'s.
 *
 * @param partnerNumber catalog number of the partner.
 * @param timeMs        time of the conversion.
 * @param programNumber catalog number of the program.
 * @param externalId    the conversion's idempotency key.
 */
public record CommissionKey(int partnerNumber, long timeMs, int programNumber, String externalId)
{
}
