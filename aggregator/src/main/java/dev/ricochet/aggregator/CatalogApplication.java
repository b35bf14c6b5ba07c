package dev.ricochet.aggregator;

import dev.ricochet.aggregator.audit.AuditDetail;
import dev.ricochet.aggregator.audit.AuditViews;
import dev.ricochet.aggregator.bulk.BulkChanges;
import dev.ricochet.aggregator.bulk.BulkRequest;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.CatalogTable;
import dev.ricochet.aggregator.catalog.CouponSpec;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.catalog.SegmentChanges;
import dev.ricochet.aggregator.commission.CommissionEngine;
import dev.ricochet.aggregator.csv.ImportApplication;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.aggregator.ledger.LedgerCommand;
import dev.ricochet.aggregator.payout.PayoutRun;
import dev.ricochet.aggregator.payout.PayoutRuns;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.timeline.Timeline;
import dev.ricochet.aggregator.token.TokenChange;
import dev.ricochet.aggregator.token.TokenChanges;
import dev.ricochet.ingest.CatalogEventFlyweight;
import org.rocksdb.WriteBatch;

import java.util.Map;
import java.util.Objects;

/**
 * The agent's role for catalog events: the one switch over their kinds. Programs, partners, links and coupons are
 * applied to the {@link Catalog} and saved with their numbers; payout runs, payout approvals and commission reviews
 * are commands to the money engines; a clock tick only moves the ledger's clock (done before, for every event). An
 * admin change in its envelope ({@link AdminChanges}) comes back here for its document, and what it did goes into the
 * audit trail. Aggregator thread only.
 */
final class CatalogApplication
{
    private final Catalog catalog;
    private final StateStore store;
    private final CatalogTable catalogTable;
    private final WriteBatch batch;
    private final CommissionEngine commissions;
    private final PayoutRuns payouts;
    private final TokenChanges tokens;
    private final Runnable commitApplied;
    private final AdminChanges adminChanges;
    private final SegmentChanges segmentChanges; // part 8, item 4
    private final BulkChanges bulkChanges; // part 8, item 4
    private final ImportApplication imports; // part 8, item 9
    private final PartnerLifecycle lifecycle;

    /**
     * @param catalog       the catalog to apply changes to.
     * @param store         committed state, for money history.
     * @param batch         the agent's batch the catalog entries are written to.
     * @param commissions   the commission engine, for reviews.
     * @param payouts       the payout runs.
     * @param timeline      where partner changes are recorded.
     * @param tokens        the named API tokens.
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
        final TokenChanges tokens,
        final Runnable commitApplied)
    {
        this.catalog = catalog;
        this.store = store;
        this.catalogTable = new CatalogTable(store);
        this.batch = batch;
        this.commissions = commissions;
        this.payouts = payouts;
        this.tokens = tokens;
        this.commitApplied = commitApplied;
        this.adminChanges = new AdminChanges(store, batch, commitApplied, this::apply);
        this.segmentChanges = new SegmentChanges(catalog, catalogTable, batch);
        this.bulkChanges = new BulkChanges(catalog, store, timeline, commitApplied);
        this.imports = new ImportApplication(catalog, this::apply); // part 8, item 9
        this.lifecycle = new PartnerLifecycle(timeline, commissions);
    }

    /**
     * Apply a catalog event.
     *
     * @param catalogEvent the decoded event.
     * @param index        its journal index.
     * @throws IllegalStateException if its kind is unknown or its document corrupt.
     */
    void onCatalogChange(final CatalogEventFlyweight catalogEvent, final long index)
    {
        final byte kind = catalogEvent.kind();
        switch (kind)
        {
            case CatalogEventFlyweight.KIND_ADMIN_CHANGE:
                adminChanges.onChange(catalogEvent.document(), catalogEvent.timestampMs(), index);
                break;
            case CatalogEventFlyweight.KIND_COMMAND_PART:
                adminChanges.onPart(catalogEvent.document());
                break;
            case CatalogEventFlyweight.KIND_CLOCK_TICK:
                break; // its timestamp has already moved the ledger's clock
            default:
                // A change journaled before part 8, without an envelope: applied as then, without an audit record.
                apply(kind, catalogEvent.document(), catalogEvent.timestampMs());
                break;
        }
    }

    /**
     * @param journalIndex the journal index of an admin change.
     * @return the sequence number of its audit record if it is the last change applied, else -1.
     */
    long auditSeqOf(final long journalIndex)
    {
        return adminChanges.auditSeqOf(journalIndex);
    }

    /**
     * Apply one change (an envelope's document, or an event of a kind journaled bare).
     *
     * @param kind     the catalog kind.
     * @param document the change.
     * @param timeMs   its journal time.
     * @return what it did, for the audit trail; null if it was refused and changed nothing.
     */
    AuditDetail apply(final byte kind, final byte[] document, final long timeMs)
    {
        switch (kind)
        {
            case CatalogEventFlyweight.KIND_PROGRAM:
            {
                final CatalogEntry<ProgramSpec> program = CatalogJson.read(document, CatalogJson.PROGRAM);
                final CatalogEntry<ProgramSpec> before = catalog.program(program.id());
                final CatalogEntry<ProgramSpec> applied = relabelsMoney(program) ? null :
                    catalog.applyProgram(program);
                return saved(kind, "program:", before, applied, program.id());
            }
            case CatalogEventFlyweight.KIND_PARTNER:
            {
                final CatalogEntry<PartnerSpec> partner = CatalogJson.read(document, CatalogJson.PARTNER);
                final CatalogEntry<PartnerSpec> before = catalog.partner(partner.id());
                final CatalogEntry<PartnerSpec> applied = movesMoney(partner) ? null : applyPartner(partner, timeMs);
                return saved(kind, "partner:", before, applied, null == applied ? null : applied.spec().programId());
            }
            case CatalogEventFlyweight.KIND_LINK:
            {
                final CatalogEntry<LinkSpec> link = CatalogJson.read(document, CatalogJson.LINK);
                final CatalogEntry<LinkSpec> before = catalog.link(link.id());
                return saved(kind, "link:", before, catalog.applyLink(link), programOf(link.spec().partnerId()));
            }
            case CatalogEventFlyweight.KIND_COUPON:
            {
                final CatalogEntry<CouponSpec> coupon = CatalogJson.read(document, CatalogJson.COUPON);
                final CatalogEntry<CouponSpec> before = catalog.coupon(coupon.id());
                return saved(kind, "coupon:", before, catalog.applyCoupon(coupon),
                    programOf(coupon.spec().partnerId()));
            }
            case CatalogEventFlyweight.KIND_PAYOUT_RUN:
            {
                commitApplied.run();
                final LedgerCommand.PayoutRun run = CatalogJson.read(document, LedgerCommand.PayoutRun.class);
                payouts.build(run.runId(), run.programId(), run.periodEnd(), timeMs);
                return new AuditDetail("payout_run:" + run.runId(), run.programId(), null, run);
            }
            case CatalogEventFlyweight.KIND_PAYOUT_APPROVAL:
            {
                commitApplied.run();
                final LedgerCommand.PayoutApproval approval =
                    CatalogJson.read(document, LedgerCommand.PayoutApproval.class);
                final PayoutRun before = payouts.run(approval.runId());
                payouts.approve(approval.runId(), timeMs);
                final PayoutRun after = payouts.run(approval.runId());
                return null == before ? null : new AuditDetail("payout_run:" + approval.runId(), before.programId(),
                    Map.of("status", before.status()), Map.of("status", after.status()));
            }
            case CatalogEventFlyweight.KIND_COMMISSION_REVIEW:
            {
                final LedgerCommand.CommissionReview review =
                    CatalogJson.read(document, LedgerCommand.CommissionReview.class);
                return review(review, timeMs) ? new AuditDetail("commission:" + review.partnerId() + "/" +
                    review.externalId(), programOf(review.partnerId()), null, review) : null;
            }
            // Part 8, item 4: a saved segment; a bulk change, each partner written by the partner case above.
            case CatalogEventFlyweight.KIND_SEGMENT:
                return segmentChanges.apply(CatalogJson.read(document, CatalogJson.SEGMENT));
            case CatalogEventFlyweight.KIND_BULK:
                return bulkChanges.apply(CatalogJson.read(document, BulkRequest.class), timeMs, partner ->
                    apply(CatalogEventFlyweight.KIND_PARTNER, CatalogJson.write(partner), timeMs));
            case CatalogEventFlyweight.KIND_TOKEN: // item 7
                return tokens.apply(batch, CatalogJson.read(document, TokenChange.class), timeMs);
            case CatalogEventFlyweight.KIND_IMPORT: // part 8, item 9: CSV import, every row through the cases above
                return imports.apply(document, timeMs);
            default:
                throw new IllegalStateException("unknown catalog kind " + kind);
        }
    }

    private <T> AuditDetail saved(final byte kind, final String targetPrefix, final CatalogEntry<T> before,
        final CatalogEntry<T> applied, final String programId)
    {
        if (null == applied)
        {
            return null;
        }
        catalogTable.put(batch, kind, applied);
        return new AuditDetail(targetPrefix + applied.id(), programId, null == before ? null :
            AuditViews.of(before.spec()), AuditViews.of(applied.spec()));
    }

    private String programOf(final String partnerId)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        return null == partner ? null : partner.spec().programId();
    }

    /**
     * Items 3 and 5 (part 8): apply a partner change; its status timeline and tier pin follow. Every route that
     * changes a partner (PUT, PATCH, approve, reject, bulk, import) applies it here.
     *
     * @param change the partner as journaled.
     * @param timeMs the change's journal time.
     * @return the partner as applied, or null if its program is unknown.
     */
    CatalogEntry<PartnerSpec> applyPartner(final CatalogEntry<PartnerSpec> change, final long timeMs)
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

    private boolean review(final LedgerCommand.CommissionReview review, final long timeMs)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(review.partnerId());
        final CatalogEntry<ProgramSpec> program = null == partner ? null : catalog.program(partner.spec().programId());
        return null != program && commissions.review(partner, program, new CommissionKey(partner.number(),
            review.conversionTimeMs(), program.number(), review.externalId()), review.action(), review.reason(),
            timeMs);
    }
}
