package dev.ricochet.aggregator;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.CatalogTable;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.commission.CommissionEngine;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.aggregator.ledger.LedgerCommand;
import dev.ricochet.aggregator.payout.PayoutRuns;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.timeline.Timeline;
import dev.ricochet.ingest.CatalogEventFlyweight;
import org.rocksdb.WriteBatch;

import java.util.Objects;

/**
 * The agent's role for catalog events: the one switch over their kinds. Programs, partners, links and coupons are
 * applied to the {@link Catalog} and saved with their numbers; payout runs, payout approvals and commission reviews
 * are commands to the money engines; a clock tick only moves the ledger's clock (done before, for every event).
 * Aggregator thread only.
 */
final class CatalogApplication
{
    private final Catalog catalog;
    private final StateStore store;
    private final CatalogTable catalogTable;
    private final WriteBatch batch;
    private final CommissionEngine commissions;
    private final PayoutRuns payouts;
    private final Runnable commitApplied;
    private final PartnerLifecycle lifecycle;

    /**
     * @param catalog       the catalog to apply changes to.
     * @param store         committed state, for money history.
     * @param batch         the agent's batch the catalog entries are written to.
     * @param commissions   the commission engine, for reviews.
     * @param payouts       the payout runs.
     * @param timeline      where partner changes are recorded.
     * @param commitApplied commits everything applied before the current event, for a command that reads committed
     *                      state.
     */
    CatalogApplication(
        final Catalog catalog,
        final StateStore store,
        final WriteBatch batch,
        final CommissionEngine commissions,
        final PayoutRuns payouts,
        final Timeline timeline,
        final Runnable commitApplied)
    {
        this.catalog = catalog;
        this.store = store;
        this.catalogTable = new CatalogTable(store);
        this.batch = batch;
        this.commissions = commissions;
        this.payouts = payouts;
        this.commitApplied = commitApplied;
        this.lifecycle = new PartnerLifecycle(timeline, commissions);
    }

    /**
     * Apply a catalog event.
     *
     * @param catalogEvent the decoded event.
     * @throws IllegalStateException if its kind is unknown or its document corrupt.
     */
    void onCatalogChange(final CatalogEventFlyweight catalogEvent)
    {
        final byte kind = catalogEvent.kind();
        final byte[] document = catalogEvent.document();
        final CatalogEntry<?> applied;
        switch (kind)
        {
            case CatalogEventFlyweight.KIND_PROGRAM:
            {
                final CatalogEntry<ProgramSpec> program = CatalogJson.read(document, CatalogJson.PROGRAM);
                applied = relabelsMoney(program) ? null : catalog.applyProgram(program);
                break;
            }
            case CatalogEventFlyweight.KIND_PARTNER:
            {
                final CatalogEntry<PartnerSpec> partner = CatalogJson.read(document, CatalogJson.PARTNER);
                applied = movesMoney(partner) ? null : applyPartner(partner, catalogEvent.timestampMs());
                break;
            }
            case CatalogEventFlyweight.KIND_LINK:
                applied = catalog.applyLink(CatalogJson.read(document, CatalogJson.LINK));
                break;
            case CatalogEventFlyweight.KIND_COUPON:
                applied = catalog.applyCoupon(CatalogJson.read(document, CatalogJson.COUPON));
                break;
            case CatalogEventFlyweight.KIND_PAYOUT_RUN:
            {
                commitApplied.run();
                final LedgerCommand.PayoutRun run = CatalogJson.read(document, LedgerCommand.PayoutRun.class);
                payouts.build(run.runId(), run.programId(), run.periodEnd(), catalogEvent.timestampMs());
                return;
            }
            case CatalogEventFlyweight.KIND_PAYOUT_APPROVAL:
            {
                commitApplied.run();
                payouts.approve(CatalogJson.read(document, LedgerCommand.PayoutApproval.class).runId(),
                    catalogEvent.timestampMs());
                return;
            }
            case CatalogEventFlyweight.KIND_COMMISSION_REVIEW:
                review(CatalogJson.read(document, LedgerCommand.CommissionReview.class), catalogEvent.timestampMs());
                return;
            case CatalogEventFlyweight.KIND_CLOCK_TICK:
                return; // its timestamp has already moved the ledger's clock
            default:
                throw new IllegalStateException("unknown catalog kind " + kind);
        }
        if (null != applied)
        {
            catalogTable.put(batch, kind, applied);
        }
    }

    /**
     * Item 3 and 5 (part 8): the partner's lifecycle and tier pin follow every applied change.
     */
    private CatalogEntry<PartnerSpec> applyPartner(final CatalogEntry<PartnerSpec> change, final long timeMs)
    {
        final CatalogEntry<PartnerSpec> before = catalog.partner(change.id());
        final CatalogEntry<PartnerSpec> applied = catalog.applyPartner(change);
        if (null != applied)
        {
            lifecycle.onPartnerChanged(before, applied, catalog.program(applied.spec().programId()), timeMs);
        }
        return applied;
    }

    /**
     * A partner with money history never changes program (the API answers 409; a change journaled anyway, by a race
     * or by an earlier version, is ignored here, the same way in a replay).
     */
    private boolean movesMoney(final CatalogEntry<PartnerSpec> change)
    {
        final CatalogEntry<PartnerSpec> existing = catalog.partner(change.id());
        if (null == existing || existing.spec().programId().equals(change.spec().programId()))
        {
            return false;
        }
        commitApplied.run();
        return Ledger.hasMoneyHistory(store, existing.number());
    }

    /**
     * A program whose partners have money history never changes currency (the API answers 409).
     */
    private boolean relabelsMoney(final CatalogEntry<ProgramSpec> change)
    {
        final CatalogEntry<ProgramSpec> existing = catalog.program(change.id());
        if (null == existing || Objects.equals(existing.spec().currency(), change.spec().currency()))
        {
            return false;
        }
        commitApplied.run();
        for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(change.id()))
        {
            if (Ledger.hasMoneyHistory(store, partner.number()))
            {
                return true;
            }
        }
        return false;
    }

    private void review(final LedgerCommand.CommissionReview review, final long timeMs)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(review.partnerId());
        final CatalogEntry<ProgramSpec> program = null == partner ? null : catalog.program(partner.spec().programId());
        if (null != program)
        {
            commissions.review(partner, program, new CommissionKey(partner.number(), review.conversionTimeMs(),
                program.number(), review.externalId()), review.action(), review.reason(), timeMs);
        }
    }
}
