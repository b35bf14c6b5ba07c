package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.admin.AdminRoles.Role;
import dev.ricochet.aggregator.admin.FieldOwners.View;
import dev.ricochet.aggregator.report.PartnerReports;
import dev.ricochet.aggregator.report.ProgramReports;
import io.netty.handler.codec.http.HttpMethod;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every route of the admin API, in one table: method, path, the roles that may call it, the query parameters it
 * accepts and the view its answer is projected onto ({@link FieldOwners}). This table alone answers "who may call
 * this"; {@link AdminHandler} matches a request against it, applies the role check and dispatches.
 *
 * <p>Role rule: {@link Role#PARTNER} in a route's roles means a partner token on its own partner only, the
 * {@code {partnerId}} of the path; it is only given to routes under {@code /v1/partners/}.
 *
 * <p>The probes ({@code /metrics}, {@code /healthz}, {@code /readyz}) answer any method without a token, for a
 * scraper, load balancer or supervisor on the operator's network.
 */
public enum AdminRoute
{
    /** Prometheus text, no token. */
    METRICS("/metrics"),
    /** Liveness, no token. */
    HEALTHZ("/healthz"),
    /** Readiness, no token. */
    READYZ("/readyz"),

    /** Read a program. */
    GET_PROGRAM(HttpMethod.GET, "/v1/programs/{programId}", Who.STAFF, View.PROGRAM, RouteQuery.any()),
    /** Create or change a program. */
    PUT_PROGRAM(HttpMethod.PUT, "/v1/programs/{programId}", Who.ADMIN, View.PROGRAM, RouteQuery.any()),
    /** Read a partner. */
    GET_PARTNER(HttpMethod.GET, "/v1/partners/{partnerId}", Who.EVERYONE, View.PARTNER, RouteQuery.any()),
    /** Create or change a partner. */
    PUT_PARTNER(HttpMethod.PUT, "/v1/partners/{partnerId}", Who.ADMIN, View.PARTNER, RouteQuery.any()),
    /** Read a link. */
    GET_LINK(HttpMethod.GET, "/v1/links/{code}", Who.STAFF, View.LINK, RouteQuery.any()),
    /** Create or change a link. */
    PUT_LINK(HttpMethod.PUT, "/v1/links/{code}", Who.ADMIN, View.LINK, RouteQuery.any()),
    /** Read a coupon. */
    GET_COUPON(HttpMethod.GET, "/v1/coupons/{code}", Who.STAFF, View.COUPON, RouteQuery.any()),
    /** Create or change a coupon. */
    PUT_COUPON(HttpMethod.PUT, "/v1/coupons/{code}", Who.ADMIN, View.COUPON, RouteQuery.any()),

    // Part 8 item 2: partial updates (JSON Merge Patch; docs/catalog.md).
    /** Change some fields of a program. */
    PATCH_PROGRAM(HttpMethod.PATCH, "/v1/programs/{programId}", Who.ADMIN, View.PROGRAM, RouteQuery.of()),
    /** Change some fields of a partner. */
    PATCH_PARTNER(HttpMethod.PATCH, "/v1/partners/{partnerId}", Who.ADMIN, View.PARTNER, RouteQuery.of()),
    /** Change some fields of a link. */
    PATCH_LINK(HttpMethod.PATCH, "/v1/links/{code}", Who.ADMIN, View.LINK, RouteQuery.of()),
    /** Change some fields of a coupon. */
    PATCH_COUPON(HttpMethod.PATCH, "/v1/coupons/{code}", Who.ADMIN, View.COUPON, RouteQuery.of()),

    /** A partner's daily or hourly counters. */
    PARTNER_STATS(HttpMethod.GET, "/v1/partners/{partnerId}/stats", Who.EVERYONE, View.STATS,
        RouteQuery.of(QueryParameter.text("from"), QueryParameter.text("to"), QueryParameter.text("granularity"))),
    /** A partner's credited conversions, newest first. */
    PARTNER_CONVERSIONS(HttpMethod.GET, "/v1/partners/{partnerId}/conversions", Who.EVERYONE, View.CONVERSIONS,
        RouteQuery.of(QueryParameter.number("limit", 1, 1000, 100))),
    /** A partner's balances and ledger entries. */
    PARTNER_LEDGER(HttpMethod.GET, "/v1/partners/{partnerId}/ledger", Who.MONEY_AND_SELF, View.LEDGER,
        RouteQuery.of(QueryParameter.number("after", 0, Long.MAX_VALUE, 0),
        QueryParameter.number("limit", 1, 10_000, 1000))),
    /** A partner's activity, newest first. */
    PARTNER_TIMELINE(HttpMethod.GET, "/v1/partners/{partnerId}/timeline", Who.EVERYONE, View.TIMELINE,
        RouteQuery.of(QueryParameter.number("limit", 1, 1000, 100))),
    /** Issue a partner's read-only token. */
    PARTNER_TOKEN(HttpMethod.GET, "/v1/partners/{partnerId}/token", Who.ADMIN, View.TOKEN, RouteQuery.of()),
    /** Hold, release or void a partner's commission (finance). */
    REVIEW_COMMISSION(HttpMethod.POST, "/v1/partners/{partnerId}/commission-reviews", Who.FINANCE,
        View.COMMISSION_REVIEW, RouteQuery.of()),
    /** Build a program's payout run. */
    CREATE_PAYOUT_RUN(HttpMethod.POST, "/v1/programs/{programId}/payout-runs", Who.ADMIN, View.PAYOUT_RUN,
        RouteQuery.of()),
    /** A program's commissions held for review. */
    HELD_COMMISSIONS(HttpMethod.GET, "/v1/programs/{programId}/held-commissions", Who.MONEY, View.HELD_COMMISSIONS,
        RouteQuery.of(QueryParameter.number("limit", 1, 1000, 100))),
    /** A program's active partners below a health threshold. */
    AT_RISK(HttpMethod.GET, "/v1/programs/{programId}/at-risk", Who.STAFF, View.AT_RISK,
        RouteQuery.of(QueryParameter.number("threshold", 0, 100, 40))),
    /** Read a payout run. */
    GET_PAYOUT_RUN(HttpMethod.GET, "/v1/payout-runs/{runId}", Who.MONEY, View.PAYOUT_RUN, RouteQuery.of()),
    /** Approve a payout run (finance). */
    APPROVE_PAYOUT_RUN(HttpMethod.POST, "/v1/payout-runs/{runId}/approve", Who.FINANCE, View.PAYOUT_RUN,
        RouteQuery.of()),
    /** A payout run as CSV for the bank. */
    EXPORT_PAYOUT_RUN(HttpMethod.GET, "/v1/payout-runs/{runId}/export.csv", Who.MONEY, null, RouteQuery.of()),

    // Part 8: the audit trail (lead).
    /** The audit trail, newest first. */
    AUDIT(HttpMethod.GET, "/v1/audit", Who.MONEY, View.AUDIT, RouteQuery.of(QueryParameter.text("from"),
        QueryParameter.text("to"), QueryParameter.text("actor"), QueryParameter.text("action"),
        QueryParameter.text("target"), QueryParameter.text("programId"), QueryParameter.number("limit", 1, 500, 50),
        QueryParameter.text("cursor"))),

    // Part 8, item 4: saved segments and bulk changes.
    /** A program's saved segments. */
    LIST_SEGMENTS(HttpMethod.GET, "/v1/programs/{programId}/segments", Who.STAFF, View.SEGMENTS,
        RouteQuery.of(QueryParameter.number("limit", 1, 500, 50), QueryParameter.text("cursor"))),
    /** Read a saved segment. */
    GET_SEGMENT(HttpMethod.GET, "/v1/programs/{programId}/segments/{segmentId}", Who.STAFF, View.SEGMENT,
        RouteQuery.of()),
    /** Save a segment (a named partner filter). */
    PUT_SEGMENT(HttpMethod.PUT, "/v1/programs/{programId}/segments/{segmentId}", Who.ADMIN, View.SEGMENT,
        RouteQuery.of()),
    /** Delete a saved segment. */
    DELETE_SEGMENT(HttpMethod.DELETE, "/v1/programs/{programId}/segments/{segmentId}", Who.ADMIN, View.SEGMENT,
        RouteQuery.of()),
    /** Change many partners of a program at once, all or nothing. */
    BULK_PARTNERS(HttpMethod.POST, "/v1/programs/{programId}/partners/bulk", Who.ADMIN, View.BULK, RouteQuery.of()),
    // Part 8, items 3 and 5: applications, approval and rejection, tier pins.
    /** Apply to a program (no token; rate-limited per address and per program). */
    APPLY(HttpMethod.POST, "/v1/programs/{programId}/applications", Who.PUBLIC, View.APPLICATION, RouteQuery.of()),
    /** Approve a pending partner. */
    APPROVE_PARTNER(HttpMethod.POST, "/v1/partners/{partnerId}/approve", Who.ADMIN, View.PARTNER, RouteQuery.of()),
    /** Reject a pending partner, with a reason. */
    REJECT_PARTNER(HttpMethod.POST, "/v1/partners/{partnerId}/reject", Who.ADMIN, View.PARTNER, RouteQuery.of()),
    /** Pin a partner's tier. */
    PIN_TIER(HttpMethod.POST, "/v1/partners/{partnerId}/tier-pin", Who.ADMIN, View.PARTNER, RouteQuery.of()),
    /** Remove a partner's tier pin. */
    UNPIN_TIER(HttpMethod.DELETE, "/v1/partners/{partnerId}/tier-pin", Who.ADMIN, View.PARTNER, RouteQuery.of()),
    // Part 8, item 1: the program and partner directory (directory helper).
    /** The programs, in id order. */
    LIST_PROGRAMS(HttpMethod.GET, "/v1/programs", Who.STAFF, View.PROGRAM_LIST, RouteQuery.of(
        QueryParameter.number("limit", 1, 500, 50), QueryParameter.text("cursor"))),
    /** A program's partners, filtered and sorted, with their lifetime metrics. */
    LIST_PARTNERS(HttpMethod.GET, "/v1/programs/{programId}/partners", Who.STAFF, View.PARTNER_LIST, RouteQuery.of(
        QueryParameter.text("status"), QueryParameter.text("tier"), QueryParameter.text("tag"),
        QueryParameter.text(DirectoryResource.ATTRIBUTE_PREFIX), QueryParameter.text("segment"),
        QueryParameter.text("q"), QueryParameter.text("from"), QueryParameter.text("to"),
        QueryParameter.text("sort"), QueryParameter.text("order"), QueryParameter.number("limit", 1, 500, 50),
        QueryParameter.text("cursor"))),

    // Part 8, item 7: named tokens (an unscoped admin only: ProgramScope).
    /** Create a named token; its secret is answered once. */
    CREATE_TOKEN(HttpMethod.POST, "/v1/tokens", Who.ADMIN, View.NAMED_TOKEN, RouteQuery.of()),
    /** The named tokens, revoked ones too, never their secrets. */
    LIST_TOKENS(HttpMethod.GET, "/v1/tokens", Who.ADMIN, View.NAMED_TOKENS,
        RouteQuery.of(QueryParameter.number("limit", 1, 500, 50), QueryParameter.text("cursor"))),
    /** Revoke a named token, at once. */
    REVOKE_TOKEN(HttpMethod.DELETE, "/v1/tokens/{tokenId}", Who.ADMIN, View.NAMED_TOKEN, RouteQuery.of()),

    // Part 8 item 1 (lists): a program's links, coupons, conversions and payout runs.
    /** A program's links by code. */
    LIST_LINKS(HttpMethod.GET, "/v1/programs/{programId}/links", Who.STAFF, View.LINKS,
        RouteQuery.of(QueryParameter.text("partnerId"), QueryParameter.text("q"), Lists.LIMIT, Lists.CURSOR)),
    /** A program's coupons by code. */
    LIST_COUPONS(HttpMethod.GET, "/v1/programs/{programId}/coupons", Who.STAFF, View.COUPONS,
        RouteQuery.of(QueryParameter.text("partnerId"), Lists.LIMIT, Lists.CURSOR)),
    /** A program's conversions, newest first by default. */
    LIST_CONVERSIONS(HttpMethod.GET, "/v1/programs/{programId}/conversions", Who.STAFF, View.PROGRAM_CONVERSIONS,
        RouteQuery.of(QueryParameter.text("partnerId"), QueryParameter.text("kind"), QueryParameter.text("source"),
        QueryParameter.text("state"), QueryParameter.text("from"), QueryParameter.text("to"),
        QueryParameter.text("order"), Lists.LIMIT, Lists.CURSOR)),
    /** A program's payout runs, latest period first. */
    LIST_PAYOUT_RUNS(HttpMethod.GET, "/v1/programs/{programId}/payout-runs", Who.MONEY, View.PAYOUT_RUNS,
        RouteQuery.of(QueryParameter.text("status"), Lists.LIMIT, Lists.CURSOR)),

    // Part 8, item 9: CSV import and export (docs/import-export.md).
    /** Import a program's partners from CSV: a dry run's report, or all rows in one journaled command. */
    IMPORT_PARTNERS(HttpMethod.POST, "/v1/programs/{programId}/partners/import", Who.ADMIN, View.IMPORT,
        RouteQuery.of(QueryParameter.text("dryRun"))),
    /** Import a program's links from CSV: a dry run's report, or all rows in one journaled command. */
    IMPORT_LINKS(HttpMethod.POST, "/v1/programs/{programId}/links/import", Who.ADMIN, View.IMPORT,
        RouteQuery.of(QueryParameter.text("dryRun"))),
    /** A program's partners with their counters over a range, as CSV (columns by role). */
    EXPORT_PARTNERS(HttpMethod.GET, "/v1/programs/{programId}/partners/export.csv", Who.STAFF, null,
        RouteQuery.of(QueryParameter.text("from"), QueryParameter.text("to"))),
    /** A program's links, as CSV. */
    EXPORT_LINKS(HttpMethod.GET, "/v1/programs/{programId}/links/export.csv", Who.STAFF, null, RouteQuery.of()),
    /** A program's conversions over a range, as CSV (columns by role). */
    EXPORT_CONVERSIONS(HttpMethod.GET, "/v1/programs/{programId}/conversions/export.csv", Who.STAFF, null,
        RouteQuery.of(QueryParameter.text("from"), QueryParameter.text("to"))),
    /** The ledger entries of a program's partners over a range, as CSV. */
    EXPORT_LEDGER(HttpMethod.GET, "/v1/programs/{programId}/ledger/export.csv", Who.MONEY, null,
        RouteQuery.of(QueryParameter.text("from"), QueryParameter.text("to"))),
    // Part 8 item 6: program reports (docs/reports.md).
    /** A program's totals, previous period, day and week series. */
    REPORT_OVERVIEW(HttpMethod.GET, "/v1/programs/{programId}/reports/overview", Who.STAFF, View.PROGRAM_REPORT,
        RouteQuery.of(QueryParameter.text("from"), QueryParameter.text("to"))),
    /** A program's partners ranked by a figure over a range. */
    REPORT_TOP_PARTNERS(HttpMethod.GET, "/v1/programs/{programId}/reports/top-partners", Who.STAFF,
        View.PROGRAM_REPORT, RouteQuery.of(QueryParameter.text("metric"), QueryParameter.text("from"),
        QueryParameter.text("to"), QueryParameter.number("limit", 1, PartnerReports.MAX_TOP, 10))),
    /** A program's partners and money per tier per week. */
    REPORT_TIER_COHORTS(HttpMethod.GET, "/v1/programs/{programId}/reports/tier-cohorts", Who.STAFF,
        View.PROGRAM_REPORT, RouteQuery.of(QueryParameter.number("weeks", 1, ProgramReports.MAX_COHORT_WEEKS, 12),
        QueryParameter.text("to"))),
    /** A program's active partners' health scores in bands. */
    REPORT_HEALTH(HttpMethod.GET, "/v1/programs/{programId}/reports/health", Who.STAFF, View.PROGRAM_REPORT,
        RouteQuery.of(QueryParameter.number("threshold", 0, 100, 40))),
    /** A program's new, active and dormant partners. */
    REPORT_PARTNERS_ACTIVITY(HttpMethod.GET, "/v1/programs/{programId}/reports/partners-activity", Who.STAFF,
        View.PROGRAM_REPORT, RouteQuery.of(QueryParameter.text("from"), QueryParameter.text("to"),
        QueryParameter.number("dormantDays", 1, 365, 30)));

    private final HttpMethod method;
    private final String pattern;
    private final Set<Role> roles;
    private final View view;
    private final RouteQuery query;
    private final String[] segments;

    AdminRoute(final String path)
    {
        this(null, path, Collections.unmodifiableSet(EnumSet.noneOf(Role.class)), null, RouteQuery.any());
    }

    AdminRoute(final HttpMethod method, final String pattern, final Set<Role> roles, final View view,
        final RouteQuery query)
    {
        this.method = method;
        this.pattern = pattern;
        this.roles = roles;
        this.view = view;
        this.query = query;
        this.segments = pattern.substring(1).split("/", -1);
        if (roles.contains(Role.PARTNER) && !pattern.startsWith("/v1/partners/{partnerId}"))
        {
            throw new IllegalStateException(pattern + ": a partner token reads only under /v1/partners/{partnerId}");
        }
    }

    /**
     * @return the method, or null for a probe, which answers any method.
     */
    public HttpMethod method()
    {
        return method;
    }

    /**
     * @return the path, with the resource id as {@code {name}}.
     */
    public String pattern()
    {
        return pattern;
    }

    /**
     * @param parameters the path parameters of a request.
     * @return the request's path: the pattern with its parameters filled in.
     */
    public String path(final Map<String, String> parameters)
    {
        String path = pattern;
        for (final Map.Entry<String, String> parameter : parameters.entrySet())
        {
            path = path.replace("{" + parameter.getKey() + "}", parameter.getValue());
        }
        return path;
    }

    /**
     * @return true for a probe, answered without a token.
     */
    public boolean isPublic()
    {
        return null == method;
    }

    /**
     * @return the roles that may call the route (a partner on its own partner only); empty for a probe.
     */
    public Set<Role> roles()
    {
        return roles;
    }

    /**
     * @return the names of the query parameters the route accepts; empty if it refuses all or ignores its query.
     */
    public List<String> queryParameterNames()
    {
        return query.parameters().stream().map(QueryParameter::name).toList();
    }

    View view()
    {
        return view;
    }

    RouteQuery query()
    {
        return query;
    }

    /**
     * @param path a request's path.
     * @return the probe at that path (any method), or null.
     */
    static AdminRoute probe(final String path)
    {
        for (final AdminRoute route : values())
        {
            if (route.isPublic() && route.pattern.equals(path))
            {
                return route;
            }
        }
        return null;
    }

    /**
     * @return true for a route answered without a token (it limits its own callers, see {@link Who#PUBLIC}).
     */
    public boolean isWithoutToken()
    {
        return !isPublic() && roles.isEmpty();
    }

    /**
     * @param path a request's path, split at '/' without its leading one.
     * @return the route at that path with that method and its path parameters, or null if none.
     */
    static Match find(final String[] path, final HttpMethod method)
    {
        Match best = null;
        for (final AdminRoute route : values())
        {
            if (!route.isPublic() && route.method.equals(method))
            {
                final Match match = route.match(path);
                if (null != match && (null == best || match.literals > best.literals))
                {
                    best = match;
                }
            }
        }
        return best;
    }

    /**
     * @param path a request's path, split at '/' without its leading one.
     * @return the methods of the routes at that path, for an Allow header ("GET, PUT"); empty if none.
     */
    static String allowed(final String[] path)
    {
        final Set<String> methods = new LinkedHashSet<>();
        for (final AdminRoute route : values())
        {
            if (!route.isPublic() && null != route.match(path))
            {
                methods.add(route.method.name());
            }
        }
        return String.join(", ", methods);
    }

    private Match match(final String[] path)
    {
        if (path.length != segments.length)
        {
            return null;
        }
        Map<String, String> parameters = null;
        int literals = 0;
        for (int i = 0; i < segments.length; i++)
        {
            final String segment = segments[i];
            if (segment.startsWith("{"))
            {
                if (path[i].isEmpty())
                {
                    return null;
                }
                if (null == parameters)
                {
                    parameters = new LinkedHashMap<>();
                }
                parameters.put(segment.substring(1, segment.length() - 1), path[i]);
            }
            else if (segment.equals(path[i]))
            {
                literals++;
            }
            else
            {
                return null;
            }
        }
        return new Match(this, null == parameters ? Map.of() : parameters, literals);
    }

    /**
     * A route matched by a request's path.
     *
     * @param route      the route.
     * @param parameters its path parameters by name, in path order.
     * @param literals   how many literal segments matched: the most specific route wins.
     */
    record Match(AdminRoute route, Map<String, String> parameters, int literals)
    {
    }

    /**
     * @param caller who asked.
     * @param id     the resource id of the path.
     * @return why the caller may not call this route (a 403), or null if it may.
     */
    String refusal(final AdminRoles.Caller caller, final String id)
    {
        final boolean isAllowed = roles.contains(caller.role()) &&
            (Role.PARTNER != caller.role() || caller.partnerId().equals(id));
        return isAllowed ? null : whyNot(caller.role());
    }

    private static String whyNot(final Role role)
    {
        switch (role)
        {
            case ADMIN:
                // Finance approves payouts and reviews commissions; the admin builds runs but cannot approve them
                // (two people's decisions).
                return "this needs the finance token (" + AdminToken.FINANCE_FILE_NAME + ")";
            case FINANCE:
                return "the finance token can read, approve payout runs and review commissions; use the admin " +
                    "token for changes";
            case ANALYST:
                return "the analyst token reads the catalog and reports; ledgers, payouts and changes need another " +
                    "role";
            case PARTNER:
                return "a partner token reads only its own partner's record and reports";
            default:
                return "unknown role";
        }
    }

    /**
     * Part 8 item 1 (lists): the paging parameters every list shares.
     */
    private static final class Lists
    {
        static final QueryParameter LIMIT = QueryParameter.number("limit", 1, 500, 50);
        static final QueryParameter CURSOR = QueryParameter.text("cursor");
    }

    /**
     * The role sets of the table.
     */
    private static final class Who
    {
        /**
         * No token: the route limits its own callers (rate limits) and answers only what anyone may know.
         */
        static final Set<Role> PUBLIC = Collections.unmodifiableSet(EnumSet.noneOf(Role.class));
        static final Set<Role> EVERYONE = Collections.unmodifiableSet(EnumSet.allOf(Role.class));
        static final Set<Role> STAFF = Collections.unmodifiableSet(EnumSet.of(Role.ADMIN, Role.FINANCE, Role.ANALYST));
        static final Set<Role> MONEY = Collections.unmodifiableSet(EnumSet.of(Role.ADMIN, Role.FINANCE));
        static final Set<Role> MONEY_AND_SELF = Collections.unmodifiableSet(
            EnumSet.of(Role.ADMIN, Role.FINANCE, Role.PARTNER));
        static final Set<Role> ADMIN = Collections.unmodifiableSet(EnumSet.of(Role.ADMIN));
        static final Set<Role> FINANCE = Collections.unmodifiableSet(EnumSet.of(Role.FINANCE));
    }
}
