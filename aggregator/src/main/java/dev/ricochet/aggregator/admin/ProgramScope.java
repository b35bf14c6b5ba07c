package dev.ricochet.aggregator.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CouponSpec;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.payout.PayoutRun;
import dev.ricochet.aggregator.payout.PayoutRunTable;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.StrictJson;
import io.netty.handler.codec.http.HttpMethod;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Program scope (item 7): a token scoped to one program reaches that program's resources and nothing else, on every
 * route. The program of a request is resolved generically, from the names of its path parameters:
 *
 * <ul>
 *   <li>{@code {programId}}: that program (a program not yet created is another program: a scoped token creates
 *   none);</li>
 *   <li>{@code {partnerId}}: the partner's program;</li>
 *   <li>{@code {code}}: under {@code /v1/links} the link's partner's program, under {@code /v1/coupons} the
 *   coupon's partner's program;</li>
 *   <li>{@code {runId}}: the payout run's program;</li>
 *   <li>any later parameter under {@code /v1/programs/{programId}/} or {@code /v1/partners/{partnerId}/} (a
 *   {@code {segmentId}}): nothing more, its parent's program counts, and the route must look it up within that
 *   parent.</li>
 * </ul>
 *
 * <p>A change (PUT, PATCH, POST) is also checked for where it leads: the top-level {@code programId} and
 * {@code partnerId} of a JSON body (a partner moved to, a link given to another program's partner) must be in scope
 * too. References deeper in a body (a bulk change's id list) are the route's to keep within its path's program.
 *
 * <p>Routes without path parameters: the collections in {@link #FILTERED} answer a scoped caller, and their list code
 * must filter its items to {@code caller.programId()}; the token routes and any other route are refused to a scoped
 * caller. A resource of another program answers 403 (ids are global, a scoped token can learn an id is taken by
 * trying to create it, so hiding it behind a 404 would hide nothing). A resource that does not exist is left to the
 * route (404, or a creation whose body is checked). A partner token is not checked ({@code AdminApi}): the route table
 * already confines it to its own partner, a narrower reach than its program. docs/roles.md.
 */
final class ProgramScope
{
    /**
     * How a route's program is found.
     */
    enum Rule
    {
        /** A probe or a public route: no caller, no scope. */
        NONE,
        /** Resolved from the path parameters (and a change's body). */
        PATH,
        /** A collection the list code filters to the caller's program. */
        FILTERED,
        /** Only an unscoped token may call it (token management, creating programs). */
        UNSCOPED_ONLY,
        /** A route this class does not know: refused to scoped callers, and ProgramScopeTest fails. */
        UNKNOWN
    }

    /**
     * Collections without path parameters that answer a scoped caller, filtered by their list code.
     */
    static final Set<String> FILTERED = Set.of("GET /v1/programs", "GET /v1/audit");

    /**
     * The path parameters a program is resolved from.
     */
    static final Set<String> RESOLVED_PARAMETERS = Set.of("programId", "partnerId", "code", "runId");

    private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");

    private final Catalog catalog;
    private final PayoutRunTable runs;

    /**
     * @param catalog catalog in memory.
     * @param store   committed state, for payout runs.
     */
    ProgramScope(final Catalog catalog, final StateStore store)
    {
        this.catalog = catalog;
        this.runs = new PayoutRunTable(store);
    }

    /**
     * @param route a route.
     * @return how its program is found; {@link Rule#UNKNOWN} for a route added without a rule here.
     */
    static Rule rule(final AdminRoute route)
    {
        if (route.isPublic() || route.roles().isEmpty())
        {
            return Rule.NONE;
        }
        final String pattern = route.pattern();
        if (pattern.equals("/v1/tokens") || pattern.startsWith("/v1/tokens/"))
        {
            return Rule.UNSCOPED_ONLY;
        }
        final List<String> parameters = parameters(pattern);
        if (parameters.isEmpty())
        {
            final String key = route.method().name() + " " + pattern;
            return FILTERED.contains(key) ? Rule.FILTERED :
                "/v1/programs".equals(pattern) ? Rule.UNSCOPED_ONLY : Rule.UNKNOWN;
        }
        final boolean isUnderParent = pattern.startsWith("/v1/programs/{programId}/") ||
            pattern.startsWith("/v1/partners/{partnerId}/");
        for (int i = 0; i < parameters.size(); i++)
        {
            final String parameter = parameters.get(i);
            // A sub-resource of a program or partner ({segmentId}...) is the route's to find within its parent.
            final boolean isKnown = (i > 0 && isUnderParent) || (RESOLVED_PARAMETERS.contains(parameter) &&
                (!"code".equals(parameter) || pattern.startsWith("/v1/links/") || pattern.startsWith("/v1/coupons/")));
            if (!isKnown)
            {
                return Rule.UNKNOWN;
            }
        }
        return Rule.PATH;
    }

    /**
     * @param scope the caller's program scope, or null for an unscoped caller.
     * @param route the route matched, the caller's role already allowed.
     * @param param the request's path parameters by name.
     * @param body  reads the request body, for a change.
     * @return why the caller may not reach this resource (a 403), or null if it may.
     */
    String refusal(final String scope, final AdminRoute route, final Function<String, String> param,
        final Supplier<byte[]> body)
    {
        if (null == scope)
        {
            return null;
        }
        switch (rule(route))
        {
            case NONE:
            case FILTERED:
                return null;
            case UNSCOPED_ONLY:
                return "this token is scoped to program '" + scope + "': " + route.method().name() + " " +
                    route.pattern() + " needs an unscoped admin token";
            case PATH:
                break;
            default:
                return "this token is scoped to program '" + scope + "': " + route.pattern() +
                    " is not available to a program-scoped token";
        }
        for (final String parameter : parameters(route.pattern()))
        {
            final String value = param.apply(parameter);
            final String program = programOf(parameter, route.pattern(), value);
            if (null != program && !scope.equals(program))
            {
                return outOfScope(scope, parameter, value);
            }
        }
        if (isChange(route.method()))
        {
            return bodyRefusal(scope, body.get());
        }
        return null;
    }

    private String bodyRefusal(final String scope, final byte[] body)
    {
        final JsonNode json = json(body);
        if (null == json || !json.isObject())
        {
            return null; // not JSON: the route refuses it or reads no program from it
        }
        final JsonNode programId = json.get("programId");
        if (null != programId && programId.isTextual() && !scope.equals(programId.asText()))
        {
            return "this token is scoped to program '" + scope + "': programId '" + programId.asText() +
                "' is another program";
        }
        final JsonNode partnerId = json.get("partnerId");
        if (null != partnerId && partnerId.isTextual())
        {
            final String program = partnerProgram(partnerId.asText());
            if (null != program && !scope.equals(program))
            {
                return outOfScope(scope, "partnerId", partnerId.asText());
            }
        }
        return null;
    }

    private String programOf(final String parameter, final String pattern, final String value)
    {
        if (null == value)
        {
            return null;
        }
        switch (parameter)
        {
            case "programId":
                return value;
            case "partnerId":
                return partnerProgram(value);
            case "code":
                if (pattern.startsWith("/v1/links/"))
                {
                    final CatalogEntry<LinkSpec> link = catalog.link(value);
                    return null == link ? null : partnerProgram(link.spec().partnerId());
                }
                if (pattern.startsWith("/v1/coupons/"))
                {
                    final CatalogEntry<CouponSpec> coupon = catalog.coupon(value);
                    return null == coupon ? null : partnerProgram(coupon.spec().partnerId());
                }
                return null; // a link or coupon code under a program: the route finds it within the program
            case "runId":
                final PayoutRun run = runs.find(value);
                return null == run ? null : run.programId();
            default:
                return null; // a sub-resource ({segmentId}...): its parent's program counts
        }
    }

    private String partnerProgram(final String partnerId)
    {
        final CatalogEntry<PartnerSpec> partner = null == partnerId ? null : catalog.partner(partnerId);
        return null == partner ? null : partner.spec().programId();
    }

    private static String outOfScope(final String scope, final String parameter, final String value)
    {
        return "this token is scoped to program '" + scope + "': " + parameter + " '" + value +
            "' belongs to another program";
    }

    private static boolean isChange(final HttpMethod method)
    {
        return HttpMethod.PUT.equals(method) || HttpMethod.PATCH.equals(method) || HttpMethod.POST.equals(method);
    }

    private static JsonNode json(final byte[] body)
    {
        if (null == body || 0 == body.length)
        {
            return null;
        }
        try
        {
            return StrictJson.MAPPER.readTree(body);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null; // the route's own parse answers the 400
        }
    }

    /**
     * @param pattern a route's path pattern.
     * @return the names of its {@code {name}} parameters, in order.
     */
    static List<String> parameters(final String pattern)
    {
        final List<String> names = new ArrayList<>();
        final Matcher matcher = PARAMETER.matcher(pattern);
        while (matcher.find())
        {
            names.add(matcher.group(1));
        }
        return names;
    }
}
