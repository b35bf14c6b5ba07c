package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.token.TokenRecord;
import dev.ricochet.aggregator.token.TokenRegistry;
import dev.ricochet.aggregator.token.TokenSecrets;
import dev.ricochet.ingest.HmacSha256;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;

/**
 * Who a bearer token is, and so what the admin API lets it do.
 *
 * <table>
 *   <caption>roles</caption>
 *   <tr><th>role</th><th>token</th><th>may</th></tr>
 *   <tr><td>admin</td><td>{@code admin.token}</td><td>everything but the finance decisions</td></tr>
 *   <tr><td>finance</td><td>{@code finance.token}</td><td>read everything; approve payout runs, review
 *   commissions</td></tr>
 *   <tr><td>analyst</td><td>{@code analyst.token}</td><td>read the catalog and the reports; not the ledgers,
 *   held commissions, payout runs or their exports (money and payout accounts are finance's), never change
 *   anything</td></tr>
 *   <tr><td>partner</td><td>{@code rp_<partnerId>.<mac>}, issued by the admin</td><td>read its own partner record,
 *   stats, conversions, ledger and timeline; nothing else; nothing while the partner is suspended</td></tr>
 * </table>
 *
 * <p>Named tokens ({@code rt_...}, item 7) have one of these roles, a name and an optional program scope; they are
 * recognised by their SHA-256 in the {@link TokenRegistry} the aggregator keeps current, so a revoked one fails from
 * the next request on. The bootstrap tokens are compared first (a configured one may share the prefix).
 *
 * <p>Which routes each role may call is the route table's ({@link AdminRoute}); within what a role may call,
 * {@link FieldOwners} says which fields of each answer it sees (docs/roles.md).
 *
 * <p>Decision: partner tokens are not stored. A token is the partner id plus an HMAC of it under a key derived from
 * the admin token, so issuing one needs no state and it survives restarts and replays. Rotating the admin token
 * revokes every partner token at once; there is no revoking one partner's token alone yet.
 */
public final class AdminRoles
{
    /**
     * Prefix of a partner token.
     */
    public static final String PARTNER_TOKEN_PREFIX = "rp_";

    /**
     * A role of the admin API.
     */
    public enum Role
    {
        ADMIN, FINANCE, ANALYST, PARTNER
    }

    /**
     * The resolved caller of one request: who it is, for the audit trail, and what it may touch.
     *
     * @param tokenId   the token's id ({@code admin}, {@code finance}, {@code analyst} for the bootstrap tokens,
     *                  {@code partner:<partnerId>} for a partner's issued token), or null for an anonymous caller of
     *                  a public route.
     * @param name      the token's name, as shown in the audit trail.
     * @param role      its role, or null for an anonymous caller of a public route.
     * @param partnerId the partner a partner token speaks for, else null.
     * @param programId the one program the token may touch, or null for all.
     */
    public record Caller(String tokenId, String name, Role role, String partnerId, String programId)
    {
        /**
         * The anonymous caller of a public route.
         */
        public static final Caller ANONYMOUS = new Caller(null, "anonymous", null, null, null);
    }

    private final AdminToken admin;
    private final AdminToken finance;
    private final AdminToken analyst;
    private final String partnerKey;
    private final TokenRegistry tokens;

    /**
     * @param admin   the admin token.
     * @param finance the finance token.
     * @param analyst the analyst token.
     * @param tokens  the named tokens, kept current by the aggregator.
     */
    public AdminRoles(final AdminToken admin, final AdminToken finance, final AdminToken analyst,
        final TokenRegistry tokens)
    {
        this.tokens = tokens;
        this.admin = admin;
        this.finance = finance;
        this.analyst = analyst;
        this.partnerKey = Base64.getEncoder().encodeToString(HmacSha256.of(admin.value(),
            "ricochet partner tokens".getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * @param presented the bearer token of a request.
     * @return who it is, or null if no one.
     */
    public Caller caller(final String presented)
    {
        if (admin.matches(presented))
        {
            return new Caller("admin", "admin (bootstrap)", Role.ADMIN, null, null);
        }
        if (finance.matches(presented))
        {
            return new Caller("finance", "finance (bootstrap)", Role.FINANCE, null, null);
        }
        if (analyst.matches(presented))
        {
            return new Caller("analyst", "analyst (bootstrap)", Role.ANALYST, null, null);
        }
        // After the bootstrap tokens: a configured one may start with the same prefix.
        if (TokenSecrets.isNamedToken(presented))
        {
            // Looked up by its hash: the hash of a random 256-bit token cannot be guessed, so a lookup's timing
            // tells an attacker nothing worth having (docs/roles.md).
            final TokenRecord named = tokens.live(TokenSecrets.hash(presented));
            return null == named ? null : new Caller(named.id(), named.name(),
                Role.valueOf(named.role().toUpperCase(Locale.ROOT)), named.partnerId(), named.programId());
        }
        if (null != presented && presented.startsWith(PARTNER_TOKEN_PREFIX))
        {
            final int dot = presented.lastIndexOf('.');
            if (dot > PARTNER_TOKEN_PREFIX.length())
            {
                final String partnerId = presented.substring(PARTNER_TOKEN_PREFIX.length(), dot);
                if (MessageDigest.isEqual(partnerToken(partnerId).getBytes(StandardCharsets.UTF_8),
                    presented.getBytes(StandardCharsets.UTF_8)))
                {
                    return new Caller("partner:" + partnerId, partnerId, Role.PARTNER, partnerId, null);
                }
            }
        }
        return null;
    }

    /**
     * @return the named tokens.
     */
    public TokenRegistry tokens()
    {
        return tokens;
    }

    /**
     * @param partnerId a partner.
     * @return the read-only token that speaks for it.
     */
    public String partnerToken(final String partnerId)
    {
        return PARTNER_TOKEN_PREFIX + partnerId + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
            HmacSha256.of(partnerKey, partnerId.getBytes(StandardCharsets.UTF_8)));
    }

    // Part 8 item 2: entity tags.

    /**
     * @return the key of the catalog entities' ETags ({@link EntityTag}), derived from the admin token like the
     * partner tokens' key: the same over restarts and replays, never shown.
     */
    String entityTagKey()
    {
        return Base64.getEncoder().encodeToString(HmacSha256.of(admin.value(),
            "ricochet entity tags".getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public String toString()
    {
        return "AdminRoles[redacted]";
    }
}
