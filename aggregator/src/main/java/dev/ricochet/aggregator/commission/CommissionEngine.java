package dev.ricochet.aggregator.commission;

import dev.ricochet.aggregator.attribution.AttributionEngine;
import dev.ricochet.aggregator.attribution.ConversionKind;
import dev.ricochet.aggregator.attribution.ConversionRecord;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.PartnerStatus;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.counters.CounterBuckets;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.fraud.FraudChecks;
import dev.ricochet.aggregator.fraud.FraudFlag;
import dev.ricochet.aggregator.ledger.Commission;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.tier.TierLadder;
import dev.ricochet.aggregator.timeline.Timeline;
import dev.ricochet.ingest.Money;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns attributed conversions into commissions and keeps every partner in the right tier.
 *
 * <p>For each partner credited by a conversion: first the upgrade check (the conversion's own counters are already
 * in the buckets, so the conversion that crosses a threshold earns the new tier's rate), then the commission at the
 * partner's rate, capped by the monthly cap, booked in the {@link Ledger} — held for review if the partner is
 * suspended or the share fails one of the program's {@link FraudChecks}. Refunds and chargebacks reverse their
 * share. When the journal's clock enters a new day, commissions whose hold period ends are approved, tier pins
 * whose last day has passed end ({@link PinnedTiers}) and, on the program's review days, tiers are reviewed
 * (downgrades happen only there). A partner whose tier is pinned skips upgrades and reviews, and earns its pinned
 * tier's rate (in graduated mode too).
 */
public final class CommissionEngine implements AttributionEngine.CreditListener
{
    private static final long DAY_MS = 86_400_000L;

    /**
     * Most days the ledger's clock walks one by one when it moves (approvals and tier reviews of each day).
     */
    public static final int MAX_CATCH_UP_DAYS = 366;

    private final Catalog catalog;
    private final CounterBuckets counters;
    private final Ledger ledger;
    private final Timeline timeline;
    private final FraudChecks fraud;
    private final PinnedTiers pins;
    private final long[] sums = new long[CounterField.COUNT];
    private int today;

    /**
     * @param catalog  programs and partners.
     * @param counters the partners' buckets.
     * @param ledger   where commissions are booked.
     * @param timeline where tier changes are reported.
     * @param today    the ledger's current epoch day (from the last commit), or Integer.MIN_VALUE if none yet.
     */
    public CommissionEngine(
        final Catalog catalog,
        final CounterBuckets counters,
        final Ledger ledger,
        final Timeline timeline,
        final int today)
    {
        this.catalog = catalog;
        this.counters = counters;
        this.ledger = ledger;
        this.timeline = timeline;
        this.today = today;
        this.fraud = new FraudChecks(counters);
        this.pins = new PinnedTiers(catalog, ledger, timeline, this::qualifying);
    }

    /**
     * A partner change was applied: pin or unpin its tier if its {@link PartnerSpec#tierPin()} changed.
     *
     * @param before  the partner before the change, or null if new.
     * @param after   the partner as applied, with its number.
     * @param program its program.
     * @param timeMs  time of the change, from the journal.
     */
    public void onPartnerChanged(final CatalogEntry<PartnerSpec> before, final CatalogEntry<PartnerSpec> after,
        final CatalogEntry<ProgramSpec> program, final long timeMs)
    {
        pins.onPartnerChanged(before, after, program, timeMs);
    }

    /**
     * @return the ledger's current epoch day.
     */
    public int today()
    {
        return today;
    }

    @Override
    public void credited(final int programNumber, final ConversionRecord record,
        final List<ConversionRecord.Credit> shares)
    {
        final CatalogEntry<ProgramSpec> program = catalog.programByNumber(programNumber);
        if (null == program || record.kind().isReversal())
        {
            return;
        }
        final boolean isLead = ConversionKind.LEAD == record.kind();
        for (final ConversionRecord.Credit credit : shares)
        {
            final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(credit.partnerNumber());
            if (null != partner && credit.revenue() > 0) // a positive credit, or for a lead a positive weight
            {
                upgradeIfQualified(credit.partnerNumber(), partner, program, record.timeMs());
            }
        }
        // After the upgrades: the conversion that crosses a threshold earns the new tier's rate, a lead included.
        final long[] leadShares = isLead ? leadShares(program, shares) : null;
        for (int i = 0; i < shares.size(); i++)
        {
            final ConversionRecord.Credit credit = shares.get(i);
            final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(credit.partnerNumber());
            if (null != partner && credit.revenue() > 0) // a positive credit, or for a lead a positive weight
            {
                accrue(program, partner, record, credit, isLead ? leadShares[i] : -1);
            }
        }
    }

    private long[] leadShares(final CatalogEntry<ProgramSpec> program, final List<ConversionRecord.Credit> shares)
    {
        // Each partner's flat lead commission, split by the attribution weights with cumulative rounding: partner i
        // earns share(flat_i, C_i, W) - share(flat_i, C_(i-1), W), so with one flat for all the parts add up to it.
        long totalWeight = 0;
        for (final ConversionRecord.Credit share : shares)
        {
            totalWeight = Money.add(totalWeight, share.revenue());
        }
        final long[] result = new long[shares.size()];
        long cumulativeWeight = 0;
        for (int i = 0; i < shares.size(); i++)
        {
            final ConversionRecord.Credit share = shares.get(i);
            final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(share.partnerNumber());
            final long flat = null == partner ? 0 : CommissionRules.leadCommission(partner.spec(),
                program.spec().tiers(), ledger.account(share.partnerNumber()).tier());
            final long before = Money.share(flat, cumulativeWeight, totalWeight);
            cumulativeWeight += share.revenue();
            result[i] = 0 == totalWeight ? flat : Money.share(flat, cumulativeWeight, totalWeight) - before;
        }
        return result;
    }

    private void accrue(final CatalogEntry<ProgramSpec> program, final CatalogEntry<PartnerSpec> partner,
        final ConversionRecord record, final ConversionRecord.Credit credit, final long leadCommission)
    {
        final ProgramSpec spec = program.spec();
        final int partnerNumber = credit.partnerNumber();
        final PartnerAccount account = ledger.account(partnerNumber);
        final List<ProgramSpec.Tier> tiers = spec.tiers();
        final String tierName = tiers.isEmpty() ? null : tiers.get(account.tier()).name();
        long earned;
        final String rate;
        if (leadCommission >= 0)
        {
            earned = leadCommission;
            rate = "flat";
        }
        else if (spec.isGraduated() && tiers.size() > 1 &&
            PinnedTiers.pinnedTier(partner.spec(), tiers, day(record.timeMs())) < 0)
        {
            final int day = day(record.timeMs());
            final long windowRevenue = counters.window(partnerNumber, day - tiers.get(1).windowDays() + 1, day,
                sums)[CounterField.REVENUE.ordinal()];
            earned = CommissionRules.graduated(credit.revenue(), windowRevenue - credit.revenue(), tiers,
                partner.spec().commissionPercent());
            rate = null == partner.spec().commissionPercent() ? "graduated" : partner.spec().commissionPercent();
        }
        else
        {
            rate = CommissionRules.percent(partner.spec(), tiers, account.tier());
            earned = CommissionRules.percentOf(credit.revenue(), rate);
        }
        earned = Math.min(capped(partnerNumber, partner, spec, record.timeMs(), earned), ledger.room(partnerNumber));
        final boolean isSuspended = PartnerStatus.of(partner.spec()).holdsCommissions();
        final List<FraudFlag> flags = fraud.check(spec.fraud(), partner, record, credit);
        final boolean isHeld = isSuspended || !flags.isEmpty();
        final Commission commission = new Commission(record.kind(), leadCommission >= 0 ? 0 : credit.revenue(), 0,
            earned, 0, rate, tierName, isHeld ? Commission.HELD : Commission.PENDING,
            day(record.timeMs()) + (null == spec.holdDays() ? 30 : spec.holdDays()), null,
            leadCommission < 0 && !spec.isGraduated() && null == partner.spec().commissionPercent(),
            flags.isEmpty() ? null : flags);
        final CommissionKey key = new CommissionKey(partnerNumber, record.timeMs(), program.number(),
            record.externalId());
        ledger.accrue(key, commission, program.id(), today);
        if (isHeld && 0 != earned)
        {
            final List<String> reasons = new ArrayList<>();
            if (isSuspended)
            {
                reasons.add("partner is suspended");
            }
            final List<Map<String, Object>> flagViews = new ArrayList<>();
            for (final FraudFlag flag : flags)
            {
                reasons.add(flag.detail());
                // Insertion-ordered, never Map.of: its order changes between JVMs, and a replay must write the same
                // bytes.
                final Map<String, Object> view = new LinkedHashMap<>();
                view.put("code", flag.code());
                view.put("detail", flag.detail());
                flagViews.add(view);
            }
            final Map<String, Object> data = commissionData(key, earned, String.join("; ", reasons));
            if (!flagViews.isEmpty())
            {
                data.put("flags", flagViews);
            }
            timeline.record(partnerNumber, partner, program, record.timeMs(), "commission.held", data);
        }
    }

    private long capped(final int partnerNumber, final CatalogEntry<PartnerSpec> partner, final ProgramSpec spec,
        final long timeMs, final long amount)
    {
        final Long cap = null != partner.spec().monthlyCap() ? partner.spec().monthlyCap() : spec.monthlyCap();
        if (null == cap)
        {
            return amount;
        }
        return Math.max(0, Math.min(amount, cap - ledger.accruedInMonth(partnerNumber, timeMs)));
    }

    @Override
    public void reversed(final int programNumber, final ConversionRecord record, final long timeMs,
        final String reason)
    {
        final CatalogEntry<ProgramSpec> program = catalog.programByNumber(programNumber);
        for (final ConversionRecord.Credit credit : record.credits())
        {
            ledger.reverse(new CommissionKey(credit.partnerNumber(), record.timeMs(), programNumber,
                record.externalId()), record.reversedShare(credit, record.reversedAmount()),
                timeMs, null == program ? null : program.id(), reason);
        }
    }

    @Override
    public void withdrawn(final int programNumber, final ConversionRecord record, final long timeMs)
    {
        final CatalogEntry<ProgramSpec> program = catalog.programByNumber(programNumber);
        final Set<Integer> partners = new LinkedHashSet<>();
        for (final ConversionRecord.Credit credit : record.credits())
        {
            partners.add(credit.partnerNumber());
        }
        partners.addAll(record.countedPartners());
        for (final int partnerNumber : partners)
        {
            ledger.reverseAll(new CommissionKey(partnerNumber, record.timeMs(), programNumber, record.externalId()),
                timeMs, null == program ? null : program.id(), "superseded by a verified report");
        }
    }

    private void upgradeIfQualified(final int partnerNumber, final CatalogEntry<PartnerSpec> partner,
        final CatalogEntry<ProgramSpec> program, final long timeMs)
    {
        final List<ProgramSpec.Tier> tiers = program.spec().tiers();
        if (tiers.size() < 2 || PinnedTiers.pinnedTier(partner.spec(), tiers, day(timeMs)) >= 0)
        {
            return;
        }
        final int current = ledger.account(partnerNumber).tier();
        final int qualifying = qualifying(partnerNumber, tiers, day(timeMs));
        if (qualifying > current)
        {
            changeTier(partnerNumber, partner, program, qualifying, timeMs, "threshold crossed");
            if (Boolean.TRUE.equals(program.spec().retroactive()) && !program.spec().isGraduated() &&
                null == partner.spec().commissionPercent())
            {
                rerate(partnerNumber, partner, program, qualifying, timeMs);
            }
        }
    }

    private int qualifying(final int partnerNumber, final List<ProgramSpec.Tier> tiers, final int endDay)
    {
        return TierLadder.qualifying(tiers, endDay, (from, to) -> counters.window(partnerNumber, from, to, sums));
    }

    private void changeTier(final int partnerNumber, final CatalogEntry<PartnerSpec> partner,
        final CatalogEntry<ProgramSpec> program, final int newTier, final long timeMs, final String reason)
    {
        final List<ProgramSpec.Tier> tiers = program.spec().tiers();
        final PartnerAccount account = ledger.account(partnerNumber);
        final int oldTier = Math.min(account.tier(), tiers.size() - 1);
        ledger.account(partnerNumber, account.withTier(newTier, LocalDate.ofEpochDay(day(timeMs)).toString()));
        final ProgramSpec.Tier measured = tiers.get(Math.max(oldTier, newTier));
        final int endDay = "threshold crossed".equals(reason) ? day(timeMs) : day(timeMs) - 1;
        counters.window(partnerNumber, endDay - measured.windowDays() + 1, endDay, sums);
        final Map<String, Object> data = new LinkedHashMap<>();
        data.put("from", tiers.get(oldTier).name());
        data.put("to", tiers.get(newTier).name());
        data.put("reason", reason);
        data.put("windowDays", measured.windowDays());
        data.put("conversions", sums[CounterField.LEADS.ordinal()] + sums[CounterField.SALES.ordinal()]);
        data.put("revenue", sums[CounterField.REVENUE.ordinal()]);
        timeline.record(partnerNumber, partner, program, timeMs, newTier > oldTier ? "tier.upgraded" :
            "tier.downgraded", data);
    }

    /**
     * Retroactive re-rating: the partner's unpaid percent commissions on conversions inside the new tier's window
     * move up to the new rate, each with an explicit rerate entry (never down: an upgrade never costs a partner).
     */
    private void rerate(final int partnerNumber, final CatalogEntry<PartnerSpec> partner,
        final CatalogEntry<ProgramSpec> program, final int newTier, final long timeMs)
    {
        final ProgramSpec.Tier tier = program.spec().tiers().get(newTier);
        final BigDecimal newRate = new BigDecimal(tier.commissionPercent());
        final long fromMs = (day(timeMs) - tier.windowDays() + 1) * DAY_MS;
        final List<Map.Entry<CommissionKey, Commission>> candidates = new ArrayList<>();
        ledger.forEachCommission(partnerNumber, fromMs, timeMs, (key, commission) ->
        {
            if (key.programNumber() == program.number() && commission.retroactive() &&
                (Commission.PENDING.equals(commission.state()) || Commission.APPROVED.equals(commission.state()) ||
                Commission.HELD.equals(commission.state())) &&
                new BigDecimal(commission.rate()).compareTo(newRate) < 0)
            {
                candidates.add(Map.entry(key, commission));
            }
        });
        for (final Map.Entry<CommissionKey, Commission> candidate : candidates)
        {
            final Commission commission = candidate.getValue();
            final long target = CommissionRules.percentOf(commission.revenue(), tier.commissionPercent());
            final long raise = Math.min(capped(partnerNumber, partner, program.spec(), candidate.getKey().timeMs(),
                target - commission.earned()), ledger.room(partnerNumber));
            if (raise > 0)
            {
                ledger.rerate(candidate.getKey(), commission.earned() + raise, tier.commissionPercent(), tier.name(),
                    timeMs, program.id());
            }
        }
    }

    /**
     * The journal's clock entered a new day: approve what is due and review tiers on review days, one day at a
     * time. Reads committed state: the caller commits first.
     *
     * @param newDay the new epoch day.
     */
    public void advanceTo(final int newDay)
    {
        if (Integer.MIN_VALUE == today)
        {
            today = newDay;
            return;
        }
        if (newDay - (long)today > MAX_CATCH_UP_DAYS)
        {
            // A gap longer than the catch-up (a journal silent for years, a day from a bad clock): what fell due in
            // the skipped days is approved in one scan, on its own day; only the last days are walked one by one, so
            // no gap makes this loop long. Tier reviews of the skipped days are superseded by the later ones.
            final int skipTo = newDay - MAX_CATCH_UP_DAYS;
            ledger.approveDue(Math.max(0, today + 1), skipTo, number -> programId(number));
            pins.lapse(today, skipTo);
            today = skipTo;
        }
        while (today < newDay)
        {
            today++;
            ledger.approveDue(today, number -> programId(number));
            pins.lapse(today - 1, today);
            for (final CatalogEntry<ProgramSpec> program : catalog.programs())
            {
                if (program.spec().tiers().size() > 1 &&
                    TierLadder.isReviewDay(program.spec().tierReview(), LocalDate.ofEpochDay(today)))
                {
                    review(program);
                }
            }
        }
    }

    private void review(final CatalogEntry<ProgramSpec> program)
    {
        for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(program.id()))
        {
            final int current = ledger.account(partner.number()).tier();
            if (0 == current || PinnedTiers.pinnedTier(partner.spec(), program.spec().tiers(), today) >= 0)
            {
                continue; // nothing below the first tier, upgrades never wait for a review, and a pin holds
            }
            final int qualifying = qualifying(partner.number(), program.spec().tiers(), today - 1);
            if (qualifying != current)
            {
                changeTier(partner.number(), partner, program, qualifying, today * DAY_MS, "review");
            }
        }
    }

    /**
     * Apply finance's decision on one commission.
     *
     * @param partner    the partner.
     * @param program    its program.
     * @param key        the commission.
     * @param action     hold, release or void.
     * @param reason     finance's note.
     * @param timeMs     time of the decision.
     * @return true if applied, false if the commission was not in a state the action applies to.
     */
    public boolean review(final CatalogEntry<PartnerSpec> partner, final CatalogEntry<ProgramSpec> program,
        final CommissionKey key, final String action, final String reason, final long timeMs)
    {
        final Commission before = ledger.commission(key);
        final boolean applied;
        switch (action)
        {
            case "hold":
                applied = ledger.hold(key, timeMs, program.id(), reason);
                break;
            case "release":
                applied = ledger.release(key, timeMs, today, program.id(), reason);
                break;
            case "void":
                applied = ledger.voidHeld(key, timeMs, program.id(), reason);
                break;
            default:
                applied = false;
        }
        if (applied)
        {
            timeline.record(key.partnerNumber(), partner, program, timeMs,
                "commission." + ("hold".equals(action) ? "held" : "release".equals(action) ? "released" : "voided"),
                commissionData(key, before.net(), reason));
        }
        return applied;
    }

    private static Map<String, Object> commissionData(final CommissionKey key, final long amount, final String reason)
    {
        final Map<String, Object> data = new LinkedHashMap<>();
        data.put("externalId", key.externalId());
        data.put("amount", amount);
        data.put("reason", reason);
        return data;
    }

    private String programId(final int programNumber)
    {
        final CatalogEntry<ProgramSpec> program = catalog.programByNumber(programNumber);
        return null == program ? null : program.id();
    }

    private static int day(final long timeMs)
    {
        return (int)Math.floorDiv(timeMs, DAY_MS);
    }
}
