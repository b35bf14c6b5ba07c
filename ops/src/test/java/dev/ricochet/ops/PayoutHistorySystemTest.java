package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A scripted history of one program (three tiers, twenty partners) played day by day through the public HTTP APIs of
 * the real service on a test clock. Every tier change and every cent of every ledger is predicted by a small model
 * of the documented rules that lives in this test and reads only the script; the service's answers must match it.
 *
 * <p>The rules the model implements: a commission is round-half-even(revenue x tier percent / 100), a lead earns the
 * tier's flat amount; a partner holds the highest tier whose minConversions or minRevenue it meets over that tier's
 * window (leads + sales; sale and recurring revenue net of refunds, refunds on their own day); upgrades happen at
 * the credited conversion that crosses the threshold and already earn the new rate; any other change waits for the
 * monthly review on the 1st, which looks at the windows ending the day before. Commissions accrue pending, are
 * approved holdDays later, scheduled by a payout run (whole approved balance, if at least minPayout) and paid when
 * finance approves it. A refund reverses round-half-even(earned x refunded / revenue) cumulatively, from the balance
 * the commission sits in, or as a clawback on approved once the commission is scheduled or paid.
 */
class PayoutHistorySystemTest
{
    private static final LocalDate START = LocalDate.parse("2026-01-05");
    private static final int HISTORY_DAYS = 120;
    private static final int REPLAY_DAYS = 60;
    private static final int PARTNERS = 20;
    private static final long DAY_MS = 86_400_000L;
    private static final long HOUR_MS = 3_600_000L;
    private static final long STEP_MS = 20_000L;
    private static final String PROGRAM = "shop";
    private static final String API_KEY = "history-program-api-key";
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";
    private static final int ATTRIBUTION_WINDOW_DAYS = 30;
    private static final int HOLD_DAYS = 14;
    private static final long MIN_PAYOUT = 5000;
    private static final int RECURRING_MONTHS = 12;
    private static final Tier[] TIERS =
    {
        new Tier("bronze", null, null, 0, "7.5", 150),
        new Tier("silver", 8, null, 30, "12.5", 300),
        new Tier("gold", 20, 400_000L, 45, "15", 450),
    };
    private static final int[] PAYOUT_DAYS = { 45, 75, 105 };

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldPayEveryPartnerToTheCentWhatItsScriptedHistoryEarned() throws Exception
    {
        // Given a program with three tiers and twenty partners of different habits, on a test clock
        final Script script = Script.generate(HISTORY_DAYS);
        final AtomicLong clock = new AtomicLong(START.toEpochDay() * DAY_MS + 7 * HOUR_MS);
        try (ServiceFixture service = new ServiceFixture(dataDir, clock::get))
        {
            final History history = new History(service, clock, true);
            history.setUp();

            // When 120 days of clicks, sales, leads, recurring invoices, refunds and three payout runs go through the
            // HTTP APIs (every balance and ledger is compared with the model right before each run)
            history.play(script, HISTORY_DAYS);
            // (and a last day passes on which nobody calls the service)
            history.idleInto(HISTORY_DAYS);

            // Then the script exercised what it is meant to
            final Model model = history.model;
            assertCoverage(model, 3);

            // And every partner's tier, tier history, balances and ledger entries are the model's, to the cent
            history.assertAllPartners("at the end, " + dateOf(HISTORY_DAYS), true);

            // And every run paid what the model says, and nobody was paid twice
            history.assertRuns();

            System.out.println("PayoutHistorySystemTest: " + PARTNERS + " partners, " + HISTORY_DAYS + " days, " +
                model.stats.conversions() + " conversions (" + model.stats.sales + " sales, " + model.stats.leads +
                " leads, " + model.stats.recurring + " recurring, " + model.stats.refunds + " refunds), " +
                model.stats.tierChanges() + " tier changes (" + model.stats.upgrades + " up, " +
                model.stats.downgrades + " down), " + history.runs.size() + " runs, total paid " +
                BigDecimal.valueOf(model.totalPaid(), 2).toPlainString() + " USD; " + history.requests +
                " HTTP requests");
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldRebuildByteIdenticalLedgersWhenTheJournalIsReplayedIntoAFreshStateStore() throws Exception
    {
        // Given 60 days of the same history (one payout run, clawbacks after it) played through the service
        final Script script = Script.generate(HISTORY_DAYS);
        final AtomicLong clock = new AtomicLong(START.toEpochDay() * DAY_MS + 7 * HOUR_MS);
        final Map<String, String> ledgers = new TreeMap<>();
        final Map<String, String> timelines = new TreeMap<>();
        final ServiceFixture service = new ServiceFixture(dataDir, clock::get);
        try
        {
            // (this test is about replay: the model's expectations are the other test's business)
            final History history = new History(service, clock, false);
            history.setUp();
            history.play(script, REPLAY_DAYS);
            assertCoverage(history.model, 1);
            for (int p = 0; p < PARTNERS; p++)
            {
                final String path = "/v1/partners/" + partnerId(p);
                ledgers.put(partnerId(p), service.admin.getOk(path + "/ledger?limit=10000"));
                timelines.put(partnerId(p), service.admin.getOk(path + "/timeline?limit=1000"));
            }
        }
        finally
        {
            service.close();
        }

        // When a fresh aggregator replays the whole journal into a new data directory
        final Path replayDir = dataDir.resolve("replay");
        final Map<String, String> replayedLedgers = new TreeMap<>();
        final Map<String, String> replayedTimelines = new TreeMap<>();
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal"))))
        {
            final Aggregator replay = Replays.replay(journal, replayDir, clock::get);
            try
            {
                Replays.awaitCommitted(replay, journal);
                final AdminClient admin = new AdminClient(replay.adminPort(), ServiceFixture.ADMIN_TOKEN);
                for (int p = 0; p < PARTNERS; p++)
                {
                    final String path = "/v1/partners/" + partnerId(p);
                    replayedLedgers.put(partnerId(p), admin.getOk(path + "/ledger?limit=10000"));
                    replayedTimelines.put(partnerId(p), admin.getOk(path + "/timeline?limit=1000"));
                }
            }
            finally
            {
                replay.close();
            }
        }

        // Then the API answers the same ledgers and timelines, character for character
        final List<Executable> checks = new ArrayList<>();
        for (final String partnerId : ledgers.keySet())
        {
            checks.add(() -> assertEquals(ledgers.get(partnerId), replayedLedgers.get(partnerId),
                "ledger of " + partnerId));
            checks.add(() -> assertEquals(timelines.get(partnerId), replayedTimelines.get(partnerId),
                "timeline of " + partnerId));
        }
        assertAll("replayed API answers", checks);

        // And the RocksDB ledger tables hold the same keys with the same value bytes
        final Map<String, byte[]> original = Replays.table(dataDir, Table.LEDGER);
        final Map<String, byte[]> replayed = Replays.table(replayDir, Table.LEDGER);
        assertFalse(original.isEmpty());
        assertEquals(original.keySet(), replayed.keySet(), "ledger keys");
        for (final Map.Entry<String, byte[]> entry : original.entrySet())
        {
            assertArrayEquals(entry.getValue(), replayed.get(entry.getKey()), "ledger value at key " + entry.getKey());
        }
        final long heldByFraudChecks = ledgers.values().stream()
            .mapToLong(ledger -> ledger.split("held for review", -1).length - 1).sum();
        System.out.println("PayoutHistorySystemTest replay: " + original.size() + " ledger entries, " +
            heldByFraudChecks + " accrued held by fraud checks, byte-identical after replay");
    }

    private static void assertCoverage(final Model model, final int runs)
    {
        final Stats stats = model.stats;
        assertAll("the script must exercise",
            () -> assertTrue(stats.upgradesTo.getOrDefault("silver", 0) >= 3, "upgrades to silver " + stats),
            () -> assertTrue(stats.upgradesTo.getOrDefault("gold", 0) >= 3, "upgrades to gold " + stats),
            () -> assertTrue(stats.bronzeToGold >= 1, "a partner jumping from bronze to gold " + stats),
            () -> assertTrue(stats.downgrades >= (runs > 1 ? 3 : 1), "downgrades at reviews " + stats),
            () -> assertTrue(stats.reversalsOfPending >= 3, "refunds before approval " + stats),
            () -> assertTrue(stats.reversalsOfApproved >= (runs > 1 ? 3 : 1), "refunds after approval " + stats),
            () -> assertTrue(stats.clawbacks >= 2, "refunds after payout " + stats),
            () -> assertTrue(stats.clawbacksWhileScheduled >= (runs > 2 ? 1 : 0), "refunds of scheduled " + stats),
            () -> assertTrue(stats.negativeApproved >= 1, "an approved balance driven negative " + stats),
            () -> assertTrue(stats.halfEvenDiffers >= 3, "commissions where half-even differs from half-up " + stats),
            () -> assertTrue(stats.zeroCommissions >= 1, "a sale earning zero " + stats),
            () -> assertTrue(stats.uncredited >= 1, "a sale outside the attribution window " + stats),
            () -> assertTrue(stats.recurring >= (runs > 1 ? 10 : 3), "recurring invoices " + stats),
            () -> assertTrue(stats.partnersCarriedOver >= 1, "a partner below minPayout carried over " + stats));
    }

    private static String partnerId(final int partner)
    {
        return String.format("p%02d", partner);
    }

    private static int epochDay(final long timeMs)
    {
        return (int)Math.floorDiv(timeMs, DAY_MS);
    }

    private static LocalDate dateOf(final int day)
    {
        return START.plusDays(day);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The script: what happens on each day, generated once from a fixed seed, plus hand-placed cases.
    // ---------------------------------------------------------------------------------------------------------------

    private record Tier(
        String name, Integer minConversions, Long minRevenue, int windowDays, String percent, long leadCommission)
    {
        String json()
        {
            return "{\"name\":\"" + name + "\"" +
                (null == minConversions ? "" : ",\"minConversions\":" + minConversions) +
                (null == minRevenue ? "" : ",\"minRevenue\":" + minRevenue) +
                (0 == windowDays ? "" : ",\"windowDays\":" + windowDays) +
                ",\"commissionPercent\":\"" + percent + "\",\"leadCommission\":" + leadCommission + "}";
        }
    }

    private sealed interface Action permits Click, Conversion, PayoutRun
    {
    }

    /**
     * A shopper follows a partner's link; {@code ref} names the click for later conversions.
     */
    private record Click(int partner, String ref) implements Action
    {
    }

    /**
     * The checkout reports a conversion; {@code clickRef} names an earlier click (its id is only known at run time).
     */
    private record Conversion(
        String kind, String externalId, long amount, String clickRef, String customerId, String originalExternalId)
        implements Action
    {
    }

    /**
     * The program manager builds a payout run and finance approves it; {@code refundBeforeApproval}, if any, arrives
     * between the two.
     */
    private record PayoutRun(
        LocalDate periodEnd, boolean askTwiceBeforeApproval, boolean askAgainAfterApproval,
        Conversion refundBeforeApproval)
        implements Action
    {
    }

    private record Sale(int partner, int day, String externalId, long amount)
    {
    }

    private enum Profile
    {
        STAR, WHALE, STEADY, FADER, LATE_BLOOMER, SEASONAL, CASUAL, LEAD_GEN, SUBSCRIBER, DORMANT;

        double saleChance(final int day)
        {
            return switch (this)
            {
                case STAR -> 0.85;
                case WHALE -> 0.13;
                case STEADY -> 0.26;
                case FADER -> day <= 20 ? 0.9 : 0.02;
                case LATE_BLOOMER -> day < 60 ? 0.04 : 0.75;
                case SEASONAL -> day <= 24 || (day >= 60 && day <= 89) ? 0.5 : 0.02;
                case CASUAL -> 0.08;
                case LEAD_GEN -> 0.05;
                case SUBSCRIBER -> 0.12;
                case DORMANT -> 0;
            };
        }

        double leadChance(final int day)
        {
            return switch (this)
            {
                case STAR -> 0.25;
                case STEADY -> 0.08;
                case FADER -> day <= 20 ? 0.35 : 0;
                case LATE_BLOOMER -> day < 60 ? 0 : 0.2;
                case SEASONAL -> day <= 24 || (day >= 60 && day <= 89) ? 0.1 : 0;
                case LEAD_GEN -> 0.5;
                default -> 0;
            };
        }

        double refundChance()
        {
            return this == WHALE ? 0.3 : 0.1;
        }

        boolean isBig()
        {
            return this == WHALE;
        }
    }

    private static final Profile[] PROFILES =
    {
        Profile.STAR, Profile.STAR, Profile.WHALE, Profile.WHALE, Profile.STEADY, Profile.STEADY, Profile.STEADY,
        Profile.FADER, Profile.FADER, Profile.LATE_BLOOMER, Profile.LATE_BLOOMER, Profile.SEASONAL, Profile.SEASONAL,
        Profile.CASUAL, Profile.CASUAL, Profile.CASUAL, Profile.LEAD_GEN, Profile.SUBSCRIBER, Profile.SUBSCRIBER,
        Profile.DORMANT,
    };

    // Odd amounts, and amounts whose commission is exactly half a cent at 7.5% (2100, 2300), 12.5% (2020, 2028)
    // and 15% (4990, 5010, 10): half-even rounding decides them.
    private static final long[] ORDINARY_AMOUNTS =
        { 1999, 4999, 12345, 2100, 2300, 2020, 2028, 4990, 5010, 7777, 15999, 999, 3333, 24999, 10 };
    private static final long[] BIG_AMOUNTS = { 87654, 99999, 120001, 149995, 134567 };
    private static final long[] INVOICE_AMOUNTS = { 2999, 4999, 9999, 1499 };

    private static final class Script
    {
        private final List<List<List<Action>>> units = new ArrayList<>();
        private final List<List<Action>> days = new ArrayList<>();
        private final List<Sale> sales = new ArrayList<>();
        private final Set<String> refunded = new HashSet<>();
        private final Random random = new Random(20260105L);
        private final int dayCount;
        private int nextOrder;
        private int nextLead;
        private int nextRefund;
        private int nextClick;
        private int nextCustomer;
        private Conversion refundDuringLastRun;

        private Script(final int dayCount)
        {
            this.dayCount = dayCount;
            for (int day = 0; day < dayCount; day++)
            {
                units.add(new ArrayList<>());
            }
        }

        List<Action> day(final int day)
        {
            return days.get(day);
        }

        static Script generate(final int dayCount)
        {
            final Script script = new Script(dayCount);
            script.generateDays();
            script.placeHandPickedCases();
            script.interleave();
            return script;
        }

        private void generateDays()
        {
            for (int day = 0; day < dayCount; day++)
            {
                for (int p = 0; p < PARTNERS; p++)
                {
                    // Every partner's link is clicked every day; some of these clicks convert days later.
                    add(day, new Click(p, backgroundClick(p, day)));
                    final Profile profile = PROFILES[p];
                    if (random.nextDouble() < profile.saleChance(day))
                    {
                        final long[] amounts = profile.isBig() ? BIG_AMOUNTS : ORDINARY_AMOUNTS;
                        final boolean referral = Profile.SUBSCRIBER == profile && random.nextDouble() < 0.25;
                        final Sale sale = sale(p, day, amounts[random.nextInt(amounts.length)], chooseClick(p, day),
                            referral);
                        if (random.nextDouble() < profile.refundChance())
                        {
                            planRandomRefund(sale);
                        }
                    }
                    if (random.nextDouble() < profile.leadChance(day))
                    {
                        final String clickRef = chooseClick(p, day);
                        final List<Action> unit = new ArrayList<>();
                        if (clickRef.startsWith("c-"))
                        {
                            unit.add(new Click(p, clickRef));
                        }
                        unit.add(new Conversion("lead", "lead-" + nextLead++, 0, clickRef, null, null));
                        units.get(day).add(unit);
                    }
                }
            }
        }

        private void placeHandPickedCases()
        {
            // Sales worth less than a cent of commission, and one just above.
            sale(14, 8, 6, freshClick(), false);
            sale(14, 9, 7, freshClick(), false);
            // A sale reported with a click 38 days old: outside the 30-day attribution window, credited to no one.
            sale(13, 40, 4999, backgroundClick(13, 2), false);
            // Referred customers whose monthly invoices keep crediting their partner.
            sale(0, 5, 12345, freshClick(), true);
            sale(17, 3, 4999, freshClick(), true);
            sale(17, 12, 2020, freshClick(), true);
            sale(18, 6, 7777, freshClick(), true);
            sale(9, 65, 15999, freshClick(), true);
            // Refunds of commissions already paid by the first run (day 45): clawbacks against the approved balance.
            final Sale faderBiggest = sales.stream().filter(s -> 7 == s.partner() && s.day() <= 20 &&
                !refunded.contains(s.externalId())).max(java.util.Comparator.comparingLong(Sale::amount)).orElseThrow();
            refund(faderBiggest, 50, faderBiggest.amount());
            final Sale faderFirst = firstUnrefunded(8, 20);
            final long twoThirds = faderFirst.amount() * 2 / 3;
            refund(faderFirst, 52, twoThirds);
            refund(faderFirst, 57, faderFirst.amount() - twoThirds);
            final Sale starEarly = firstUnrefunded(0, 10);
            refund(starEarly, 47, starEarly.amount());
            final Sale whale = firstUnrefunded(2, 25);
            refund(whale, 48, whale.amount() / 2 + 1);
            // A refund between the last run being built and finance approving it: its commission is scheduled.
            final int lastRunDay = PAYOUT_DAYS[PAYOUT_DAYS.length - 1];
            if (lastRunDay < dayCount)
            {
                final Sale scheduled = sales.stream().filter(s -> 0 == s.partner() && s.day() >= lastRunDay - 25 &&
                    s.day() <= lastRunDay - HOLD_DAYS - 1 && !refunded.contains(s.externalId()) && s.amount() > 100)
                    .findFirst().orElseThrow();
                refunded.add(scheduled.externalId());
                refundDuringLastRun = new Conversion("refund", "refund-" + nextRefund++, scheduled.amount() * 3 / 4,
                    null, null, scheduled.externalId());
            }
        }

        private Sale firstUnrefunded(final int partner, final int maxDay)
        {
            return sales.stream().filter(s -> partner == s.partner() && s.day() <= maxDay &&
                !refunded.contains(s.externalId()) && s.amount() > 100).findFirst().orElseThrow();
        }

        private void planRandomRefund(final Sale sale)
        {
            final int lagKind = random.nextInt(100);
            final int lag = lagKind < 35 ? 1 + random.nextInt(10) : lagKind < 70 ? 15 + random.nextInt(14) :
                35 + random.nextInt(26);
            final int amountKind = random.nextInt(10);
            if (amountKind < 5)
            {
                refund(sale, sale.day() + lag, sale.amount());
            }
            else if (amountKind < 8)
            {
                refund(sale, sale.day() + lag, Math.max(1, sale.amount() * (1 + random.nextInt(5)) / 7));
            }
            else
            {
                // Two partial refunds that add up to the whole sale: the second reverses exactly what is left.
                final long first = Math.max(1, sale.amount() / 3);
                refund(sale, sale.day() + lag, first);
                refund(sale, sale.day() + lag + 4 + random.nextInt(6), sale.amount() - first);
            }
        }

        private void refund(final Sale sale, final int day, final long amount)
        {
            refunded.add(sale.externalId());
            if (day < dayCount && amount > 0)
            {
                add(day, new Conversion("refund", "refund-" + nextRefund++, amount, null, null, sale.externalId()));
            }
        }

        private Sale sale(final int partner, final int day, final long amount, final String clickRef,
            final boolean referral)
        {
            final String externalId = "order-" + nextOrder++;
            final String customerId = referral ? "customer-" + nextCustomer++ : null;
            final List<Action> unit = new ArrayList<>();
            if (clickRef.startsWith("c-"))
            {
                unit.add(new Click(partner, clickRef));
            }
            unit.add(new Conversion("sale", externalId, amount, clickRef, customerId, null));
            units.get(day).add(unit);
            if (referral)
            {
                final long invoice = INVOICE_AMOUNTS[random.nextInt(INVOICE_AMOUNTS.length)];
                for (int month = 1; day + 30 * month < dayCount; month++)
                {
                    add(day + 30 * month, new Conversion("recurring", customerId + "-invoice-" + month, invoice, null,
                        customerId, null));
                }
            }
            final Sale sale = new Sale(partner, day, externalId, amount);
            sales.add(sale);
            return sale;
        }

        private String chooseClick(final int partner, final int day)
        {
            // Mostly a click just before the checkout; sometimes one from up to 25 days earlier (still in the window).
            if (day > 0 && random.nextDouble() < 0.2)
            {
                return backgroundClick(partner, day - 1 - random.nextInt(Math.min(day, 25)));
            }
            return freshClick();
        }

        private String freshClick()
        {
            return "c-" + nextClick++;
        }

        private static String backgroundClick(final int partner, final int day)
        {
            return "bg-" + partner + "-" + day;
        }

        private void add(final int day, final Action action)
        {
            final List<Action> unit = new ArrayList<>();
            unit.add(action);
            units.get(day).add(unit);
        }

        private void interleave()
        {
            for (int day = 0; day < dayCount; day++)
            {
                final List<List<Action>> dayUnits = units.get(day);
                // Background clicks first (so a later day can use them), then the day's business in random order.
                final List<Action> actions = new ArrayList<>();
                final List<List<Action>> business = new ArrayList<>();
                for (final List<Action> unit : dayUnits)
                {
                    if (1 == unit.size() && unit.get(0) instanceof Click)
                    {
                        actions.add(unit.get(0));
                    }
                    else
                    {
                        business.add(unit);
                    }
                }
                Collections.shuffle(business, random);
                for (final List<Action> unit : business)
                {
                    actions.addAll(unit);
                }
                for (int i = 0; i < PAYOUT_DAYS.length; i++)
                {
                    if (PAYOUT_DAYS[i] == day)
                    {
                        actions.add(new PayoutRun(dateOf(day - 1), 0 == i, 1 == i,
                            2 == i ? refundDuringLastRun : null));
                    }
                }
                days.add(actions);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The model: the documented rules, applied to the script in the order the service sees it.
    // ---------------------------------------------------------------------------------------------------------------

    private static final String PENDING = "pending";
    private static final String APPROVED = "approved";
    private static final String SCHEDULED = "scheduled";
    private static final String PAID = "paid";

    private static final class Stats
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

    private static final class Earning
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

    private static final class PartnerModel
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

    private static final class Model
    {
        final PartnerModel[] partners = new PartnerModel[PARTNERS];
        final Map<String, long[]> clicks = new HashMap<>();
        final Map<String, long[]> customers = new HashMap<>();
        final Map<String, Earning> earnings = new LinkedHashMap<>();
        final Map<String, Map<String, Long>> runs = new LinkedHashMap<>();
        final Stats stats = new Stats();
        int today = Integer.MIN_VALUE;

        Model()
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
    }

    private static String entryLine(final String date, final String type, final long amount, final String from,
        final String to, final String externalId, final String runId)
    {
        return date + " " + type + " " + amount + " " + from + "->" + to + " " + externalId + " " + runId;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The driver: plays the script through the HTTP APIs, keeps the model in step, and compares.
    // ---------------------------------------------------------------------------------------------------------------

    private static final class History
    {
        final ServiceFixture service;
        final AtomicLong clock;
        final Model model = new Model();
        final AdminClient finance;
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
        final ObjectMapper json = new ObjectMapper();
        final Map<String, String> clickIds = new HashMap<>();
        final Map<String, JsonNode> runs = new LinkedHashMap<>();
        final boolean isCheckedAgainstModel;
        long requests;

        /**
         * @param isCheckedAgainstModel compare balances, ledgers and runs with the model during the history.
         */
        History(final ServiceFixture service, final AtomicLong clock, final boolean isCheckedAgainstModel)
        {
            this.service = service;
            this.clock = clock;
            this.isCheckedAgainstModel = isCheckedAgainstModel;
            this.finance = service.finance;
        }

        void setUp() throws Exception
        {
            final StringBuilder tiers = new StringBuilder();
            for (final Tier tier : TIERS)
            {
                tiers.append(tiers.length() == 0 ? "" : ",").append(tier.json());
            }
            service.admin.putOk("/v1/programs/" + PROGRAM, "{\"name\":\"Shop\",\"currency\":\"USD\"," +
                "\"clickParam\":\"rcid\",\"attribution\":{\"model\":\"last_click\",\"windowDays\":" +
                ATTRIBUTION_WINDOW_DAYS + "},\"tiers\":[" + tiers + "],\"holdDays\":" + HOLD_DAYS +
                ",\"minPayout\":" + MIN_PAYOUT + ",\"tierReview\":\"monthly\",\"recurringMonths\":" +
                RECURRING_MONTHS + ",\"secrets\":{\"apiKey\":\"" + API_KEY + "\"}" +
                // The model knows no fraud holds, and the stars' refunds trip the refund-rate check: off where the
                // model is the judge, on (defaults) for the replay, whose ledgers then carry what it flags.
                (isCheckedAgainstModel ? ",\"fraud\":{\"maxRefundRatePercent\":0}" : "") + "}");
            for (int p = 0; p < PARTNERS; p++)
            {
                service.admin.putOk("/v1/partners/" + partnerId(p), "{\"programId\":\"" + PROGRAM + "\",\"name\":\"" +
                    name(p) + "\",\"email\":\"" + email(p) + "\",\"status\":\"active\",\"payoutAccount\":\"" +
                    payoutAccount(p) + "\"}");
                service.admin.putOk("/v1/links/" + linkCode(p), "{\"partnerId\":\"" + partnerId(p) +
                    "\",\"destination\":\"https://shop.example.com/x\"}");
            }
        }

        void play(final Script script, final int dayCount) throws Exception
        {
            for (int day = 0; day < dayCount; day++)
            {
                final long dayStartMs = dateOf(day).toEpochDay() * DAY_MS + 8 * HOUR_MS;
                final List<Action> actions = script.day(day);
                for (int i = 0; i < actions.size(); i++)
                {
                    final long timeMs = dayStartMs + i * STEP_MS;
                    clock.set(timeMs);
                    model.advanceTo(epochDay(timeMs));
                    final Action action = actions.get(i);
                    if (action instanceof Click click)
                    {
                        click(click, timeMs);
                    }
                    else if (action instanceof Conversion conversion)
                    {
                        convert(conversion, timeMs);
                    }
                    else if (action instanceof PayoutRun run)
                    {
                        payout(run, timeMs);
                    }
                }
                Replays.awaitCommitted(service.aggregator, service.journal);
            }
        }

        /**
         * Let the clock run into a day on which nobody calls the service: only the aggregator's hourly clock tick in
         * the journal can start the ledger's new day.
         */
        void idleInto(final int day) throws Exception
        {
            final LocalDate date = dateOf(day);
            clock.set(date.toEpochDay() * DAY_MS + 3 * HOUR_MS);
            model.advanceTo((int)date.toEpochDay());
            final long deadlineNs = System.nanoTime() + 30_000_000_000L;
            while (!date.toString().equals(json.readTree(adminGet("/v1/partners/" + partnerId(0) + "/ledger?limit=1"))
                .path("asOf").asText(null)))
            {
                assertTrue(System.nanoTime() < deadlineNs, "the ledger did not reach " + date + " within 30 s");
                Thread.sleep(5);
            }
            Replays.awaitCommitted(service.aggregator, service.journal);
        }

        private void click(final Click click, final long timeMs) throws Exception
        {
            final HttpResponse<Void> response = http.send(
                HttpRequest.newBuilder(edge("/r/" + linkCode(click.partner()))).header("User-Agent", BROWSER).build(),
                HttpResponse.BodyHandlers.discarding());
            requests++;
            assertEquals(302, response.statusCode(), "click on " + linkCode(click.partner()));
            final String location = response.headers().firstValue("location").orElseThrow();
            final int at = location.indexOf("rcid=");
            assertTrue(at > 0, location);
            final int end = location.indexOf('&', at);
            clickIds.put(click.ref(), location.substring(at + 5, end < 0 ? location.length() : end));
            model.click(click.partner(), click.ref(), timeMs);
        }

        private void convert(final Conversion conversion, final long timeMs) throws Exception
        {
            final StringBuilder body = new StringBuilder("{\"programId\":\"" + PROGRAM + "\",\"externalId\":\"" +
                conversion.externalId() + "\",\"kind\":\"" + conversion.kind() + "\"");
            if (!"lead".equals(conversion.kind()))
            {
                body.append(",\"amount\":").append(conversion.amount()).append(",\"currency\":\"USD\"");
            }
            if (null != conversion.clickRef())
            {
                body.append(",\"clickId\":\"").append(clickIds.get(conversion.clickRef())).append('"');
            }
            if (null != conversion.customerId())
            {
                body.append(",\"customerId\":\"").append(conversion.customerId()).append('"');
            }
            if (null != conversion.originalExternalId())
            {
                body.append(",\"originalExternalId\":\"").append(conversion.originalExternalId()).append('"');
            }
            body.append('}');
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(edge("/v1/conversions"))
                .header("Authorization", "Bearer " + API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
            requests++;
            assertEquals(200, response.statusCode(), body + " -> " + response.body());
            assertEquals("accepted", json.readTree(response.body()).get("status").asText(), response.body());
            model.conversion(conversion, timeMs);
        }

        private void payout(final PayoutRun run, final long timeMs) throws Exception
        {
            Replays.awaitCommitted(service.aggregator, service.journal);
            final int day = epochDay(timeMs);
            if (isCheckedAgainstModel)
            {
                assertAllPartners("right before the run for " + run.periodEnd(), false);
            }

            final String request = "{\"periodEnd\":\"" + run.periodEnd() + "\"}";
            final String runsPath = "/v1/programs/" + PROGRAM + "/payout-runs";
            final HttpResponse<String> created = service.admin.post(runsPath, request);
            requests++;
            assertEquals(201, created.statusCode(), created.body());
            final JsonNode built = json.readTree(created.body());
            final String runId = built.get("id").asText();
            final Map<String, Long> modelled = model.expectedRun();
            model.schedule(runId, modelled, day);
            final Map<String, Long> expected = isCheckedAgainstModel ? modelled : null;
            assertRun(built, expected, "pending_approval", run.periodEnd());

            if (run.askTwiceBeforeApproval())
            {
                final HttpResponse<String> again = service.admin.post(runsPath, request);
                requests++;
                assertEquals(200, again.statusCode(), again.body());
                assertEquals(runId, json.readTree(again.body()).get("id").asText(), "the same period's run");
                assertRun(json.readTree(again.body()), expected, "pending_approval", run.periodEnd());
                final HttpResponse<String> byAdmin = service.admin.post("/v1/payout-runs/" + runId + "/approve", "");
                requests++;
                assertEquals(403, byAdmin.statusCode(), "the admin token must not approve a run: " + byAdmin.body());
            }

            if (null != run.refundBeforeApproval())
            {
                convert(run.refundBeforeApproval(), timeMs);
            }

            final HttpResponse<String> approved = finance.post("/v1/payout-runs/" + runId + "/approve", "");
            requests++;
            assertEquals(200, approved.statusCode(), approved.body());
            model.pay(runId, day);
            assertRun(json.readTree(approved.body()), expected, "paid", run.periodEnd());

            if (run.askAgainAfterApproval())
            {
                final HttpResponse<String> again = service.admin.post(runsPath, request);
                final HttpResponse<String> approvedAgain = finance.post("/v1/payout-runs/" + runId + "/approve", "");
                requests += 2;
                assertEquals(200, again.statusCode(), again.body());
                assertEquals(runId, json.readTree(again.body()).get("id").asText(), "the same period's run");
                assertRun(json.readTree(again.body()), expected, "paid", run.periodEnd());
                assertEquals(200, approvedAgain.statusCode(), approvedAgain.body());
                assertRun(json.readTree(approvedAgain.body()), expected, "paid", run.periodEnd());
            }
            runs.put(runId, built);
            Replays.awaitCommitted(service.aggregator, service.journal);
        }

        private void assertRun(final JsonNode run, final Map<String, Long> expected, final String status,
            final LocalDate periodEnd)
        {
            final Map<String, Long> lines = new TreeMap<>();
            long sum = 0;
            for (final JsonNode line : run.get("partners"))
            {
                assertFalse(lines.containsKey(line.get("partnerId").asText()), "one line per partner: " + run);
                lines.put(line.get("partnerId").asText(), line.get("amount").asLong());
                sum += line.get("amount").asLong();
            }
            if (null != expected)
            {
                assertEquals(expected, lines, "lines of the run for " + periodEnd);
            }
            assertEquals(sum, run.get("total").asLong(), "total of the run for " + periodEnd);
            assertEquals(status, run.get("status").asText(), "status of the run for " + periodEnd);
            assertEquals(PROGRAM, run.get("programId").asText());
            assertEquals(periodEnd.toString(), run.get("periodEnd").asText());
        }

        void assertRuns() throws Exception
        {
            assertEquals(model.runs.keySet(), runs.keySet(), "runs");
            final Map<String, Long> paidPerPartner = new TreeMap<>();
            for (final Map.Entry<String, Map<String, Long>> entry : model.runs.entrySet())
            {
                final String runId = entry.getKey();
                final LocalDate periodEnd = LocalDate.parse(runs.get(runId).get("periodEnd").asText());
                final JsonNode run = json.readTree(adminGet("/v1/payout-runs/" + runId));
                assertRun(run, entry.getValue(), "paid", periodEnd);
                for (final JsonNode line : run.get("partners"))
                {
                    paidPerPartner.merge(line.get("partnerId").asText(), line.get("amount").asLong(), Long::sum);
                }
                assertCsv(runId, periodEnd, entry.getValue());
            }
            for (final PartnerModel partner : model.partners)
            {
                final JsonNode ledger = json.readTree(adminGet("/v1/partners/" + partner.id + "/ledger"));
                assertEquals((long)paidPerPartner.getOrDefault(partner.id, 0L), ledger.get("paid").asLong(),
                    partner.id + ": paid equals the sum of its run lines");
            }
        }

        private void assertCsv(final String runId, final LocalDate periodEnd, final Map<String, Long> expected)
            throws Exception
        {
            final HttpResponse<String> response = service.admin.get("/v1/payout-runs/" + runId + "/export.csv");
            requests++;
            assertEquals(200, response.statusCode(), response.body());
            final String[] rows = response.body().split("\r\n");
            assertEquals("run_id,program_id,period_end,status,partner_id,name,email,payout_account,currency," +
                "amount_minor,amount", rows[0]);
            final Map<String, Long> lines = new TreeMap<>();
            for (int i = 1; i < rows.length; i++)
            {
                final String[] cells = rows[i].split(",", -1);
                assertEquals(11, cells.length, rows[i]);
                final int p = Integer.parseInt(cells[4].substring(1));
                assertEquals(List.of(runId, PROGRAM, periodEnd.toString(), "paid", partnerId(p), name(p), email(p),
                    payoutAccount(p), "USD", cells[9], BigDecimal.valueOf(Long.parseLong(cells[9]), 2).toPlainString()),
                    Arrays.asList(cells), "CSV row of " + runId);
                lines.put(cells[4], Long.parseLong(cells[9]));
            }
            assertEquals(expected, lines, "CSV lines of " + runId);
        }

        void assertAllPartners(final String when, final boolean withTimeline) throws Exception
        {
            final List<Executable> checks = new ArrayList<>();
            for (final PartnerModel partner : model.partners)
            {
                final JsonNode view = json.readTree(adminGet("/v1/partners/" + partner.id));
                final List<JsonNode> entries = new ArrayList<>();
                JsonNode ledger;
                long after = 0;
                do
                {
                    ledger = json.readTree(adminGet("/v1/partners/" + partner.id + "/ledger?after=" + after +
                        "&limit=500"));
                    for (final JsonNode entry : ledger.get("entries"))
                    {
                        entries.add(entry);
                        after = entry.get("seq").asLong();
                    }
                }
                while (500 == ledger.get("entries").size());
                final JsonNode balances = ledger;
                checks.add(() -> assertEquals(TIERS[partner.tier].name(), view.get("tier").asText(),
                    partner.id + " tier " + when));
                checks.add(() -> assertBalances(partner, balances, entries, when));
                checks.add(() -> assertSameLines(partner.entries, actualEntries(entries),
                    partner.id + " ledger entries " + when));
                if (withTimeline)
                {
                    final JsonNode timeline = json.readTree(adminGet("/v1/partners/" + partner.id +
                        "/timeline?limit=1000"));
                    final List<String> changes = new ArrayList<>();
                    for (final JsonNode event : timeline.get("events"))
                    {
                        final String type = event.get("type").asText();
                        if (type.startsWith("tier."))
                        {
                            final JsonNode data = event.get("data");
                            changes.add(0, type + " " + event.get("time").asText() + " " + data.get("from").asText() +
                                "->" + data.get("to").asText() + " (" + data.get("reason").asText() + ")");
                        }
                    }
                    checks.add(() -> assertSameLines(partner.tierChanges, changes,
                        partner.id + " tier changes " + when));
                    if (null != partner.tierSince)
                    {
                        checks.add(() -> assertEquals(partner.tierSince, view.path("tierSince").asText(null),
                            partner.id + " tierSince " + when));
                    }
                    final LocalDate today = LocalDate.ofEpochDay(model.today);
                    checks.add(() -> assertEquals(today.withDayOfMonth(1).plusMonths(1).toString(),
                        view.path("nextTierReview").asText(null), partner.id + " nextTierReview " + when));
                }
            }
            assertAll("partners " + when, checks);
        }

        private static void assertBalances(final PartnerModel partner, final JsonNode ledger,
            final List<JsonNode> entries, final String when)
        {
            final Map<String, Long> actual = new TreeMap<>();
            final Map<String, Long> sums = new TreeMap<>();
            for (final String balance : partner.balances.keySet())
            {
                actual.put(balance, ledger.get(balance).asLong());
                sums.put(balance, 0L);
            }
            for (final JsonNode entry : entries)
            {
                final String type = entry.get("type").asText();
                final long amount = entry.get("amount").asLong();
                if ("reversal".equals(type) || "clawback".equals(type))
                {
                    assertTrue(amount < 0, partner.id + ": a refund never produces a positive entry: " + entry);
                }
                assertTrue(0 != amount, partner.id + ": no zero entries: " + entry);
                sums.merge(entry.get("to").asText(), amount, Long::sum);
                if (!entry.get("from").isNull())
                {
                    assertTrue(amount > 0, partner.id + ": a move is positive: " + entry);
                    sums.merge(entry.get("from").asText(), -amount, Long::sum);
                }
            }
            assertEquals(partner.balances, actual, partner.id + " balances " + when);
            assertEquals(actual, sums, partner.id + " balances are the sums of the entries " + when);
        }

        private static List<String> actualEntries(final List<JsonNode> entries)
        {
            final List<String> lines = new ArrayList<>();
            long seq = 0;
            for (final JsonNode entry : entries)
            {
                assertEquals(++seq, entry.get("seq").asLong(), "entries are numbered from 1 without gaps: " + entry);
                lines.add(entryLine(entry.get("date").asText(), entry.get("type").asText(),
                    entry.get("amount").asLong(), text(entry.get("from")), text(entry.get("to")),
                    text(entry.get("externalId")), text(entry.get("runId"))));
            }
            return lines;
        }

        private static String text(final JsonNode node)
        {
            return null == node || node.isNull() ? "null" : node.asText();
        }

        private String adminGet(final String path) throws Exception
        {
            requests++;
            return service.admin.getOk(path);
        }

        private URI edge(final String path)
        {
            return URI.create("http://127.0.0.1:" + service.tracker.port() + path);
        }
    }

    private static void assertSameLines(final List<String> expected, final List<String> actual, final String what)
    {
        final int common = Math.min(expected.size(), actual.size());
        for (int i = 0; i < common; i++)
        {
            if (!expected.get(i).equals(actual.get(i)))
            {
                fail(what + ": first difference at #" + (i + 1) + " of " + expected.size() + " expected / " +
                    actual.size() + " actual\n  expected: " + window(expected, i) + "\n  actual:   " +
                    window(actual, i));
            }
        }
        if (expected.size() != actual.size())
        {
            fail(what + ": " + expected.size() + " expected, " + actual.size() + " actual; extra: " +
                (expected.size() > actual.size() ? expected.subList(common, Math.min(expected.size(), common + 5)) :
                actual.subList(common, Math.min(actual.size(), common + 5))));
        }
    }

    private static List<String> window(final List<String> lines, final int at)
    {
        return lines.subList(Math.max(0, at - 2), Math.min(lines.size(), at + 3));
    }

    private static String linkCode(final int partner)
    {
        return String.format("l%02d", partner);
    }

    private static String name(final int partner)
    {
        return String.format("Partner %02d", partner);
    }

    private static String email(final int partner)
    {
        return String.format("p%02d@partners.example.com", partner);
    }

    private static String payoutAccount(final int partner)
    {
        return String.format("acct-p%02d", partner);
    }
}
