package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.JsonObject;
import dev.ricochet.ingest.test.StripeEvents;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An auditor's check of the money: a model written from docs/money.md, README.md and ops/openapi.yaml alone (not from
 * the aggregator's code) predicts every ledger entry, balance, tier, listed conversion and payout run of a seeded
 * random 75-day history driven through the public API of the real service on a test clock: five programs (one per
 * attribution model), partners repeated on a touch path (their two links, or one link clicked again on another day),
 * clicks named by a conversion up to and past the 5-minute skew, sales, leads, recurring payments, partial, whole and
 * over-refunds in several pieces, chargebacks, finance holds, releases and voids, tier upgrades and weekly reviews,
 * shares that round to 0, and weekly payout runs built, refused while open, and approved.
 */
class MoneyAuditSystemTest
{
    private static final long SEED = Long.getLong("ricochet.audit.seed", 20260202L);
    private static final int DAYS = Integer.getInteger("ricochet.audit.days", 75);
    private static final LocalDate START = LocalDate.parse("2026-02-02"); // a Monday
    private static final long MINUTE_MS = 60_000L;
    private static final long HOUR_MS = 60 * MINUTE_MS;
    private static final long DAY_MS = 24 * HOUR_MS;
    private static final long SKEW_MS = 5 * MINUTE_MS;
    private static final int WINDOW_DAYS = 5;
    private static final int RECURRING_MONTHS = 2;
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicLong clock = new AtomicLong(START.toEpochDay() * DAY_MS + HOUR_MS);
    /** While an edge whose clock is behind takes a checkout, the aggregator's clock stays where it was (0: none). */
    private final AtomicLong aggregatorHold = new AtomicLong();
    private final Random random = new Random(SEED);
    private ServiceFixture service;
    private AdminClient finance;

    // ------------------------------------------------------------------------------------------------ the model

    private record TierM(String name, int minConversions, int windowDays, String percent, long lead)
    {
        String json()
        {
            return "{\"name\":\"" + name + "\",\"commissionPercent\":\"" + percent + "\",\"leadCommission\":" + lead +
                (minConversions > 0 ? ",\"minConversions\":" + minConversions + ",\"windowDays\":" + windowDays : "") +
                "}";
        }
    }

    private static final class ProgramM
    {
        final String id;
        final String model;
        final int holdDays;
        final int halfLifeDays;
        final List<TierM> tiers;
        final boolean customers;
        boolean retroactive;
        long monthlyCap = -1;
        long minPayout;
        final Map<String, long[]> refundsBeforeSale = new LinkedHashMap<>();
        final List<PartnerM> partners = new ArrayList<>();
        final List<VisitorM> visitors = new ArrayList<>();
        final List<ConvM> conversions = new ArrayList<>();
        final List<String> customerIds = new ArrayList<>();
        final Map<String, ConvM> firstSaleOf = new HashMap<>();
        String openRun;
        Map<String, Long> openLines;

        ProgramM(final String id, final String model, final int holdDays, final int halfLifeDays,
            final List<TierM> tiers, final boolean customers)
        {
            this.id = id;
            this.model = model;
            this.holdDays = holdDays;
            this.halfLifeDays = halfLifeDays;
            this.tiers = tiers;
            this.customers = customers;
        }

        String apiKey()
        {
            return "audit-key-" + id + "-0123456789";
        }
    }

    private static final class PartnerM
    {
        final String id;
        final ProgramM program;
        final List<String> links = new ArrayList<>();
        final Map<String, Long> balances = new TreeMap<>();
        final List<String> entries = new ArrayList<>();
        final Map<Integer, Integer> counted = new HashMap<>();
        final Map<String, CommissionM> commissions = new LinkedHashMap<>();
        final Map<String, String> listed = new TreeMap<>();
        int tier;
        boolean suspended;
        String ownPercent;
        long ownCap = -1;
        long revenue;
        long refunded;
        final Map<String, Long> reversedRevenue = new HashMap<>();
        final Map<Integer, Long> accruedInMonth = new HashMap<>();
        long sales;
        long leads;

        PartnerM(final String id, final ProgramM program)
        {
            this.id = id;
            this.program = program;
            for (final String balance : new String[]{ "pending", "approved", "held", "scheduled", "paid" })
            {
                balances.put(balance, 0L);
            }
        }
    }

    private static final class CommissionM
    {
        final PartnerM partner;
        final String externalId;
        final int day;
        final long credit;
        long earned;
        String percent;
        final boolean onRevenue;
        long reversed;
        long worth;
        String state = "pending";

        CommissionM(final PartnerM partner, final String externalId, final int day, final long credit,
            final long earned, final boolean onRevenue)
        {
            this.partner = partner;
            this.externalId = externalId;
            this.day = day;
            this.credit = credit;
            this.earned = earned;
            this.onRevenue = onRevenue;
            this.worth = earned;
        }
    }

    private record ClickM(String id, PartnerM partner, long time)
    {
    }

    private static final class VisitorM
    {
        final List<ClickM> clicks = new ArrayList<>();
        String cookie;
        int lastDay;
    }

    private static final class ConvM
    {
        final ProgramM program;
        final String externalId;
        final String kind;
        final long amount;
        final long time;
        final LinkedHashMap<PartnerM, Long> credits = new LinkedHashMap<>();
        long refunded;
        long stripeRefunded;
        boolean viaStripe;

        ConvM(final ProgramM program, final String externalId, final String kind, final long amount, final long time)
        {
            this.program = program;
            this.externalId = externalId;
            this.kind = kind;
            this.amount = amount;
            this.time = time;
        }

        long reversedAmount()
        {
            return Math.min(amount, stripeRefunded + refunded);
        }
    }

    private final List<ProgramM> programs = new ArrayList<>();
    private final Map<String, Long> runsPaid = new HashMap<>();
    private int today;
    private int sequence;
    private final Map<String, Integer> coverage = new TreeMap<>();

    /** share(A, p, W) = round_half_even(A x p / W), 0 if W = 0 (docs/money.md, Rounding). */
    static long share(final long amount, final BigInteger part, final BigInteger whole)
    {
        if (whole.signum() == 0)
        {
            return 0;
        }
        return new BigDecimal(BigInteger.valueOf(amount).multiply(part))
            .divide(new BigDecimal(whole), 0, RoundingMode.HALF_EVEN).longValueExact();
    }

    static long share(final long amount, final long part, final long whole)
    {
        return share(amount, BigInteger.valueOf(part), BigInteger.valueOf(whole));
    }

    /** Money.split: part_i = share(A, C_i, W) - share(A, C_(i-1), W); all weights 0: the last part gets A. */
    static long[] split(final long amount, final long[] weights)
    {
        final long[] parts = new long[weights.length];
        BigInteger total = BigInteger.ZERO;
        for (final long weight : weights)
        {
            total = total.add(BigInteger.valueOf(weight));
        }
        if (total.signum() == 0)
        {
            parts[parts.length - 1] = amount;
            return parts;
        }
        BigInteger running = BigInteger.ZERO;
        long before = 0;
        for (int i = 0; i < weights.length; i++)
        {
            running = running.add(BigInteger.valueOf(weights[i]));
            final long upTo = share(amount, running, total);
            parts[i] = upTo - before;
            before = upTo;
        }
        return parts;
    }

    /** AttributionModel.weights as docs/money.md states them. */
    static long[] weights(final String model, final List<ClickM> path, final long conversionTime,
        final int halfLifeDays)
    {
        final int n = path.size();
        final long[] weights = new long[n];
        switch (model)
        {
            case "last_click" -> weights[n - 1] = 1;
            case "first_click" -> weights[0] = 1;
            case "linear" -> Arrays.fill(weights, 1);
            case "position_based" ->
            {
                if (n < 3)
                {
                    Arrays.fill(weights, 1);
                }
                else
                {
                    Arrays.fill(weights, 1);
                    weights[0] = 2L * (n - 2);
                    weights[n - 1] = 2L * (n - 2);
                }
            }
            case "time_decay" ->
            {
                final long halfLifeMs = halfLifeDays * DAY_MS;
                for (int i = 0; i < n; i++)
                {
                    final long age = Math.max(0, conversionTime - path.get(i).time());
                    weights[i] = Math.max(1L, (long)Math.floor(StrictMath.pow(2.0, 40.0 - (double)age / halfLifeMs)));
                }
            }
            default -> throw new IllegalArgumentException(model);
        }
        return weights;
    }

    static long commission(final long credit, final String percent)
    {
        return new BigDecimal(credit).multiply(new BigDecimal(percent)).movePointLeft(2)
            .setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    private void entry(final PartnerM partner, final int day, final String type, final long amount, final String from,
        final String to, final String externalId, final String runId)
    {
        if (0 == amount)
        {
            return; // zero entries are not written
        }
        partner.entries.add(line(LocalDate.ofEpochDay(day).toString(), type, amount, from, to, externalId, runId));
        partner.balances.merge(to, amount, Long::sum);
        if (null != from)
        {
            partner.balances.merge(from, -amount, Long::sum);
        }
    }

    private static String line(final String date, final String type, final long amount, final String from,
        final String to, final String externalId, final String runId)
    {
        return date + " " + type + " " + amount + " " + from + "->" + to + " " + externalId + " " + runId;
    }

    private void cover(final String what)
    {
        coverage.merge(what, 1, Integer::sum);
    }

    /** The journal's clock reaches a new day: approvals that are due, then the weekly tier review (Mondays). */
    private void modelNewDay(final int day)
    {
        today = day;
        for (final ProgramM program : programs)
        {
            for (final PartnerM partner : program.partners)
            {
                for (final CommissionM commission : partner.commissions.values())
                {
                    if ("pending".equals(commission.state) && commission.day + program.holdDays <= day)
                    {
                        approve(commission);
                    }
                }
                if (program.tiers.size() > 1 && LocalDate.ofEpochDay(day).getDayOfWeek() == DayOfWeek.MONDAY)
                {
                    final int reviewed = qualifyingTier(partner, day - 1);
                    if (reviewed < partner.tier)
                    {
                        partner.tier = reviewed;
                        cover("tier downgraded at review");
                    }
                }
            }
        }
    }

    private void approve(final CommissionM commission)
    {
        commission.state = "approved";
        entry(commission.partner, commission.day + commission.partner.program.holdDays, "approval", commission.worth,
            "pending", "approved", commission.externalId, null);
    }

    private int qualifyingTier(final PartnerM partner, final int endDay)
    {
        int best = 0;
        final List<TierM> tiers = partner.program.tiers;
        for (int t = 1; t < tiers.size(); t++)
        {
            int count = 0;
            for (int d = endDay - tiers.get(t).windowDays() + 1; d <= endDay; d++)
            {
                count += partner.counted.getOrDefault(d, 0);
            }
            if (count >= tiers.get(t).minConversions())
            {
                best = t;
            }
        }
        return best;
    }

    /** Credits a lead, sale or recurring payment by docs/money.md; returns false if it is not attributed. */
    private boolean modelConversion(final ConvM conversion, final List<ClickM> path, final long[] pathWeights)
    {
        final int day = (int)Math.floorDiv(conversion.time, DAY_MS);
        final LinkedHashMap<PartnerM, Long> weightOf = new LinkedHashMap<>();
        final long[] parts = split(conversion.amount, pathWeights);
        for (int i = 0; i < path.size(); i++)
        {
            final PartnerM partner = path.get(i).partner();
            weightOf.merge(partner, pathWeights[i], Long::sum);
            conversion.credits.merge(partner, parts[i], Long::sum);
        }
        final long[] merged = weightOf.values().stream().mapToLong(Long::longValue).toArray();
        long cumulative = 0;
        final long total = Arrays.stream(merged).sum();
        int i = 0;
        for (final Map.Entry<PartnerM, Long> e : weightOf.entrySet())
        {
            final PartnerM partner = e.getKey();
            final long weight = e.getValue();
            final long credit = conversion.credits.get(partner);
            final long before = cumulative;
            cumulative += merged[i++];
            if (weight > 0 && !"recurring".equals(conversion.kind))
            {
                partner.counted.merge(day, 1, Integer::sum);
                if ("lead".equals(conversion.kind))
                {
                    partner.leads++;
                }
                else
                {
                    partner.sales++;
                }
                final int qualifying = qualifyingTier(partner, day);
                if (qualifying > partner.tier)
                {
                    partner.tier = qualifying;
                    cover("tier upgraded at a conversion");
                    if (partner.program.retroactive && null == partner.ownPercent)
                    {
                        rerate(partner, day);
                    }
                }
            }
            final TierM tier = partner.program.tiers.get(partner.tier);
            partner.revenue += credit;
            CommissionM commission = null;
            if ("lead".equals(conversion.kind))
            {
                if (weight > 0)
                {
                    final long flat = tier.lead();
                    final long earned = share(flat, cumulative, total) - share(flat, before, total);
                    commission = new CommissionM(partner, conversion.externalId, day, 0, capped(partner, day,
                        earned), false);
                }
            }
            else if (credit > 0)
            {
                final String percent = null == partner.ownPercent ? tier.percent() : partner.ownPercent;
                commission = new CommissionM(partner, conversion.externalId, day, credit,
                    capped(partner, day, commission(credit, percent)), true);
                commission.percent = percent;
                if (0 == commission.earned)
                {
                    cover("commission worth 0");
                }
            }
            else
            {
                cover("listed with a zero share");
            }
            if (weightOf.size() > 1 && path.size() > weightOf.size())
            {
                cover("repeated partner on a shared path");
            }
            if (null != commission)
            {
                partner.commissions.put(conversion.externalId, commission);
                if (partner.suspended)
                {
                    commission.state = "held";
                    cover("accrued held: partner suspended");
                }
                entry(partner, day, "accrual", commission.earned, null, commission.state, conversion.externalId, null);
                if (!partner.suspended && day + partner.program.holdDays <= today)
                {
                    approve(commission);
                }
            }
            partner.listed.put(conversion.externalId, listing(conversion, partner));
        }
        conversion.program.conversions.add(conversion);
        return true;
    }

    /** monthlyCap: a commission earns at most cap - accrued so far in its UTC month (never below 0). */
    private long capped(final PartnerM partner, final int day, final long earned)
    {
        final long cap = partner.ownCap >= 0 ? partner.ownCap : partner.program.monthlyCap;
        if (cap < 0)
        {
            return earned;
        }
        final int month = month(day);
        final long accrued = partner.accruedInMonth.getOrDefault(month, 0L);
        final long capped = Math.min(earned, Math.max(0, cap - accrued));
        if (capped < earned)
        {
            cover("capped by monthlyCap");
        }
        partner.accruedInMonth.put(month, accrued + capped);
        return capped;
    }

    private static int month(final int day)
    {
        final LocalDate date = LocalDate.ofEpochDay(day);
        return date.getYear() * 12 + date.getMonthValue();
    }

    /**
     * Retroactive re-rating: on an upgrade, the partner's unpaid percent commissions on conversions inside the new
     * tier's window rise to the new rate; the entry books the increase of their worth (reversed part recomputed by
     * the same share), dated the upgrade's day, on the balance the commission is in.
     */
    private void rerate(final PartnerM partner, final int day)
    {
        final TierM tier = partner.program.tiers.get(partner.tier);
        for (final CommissionM commission : partner.commissions.values())
        {
            if (!commission.onRevenue || commission.day < day - tier.windowDays() + 1 ||
                !List.of("pending", "approved", "held").contains(commission.state) ||
                new BigDecimal(tier.percent()).compareTo(new BigDecimal(commission.percent)) <= 0)
            {
                continue;
            }
            final ConvM conversion = conversionOf(partner.program, commission.externalId);
            // the raise is limited by the room left under monthlyCap in the commission's month, and its entry uses it
            final long cap = partner.ownCap >= 0 ? partner.ownCap : partner.program.monthlyCap;
            final long room = cap < 0 ? Long.MAX_VALUE :
                Math.max(0, cap - partner.accruedInMonth.getOrDefault(month(commission.day), 0L));
            final long raise = Math.min(commission(commission.credit, tier.percent()) - commission.earned, room);
            if (raise <= 0)
            {
                cover("rerate left out by monthlyCap");
                continue;
            }
            if (cap >= 0)
            {
                cover("rerate under monthlyCap");
            }
            final long earned = commission.earned + raise;
            final long revenue = share(commission.credit, conversion.reversedAmount(), conversion.amount);
            final long reversed = share(earned, revenue, commission.credit);
            final long increase = (earned - reversed) - commission.worth;
            commission.earned = earned;
            commission.reversed = reversed;
            commission.worth = earned - reversed;
            commission.percent = tier.percent();
            partner.accruedInMonth.merge(month(commission.day), increase, Long::sum);
            entry(partner, day, "rerate", increase, null, commission.state, commission.externalId, null);
            cover("rerate");
        }
    }

    private String listing(final ConvM conversion, final PartnerM partner)
    {
        final CommissionM commission = partner.commissions.get(conversion.externalId);
        return conversion.kind + " amount=" + conversion.amount + " credit=" + conversion.credits.get(partner) +
            " reversed=" + conversion.reversedAmount() + " commission=" +
            (null == commission ? "null" : commission.worth + "/" + commission.state);
    }

    private void relist(final ConvM conversion)
    {
        for (final PartnerM partner : conversion.credits.keySet())
        {
            partner.listed.put(conversion.externalId, listing(conversion, partner));
        }
    }

    private void modelRefund(final ConvM conversion, final long amount)
    {
        modelRefund(conversion, amount, today);
    }

    private void modelRefund(final ConvM conversion, final long amount, final int day)
    {
        conversion.refunded += amount;
        modelReversal(conversion, day);
    }

    /** Stripe's amount_refunded is a running total: the largest one reported counts. */
    private void modelStripeRefund(final ConvM conversion, final long cumulative)
    {
        conversion.stripeRefunded = Math.max(conversion.stripeRefunded, cumulative);
        modelReversal(conversion, today);
    }

    private void modelReversal(final ConvM conversion, final int day)
    {
        final long reversedAmount = conversion.reversedAmount();
        for (final Map.Entry<PartnerM, Long> e : conversion.credits.entrySet())
        {
            final long reversedRevenue = share(e.getValue(), reversedAmount, conversion.amount);
            final Long before = e.getKey().reversedRevenue.put(conversion.externalId, reversedRevenue);
            e.getKey().refunded += reversedRevenue - (null == before ? 0 : before);
            e.getKey().revenue -= reversedRevenue - (null == before ? 0 : before);
            final CommissionM commission = e.getKey().commissions.get(conversion.externalId);
            if (null == commission || !commission.onRevenue || "void".equals(commission.state))
            {
                continue;
            }
            final long revenue = share(e.getValue(), reversedAmount, conversion.amount);
            final long target = share(commission.earned, revenue, commission.credit);
            final long increase = target - commission.reversed;
            assertTrue(increase >= 0, "model: a reversal only grows");
            commission.reversed = target;
            commission.worth -= increase;
            final String state = commission.state;
            if ("scheduled".equals(state) || "paid".equals(state))
            {
                entry(commission.partner, day, "clawback", -increase, null, "approved", conversion.externalId, null);
                cover("clawback");
            }
            else
            {
                entry(commission.partner, day, "reversal", -increase, null, state, conversion.externalId, null);
                cover("reversal on " + state);
            }
        }
        relistAll(conversion);
    }

    private void relistAll(final ConvM conversion)
    {
        relist(conversion);
    }

    // ------------------------------------------------------------------------------------------------ the history

    @Test
    void everyLedgerBalanceAndPayoutRunOfASeventyFiveDayHistoryIsWhatTheDocumentedRulesPredict() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get, () -> Math.max(clock.get(), aggregatorHold.get()), false,
            edge ->
            {
            });
        try
        {
            finance = service.finance;
            setUp();
            for (int d = 0; d < DAYS; d++)
            {
                final int day = (int)START.toEpochDay() + d;
                enterDay(day);
                if (d == 20 || d == 41)
                {
                    final PartnerM partner = programs.get(4).partners.get(2);
                    partner.suspended = d == 20;
                    service.admin.putOk("/v1/partners/" + partner.id, "{\"programId\":\"td\",\"name\":\"Partner " +
                        partner.id + "\",\"status\":\"" + (partner.suspended ? "suspended" : "active") + "\"}");
                }
                final int actions = 25 + random.nextInt(15);
                for (int i = 0; i < actions; i++)
                {
                    clock.set(day * DAY_MS + 6 * HOUR_MS + i * 20 * MINUTE_MS);
                    act();
                }
                if (d % 7 == 5)
                {
                    for (final ProgramM program : programs)
                    {
                        buildRun(program);
                    }
                }
                else if (d % 7 == 6)
                {
                    for (final ProgramM program : programs)
                    {
                        approveRun(program);
                    }
                }
                service.awaitCommitted();
                if (d % 7 == 6 || d == DAYS - 1)
                {
                    assertEveryPartner("after " + LocalDate.ofEpochDay(day));
                }
            }
            assertListingsAndCounts();
            // Every event reached the aggregator at or before its clock + 5 min: no header time was bounded, so every
            // time the model used is the receive time the aggregator applied.
            assertEquals(0, service.aggregator.headerTimesBounded(), "header times bounded by the aggregator");
            System.out.println("MoneyAuditSystemTest seed " + SEED + " coverage " + coverage);
            for (final String needed : List.of("clawback", "reversal on pending", "reversal on approved",
                "reversal on held", "tier upgraded at a conversion", "tier downgraded at review",
                "listed with a zero share", "commission worth 0", "repeated partner on a shared path",
                "click after the conversion, within the skew", "click more than the skew after the conversion",
                "recurring", "chargeback", "over-refund", "hold", "release", "void", "lead",
                    "payout run refused while open",
                "rerate", "capped by monthlyCap", "sale through Stripe", "Stripe refund total",
                "Stripe running total and additive refunds on one sale", "accrued held: partner suspended",
                    "refund before its sale"))
            {
                assertTrue(coverage.getOrDefault(needed, 0) > 0, "the history covers " + needed + ": " + coverage);
            }
        }
        finally
        {
            service.close();
        }
    }

    private void setUp() throws Exception
    {
        final TierM bronze = new TierM("bronze", 0, 0, "10", 100);
        programs.add(new ProgramM("lin", "linear", 3, 7,
            List.of(bronze, new TierM("silver", 6, 7, "15", 150)), false));
        programs.get(0).retroactive = true;
        programs.add(new ProgramM("pos", "position_based", 2, 7, List.of(new TierM("bronze", 0, 0, "12.5", 99)), true));
        programs.get(1).minPayout = 2_000;
        programs.add(new ProgramM("last", "last_click", 0, 7, List.of(new TierM("bronze", 0, 0, "7.5", 51)), true));
        programs.add(new ProgramM("first", "first_click", 4, 7, List.of(new TierM("bronze", 0, 0, "20", 25)), false));
        programs.get(3).monthlyCap = 4_000;
        programs.add(new ProgramM("td", "time_decay", 1, 1, List.of(new TierM("bronze", 0, 0, "3.3", 7)), false));
        for (final ProgramM program : programs)
        {
            final StringBuilder tiers = new StringBuilder();
            for (final TierM tier : program.tiers)
            {
                tiers.append(tiers.length() == 0 ? "" : ",").append(tier.json());
            }
            service.admin.putOk("/v1/programs/" + program.id, "{\"name\":\"" + program.id + "\",\"currency\":\"USD\"," +
                "\"clickParam\":\"rcid\",\"attribution\":{\"model\":\"" + program.model + "\",\"windowDays\":" +
                WINDOW_DAYS + ",\"halfLifeDays\":" + program.halfLifeDays + "},\"tiers\":[" + tiers + "]," +
                "\"holdDays\":" + program.holdDays + ",\"minPayout\":" + program.minPayout +
                    ",\"tierReview\":\"weekly\"," +
                (program.retroactive ? "\"retroactive\":true," : "") +
                (program.monthlyCap >= 0 ? "\"monthlyCap\":" + program.monthlyCap + "," : "") +
                "\"recurringMonths\":" + RECURRING_MONTHS + "," +
                "\"fraud\":{\"minClickToConversionSeconds\":0,\"maxRefundRatePercent\":0}," +
                "\"secrets\":{\"apiKey\":\"" + program.apiKey() + "\"" +
                (program.customers ? ",\"stripe\":\"" + AdminClient.STRIPE_SECRET + "\"" : "") + "}}");
            for (int p = 0; p < 3; p++)
            {
                final PartnerM partner = new PartnerM(program.id + "-p" + p, program);
                program.partners.add(partner);
                if ("lin".equals(program.id) && 2 == p)
                {
                    partner.ownPercent = "11";
                }
                if ("lin".equals(program.id) && 1 == p)
                {
                    partner.ownCap = 9_000;
                }
                service.admin.putOk("/v1/partners/" + partner.id, "{\"programId\":\"" + program.id +
                    "\",\"name\":\"Partner " + partner.id + "\",\"status\":\"active\"" +
                    (null == partner.ownPercent ? "" : ",\"commissionPercent\":\"" + partner.ownPercent + "\"") +
                    (partner.ownCap < 0 ? "" : ",\"monthlyCap\":" + partner.ownCap) + "}");
                for (int l = 0; l < 2; l++)
                {
                    final String code = partner.id + "-l" + l;
                    partner.links.add(code);
                    service.admin.putOk("/v1/links/" + code, "{\"partnerId\":\"" + partner.id +
                        "\",\"destination\":\"https://shop.example.com/item/" + l + "\"}");
                }
            }
        }
    }

    private void enterDay(final int day) throws Exception
    {
        clock.set(day * DAY_MS + HOUR_MS);
        modelNewDay(day);
        final String date = LocalDate.ofEpochDay(day).toString();
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        while (!date.equals(json.readTree(finance.getOk("/v1/partners/lin-p0/ledger?limit=1")).path("asOf")
            .asText(null)))
        {
            assertTrue(System.nanoTime() < deadlineNs, "the ledger did not reach " + date + " within 30 s");
            Thread.sleep(5);
        }
        service.awaitCommitted();
    }

    private void act() throws Exception
    {
        final ProgramM program = programs.get(random.nextInt(programs.size()));
        final int roll = random.nextInt(100);
        if (roll < 40)
        {
            session(program);
        }
        else if (roll < 60)
        {
            convert(program, random.nextInt(10) < 8 ? "sale" : "lead", false);
        }
        else if (roll < 63)
        {
            convert(program, "sale", true);
        }
        else if (roll < 70)
        {
            recurring(program);
        }
        else if (roll < 88)
        {
            refund(program);
        }
        else
        {
            review(program);
        }
    }

    /** A shopper clicks one to three distinct links of the program (a new shopper, or one seen in the last days). */
    private void session(final ProgramM program) throws Exception
    {
        VisitorM visitor = null;
        final List<VisitorM> recent = program.visitors.stream().filter(v -> v.lastDay >= today - 7 &&
            v.lastDay < today).toList();
        if (!recent.isEmpty() && random.nextInt(100) < 45)
        {
            visitor = recent.get(random.nextInt(recent.size()));
        }
        if (null == visitor)
        {
            visitor = new VisitorM();
            program.visitors.add(visitor);
        }
        final List<String> codes = new ArrayList<>();
        for (final PartnerM partner : program.partners)
        {
            codes.addAll(partner.links);
        }
        Collections.shuffle(codes, random);
        final int clicks = 1 + random.nextInt(3);
        for (int c = 0; c < clicks; c++)
        {
            click(program, visitor, codes.get(c));
            clock.addAndGet(MINUTE_MS);
        }
        if (random.nextInt(100) < 20)
        {
            click(program, visitor, codes.get(0)); // the same link again within the hour: not unique, still a touch
            clock.addAndGet(MINUTE_MS);
            cover("one link clicked twice within the hour");
        }
    }

    private ClickM click(final ProgramM program, final VisitorM visitor, final String code) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(service.edge("/r/" + code))
            .header("User-Agent", BROWSER);
        if (null != visitor.cookie)
        {
            request.header("Cookie", visitor.cookie);
        }
        final HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(302, response.statusCode(), "click on " + code);
        response.headers().firstValue("set-cookie").ifPresent(cookie ->
            visitor.cookie = cookie.substring(0, cookie.indexOf(';') < 0 ? cookie.length() : cookie.indexOf(';')));
        final String location = response.headers().firstValue("location").orElseThrow();
        final int at = location.indexOf("rcid=");
        final int end = location.indexOf('&', at);
        final String clickId = location.substring(at + 5, end < 0 ? location.length() : end);
        PartnerM owner = null;
        for (final PartnerM partner : program.partners)
        {
            owner = partner.links.contains(code) ? partner : owner;
        }
        final ClickM click = new ClickM(clickId, owner, clock.get());
        visitor.clicks.add(click);
        visitor.lastDay = today;
        return click;
    }

    private long saleAmount()
    {
        final int roll = random.nextInt(100);
        if (roll < 12)
        {
            return 1 + random.nextInt(6); // shares and commissions that round to 0
        }
        if (roll < 20)
        {
            return 5 + 10L * random.nextInt(200); // halves everywhere
        }
        return 100 + random.nextInt(80_000);
    }

    /**
     * A sale or lead naming one of a shopper's clicks (usually the last); with {@code skewed}, the shopper clicks a
     * link and the checkout is received just before that click by an edge whose clock is behind, around the
     * 5-minute skew.
     */
    private void convert(final ProgramM program, final String kind, final boolean skewed) throws Exception
    {
        final List<VisitorM> withClicks = program.visitors.stream().filter(v -> !v.clicks.isEmpty()).toList();
        if (withClicks.isEmpty())
        {
            session(program);
            return;
        }
        final long now = clock.get();
        final List<VisitorM> recent = withClicks.stream().filter(v ->
            v.clicks.get(v.clicks.size() - 1).time() > now - (WINDOW_DAYS - 1) * DAY_MS).toList();
        final List<VisitorM> pool = recent.isEmpty() || random.nextInt(100) < 15 ? withClicks : recent;
        final VisitorM visitor = pool.get(random.nextInt(pool.size()));
        final ClickM named;
        final long time;
        final long resume = clock.get();
        if (skewed)
        {
            final PartnerM partner = program.partners.get(random.nextInt(program.partners.size()));
            named = click(program, visitor, partner.links.get(random.nextInt(2)));
            // Two edges whose clocks differ (docs/money.md, Window): the checkout reaches an edge whose clock is
            // behind the click's by the offset, so its receive time (its header time, docs/time.md) is before the
            // click. The click is applied first, while the aggregator's clock is at its receive time: read later,
            // against a clock already set back, it would be bounded to that clock + 5 min (docs/time.md) and the
            // boundary would not be where the offsets put it. Only the edge's clock goes back: the aggregator's stays
            // (its own clock ticks, journaled at its time, would be bounded against a clock set back).
            service.awaitCommitted();
            aggregatorHold.set(clock.get());
            final long[] offsets = { 1_000, 299_000, 300_000, 301_000, 420_000 };
            time = named.time() - offsets[random.nextInt(offsets.length)];
        }
        else
        {
            named = random.nextInt(100) < 80 ? visitor.clicks.get(visitor.clicks.size() - 1) :
                visitor.clicks.get(random.nextInt(visitor.clicks.size()));
            time = clock.get();
        }
        String externalId = "o" + (++sequence);
        long[] refundBefore = null;
        if ("sale".equals(kind) && !skewed && !program.refundsBeforeSale.isEmpty() && random.nextInt(100) < 50)
        {
            externalId = program.refundsBeforeSale.keySet().iterator().next();
            refundBefore = program.refundsBeforeSale.remove(externalId);
        }
        final long amount = "lead".equals(kind) ? 0 : saleAmount();
        String customerId = null;
        if (program.customers && "sale".equals(kind) && random.nextInt(100) < 50)
        {
            customerId = "cus-" + sequence;
        }
        final boolean viaStripe = program.customers && "sale".equals(kind) && null == refundBefore &&
            random.nextInt(100) < 35;
        clock.set(time); // the receive time of the checkout: the only time that dates it (docs/time.md)
        if (viaStripe)
        {
            externalId = "pi_" + sequence;
            customerId = "cus_" + sequence;
            stripe(program, "evt_cs_" + sequence, "checkout.session.completed",
                StripeEvents.checkoutSession(externalId, amount, named.id(), customerId));
        }
        else
        {
            post(program, conversionJson(program, externalId, kind, amount, named, customerId));
        }
        clock.set(Math.max(resume, named.time()) + MINUTE_MS);
        aggregatorHold.set(0);

        // The model: the named click counts if T - window <= t <= T + 5 min
        final boolean inWindow = time - WINDOW_DAYS * DAY_MS <= named.time() && named.time() <= time + SKEW_MS;
        if (named.time() > time)
        {
            cover(inWindow ? "click after the conversion, within the skew" :
                "click more than the skew after the conversion");
        }
        if (!inWindow)
        {
            cover("not attributed");
            return;
        }
        final List<ClickM> path = pathTo(visitor, named, time);
        final ConvM conversion = new ConvM(program, externalId, kind, amount, time);
        conversion.viaStripe = viaStripe;
        if (viaStripe)
        {
            cover("sale through Stripe");
        }
        modelConversion(conversion, path, weights(program.model, path, time, program.halfLifeDays));
        cover(kind);
        if (null != refundBefore)
        {
            cover("refund before its sale" + (refundBefore[1] < today ? ", on an earlier day" : ""));
            modelRefund(conversion, refundBefore[0], (int)refundBefore[1]);
        }
        if (null != customerId)
        {
            program.customerIds.add(customerId);
            program.firstSaleOf.put(customerId, conversion);
        }
    }

    private static String conversionJson(final ProgramM program, final String externalId, final String kind,
        final long amount, final ClickM named, final String customerId)
    {
        return "{\"programId\":\"" + program.id + "\",\"externalId\":\"" + externalId + "\",\"kind\":\"" +
            kind + "\"" + ("lead".equals(kind) ? "" : ",\"amount\":" + amount) + ",\"currency\":\"USD\"," +
            "\"clickId\":\"" + named.id() + "\"" + (null == customerId ? "" : ",\"customerId\":\"" + customerId +
                "\"") +
            "}";
    }

    /**
     * The model's touch path of a conversion at {@code time} naming {@code named}: the visitor's clicks within the
     * window up to the named one, in (time, id) order, the last 50.
     */
    private static List<ClickM> pathTo(final VisitorM visitor, final ClickM named, final long time)
    {
        final List<ClickM> path = new ArrayList<>();
        for (final ClickM click : visitor.clicks)
        {
            if (click.time() >= time - WINDOW_DAYS * DAY_MS &&
                Comparator.comparingLong(ClickM::time).thenComparing(ClickM::id).compare(click, named) <= 0)
            {
                path.add(click);
            }
        }
        path.sort(Comparator.comparingLong(ClickM::time).thenComparing(ClickM::id));
        while (path.size() > 50)
        {
            path.remove(0);
        }
        return path;
    }

    /** A referred customer's recurring payment, split by the weights of its first sale's credits. */
    private void recurring(final ProgramM program) throws Exception
    {
        if (program.customerIds.isEmpty())
        {
            convert(program, "sale", false);
            return;
        }
        final String customerId = program.customerIds.get(random.nextInt(program.customerIds.size()));
        final ConvM first = program.firstSaleOf.get(customerId);
        final long time = clock.get();
        if (time > first.time + RECURRING_MONTHS * 31 * DAY_MS)
        {
            return;
        }
        final String externalId = "o" + (++sequence);
        final long amount = saleAmount();
        post(program, "{\"programId\":\"" + program.id + "\",\"externalId\":\"" + externalId +
            "\",\"kind\":\"recurring\",\"amount\":" + amount + ",\"currency\":\"USD\",\"customerId\":\"" + customerId +
            "\"}");
        final ConvM conversion = new ConvM(program, externalId, "recurring", amount, time);
        final List<PartnerM> partners = new ArrayList<>(first.credits.keySet());
        final long[] weights = first.credits.values().stream().mapToLong(Long::longValue).toArray();
        // a "path" of one touch per partner of the first sale, weighted by its credit
        final List<ClickM> path = new ArrayList<>();
        for (final PartnerM partner : partners)
        {
            path.add(new ClickM(null, partner, first.time));
        }
        modelConversion(conversion, path, weights);
        cover("recurring");
    }

    /** A refund or chargeback of part of, the rest of, or more than what is left of a credited sale. */
    private void refund(final ProgramM program) throws Exception
    {
        final List<ConvM> open = program.conversions.stream().filter(c -> "lead".equals(c.kind) ?
            c.refunded == 0 && random.nextInt(100) < 5 : c.reversedAmount() < c.amount).toList();
        if (open.isEmpty())
        {
            convert(program, "sale", false);
            return;
        }
        if (random.nextInt(100) < 8)
        {
            final String externalId = "o" + (++sequence);
            final long amount = 1 + random.nextInt(3_000);
            post(program, "{\"programId\":\"" + program.id + "\",\"externalId\":\"r" + (++sequence) +
                "\",\"kind\":\"refund\",\"amount\":" + amount + ",\"currency\":\"USD\",\"originalExternalId\":\"" +
                externalId + "\"}");
            program.refundsBeforeSale.put(externalId, new long[]{ amount, today });
            return;
        }
        final ConvM conversion = open.get(random.nextInt(open.size()));
        if (conversion.viaStripe && random.nextInt(100) < 60)
        {
            // Stripe's running total: more of it, or a stale resend of an earlier figure
            final long cumulative = random.nextInt(100) < 20 ? conversion.stripeRefunded / 2 :
                Math.min(conversion.amount, conversion.stripeRefunded + 1 +
                    (long)(random.nextDouble() * (conversion.amount - conversion.stripeRefunded)));
            stripe(program, "evt_rf_" + (++sequence), "charge.refunded",
                StripeEvents.charge("ch_" + conversion.externalId, conversion.externalId, conversion.amount,
                    cumulative));
            cover(cumulative <= conversion.stripeRefunded ? "stale Stripe refund total" : "Stripe refund total");
            if (conversion.refunded > 0)
            {
                cover("Stripe running total and additive refunds on one sale");
            }
            modelStripeRefund(conversion, cumulative);
            return;
        }
        final long left = Math.max(1, conversion.amount - conversion.reversedAmount());
        if ("lead".equals(conversion.kind))
        {
            cover("refund of a lead");
        }
        final int roll = random.nextInt(100);
        final long amount = roll < 40 ? left : roll < 50 ? left + 1 + random.nextInt(500) :
            1 + (long)(random.nextDouble() * left);
        if (amount > left)
        {
            cover("over-refund");
        }
        if (conversion.stripeRefunded > 0)
        {
            cover("Stripe running total and additive refunds on one sale");
        }
        final String kind = random.nextInt(100) < 20 ? "chargeback" : "refund";
        cover(kind);
        post(program, "{\"programId\":\"" + program.id + "\",\"externalId\":\"r" + (++sequence) + "\",\"kind\":\"" +
            kind + "\",\"amount\":" + amount + ",\"currency\":\"USD\",\"originalExternalId\":\"" +
            conversion.externalId + "\"}");
        modelRefund(conversion, amount);
    }

    /** Finance holds a pending or approved commission, or releases or voids a held one. */
    private void review(final ProgramM program) throws Exception
    {
        final List<CommissionM> candidates = new ArrayList<>();
        for (final PartnerM partner : program.partners)
        {
            for (final CommissionM commission : partner.commissions.values())
            {
                if (List.of("pending", "approved", "held").contains(commission.state))
                {
                    candidates.add(commission);
                }
            }
        }
        if (random.nextInt(100) < 15)
        {
            refusedReview(program);
            return;
        }
        if (candidates.isEmpty())
        {
            return;
        }
        final CommissionM commission = candidates.get(random.nextInt(candidates.size()));
        final String action = !"held".equals(commission.state) ? "hold" : random.nextInt(100) < 70 ? "release" : "void";
        final HttpResponse<String> response = finance.post("/v1/partners/" + commission.partner.id +
            "/commission-reviews", "{\"externalId\":\"" + commission.externalId + "\",\"action\":\"" + action +
            "\",\"reason\":\"audit\"}");
        assertEquals(200, response.statusCode(), action + " " + commission.externalId + ": " + response.body());
        service.awaitCommitted();
        cover(action);
        final PartnerM partner = commission.partner;
        switch (action)
        {
            case "hold" ->
            {
                entry(partner, today, "hold", commission.worth, commission.state, "held", commission.externalId, null);
                commission.state = "held";
            }
            case "release" ->
            {
                final String to = commission.day + program.holdDays <= today ? "approved" : "pending";
                entry(partner, today, "release", commission.worth, "held", to, commission.externalId, null);
                commission.state = to;
            }
            default ->
            {
                entry(partner, today, "void", -commission.worth, null, "held", commission.externalId, null);
                commission.state = "void";
                commission.worth = 0;
            }
        }
        partner.listed.put(commission.externalId, listing(conversionOf(program, commission.externalId), partner));
        final JsonNode result = json.readTree(response.body());
        assertEquals(commission.state, result.get("state").asText(), response.body());
        assertEquals(commission.worth, result.get("amount").asLong(), response.body());
    }

    /** An action that does not apply to the commission's state is refused (409) and changes nothing. */
    private void refusedReview(final ProgramM program) throws Exception
    {
        final List<String[]> attempts = new ArrayList<>();
        for (final PartnerM partner : program.partners)
        {
            for (final CommissionM commission : partner.commissions.values())
            {
                for (final String action : List.of("hold", "release", "void"))
                {
                    final boolean applies = "hold".equals(action) ?
                        List.of("pending", "approved").contains(commission.state) : "held".equals(commission.state);
                    if (!applies)
                    {
                        attempts.add(new String[]{ partner.id, commission.externalId, action, commission.state });
                    }
                }
            }
        }
        if (attempts.isEmpty())
        {
            return;
        }
        final String[] attempt = attempts.get(random.nextInt(attempts.size()));
        final HttpResponse<String> response = finance.post("/v1/partners/" + attempt[0] + "/commission-reviews",
            "{\"externalId\":\"" + attempt[1] + "\",\"action\":\"" + attempt[2] + "\",\"reason\":\"audit\"}");
        assertEquals(409, response.statusCode(), attempt[2] + " of a " + attempt[3] + " commission: " +
            response.body());
        service.awaitCommitted();
        cover("refused: " + attempt[2] + " of a " + attempt[3] + " commission");
    }

    private static ConvM conversionOf(final ProgramM program, final String externalId)
    {
        return program.conversions.stream().filter(c -> c.externalId.equals(externalId)).findFirst().orElseThrow();
    }

    private void buildRun(final ProgramM program) throws Exception
    {
        final HttpResponse<String> future = service.admin.post("/v1/programs/" + program.id + "/payout-runs",
            "{\"periodEnd\":\"" + LocalDate.ofEpochDay(today + 1) + "\"}");
        assertEquals(400, future.statusCode(), "a periodEnd in the future: " + future.body());
        final String periodEnd = LocalDate.ofEpochDay(today).toString();
        final HttpResponse<String> response = service.admin.post("/v1/programs/" + program.id + "/payout-runs",
            "{\"periodEnd\":\"" + periodEnd + "\"}");
        assertEquals(201, response.statusCode(), response.body());
        final JsonNode run = json.readTree(response.body());
        final String runId = run.get("id").asText();
        final Map<String, Long> lines = new TreeMap<>();
        for (final PartnerM partner : program.partners)
        {
            final long approved = partner.balances.get("approved");
            if (approved > 0 && approved >= program.minPayout && !partner.suspended)
            {
                lines.put(partner.id, approved);
                entry(partner, today, "payout_scheduled", approved, "approved", "scheduled", null, runId);
                for (final CommissionM commission : partner.commissions.values())
                {
                    if ("approved".equals(commission.state))
                    {
                        commission.state = "scheduled";
                    }
                }
            }
        }
        assertRun(run, lines, "pending_approval");
        program.openRun = runId;
        program.openLines = lines;

        // While it waits for finance, another run of the program is refused
        final HttpResponse<String> second = service.admin.post("/v1/programs/" + program.id + "/payout-runs",
            "{\"periodEnd\":\"" + LocalDate.ofEpochDay(today - 1) + "\"}");
        assertEquals(409, second.statusCode(), second.body());
        cover("payout run refused while open");
    }

    private void approveRun(final ProgramM program) throws Exception
    {
        final String runId = program.openRun;
        for (int attempt = 0; attempt < 2; attempt++) // approving twice pays once
        {
            final HttpResponse<String> response = finance.post("/v1/payout-runs/" + runId + "/approve", "");
            assertEquals(200, response.statusCode(), response.body());
        }
        service.awaitCommitted();
        for (final PartnerM partner : program.partners)
        {
            final Long amount = program.openLines.get(partner.id);
            if (null != amount)
            {
                entry(partner, today, "payout", amount, "scheduled", "paid", null, runId);
                for (final CommissionM commission : partner.commissions.values())
                {
                    if ("scheduled".equals(commission.state))
                    {
                        commission.state = "paid";
                    }
                }
            }
        }
        assertRun(json.readTree(finance.getOk("/v1/payout-runs/" + runId)), program.openLines, "paid");
        assertEquals(null, runsPaid.put(runId, program.openLines.values().stream().mapToLong(Long::longValue).sum()),
            "a run is paid once");
        // Asking again for the paid run's periodEnd answers that run: nothing is scheduled or paid twice
        final HttpResponse<String> again = service.admin.post("/v1/programs/" + program.id + "/payout-runs",
            "{\"periodEnd\":\"" + LocalDate.ofEpochDay(today - 1) + "\"}");
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(runId, json.readTree(again.body()).get("id").asText(), again.body());
        assertRun(json.readTree(again.body()), program.openLines, "paid");
        service.awaitCommitted();
        cover("paid run asked again");
        program.openRun = null;
        // relist: commission states moved
        for (final ConvM conversion : program.conversions)
        {
            relist(conversion);
        }
    }

    private void assertRun(final JsonNode run, final Map<String, Long> lines, final String status)
    {
        assertEquals(status, run.get("status").asText(), run.toString());
        final Map<String, Long> actual = new TreeMap<>();
        for (final JsonNode line : run.get("partners"))
        {
            assertTrue(line.get("amount").isIntegralNumber(), run.toString());
            assertEquals(null, actual.put(line.get("partnerId").asText(), line.get("amount").asLong()),
                "one line per partner: " + run);
        }
        assertEquals(lines, actual, "run " + run.get("id") + " lines");
        assertEquals(lines.values().stream().mapToLong(Long::longValue).sum(), run.get("total").asLong(),
            run.toString());
    }

    // ------------------------------------------------------------------------------------------------ comparing

    private void assertEveryPartner(final String when) throws Exception
    {
        for (final ProgramM program : programs)
        {
            for (final ConvM conversion : program.conversions)
            {
                relist(conversion);
            }
            long heldTotal = 0;
            for (final PartnerM partner : program.partners)
            {
                final JsonNode ledger = json.readTree(finance.getOk("/v1/partners/" + partner.id +
                    "/ledger?limit=10000"));
                final List<String> actual = new ArrayList<>();
                final Map<String, Long> sums = new TreeMap<>();
                final Map<String, Long> balances = new TreeMap<>();
                final Map<String, Long> accrued = new HashMap<>();
                final Map<String, Long> reversedOf = new HashMap<>();
                for (final String balance : partner.balances.keySet())
                {
                    assertTrue(ledger.get(balance).isIntegralNumber(), ledger.toString());
                    balances.put(balance, ledger.get(balance).asLong());
                    sums.put(balance, 0L);
                    assertTrue(Math.abs(ledger.get(balance).asLong()) < 1_000_000_000_000_000L,
                        "no balance wraps: " + ledger);
                }
                long seq = 0;
                for (final JsonNode entry : ledger.get("entries"))
                {
                    assertEquals(++seq, entry.get("seq").asLong(), "entries are numbered from 1: " + entry);
                    assertTrue(entry.get("amount").isIntegralNumber(), "integer minor units: " + entry);
                    final long amount = entry.get("amount").asLong();
                    final String type = entry.get("type").asText();
                    assertTrue(0 != amount, "no zero entries: " + entry);
                    sums.merge(entry.get("to").asText(), amount, Long::sum);
                    if (!entry.get("from").isNull())
                    {
                        assertTrue(amount > 0, "a move is positive: " + entry);
                        sums.merge(entry.get("from").asText(), -amount, Long::sum);
                    }
                    final String externalId = text(entry.get("externalId"));
                    if ("accrual".equals(type))
                    {
                        assertEquals(null, accrued.put(externalId, amount), "one accrual per (conversion, partner): " +
                            entry);
                    }
                    if ("rerate".equals(type))
                    {
                        accrued.merge(externalId, amount, Long::sum);
                    }
                    if ("reversal".equals(type) || "clawback".equals(type))
                    {
                        assertTrue(amount < 0, "a refund never books a positive entry: " + entry);
                        reversedOf.merge(externalId, -amount, Long::sum);
                    }
                    actual.add(line(entry.get("date").asText(), type, amount, text(entry.get("from")),
                        entry.get("to").asText(), externalId, text(entry.get("runId"))));
                }
                assertSameEntries(partner, actual, when);
                reversedOf.forEach((externalId, reversed) -> assertTrue(reversed <= accrued.getOrDefault(externalId,
                    0L),
                    partner.id + ": a refund never reverses more than accrued (and re-rated) on " + externalId));
                assertEquals(balances, sums, partner.id + " balances are the sums of the entries " + when);
                assertEquals(partner.balances, balances, partner.id + " balances " + when);
                final JsonNode view = json.readTree(service.admin.getOk("/v1/partners/" + partner.id));
                heldTotal += partner.balances.get("held");
                assertEquals(program.tiers.get(partner.tier).name(), view.path("tier").asText(),
                    partner.id + " tier " + when);
            }
            final JsonNode held = json.readTree(finance.getOk("/v1/programs/" + program.id + "/held-commissions"));
            assertEquals(heldTotal, held.get("total").asLong(), program.id + " held total " + when);
        }
    }

    private static void assertSameEntries(final PartnerM partner, final List<String> actual, final String when)
    {
        final List<String> expected = new ArrayList<>(partner.entries);
        final List<String> got = new ArrayList<>(actual);
        expected.sort(null);
        got.sort(null);
        if (!expected.equals(got))
        {
            final List<String> missing = new ArrayList<>(expected);
            for (final String line : got)
            {
                missing.remove(line);
            }
            final List<String> unexpected = new ArrayList<>(got);
            for (final String line : expected)
            {
                unexpected.remove(line);
            }
            fail(partner.id + " ledger " + when + ": expected but missing " + missing + "; booked but not expected " +
                unexpected);
        }
    }

    private void assertListingsAndCounts() throws Exception
    {
        final String from = START.toString();
        final String to = START.plusDays(DAYS - 1).toString();
        for (final ProgramM program : programs)
        {
            for (final ConvM conversion : program.conversions)
            {
                relist(conversion);
            }
            for (final PartnerM partner : program.partners)
            {
                final Map<String, String> actual = new TreeMap<>();
                final JsonNode page = json.readTree(service.admin.getOk("/v1/partners/" + partner.id +
                    "/conversions?limit=1000"));
                for (final JsonNode conversion : page.get("conversions"))
                {
                    final JsonNode commission = conversion.get("commission");
                    actual.put(conversion.get("externalId").asText(), conversion.get("kind").asText() +
                        " amount=" + conversion.get("amount").asLong() + " credit=" + conversion.get("credit").asLong(
                            ) +
                        " reversed=" + conversion.get("reversedAmount").asLong() + " commission=" +
                        (commission.isNull() ? "null" : commission.get("amount").asLong() + "/" +
                            commission.get("state").asText()));
                }
                assertEquals(partner.listed, actual, partner.id + " conversions listed");
                final JsonNode stats = json.readTree(service.admin.getOk("/v1/partners/" + partner.id +
                    "/stats?from=" + from + "&to=" + to));
                assertEquals(partner.revenue, stats.get("revenue").asLong(), partner.id + " revenue net of reversals");
                assertEquals(partner.refunded, stats.get("refunded").asLong(), partner.id + " revenue refunded");
                {
                    assertEquals(partner.sales, stats.get("sales").asLong(), partner.id + " sales counted");
                    assertEquals(partner.leads, stats.get("leads").asLong(), partner.id + " leads counted");
                }
            }
        }
    }

    private static String text(final JsonNode node)
    {
        return null == node || node.isNull() ? "null" : node.asText();
    }

    private void post(final ProgramM program, final String body) throws Exception
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.edge("/v1/conversions"))
            .header("Authorization", "Bearer " + program.apiKey())
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), body + " -> " + response.body());
        service.awaitCommitted();
    }

    private void stripe(final ProgramM program, final String eventId, final String type, final JsonObject object)
        throws Exception
    {
        final long seconds = clock.get() / 1000;
        // Stripe's `created` an hour before the delivery (a late resend): a sender's time is only a field and dates
        // nothing (docs/time.md); the receive time dates the sale, its window, hold and counters.
        final String payload = StripeEvents.event(eventId, type, object)
            .replaceFirst("\"created\":\\d+", "\"created\":" + (seconds - 3_600))
            .replace("\"livemode\":false", "\"livemode\":true");
        final HttpResponse<String> response = service.postStripe(program.id, AdminClient.STRIPE_SECRET, payload,
            seconds);
        assertEquals(200, response.statusCode(), payload + " -> " + response.body());
        assertTrue(!response.body().contains("dead"), payload + " -> " + response.body());
        service.awaitCommitted();
    }
}
