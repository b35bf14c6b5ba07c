package dev.ricochet.aggregator.catalog;

/**
 * A partner as the admin API accepts it ({@code PUT /v1/partners/{partnerId}}).
 *
 * @param programId the program the partner belongs to.
 * @param name      display name.
 * @param email     contact address, optional.
 * @param status    pending, active, paused or suspended; active by default.
 */
public record PartnerSpec(String programId, String name, String email, String status)
{
}
