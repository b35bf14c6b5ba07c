package dev.ricochet.aggregator.token;

/**
 * The journaled document of a token change: a creation carries the token's id, name, role, scope and hash (never
 * the token); a revocation carries only the id.
 *
 * @param action    what happens to the token.
 * @param id        the token's id.
 * @param name      its name (create).
 * @param role      its role, lower case (create).
 * @param programId its program scope, or null (create).
 * @param partnerId the partner of a partner token, else null (create).
 * @param hash      SHA-256 of the token, lower-case hex (create).
 */
public record TokenChange(Action action, String id, String name, String role, String programId, String partnerId,
    String hash)
{
    /**
     * What a token change does.
     */
    public enum Action
    {
        /** A new token. */
        CREATE,
        /** A token stops working. */
        REVOKE
    }

    /**
     * @param id the token to revoke.
     * @return the change.
     */
    public static TokenChange revoke(final String id)
    {
        return new TokenChange(Action.REVOKE, id, null, null, null, null, null);
    }

    @Override
    public String toString()
    {
        return "TokenChange[" + action + " " + id + "]";
    }
}
