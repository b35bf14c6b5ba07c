package dev.ricochet.ops;

import dev.ricochet.ops.PayoutScript.Conversion;
import dev.ricochet.ops.PayoutScript.Tier;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.ricochet.ops.PayoutScript.ATTRIBUTION_WINDOW_DAYS;
import static dev.ricochet.ops.PayoutScript.DAY_MS;
import static dev.ricochet.ops.PayoutScript.HOLD_DAYS;
import static dev.ricochet.ops.PayoutScript.MIN_PAYOUT;
import static dev.ricochet.ops.PayoutScript.PARTNERS;
import static dev.ricochet.ops.PayoutScript.RECURRING_MONTHS;
import static dev.ricochet.ops.PayoutScript.TIERS;
import static dev.ricochet.ops.PayoutScript.epochDay;
import static dev.ricochet.ops.PayoutScript.partnerId;

/**
 * A small model of the documented money rules that reads only the script, applied in the order the service sees it:
 * it predicts every tier change and every cent of every ledger.
 *
 * <p>The rules: a commission is round-half-even(revenue x tier percent / 100), a lead earns the tier's flat amount; a
 * partner holds the highest tier whose minConversions or minRevenue it meets over that tier's window (leads + sales;
 * sale and recurring revenue net of refunds, refunds on their own day); upgrades happen at the credited conversion
 * that crosses the threshold and already earn the new rate; any other change waits for the monthly review on the 1st,
 * which looks at the windows ending the day before. Commissions accrue pending, are approved holdDays later,
 * scheduled by a payout run (whole approved balance, if at least minPayout) and paid when finance approves it. A
 * refund reverses round-half-even(earned x refunded / revenue) cumulatively, from the balance the commission sits in,
 * or as a clawback on approved once the commission is scheduled or paid.
 */
final class PayoutModel
{
    static final String PENDING = "pending";
    static final String APPROVED = "approved";
    static final String SCHEDULED = "scheduled";
    static final String PAID = "paid";

    static final class Stats
    {
        int sales;
        int leads;
        int recurring;
        int refunds;
        int uncredited;
        int upgrades;
        int downgrades;
        int bronzeToGold;
        final Map<String, Integer> upgradesTo = new TreeMap<>();
        int reversalsOfPending;
        int reversalsOfApproved;
        int clawbacks;
        int clawbacksWhileScheduled;
        int negativeApproved;
        int halfEvenDiffers;
        int zeroCommissions;
        int partnersCarriedOver;

        int conversions()
        {
            return sales + leads + recurring + refunds;
        }

        int tierChanges()
        {
            return upgrades + downgrades;
        }

        @Override
        public String toString()
        {
            return "{sales=" + sales + ", leads=" + leads + ", recurring=" + recurring + ", refunds=" + refunds +
                ", uncredited=" + uncredited + ", upgradesTo=" + upgradesTo + ", bronzeToGold=" + bronzeToGold +
                ", downgrades=" + downgrades + ", reversalsOfPending=" + reversalsOfPending +
                ", reversalsOfApproved=" + reversalsOfApproved + ", clawbacks=" + clawbacks +
                ", clawbacksWhileScheduled=" + clawbacksWhileScheduled +
                ", negativeApproved=" + negativeApproved + ", halfEvenDiffers=" + halfEvenDiffers +
                ", zeroCommissions=" + zeroCommissions + ", partnersCarriedOver=" + partnersCarriedOver + "}";
        }
    }

    static final class Earning
    {
        final int partner;
        final String externalId;
        final long revenue;
        final long earned;
        final int approveDay;
        long refundedRevenue;
        long reversed;
        String state = PENDING;
        String runId;

        Earning(final int partner, final String externalId, final long revenue, final long earned,
            final int approveDay)
        {
            this.partner = partner;
            this.externalId = externalId;
            this.revenue = revenue;
            this.earned = earned;
            this.approveDay = approveDay;
        }
    }

    static final class PartnerModel
    {
        final String id;
        final Map<Integer, long[]> days = new HashMap<>();
        final Map<String, Long> balances = new TreeMap<>();
        final List<String> entries = new ArrayList<>();
        final List<String> tierChanges = new ArrayList<>();
        int tier;
        String tierSince;

        PartnerModel(final String id)
        {
            this.id = id;
            for (final String balance : List.of(PENDING, APPROVED, "held", SCHEDULED, PAID))
            {
                balances.put(balance, 0L);
            }
        }

        long[] day(final int day)
        {
            return days.computeIfAbsent(day, d -> new long[2]);
        }

        long balance(final String name)
        {
            return balances.get(name);
        }
    }

    final PartnerModel[] partners = new PartnerModel[PARTNERS];
    final Map<String, long[]> clicks = new HashMap<>();
    final Map<String, long[]> customers = new HashMap<>();
    final Map<String, Earning> earnings = new LinkedHashMap<>();
    final Map<String, Map<String, Long>> runs = new LinkedHashMap<>();
    final Stats stats = new Stats();
    int today = Integer.MIN_VALUE;

    PayoutModel()
    {
        for (int p = 0; p < PARTNERS; p++)
        {
            partners[p] = new PartnerModel(partnerId(p));
        }
    }

    void advanceTo(final int day)
    {
        if (Integer.MIN_VALUE == today)
        {
            today = day;
            return;
        }
        while (today < day)
        {
            today++;
            for (final Earning earning : earnings.values())
            {
                if (earning.approveDay == today && PENDING.equals(earning.state))
                {
                    earning.state = APPROVED;
                    entry(earning.partner, today, "approval", earning.earned - earning.reversed, PENDING, APPROVED,
                        earning.externalId, null);
                }
            }
            if (1 == LocalDate.ofEpochDay(today).getDayOfMonth())
            {
                review(today);
            }
        }
    }

    private void review(final int reviewDay)
    {
        for (int p = 0; p < PARTNERS; p++)
        {
            final PartnerModel partner = partners[p];
            if (partner.tier > 0)
            {
                final int qualifying = qualifying(partner, reviewDay - 1);
                if (qualifying != partner.tier)
                {
                    changeTier(partner, qualifying, reviewDay * DAY_MS, "review");
                }
            }
        }
    }

    void click(final int partner, final String ref, final long timeMs)
    {
        clicks.put(ref, new long[]{ partner, timeMs });
    }

    void conversion(final Conversion conversion, final long timeMs)
    {
        switch (conversion.kind())
        {
            case "sale", "lead" ->
            {
                final long[] click = clicks.get(conversion.clickRef());
                if (null == click || timeMs - click[1] > ATTRIBUTION_WINDOW_DAYS * DAY_MS)
                {
                    stats.uncredited++;
                    return;
                }
                final int partner = (int)click[0];
                if ("sale".equals(conversion.kind()))
                {
                    stats.sales++;
                    if (null != conversion.customerId() && !customers.containsKey(conversion.customerId()))
                    {
                        customers.put(conversion.customerId(), new long[]{ partner, timeMs });
                    }
                }
                else
                {
                    stats.leads++;
                }
                credit(partner, conversion, timeMs);
            }
            case "recurring" ->
            {
                final long[] customer = customers.get(conversion.customerId());
                if (null == customer || timeMs - customer[1] > RECURRING_MONTHS * 31L * DAY_MS)
                {
                    stats.uncredited++;
                    return;
                }
                stats.recurring++;
                credit((int)customer[0], conversion, timeMs);
            }
            case "refund" -> refund(conversion, timeMs);
            default -> throw new IllegalArgumentException(conversion.kind());
        }
    }

    private void credit(final int partner, final Conversion conversion, final long timeMs)
    {
        final PartnerModel model = partners[partner];
        final int day = epochDay(timeMs);
        final boolean isLead = "lead".equals(conversion.kind());
        if (!"recurring".equals(conversion.kind()))
        {
            model.day(day)[0]++;
        }
        if (!isLead)
        {
            model.day(day)[1] += conversion.amount();
        }
        final int qualifying = qualifying(model, day);
        if (qualifying > model.tier)
        {
            changeTier(model, qualifying, timeMs, "threshold crossed");
        }
        final Tier tier = TIERS[model.tier];
        final long earned;
        if (isLead)
        {
            earned = tier.leadCommission();
        }
        else
        {
            final BigDecimal exact = BigDecimal.valueOf(conversion.amount())
                .multiply(new BigDecimal(tier.percent())).divide(BigDecimal.valueOf(100));
            earned = exact.setScale(0, RoundingMode.HALF_EVEN).longValueExact();
            if (earned != exact.setScale(0, RoundingMode.HALF_UP).longValueExact())
            {
                stats.halfEvenDiffers++;
            }
            if (0 == earned)
            {
                stats.zeroCommissions++;
            }
        }
        earnings.put(conversion.externalId(), new Earning(partner, conversion.externalId(),
            isLead ? 0 : conversion.amount(), earned, day + HOLD_DAYS));
        entry(partner, day, "accrual", earned, null, PENDING, conversion.externalId(), null);
    }

    private void refund(final Conversion refund, final long timeMs)
    {
        stats.refunds++;
        final Earning earning = earnings.get(refund.originalExternalId());
        if (null == earning)
        {
            return;
        }
        final int day = epochDay(timeMs);
        partners[earning.partner].day(day)[1] -= refund.amount();
        earning.refundedRevenue += refund.amount();
        final long reversed = BigDecimal.valueOf(earning.earned)
            .multiply(BigDecimal.valueOf(Math.min(earning.refundedRevenue, earning.revenue)))
            .divide(BigDecimal.valueOf(earning.revenue), 0, RoundingMode.HALF_EVEN).longValueExact();
        final long increase = reversed - earning.reversed;
        earning.reversed = reversed;
        if (increase <= 0)
        {
            return;
        }
        if (SCHEDULED.equals(earning.state) || PAID.equals(earning.state))
        {
            stats.clawbacks++;
            if (SCHEDULED.equals(earning.state))
            {
                stats.clawbacksWhileScheduled++;
            }
            entry(earning.partner, day, "clawback", -increase, null, APPROVED, earning.externalId, null);
            if (partners[earning.partner].balance(APPROVED) < 0)
            {
                stats.negativeApproved++;
            }
        }
        else
        {
            if (PENDING.equals(earning.state))
            {
                stats.reversalsOfPending++;
            }
            else
            {
                stats.reversalsOfApproved++;
            }
            entry(earning.partner, day, "reversal", -increase, null, earning.state, earning.externalId, null);
        }
    }

    private int qualifying(final PartnerModel partner, final int endDay)
    {
        for (int i = TIERS.length - 1; i > 0; i--)
        {
            final Tier tier = TIERS[i];
            long conversions = 0;
            long revenue = 0;
            for (int day = endDay - tier.windowDays() + 1; day <= endDay; day++)
            {
                final long[] sums = partner.days.get(day);
                if (null != sums)
                {
                    conversions += sums[0];
                    revenue += sums[1];
                }
            }
            if ((null != tier.minConversions() && conversions >= tier.minConversions()) ||
                (null != tier.minRevenue() && revenue >= tier.minRevenue()))
            {
                return i;
            }
        }
        return 0;
    }

    private void changeTier(final PartnerModel partner, final int newTier, final long timeMs, final String reason)
    {
        final boolean isUpgrade = newTier > partner.tier;
        if (isUpgrade)
        {
            stats.upgrades++;
            stats.upgradesTo.merge(TIERS[newTier].name(), 1, Integer::sum);
            if (0 == partner.tier && TIERS.length - 1 == newTier)
            {
                stats.bronzeToGold++;
            }
        }
        else
        {
            stats.downgrades++;
        }
        partner.tierChanges.add((isUpgrade ? "tier.upgraded" : "tier.downgraded") + " " +
            Instant.ofEpochMilli(timeMs) + " " + TIERS[partner.tier].name() + "->" + TIERS[newTier].name() +
            " (" + reason + ")");
        partner.tier = newTier;
        partner.tierSince = LocalDate.ofEpochDay(epochDay(timeMs)).toString();
    }

    /**
     * @return partner id to amount of the run that would be built now.
     */
    Map<String, Long> expectedRun()
    {
        final Map<String, Long> lines = new TreeMap<>();
        for (final PartnerModel partner : partners)
        {
            final long approved = partner.balance(APPROVED);
            if (approved >= Math.max(1, MIN_PAYOUT))
            {
                lines.put(partner.id, approved);
            }
            else if (0 != approved)
            {
                stats.partnersCarriedOver++;
            }
        }
        return lines;
    }

    void schedule(final String runId, final Map<String, Long> lines, final int day)
    {
        runs.put(runId, lines);
        for (int p = 0; p < PARTNERS; p++)
        {
            final Long amount = lines.get(partners[p].id);
            if (null == amount)
            {
                continue;
            }
            for (final Earning earning : earnings.values())
            {
                if (p == earning.partner && APPROVED.equals(earning.state))
                {
                    earning.state = SCHEDULED;
                    earning.runId = runId;
                }
            }
            entry(p, day, "payout_scheduled", amount, APPROVED, SCHEDULED, null, runId);
        }
    }

    void pay(final String runId, final int day)
    {
        final Map<String, Long> lines = runs.get(runId);
        for (int p = 0; p < PARTNERS; p++)
        {
            final Long amount = lines.get(partners[p].id);
            if (null == amount)
            {
                continue;
            }
            for (final Earning earning : earnings.values())
            {
                if (SCHEDULED.equals(earning.state) && runId.equals(earning.runId))
                {
                    earning.state = PAID;
                }
            }
            entry(p, day, "payout", amount, SCHEDULED, PAID, null, runId);
        }
    }

    long totalPaid()
    {
        long total = 0;
        for (final PartnerModel partner : partners)
        {
            total += partner.balance(PAID);
        }
        return total;
    }

    private void entry(final int partner, final int day, final String type, final long amount, final String from,
        final String to, final String externalId, final String runId)
    {
        if (0 == amount)
        {
            return;
        }
        final PartnerModel model = partners[partner];
        model.balances.merge(to, amount, Long::sum);
        if (null != from)
        {
            model.balances.merge(from, -amount, Long::sum);
        }
        model.entries.add(entryLine(LocalDate.ofEpochDay(day).toString(), type, amount, from, to, externalId,
            runId));
    }

    static String entryLine(final String date, final String type, final long amount, final String from,
        final String to, final String externalId, final String runId)
    {
        return date + " " + type + " " + amount + " " + from + "->" + to + " " + externalId + " " + runId;
    }
}
