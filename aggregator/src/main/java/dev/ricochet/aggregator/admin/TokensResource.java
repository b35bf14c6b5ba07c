package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.token.TokenChange;
import dev.ricochet.aggregator.token.TokenChanges;
import dev.ricochet.aggregator.token.TokenRecord;
import dev.ricochet.aggregator.token.TokenRegistry;
import dev.ricochet.aggregator.token.TokenSecrets;
import dev.ricochet.ingest.CatalogEventFlyweight;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Named API tokens (item 7): create one (its secret answered once, never again), list them (never the secret or its
 * hash) and revoke one. Each creation and revocation is a journaled change, applied by the aggregator before the
 * answer ({@link TokenChanges}), so a revoked token stops working at once. Only an unscoped admin reaches these
 * routes ({@link ProgramScope}): a program-scoped manager could otherwise mint itself an unscoped token.
 */
final class TokensResource
{
    /**
     * Longest token name, in characters.
     */
    static final int MAX_NAME_LENGTH = 100;

    private static final Pattern CURSOR = Pattern.compile("[0-9]{19}:tk_[0-9a-f]{16}");

    private final Catalog catalog;
    private final JournalWrites writes;

    /**
     * A request to create a token.
     *
     * @param name      what to call it, 1-100 printable characters.
     * @param role      admin, finance, analyst or partner.
     * @param programId the one program it may reach, or null for all (a partner token's is its partner's).
     * @param partnerId the partner a partner token speaks for; only for role partner.
     */
    record TokenRequest(String name, String role, String programId, String partnerId)
    {
    }

    /**
     * @param catalog catalog in memory: programs and partners a scope names.
     * @param writes  journals changes and waits for them.
     */
    TokensResource(final Catalog catalog, final JournalWrites writes)
    {
        this.catalog = catalog;
        this.writes = writes;
    }

    /**
     * {@code POST /v1/tokens}.
     *
     * @param call   the request: its body and its caller.
     * @param tokens the named tokens.
     * @return 201 and the token (with its secret, this once), 400 naming a bad field, 409 over the bounds.
     */
    ApiResponse create(final RouteCall call, final TokenRegistry tokens)
    {
        final TokenRequest request = CatalogJson.parseRequest(call.body(), TokenRequest.class);
        final String name = name(request.name());
        final String role = role(request.role());
        final String programId = scope(role, request.programId(), request.partnerId());
        final TokenRecord sameName = tokens.liveNamed(name);
        if (null != sameName)
        {
            return ApiResponse.error(409, "a token named '" + name + "' already works (" + sameName.id() +
                "); revoke it or choose another name");
        }
        if (tokens.liveCount() >= TokenRegistry.MAX_LIVE)
        {
            return ApiResponse.error(409, "at most " + TokenRegistry.MAX_LIVE + " tokens may work at once; " +
                "revoke one first");
        }
        if (tokens.size() >= TokenRegistry.MAX_RECORDS)
        {
            return ApiResponse.error(409, "at most " + TokenRegistry.MAX_RECORDS + " tokens can ever be created");
        }
        String id = TokenSecrets.newId();
        while (null != tokens.byId(id))
        {
            id = TokenSecrets.newId();
        }
        final String secret = TokenSecrets.newToken();
        final ApiResponse refused = writes.command(call, CatalogEventFlyweight.KIND_TOKEN, new TokenChange(
            TokenChange.Action.CREATE, id, name, role, programId, request.partnerId(), TokenSecrets.hash(secret)));
        if (null != refused)
        {
            return refused;
        }
        final TokenRecord created = tokens.byId(id);
        if (null == created)
        {
            return ApiResponse.error(409, "the token was not created: a concurrent change took its name or the " +
                "last place; list the tokens and retry");
        }
        final Map<String, Object> view = created.view();
        view.remove("revokedAt");
        view.put("token", secret);
        return new ApiResponse(201, view);
    }

    /**
     * {@code GET /v1/tokens}: every token, revoked ones too, in creation order.
     *
     * @param limit  most tokens in the page.
     * @param cursor the previous page's {@code next}, or null for the first page.
     * @param tokens the named tokens.
     * @return the page.
     */
    ApiResponse list(final int limit, final String cursor, final TokenRegistry tokens)
    {
        final List<TokenRecord> page = tokens.page(after(cursor), limit);
        final List<Object> items = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, page.size()); i++)
        {
            items.add(page.get(i).view());
        }
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("items", items);
        view.put("next", page.size() > limit ? Base64.getUrlEncoder().withoutPadding().encodeToString(
            TokenRegistry.orderKey(page.get(limit - 1)).getBytes(StandardCharsets.US_ASCII)) : null);
        return ApiResponse.ok(view);
    }

    /**
     * {@code DELETE /v1/tokens/{tokenId}}: the token stops working before the answer. Revoking a revoked token
     * changes nothing and answers it as it is (200), so a retried revocation is safe.
     *
     * @param call   the request: its {@code {tokenId}} and its caller.
     * @param tokens the named tokens.
     * @return 200 and the revoked token, or 404.
     */
    ApiResponse revoke(final RouteCall call, final TokenRegistry tokens)
    {
        final String tokenId = call.param("tokenId");
        final TokenRecord existing = tokens.byId(tokenId);
        if (null == existing)
        {
            return ApiResponse.notFound("token", tokenId);
        }
        if (existing.isLive())
        {
            final ApiResponse refused =
                writes.command(call, CatalogEventFlyweight.KIND_TOKEN, TokenChange.revoke(tokenId));
            if (null != refused)
            {
                return refused;
            }
        }
        return ApiResponse.ok(tokens.byId(tokenId).view());
    }

    private static String after(final String cursor)
    {
        if (null == cursor)
        {
            return null;
        }
        try
        {
            final String key = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (CURSOR.matcher(key).matches())
            {
                return key;
            }
        }
        catch (final IllegalArgumentException ex)
        {
            // not base64url: refused below
        }
        throw new InvalidSpecException("cursor is malformed: pass the 'next' of the previous page as it is");
    }

    private static String name(final String name)
    {
        if (null == name || name.isBlank())
        {
            throw new InvalidSpecException("name is required");
        }
        final String stripped = name.strip();
        if (stripped.codePointCount(0, stripped.length()) > MAX_NAME_LENGTH)
        {
            throw new InvalidSpecException("name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        final boolean isPrintable = DisplayText.isPrintable(stripped, false);
        if (!isPrintable)
        {
            // Control and format characters (a bidi override) would disguise the name in a list or the audit trail.
            throw new InvalidSpecException("name contains a control, format or unassigned character");
        }
        return stripped;
    }

    private static String role(final String role)
    {
        if (null == role)
        {
            throw new InvalidSpecException("role is required: one of " + new TreeSet<>(TokenChanges.ROLES));
        }
        if (!TokenChanges.ROLES.contains(role))
        {
            throw new InvalidSpecException("role '" + role + "' is invalid: expected one of " +
                new TreeSet<>(TokenChanges.ROLES));
        }
        return role;
    }

    /**
     * @return the program the token is scoped to, or null for every program.
     */
    private String scope(final String role, final String programId, final String partnerId)
    {
        if ("partner".equals(role))
        {
            if (null == partnerId)
            {
                throw new InvalidSpecException("partnerId is required for role partner");
            }
            final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
            if (null == partner)
            {
                throw new InvalidSpecException("partnerId '" + partnerId + "' is not a known partner");
            }
            final String partnerProgram = partner.spec().programId();
            if (null != programId && !programId.equals(partnerProgram))
            {
                throw new InvalidSpecException("programId '" + programId + "' is not partner '" + partnerId +
                    "''s program '" + partnerProgram + "': leave it out, a partner token's program is its partner's");
            }
            return partnerProgram;
        }
        if (null != partnerId)
        {
            throw new InvalidSpecException("partnerId is only for role partner");
        }
        if (null != programId && null == catalog.program(programId))
        {
            throw new InvalidSpecException("programId '" + programId + "' is not a known program");
        }
        return programId;
    }
}
