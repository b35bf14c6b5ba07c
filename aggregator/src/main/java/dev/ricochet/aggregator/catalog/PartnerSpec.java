package dev.ricochet.aggregator.catalog;

import java.util.List;
import java.util.Map;

/**
 * A partner as the admin API accepts it ({@code PUT /v1/partners/{partnerId}}).
 *
 * @param programId the program the partner belongs to.
 * @param name      display name.
 * @param email     contact address, optional.
 * @param status    pending, active, paused, suspended or rejected; active by default. What each does to credit,
 *                  payouts and the partner's token: {@link PartnerStatus}, docs/partners.md.
 * @param commissionPercent override of the tier's percent for this partner (and of every band in graduated mode),
 *                          or null.
 * @param leadCommission    override of the tier's flat lead commission, in minor units, or null.
 * @param monthlyCap        override of the program's monthly cap, in minor units, or null.
 * @param payoutAccount     where the partner is paid (PayPal email, Stripe Connect account, IBAN), for the export.
 * @param customerIds       the partner's own customer ids at the merchant (e.g. Stripe's {@code cus_...}), or null:
 *                          a conversion by one of them is a self-referral.
 * @param tags              free tags (part 8), or null.
 * @param attributes        values of the program's custom attributes ({@link ProgramSpec#attributes()}), by name, or
 *                          null.
 * @param tierPin           a manual tier that automatic moves skip until its end, or null.
 * @param statusReason      why the status was last set (an approval's or rejection's reason), or null.
 * @param joinedAt          ISO-8601 instant the partner was created (or applied); set by the server, kept by every
 *                          later change.
 */
public record PartnerSpec(
    String programId,
    String name,
    String email,
    String status,
    String commissionPercent,
    Long leadCommission,
    Long monthlyCap,
    String payoutAccount,
    List<String> customerIds,
    List<String> tags,
    Map<String, Object> attributes,
    TierPin tierPin,
    String statusReason,
    String joinedAt)
{
    /**
     * A tier set by hand.
     *
     * @param tier   name of one of the program's tiers.
     * @param reason why, for the timeline and the audit trail.
     * @param until  last day (YYYY-MM-DD, UTC) of the pin, or null for no end.
     */
    public record TierPin(String tier, String reason, String until)
    {
    }

}
