package dev.ricochet.aggregator.token;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A named API token as stored: who it is and what it may reach, and the SHA-256 of its secret, never the secret.
 *
 * @param id          the token's id ({@code tk_...}), its name in the audit trail and in {@code DELETE}.
 * @param name        what its owner called it.
 * @param role        its role, lower case: admin, finance, analyst or partner.
 * @param programId   the one program it may reach, or null for every program.
 * @param partnerId   the partner a partner token speaks for, else null.
 * @param hash        SHA-256 of the token, lower-case hex.
 * @param createdAtMs journal time of its creation.
 * @param revokedAtMs journal time of its revocation, or null while it works.
 */
public record TokenRecord(String id, String name, String role, String programId, String partnerId, String hash,
    long createdAtMs, Long revokedAtMs)
{
    /**
     * @return true until it is revoked.
     */
    @JsonIgnore
    public boolean isLive()
    {
        return null == revokedAtMs;
    }

    /**
     * @param timeMs journal time of the revocation.
     * @return this token, revoked.
     */
    public TokenRecord revoked(final long timeMs)
    {
        return new TokenRecord(id, name, role, programId, partnerId, hash, createdAtMs, timeMs);
    }

    /**
     * @return what the API and the audit trail show of it: everything but the hash.
     */
    @JsonIgnore
    public Map<String, Object> view()
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("name", name);
        view.put("role", role);
        view.put("programId", programId);
        view.put("partnerId", partnerId);
        view.put("createdAt", Instant.ofEpochMilli(createdAtMs).toString());
        view.put("revokedAt", null == revokedAtMs ? null : Instant.ofEpochMilli(revokedAtMs).toString());
        return view;
    }

    @Override
    public String toString()
    {
        return "TokenRecord[id=" + id + ", name=" + name + ", role=" + role + ", programId=" + programId +
            ", partnerId=" + partnerId + ", revokedAtMs=" + revokedAtMs + "]";
    }
}
