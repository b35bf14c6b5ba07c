package dev.ricochet.aggregator.audit;

/**
 * Who made an admin change, as journaled with it and shown in the audit trail.
 *
 * @param tokenId   the token's id ({@code admin}, {@code finance}, {@code analyst} for the bootstrap tokens), or null
 *                  for an anonymous caller of a public route (an application).
 * @param name      the token's name.
 * @param role      its role ({@code admin}, {@code finance}, {@code analyst}, {@code partner}), or {@code public}.
 * @param programId the program the token is scoped to, or null.
 */
public record Actor(String tokenId, String name, String role, String programId)
{
}
