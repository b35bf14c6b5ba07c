package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.CouponSpec;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.LifecycleValidation;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.PartnerStatus;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.counters.CounterTable;
import dev.ricochet.aggregator.health.HealthScore;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.tier.TierLadder;
import dev.ricochet.aggregator.webhook.WebhookAddresses;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.Money;
import org.agrona.concurrent.EpochClock;

import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The catalog: programs, partners, links and coupons, read from the catalog in memory and changed through the
 * journal ({@link JournalWrites}); and the partner tokens the admin issues.
 */
final class CatalogResource
{
    private final Catalog catalog;
    private final StateStore store;
    private final JournalWrites writes;
    private final StoredRecords records;
    private final EpochClock epochClock;
    private final boolean allowPrivateWebhooks;
    private final EntityRevisions revisions;
    private final EntityRevisions.Kind<ProgramSpec> programs;
    private final EntityRevisions.Kind<PartnerSpec> partners;
    private final EntityRevisions.Kind<LinkSpec> links;
    private final EntityRevisions.Kind<CouponSpec> coupons;

    /**
     * @param catalog              catalog in memory.
     * @param store                committed state.
     * @param writes               journals changes and waits for them.
     * @param records              committed records shared between resources.
     * @param epochClock           today's date for the partner's tier review and windows.
     * @param allowPrivateWebhooks accept a {@code webhookUrl} on a loopback, private or link-local address.
     * @param tags                 the entities' ETags.
     */
    CatalogResource(
        final Catalog catalog,
        final StateStore store,
        final JournalWrites writes,
        final StoredRecords records,
        final EpochClock epochClock,
        final boolean allowPrivateWebhooks,
        final EntityTag tags)
    {
        this.catalog = catalog;
        this.store = store;
        this.writes = writes;
        this.records = records;
        this.epochClock = epochClock;
        this.allowPrivateWebhooks = allowPrivateWebhooks;
        this.revisions = new EntityRevisions(writes, tags);
        this.programs = new EntityRevisions.Kind<>("program", CatalogEventFlyweight.KIND_PROGRAM, ProgramSpec.class,
            catalog::program, List.of());
        this.partners = new EntityRevisions.Kind<>("partner", CatalogEventFlyweight.KIND_PARTNER, PartnerSpec.class,
            catalog::partner, List.of("joinedAt"));
        this.links = new EntityRevisions.Kind<>("link", CatalogEventFlyweight.KIND_LINK, LinkSpec.class,
            catalog::link, List.of());
        this.coupons = new EntityRevisions.Kind<>("coupon", CatalogEventFlyweight.KIND_COUPON, CouponSpec.class,
            catalog::coupon, List.of());
    }

    // Part 8 item 2: every read answers the entity's ETag; PUT replaces and PATCH merges (EntityRevisions), both
    // under the journal's write lock with their If-Match / If-None-Match, then through the same checks below.

    /**
     * {@code GET /v1/programs/{programId}}.
     *
     * @param programId from the path.
     * @return the program, secrets redacted, with its ETag.
     */
    ApiResponse getProgram(final String programId)
    {
        return revisions.read(programs, programId, CatalogResource::programView);
    }

    /**
     * {@code PUT /v1/programs/{programId}}: create or replace.
     *
     * @param call the request: the id of its path, its conditions and its JSON body.
     * @return the program as stored.
     */
    ApiResponse putProgram(final RouteCall call)
    {
        CatalogValidation.requireId("programId", call.id());
        return revisions.put(call, programs, (existing, given) -> storeProgram(call, existing, given));
    }

    /**
     * {@code PATCH /v1/programs/{programId}}: a JSON Merge Patch of the stored program.
     *
     * @param call the request.
     * @return the program as stored.
     */
    ApiResponse patchProgram(final RouteCall call)
    {
        CatalogValidation.requireId("programId", call.id());
        return revisions.patch(call, programs, (existing, given) -> storeProgram(call, existing, given));
    }

    private ApiResponse storeProgram(final RouteCall call, final CatalogEntry<ProgramSpec> existing,
        final ProgramSpec given)
    {
        final String programId = call.id();
        final ApiResponse outOfScope = outOfScope(call, programId);
        if (null != outOfScope)
        {
            return outOfScope;
        }
        final ProgramSpec spec = CatalogValidation.program(given);
        if (!allowPrivateWebhooks && null != spec.webhookUrl())
        {
            final String refusal = WebhookAddresses.literalRefusal(URI.create(spec.webhookUrl()).getHost());
            if (null != refusal)
            {
                throw new InvalidSpecException("webhookUrl host " + refusal + "; set " +
                    "ricochet.webhook.allow.private.networks=true to post to the operator's own network");
            }
        }
        if (null != existing && !Objects.equals(existing.spec().currency(), spec.currency()))
        {
            for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(programId))
            {
                if (Ledger.hasMoneyHistory(store, partner.number()))
                {
                    return ApiResponse.error(409, "program '" + programId + "' has money in " +
                        existing.spec().currency() + " (partner '" + partner.id() + "' has conversions or ledger " +
                        "entries); its currency cannot change to " + spec.currency() + ": create a new program");
                }
            }
        }
        return writes.upsert(call, CatalogEventFlyweight.KIND_PROGRAM, new CatalogEntry<>(programId, 0, spec),
            () -> catalog.program(programId), CatalogResource::programView);
    }

    /**
     * {@code GET /v1/partners/{partnerId}}.
     *
     * @param partnerId from the path.
     * @return the partner, with its ETag.
     */
    ApiResponse getPartner(final String partnerId)
    {
        return revisions.read(partners, partnerId, this::partnerView);
    }

    /**
     * {@code PUT /v1/partners/{partnerId}}: create or replace; {@code joinedAt} is kept.
     *
     * @param call the request: the id of its path, its conditions and its JSON body.
     * @return the partner as stored.
     */
    ApiResponse putPartner(final RouteCall call)
    {
        CatalogValidation.requireId("partnerId", call.id());
        return revisions.put(call, partners, (existing, given) -> storePartner(call, existing, given));
    }

    /**
     * {@code PATCH /v1/partners/{partnerId}}: a JSON Merge Patch of the stored partner.
     *
     * @param call the request.
     * @return the partner as stored.
     */
    ApiResponse patchPartner(final RouteCall call)
    {
        CatalogValidation.requireId("partnerId", call.id());
        return revisions.patch(call, partners, (existing, given) -> storePartner(call, existing, given));
    }

    private ApiResponse storePartner(final RouteCall call, final CatalogEntry<PartnerSpec> existing,
        final PartnerSpec given)
    {
        final String partnerId = call.id();
        final PartnerSpec spec = CatalogValidation.partner(withJoinedAt(existing, given));
        final ApiResponse outOfScope = outOfScope(call, null == existing ? null : existing.spec().programId(),
            spec.programId());
        if (null != outOfScope)
        {
            return outOfScope;
        }
        if (null == catalog.program(spec.programId()))
        {
            throw new InvalidSpecException("programId '" + spec.programId() + "' is not a known program");
        }
        LifecycleValidation.requireLifecycle(spec, catalog.program(spec.programId()).spec(),
            null == existing ? null : existing.spec(), LocalDate.ofEpochDay(RequestDates.today(epochClock)));
        // Item 4: custom attribute values against the program's schema (PUT and PATCH).
        final PartnerSpec checked = CatalogValidation.partnerAttributes(spec,
            catalog.program(spec.programId()).spec(), null == existing ? null : existing.spec());
        if (null != existing && !existing.spec().programId().equals(spec.programId()) &&
            Ledger.hasMoneyHistory(store, existing.number()))
        {
            return ApiResponse.error(409, "partner '" + partnerId + "' has conversions or ledger entries in program '" +
                existing.spec().programId() + "'; its program cannot change to '" + spec.programId() +
                "': create a new partner for that program");
        }
        return writes.upsert(call, CatalogEventFlyweight.KIND_PARTNER, new CatalogEntry<>(partnerId, 0, checked),
            () -> catalog.partner(partnerId), this::partnerView);
    }

    /**
     * {@code joinedAt} is the server's: set when the partner is created, kept by every later write (a partner created
     * before part 8 keeps none). A body may repeat the stored value (a read, edited and written back) but not change
     * it.
     */
    private PartnerSpec withJoinedAt(final CatalogEntry<PartnerSpec> existing, final PartnerSpec given)
    {
        final String stored = null == existing ? null : existing.spec().joinedAt();
        if (null != given.joinedAt() && !given.joinedAt().equals(stored))
        {
            throw new InvalidSpecException("joinedAt is set by the server when the partner is created and cannot " +
                "be changed");
        }
        final String joinedAt = null == existing ? Instant.ofEpochMilli(epochClock.time()).toString() : stored;
        return new PartnerSpec(given.programId(), given.name(), given.email(), given.status(),
            given.commissionPercent(), given.leadCommission(), given.monthlyCap(), given.payoutAccount(),
            given.customerIds(), given.tags(), given.attributes(), given.tierPin(), given.statusReason(), joinedAt);
    }

    /**
     * @param partnerId the partner a partner token speaks for.
     * @return true if the partner exists and is not suspended or rejected: only then does its token read anything.
     */
    boolean isPartnerActiveEnoughToRead(final String partnerId)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        return null != partner && PartnerStatus.of(partner.spec()).tokenReads();
    }

    /**
     * {@code GET /v1/links/{code}}.
     *
     * @param code from the path.
     * @return the link, with its ETag.
     */
    ApiResponse getLink(final String code)
    {
        return revisions.read(links, code, this::linkView);
    }

    /**
     * {@code PUT /v1/links/{code}}: create or replace.
     *
     * @param call the request: the id of its path, its conditions and its JSON body.
     * @return the link as stored.
     */
    ApiResponse putLink(final RouteCall call)
    {
        CatalogValidation.requireId("code", call.id());
        return revisions.put(call, links, (existing, given) -> storeLink(call, existing, given));
    }

    /**
     * {@code PATCH /v1/links/{code}}: a JSON Merge Patch of the stored link.
     *
     * @param call the request.
     * @return the link as stored.
     */
    ApiResponse patchLink(final RouteCall call)
    {
        CatalogValidation.requireId("code", call.id());
        return revisions.patch(call, links, (existing, given) -> storeLink(call, existing, given));
    }

    private ApiResponse storeLink(final RouteCall call, final CatalogEntry<LinkSpec> existing, final LinkSpec given)
    {
        final String code = call.id();
        final LinkSpec spec = CatalogValidation.link(given);
        final ApiResponse outOfScope = outOfScope(call,
            null == existing ? null : programOf(existing.spec().partnerId()),
            programOf(spec.partnerId()));
        if (null != outOfScope)
        {
            return outOfScope;
        }
        if (null == catalog.partner(spec.partnerId()))
        {
            throw new InvalidSpecException("partnerId '" + spec.partnerId() + "' is not a known partner");
        }
        return writes.upsert(call, CatalogEventFlyweight.KIND_LINK, new CatalogEntry<>(code, 0, spec),
            () -> catalog.link(code), this::linkView);
    }

    /**
     * {@code GET /v1/coupons/{code}}.
     *
     * @param code from the path.
     * @return the coupon, with its ETag.
     */
    ApiResponse getCoupon(final String code)
    {
        return revisions.read(coupons, code, CatalogResource::couponView);
    }

    /**
     * {@code PUT /v1/coupons/{code}}: link a coupon code to a partner (coupon attribution).
     *
     * @param call the request: the id of its path, its conditions and its JSON body.
     * @return the coupon.
     */
    ApiResponse putCoupon(final RouteCall call)
    {
        CatalogValidation.requireId("code", call.id());
        return revisions.put(call, coupons, (existing, given) -> storeCoupon(call, existing, given));
    }

    /**
     * {@code PATCH /v1/coupons/{code}}: a JSON Merge Patch of the stored coupon.
     *
     * @param call the request.
     * @return the coupon.
     */
    ApiResponse patchCoupon(final RouteCall call)
    {
        CatalogValidation.requireId("code", call.id());
        return revisions.patch(call, coupons, (existing, given) -> storeCoupon(call, existing, given));
    }

    private ApiResponse storeCoupon(final RouteCall call, final CatalogEntry<CouponSpec> existing,
        final CouponSpec spec)
    {
        final String code = call.id();
        final ApiResponse outOfScope = outOfScope(call,
            null == existing ? null : programOf(existing.spec().partnerId()),
            null == spec.partnerId() ? null : programOf(spec.partnerId()));
        if (null != outOfScope)
        {
            return outOfScope;
        }
        if (null == spec.partnerId() || null == catalog.partner(spec.partnerId()))
        {
            throw new InvalidSpecException(null == spec.partnerId() ? "partnerId is required" :
                "partnerId '" + spec.partnerId() + "' is not a known partner");
        }
        return writes.upsert(call, CatalogEventFlyweight.KIND_COUPON, new CatalogEntry<>(code, 0, spec),
            () -> catalog.coupon(code), CatalogResource::couponView);
    }

    /**
     * A token scoped to one program changes only that program's entities: the entity as stored and as written must
     * both be in it (a check of the path's entity alone would let a write move a partner, link or coupon out of the
     * program, or into it from another).
     *
     * @return the 403 to answer, or null if every program named (nulls skipped) is the caller's, or it has no scope.
     */
    private static ApiResponse outOfScope(final RouteCall call, final String... programIds)
    {
        final String scope = call.caller().programId();
        for (final String programId : programIds)
        {
            if (null != scope && null != programId && !scope.equals(programId))
            {
                return ApiResponse.error(403, "this token may change only program '" + scope + "'; the change " +
                    "touches program '" + programId + "'");
            }
        }
        return null;
    }

    private String programOf(final String partnerId)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        return null == partner ? null : partner.spec().programId();
    }

    private static Map<String, Object> couponView(final CatalogEntry<CouponSpec> coupon)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("code", coupon.id());
        view.put("partnerId", coupon.spec().partnerId());
        return view;
    }

    private static Map<String, Object> programView(final CatalogEntry<ProgramSpec> program)
    {
        final ProgramSpec spec = program.spec();
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", program.id());
        view.put("name", spec.name());
        view.put("currency", spec.currency());
        view.put("defaultDestination", spec.defaultDestination());
        view.put("clickParam", spec.clickParam());
        view.put("attribution", spec.attribution());
        view.put("tiers", spec.tiers());
        view.put("holdDays", spec.holdDays());
        view.put("minPayout", spec.minPayout());
        view.put("recurringMonths", spec.recurringMonths());
        view.put("pixelConversions", spec.pixelConversions());
        view.put("tierMode", spec.tierMode());
        view.put("tierReview", spec.tierReview());
        view.put("retroactive", spec.retroactive());
        view.put("monthlyCap", spec.monthlyCap());
        view.put("webhookUrl", spec.webhookUrl());
        view.put("fraud", spec.fraud());
        view.put("attributes", spec.attributes()); // item 4
        final ProgramSpec.Secrets secrets = spec.secrets();
        final List<String> secretsSet = new ArrayList<>();
        if (null != secrets.apiKey())
        {
            secretsSet.add("apiKey");
        }
        if (null != secrets.stripe())
        {
            secretsSet.add("stripe");
        }
        if (null != secrets.shopify())
        {
            secretsSet.add("shopify");
        }
        if (null != secrets.postback())
        {
            secretsSet.add("postback");
        }
        if (null != secrets.webhook())
        {
            secretsSet.add("webhook");
        }
        // Secrets are write-only: the view says which are set, never their values.
        view.put("secretsSet", secretsSet);
        return view;
    }

    Map<String, Object> partnerView(final CatalogEntry<PartnerSpec> partner)
    {
        final PartnerSpec spec = partner.spec();
        final List<ProgramSpec.Tier> tiers = catalog.program(spec.programId()).spec().tiers();
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", partner.id());
        view.put("programId", spec.programId());
        view.put("name", spec.name());
        view.put("email", spec.email());
        view.put("status", spec.status());
        final PartnerAccount account = records.account(partner.number());
        final ProgramSpec program = catalog.program(spec.programId()).spec();
        final int today = RequestDates.today(epochClock);
        view.put("tier", tiers.isEmpty() ? null : tiers.get(Math.min(account.tier(), tiers.size() - 1)).name());
        view.put("tierSince", account.tierSince());
        view.put("nextTierReview", tiers.size() < 2 ? null :
            TierLadder.nextReview(program.tierReview(), LocalDate.ofEpochDay(today)).toString());
        // One scan of the last 90 days serves both the health score and the windows.
        final long[][] days = HealthScore.lastNinetyDays(store, partner.number(), today);
        final HealthScore health = HealthScore.of(days);
        view.put("health", health.score());
        view.put("healthComponents", health.components());
        view.put("commissionPercent", spec.commissionPercent());
        view.put("leadCommission", spec.leadCommission());
        view.put("monthlyCap", spec.monthlyCap());
        view.put("payoutAccount", spec.payoutAccount());
        view.put("customerIds", spec.customerIds());
        // Item 4: tags and custom attribute values (kept as stored, even if the schema has changed since).
        view.put("tags", null == spec.tags() ? List.of() : spec.tags());
        view.put("attributes", null == spec.attributes() ? Map.of() : spec.attributes());
        view.put("windows", windows(partner.number(), days));
        // Items 3 and 5 (part 8): the pin while it is in force (an ended one is history, in the timeline).
        view.put("statusReason", spec.statusReason());
        view.put("joinedAt", spec.joinedAt());
        final PartnerSpec.TierPin pin = spec.tierPin();
        view.put("tierPin", null == pin || (null != pin.until() &&
            pin.until().compareTo(LocalDate.ofEpochDay(today).toString()) < 0) ? null : pin);
        return view;
    }

    private Map<String, Object> linkView(final CatalogEntry<LinkSpec> link)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(link.spec().partnerId());
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("code", link.id());
        view.put("partnerId", link.spec().partnerId());
        view.put("programId", null == partner ? null : partner.spec().programId());
        view.put("destination", link.spec().destination());
        return view;
    }

    private Map<String, Object> windows(final int partnerNumber, final long[][] days)
    {
        final Map<String, Object> windows = new LinkedHashMap<>();
        final long nowHour = Math.floorDiv(epochClock.time(), 3_600_000L);
        final long[] lastDay = new long[CounterField.COUNT];
        new CounterTable(store).readHours(partnerNumber, (int)nowHour - 23, (int)nowHour, (hour, values) ->
        {
            for (int i = 0; i < lastDay.length; i++)
            {
                lastDay[i] = Money.addSaturated(lastDay[i], values[i]);
            }
        });
        windows.put("24h", ReportsResource.counterView(lastDay));
        for (final int length : new int[]{ 7, 30, 60, 90 })
        {
            final long[] sums = new long[CounterField.COUNT];
            for (int i = 90 - length; i < 90; i++)
            {
                if (null != days[i])
                {
                    for (int f = 0; f < sums.length; f++)
                    {
                        sums[f] = Money.addSaturated(sums[f], days[i][f]);
                    }
                }
            }
            windows.put(length + "d", ReportsResource.counterView(sums));
        }
        return windows;
    }

    /**
     * {@code GET /v1/partners/{partnerId}/token}: the partner's read-only token.
     *
     * @param partnerId from the path.
     * @param roles     issues the token.
     * @return the token, or 404 for an unknown partner.
     */
    ApiResponse partnerToken(final String partnerId, final AdminRoles roles)
    {
        final ApiResponse partner = getPartner(partnerId);
        return 200 != partner.status() ? partner :
            ApiResponse.ok(Map.of("partnerId", partnerId, "token", roles.partnerToken(partnerId)));
    }
}
