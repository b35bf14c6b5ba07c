package dev.ricochet.aggregator.ledger;

/**
 * Ledger commands from the admin API, journaled as JSON (catalog events of the ledger kinds) so that a replay
 * makes the same decisions at the same point in the journal.
 */
public final class LedgerCommand
{
    private LedgerCommand()
    {
    }

    /**
     * Build a payout run.
     *
     * @param runId     id chosen by the API.
     * @param programId the program.
     * @param periodEnd UTC day {@code YYYY-MM-DD}.
     */
    public record PayoutRun(String runId, String programId, String periodEnd)
    {
    }

    /**
     * Finance approved a payout run.
     *
     * @param runId the run.
     */
    public record PayoutApproval(String runId)
    {
    }

    /**
     * Finance's decision on one commission.
     *
     * @param partnerId        the partner.
     * @param externalId       the conversion.
     * @param conversionTimeMs the conversion's time (part of the commission's key).
     * @param action           hold, release or void.
     * @param reason           finance's note, or null.
     */
    public record CommissionReview(String partnerId, String externalId, long conversionTimeMs, String action,
        String reason)
    {
    }
}
