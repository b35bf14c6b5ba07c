package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.LifecycleValidation;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.PartnerStatus;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.ingest.CatalogEventFlyweight;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.agrona.concurrent.EpochClock;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Items 3 and 5 (part 8): a program's public applications, the admin's approval or rejection of a pending partner,
 * and the tier pin routes. Every change is a normal partner upsert, journaled and audited; the aggregator records the
 * timeline events ({@code partner.applied}, {@code partner.status_changed}, {@code tier.pinned}).
 */
final class ApplicationsResource
{
    /**
     * Most bytes of an application's body.
     */
    static final int MAX_APPLICATION_BYTES = 16 * 1024;

    private static final int APPLICATION_ID_BYTES = 12;
    private static final long MAX_REPEAT_DELAY_NS = 1_000_000_000L;

    /**
     * An application as the public form sends it.
     *
     * @param name       the applicant's name.
     * @param email      where to reach it.
     * @param attributes answers to the program's application fields, by attribute name.
     */
    record ApplicationRequest(String name, String email, Map<String, Object> attributes)
    {
    }

    /**
     * A decision's body.
     *
     * @param reason why; required to reject.
     */
    record Decision(String reason)
    {
    }

    private final Catalog catalog;
    private final JournalWrites writes;
    private final EpochClock epochClock;
    private final ApplicationLimiter limiter;
    private final Function<CatalogEntry<PartnerSpec>, Object> partnerView;
    private final SecureRandom random = new SecureRandom();
    private volatile long typicalWriteNs = 2_000_000L;

    /**
     * @param catalog     catalog in memory.
     * @param writes      journals changes and waits for them.
     * @param epochClock  the time of applications and of the rate limits.
     * @param limiter     the apply endpoint's rate limits.
     * @param partnerView the partner's view, as {@code GET /v1/partners/{id}} answers it.
     */
    ApplicationsResource(final Catalog catalog, final JournalWrites writes, final EpochClock epochClock,
        final ApplicationLimiter limiter, final Function<CatalogEntry<PartnerSpec>, Object> partnerView)
    {
        this.catalog = catalog;
        this.writes = writes;
        this.epochClock = epochClock;
        this.limiter = limiter;
        this.partnerView = partnerView;
    }

    /**
     * {@code POST /v1/programs/{programId}/applications}, public: 202 and the application's id, whether the email
     * had applied before or not (nothing tells an outsider who applied); 404 if the program takes no applications
     * (unknown or closed alike); 429 past the rate limits.
     *
     * @param call the request.
     * @return the answer.
     */
    ApiResponse apply(final RouteCall call)
    {
        final long nowMs = epochClock.time();
        final ApplicationLimiter.Refusal tooMany = limiter.client(call.clientKey(), nowMs);
        if (null != tooMany)
        {
            return tooMany(tooMany);
        }
        final String programId = call.param("programId");
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program || null == program.spec().applications() ||
            !Boolean.TRUE.equals(program.spec().applications().open()))
        {
            return ApiResponse.error(404, "program '" + programId + "' takes no applications");
        }
        final String contentType = call.header(HttpHeaderNames.CONTENT_TYPE);
        if (null == contentType || !contentType.toLowerCase(Locale.ROOT).matches("application/json\\s*(;.*)?"))
        {
            return ApiResponse.error(415, "Content-Type must be application/json");
        }
        if (call.body().length > MAX_APPLICATION_BYTES)
        {
            return ApiResponse.error(413, "an application is at most " + MAX_APPLICATION_BYTES + " bytes");
        }
        final ApplicationForm form = new ApplicationForm(program.spec());
        final ApplicationRequest request = CatalogJson.parseRequest(call.body(), ApplicationRequest.class);
        final String name = form.name(request.name());
        final String email = form.email(request.email());
        final Map<String, Object> attributes = form.attributes(request.attributes());
        final ApplicationLimiter.Refusal programFull = limiter.program(programId, nowMs);
        if (null != programFull)
        {
            return tooMany(programFull);
        }
        final String applicationId = "app_" + HexFormat.of().formatHex(randomBytes());
        final PartnerSpec spec = CatalogValidation.partner(new PartnerSpec(programId, name, email,
            PartnerStatus.PENDING.wireName(), null, null, null, null, null, null, attributes, null, null,
            Instant.ofEpochMilli(nowMs).toString()));
        final boolean repeated;
        synchronized (writes.writeLock())
        {
            // Checked under the write lock: two applications with one email cannot both pass.
            repeated = hasApplied(programId, email);
            if (!repeated)
            {
                // Timed from after the check both paths make: a repeat waits as long as the write alone takes.
                final long startNs = System.nanoTime();
                final ApiResponse stored = writes.upsert(call, CatalogEventFlyweight.KIND_PARTNER,
                    new CatalogEntry<>(applicationId, 0, spec), () -> catalog.partner(applicationId), p -> p);
                if (200 != stored.status())
                {
                    return stored;
                }
                typicalWriteNs = (typicalWriteNs * 7 + (System.nanoTime() - startNs)) / 8;
            }
        }
        if (repeated)
        {
            // As long as a new application takes: how fast the answer comes must not tell who applied before.
            sleepNs(Math.min(MAX_REPEAT_DELAY_NS, typicalWriteNs));
        }
        return new ApiResponse(202, Map.of("applicationId", applicationId));
    }

    /**
     * {@code POST /v1/partners/{partnerId}/approve} (admin): a pending partner becomes active; the reason is optional.
     *
     * @param call the request.
     * @return the partner, 404 if unknown, 409 if not pending.
     */
    ApiResponse approve(final RouteCall call)
    {
        return decide(call, PartnerStatus.ACTIVE, false);
    }

    /**
     * {@code POST /v1/partners/{partnerId}/reject} (admin): a pending partner becomes rejected, with a reason.
     *
     * @param call the request.
     * @return the partner, 404 if unknown, 409 if not pending.
     */
    ApiResponse reject(final RouteCall call)
    {
        return decide(call, PartnerStatus.REJECTED, true);
    }

    private ApiResponse decide(final RouteCall call, final PartnerStatus to, final boolean reasonRequired)
    {
        final String partnerId = call.id();
        final Decision decision = 0 == call.body().length ? new Decision(null) :
            CatalogJson.parseRequest(call.body(), Decision.class);
        if (null == decision.reason() && reasonRequired)
        {
            throw new InvalidSpecException("reason is required");
        }
        synchronized (writes.writeLock())
        {
            // Checked under the write lock: a decision made at once by two managers applies once.
            final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
            if (null == partner)
            {
                return ApiResponse.notFound("partner", partnerId);
            }
            final PartnerStatus status = PartnerStatus.of(partner.spec());
            if (PartnerStatus.PENDING != status)
            {
                return ApiResponse.error(409, "partner '" + partnerId + "' is " + status.wireName() +
                    ", not pending: only a pending partner is approved or rejected");
            }
            final PartnerSpec spec = withStatus(partner.spec(), to, decision.reason());
            LifecycleValidation.requireLifecycle(spec, catalog.program(spec.programId()).spec(), partner.spec(),
                LocalDate.ofEpochDay(RequestDates.today(epochClock)));
            return stored(call, partnerId, spec);
        }
    }

    /**
     * {@code POST /v1/partners/{partnerId}/tier-pin} (admin): {@code {"tier","reason","until"}}.
     *
     * @param call the request.
     * @return the partner.
     */
    ApiResponse pin(final RouteCall call)
    {
        final PartnerSpec.TierPin pin = CatalogJson.parseRequest(call.body(), PartnerSpec.TierPin.class);
        return repin(call, pin);
    }

    /**
     * {@code DELETE /v1/partners/{partnerId}/tier-pin} (admin): the partner's tier is re-evaluated at once.
     *
     * @param call the request.
     * @return the partner.
     */
    ApiResponse unpin(final RouteCall call)
    {
        return repin(call, null);
    }

    private ApiResponse repin(final RouteCall call, final PartnerSpec.TierPin pin)
    {
        final String partnerId = call.id();
        synchronized (writes.writeLock())
        {
            final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
            if (null == partner)
            {
                return ApiResponse.notFound("partner", partnerId);
            }
            final PartnerSpec p = partner.spec();
            final PartnerSpec spec = new PartnerSpec(p.programId(), p.name(), p.email(), p.status(),
                p.commissionPercent(), p.leadCommission(), p.monthlyCap(), p.payoutAccount(), p.customerIds(),
                p.tags(), p.attributes(), pin, p.statusReason(), p.joinedAt());
            LifecycleValidation.requireLifecycle(spec, catalog.program(spec.programId()).spec(), null,
                LocalDate.ofEpochDay(RequestDates.today(epochClock)));
            return stored(call, partnerId, spec);
        }
    }

    /**
     * Journal the partner change and answer once it is committed, so that the view shows its effects (the tier a
     * pin sets, the status) rather than the state before.
     */
    private ApiResponse stored(final RouteCall call, final String partnerId, final PartnerSpec spec)
    {
        writes.change(call, CatalogEventFlyweight.KIND_PARTNER, new CatalogEntry<>(partnerId, 0, spec));
        final CatalogEntry<PartnerSpec> stored = catalog.partner(partnerId);
        if (null == stored || !stored.spec().equals(spec))
        {
            return ApiResponse.error(409, "the change conflicted with a concurrent change; read and retry");
        }
        return ApiResponse.ok(partnerView.apply(stored));
    }

    private static PartnerSpec withStatus(final PartnerSpec p, final PartnerStatus status, final String reason)
    {
        return new PartnerSpec(p.programId(), p.name(), p.email(), status.wireName(), p.commissionPercent(),
            p.leadCommission(), p.monthlyCap(), p.payoutAccount(), p.customerIds(), p.tags(), p.attributes(),
            p.tierPin(), reason, p.joinedAt());
    }

    private boolean hasApplied(final String programId, final String email)
    {
        for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(programId))
        {
            if (null != partner.spec().email() && partner.spec().email().equalsIgnoreCase(email))
            {
                return true;
            }
        }
        return false;
    }

    private static void sleepNs(final long ns)
    {
        try
        {
            Thread.sleep(ns / 1_000_000L, (int)(ns % 1_000_000L));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private byte[] randomBytes()
    {
        final byte[] bytes = new byte[APPLICATION_ID_BYTES];
        random.nextBytes(bytes);
        return bytes;
    }

    private static ApiResponse tooMany(final ApplicationLimiter.Refusal refusal)
    {
        return ApiResponse.error(429, "too many applications" + ("program".equals(refusal.scope()) ?
            " to this program" : " from this address") + "; retry in " + refusal.retryAfterSeconds() + " s")
            .withHeader("Retry-After", Long.toString(refusal.retryAfterSeconds()));
    }
}
