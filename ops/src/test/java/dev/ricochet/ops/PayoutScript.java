package dev.ricochet.ops;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The script of the payout history: what happens on each of the program's days (clicks, sales, leads, recurring
 * invoices, refunds, payout runs), generated once from a fixed seed, plus hand-placed cases; and the program it runs
 * against (three tiers, twenty partners of different habits).
 */
final class PayoutScript
{
    static final LocalDate START = LocalDate.parse("2026-01-05");
    static final int HISTORY_DAYS = 120;
    static final int REPLAY_DAYS = 60;
    static final int PARTNERS = 20;
    static final long DAY_MS = 86_400_000L;
    static final long HOUR_MS = 3_600_000L;
    static final long STEP_MS = 20_000L;
    static final String PROGRAM = "shop";
    static final String API_KEY = "history-program-api-key";
    static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";
    static final int ATTRIBUTION_WINDOW_DAYS = 30;
    static final int HOLD_DAYS = 14;
    static final long MIN_PAYOUT = 5000;
    static final int RECURRING_MONTHS = 12;
    static final Tier[] TIERS =
    {
        new Tier("bronze", null, null, 0, "7.5", 150),
        new Tier("silver", 8, null, 30, "12.5", 300),
        new Tier("gold", 20, 400_000L, 45, "15", 450),
    };
    static final int[] PAYOUT_DAYS = { 45, 75, 105 };

    record Tier(
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

    sealed interface Action permits Click, Conversion, PayoutRun
    {
    }

    /**
     * A shopper follows a partner's link; {@code ref} names the click for later conversions.
     */
    record Click(int partner, String ref) implements Action
    {
    }

    /**
     * The checkout reports a conversion; {@code clickRef} names an earlier click (its id is only known at run time).
     */
    record Conversion(
        String kind, String externalId, long amount, String clickRef, String customerId, String originalExternalId)
        implements Action
    {
    }

    /**
     * The program manager builds a payout run and finance approves it; {@code refundBeforeApproval}, if any, arrives
     * between the two.
     */
    record PayoutRun(
        LocalDate periodEnd, boolean askTwiceBeforeApproval, boolean askAgainAfterApproval,
        Conversion refundBeforeApproval)
        implements Action
    {
    }

    record Sale(int partner, int day, String externalId, long amount)
    {
    }

    enum Profile
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

    static final Profile[] PROFILES =
    {
        Profile.STAR, Profile.STAR, Profile.WHALE, Profile.WHALE, Profile.STEADY, Profile.STEADY, Profile.STEADY,
        Profile.FADER, Profile.FADER, Profile.LATE_BLOOMER, Profile.LATE_BLOOMER, Profile.SEASONAL, Profile.SEASONAL,
        Profile.CASUAL, Profile.CASUAL, Profile.CASUAL, Profile.LEAD_GEN, Profile.SUBSCRIBER, Profile.SUBSCRIBER,
        Profile.DORMANT,
    };

    // Odd amounts, and amounts whose commission is exactly half a cent at 7.5% (2100, 2300), 12.5% (2020, 2028)
    // and 15% (4990, 5010, 10): half-even rounding decides them.
    static final long[] ORDINARY_AMOUNTS =
        { 1999, 4999, 12345, 2100, 2300, 2020, 2028, 4990, 5010, 7777, 15999, 999, 3333, 24999, 10 };
    static final long[] BIG_AMOUNTS = { 87654, 99999, 120001, 149995, 134567 };
    static final long[] INVOICE_AMOUNTS = { 2999, 4999, 9999, 1499 };

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

    private PayoutScript(final int dayCount)
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

    static PayoutScript generate(final int dayCount)
    {
        final PayoutScript script = new PayoutScript(dayCount);
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
            !refunded.contains(s.externalId())).max(Comparator.comparingLong(Sale::amount)).orElseThrow();
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

    static String partnerId(final int partner)
    {
        return String.format("p%02d", partner);
    }

    static int epochDay(final long timeMs)
    {
        return (int)Math.floorDiv(timeMs, DAY_MS);
    }

    static LocalDate dateOf(final int day)
    {
        return START.plusDays(day);
    }

    static String linkCode(final int partner)
    {
        return String.format("l%02d", partner);
    }

    static String name(final int partner)
    {
        return String.format("Partner %02d", partner);
    }

    static String email(final int partner)
    {
        return String.format("p%02d@partners.example.com", partner);
    }

    static String payoutAccount(final int partner)
    {
        return String.format("acct-p%02d", partner);
    }
}
