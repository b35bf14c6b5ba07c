package dev.ricochet.ops;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.ingest.Journal;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.Await;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The auditor's check of the money and the figures (issue 17): a model written from docs/partners.md, docs/reports.md,
 * docs/import-export.md, docs/commissions-and-payouts.md and docs/money.md alone, against the real service driven over
 * HTTP on a test clock: statuses between click and sale, held commissions of a suspended partner across payout runs,
 * a tier pin raising the rate before a refund of an earlier sale, a pin lapsing, an import changing a partner's
 * percent mid-period, and the program's overview == the partners' stats == the partners export == the conversions
 * and ledger exports, to the cent; replay byte-identical.
 *
 * <p>The program pays 10% (bronze), 15% from 500.00 in 30 days (silver), 20% from 1,000.00 (gold), reviews daily,
 * approves at once (holdDays 0) and pays any approved balance. The clock starts on Thursday 2026-03-12.
 */
class ProgramFiguresAuditSystemTest
{
    private static final String PROGRAM = "audit";
    private static final String API_KEY = "figures-audit-program-key";
    private static final Instant START = Instant.parse("2026-03-12T10:15:00Z");
    private static final long DAY_MS = 86_400_000L;
    private static final long HOUR_MS = 3_600_000L;
    private static final List<String> COUNTERS = List.of("clicks", "uniqueClicks", "leads", "sales", "revenue",
        "commission");

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicLong clock = new AtomicLong(START.toEpochMilli());
    private final Set<String> links = new HashSet<>();
    private ServiceFixture service;
    private AdminClient admin;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get);
        admin = service.admin;
        admin.putOk("/v1/programs/" + PROGRAM, "{\"name\":\"Audit\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"holdDays\":0,\"minPayout\":0,\"tierReview\":\"daily\",\"fraud\":{\"minClickToConversionSeconds\":0}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
            "{\"name\":\"silver\",\"minRevenue\":50000,\"windowDays\":30,\"commissionPercent\":\"15\"}," +
            "{\"name\":\"gold\",\"minRevenue\":100000,\"windowDays\":30,\"commissionPercent\":\"20\"}]," +
            "\"secrets\":{\"apiKey\":\"" + API_KEY + "\"}}");
        partner("ann", "active", "");
    }

    @AfterEach
    void stop()
    {
        if (null != service)
        {
            service.close();
        }
    }

    @Test
    void shouldCreditNobodyForAClickOfAPartnerPausedBeforeTheSale() throws Exception
    {
        // Given a shopper clicked pau's link while pau was active, and pau was then paused
        partner("pau", "active", "");
        final String clickId = click("pau-1");
        partner("pau", "paused", "");

        // When the shopper buys through that click
        sale("order-1", 10_000, clickId);

        // Then pau counts the click but no sale and earns nothing (the status at the conversion decides)
        final JsonNode stats = stats("pau", START);
        assertAll(
            () -> assertEquals(1, stats.get("clicks").asLong(), stats.toString()),
            () -> assertEquals(0, stats.get("sales").asLong(), stats.toString()),
            () -> assertEquals(0, ledger("pau").get("entries").size()),
            () -> assertEquals(0, overview(START, START).get("totals").get("sales").asLong()));
    }

    @Test
    void shouldHoldASuspendedPartnersNewCommissionAndPayOnlyItsApprovedBalanceOnceActive() throws Exception
    {
        // Given sus earned 10.00, was suspended, and earned 20.00 more while suspended
        partner("sus", "active", "");
        sale("order-1", 10_000, click("sus-1"));
        partner("sus", "suspended", ",\"statusReason\":\"odd traffic\"");
        sale("order-2", 20_000, click("sus-1"));

        // When a run is built and paid while suspended, then sus is active again and a run is built the next day
        final JsonNode suspendedRun = createRun();
        approveRun(suspendedRun);
        partner("sus", "active", ",\"statusReason\":\"cleared\"");
        enterDay(day(START) + 1);
        final JsonNode activeRun = createRun();

        // Then the first run left sus out, the second took the approved 10.00 only; the 20.00 stays held
        final JsonNode ledger = ledger("sus");
        assertAll(
            () -> assertEquals(0, suspendedRun.get("partners").size(), suspendedRun.toString()),
            () -> assertEquals(1_000, activeRun.get("total").asLong(), activeRun.toString()),
            () -> assertEquals(2_000, ledger.get("held").asLong(), ledger.toString()),
            () -> assertEquals(1_000, ledger.get("scheduled").asLong(), ledger.toString()),
            () -> assertEquals(0, ledger.get("approved").asLong(), ledger.toString()),
            () -> assertEquals(3_000, stats("sus", START).get("commission").asLong()));
    }

    @Test
    void shouldReverseWhatARejectedOrSuspendedPartnerEarnedWhenItsSaleIsRefunded() throws Exception
    {
        // Given ann earned 10.00 and was rejected; sus earned 20.00 while suspended (held)
        partner("sus", "suspended", ",\"statusReason\":\"odd traffic\"");
        sale("order-1", 10_000, click("ann-1"));
        sale("order-2", 20_000, click("sus-1"));
        partner("ann", "rejected", ",\"statusReason\":\"fake traffic\"");

        // When both sales are refunded, ann's in two parts
        refund("refund-1a", 2_500, "order-1");
        refund("refund-1b", 7_500, "order-1");
        refund("refund-2", 20_000, "order-2");

        // Then the refunds reversed what each earned, on the balance it is in (money earned stays, refunds still apply)
        final JsonNode ann = ledger("ann");
        final JsonNode sus = ledger("sus");
        assertAll(
            () -> assertEquals(List.of(1_000L, -250L, -750L), amounts(ann, "accrual", "reversal")),
            () -> assertEquals(0, ann.get("approved").asLong(), ann.toString()),
            () -> assertEquals(List.of(2_000L, -2_000L), amounts(sus, "accrual", "reversal")),
            () -> assertEquals(0, sus.get("held").asLong(), sus.toString()));
        assertFiguresAgree(START, START);
    }

    @Test
    void shouldReEvaluateAtOnceWithTodaysSalesWhenAPinIsRemoved() throws Exception
    {
        // Given ann, pinned to bronze without end, sold 1,000.00 today (gold's threshold) at bronze's 10%
        pin("ann", "bronze", "probation", null);
        sale("order-1", 100_000, click("ann-1"));
        final String pinnedTier = admin.getJson("/v1/partners/ann").get("tier").asText();

        // When the pin is removed and she sells 100.00 more
        final HttpResponse<String> removed = admin.send(admin.builder("/v1/partners/ann/tier-pin").DELETE());
        assertEquals(200, removed.statusCode(), removed.body());
        service.awaitCommitted();
        sale("order-2", 10_000, click("ann-1"));

        // Then she is gold at once (today's buckets count), the second sale earns 20%, the first keeps its 10%
        final JsonNode partner = admin.getJson("/v1/partners/ann");
        final JsonNode events = admin.getJson("/v1/partners/ann/timeline").get("events");
        assertAll(
            () -> assertEquals("bronze", pinnedTier),
            () -> assertEquals("gold", partner.get("tier").asText(), partner.toString()),
            () -> assertEquals("{\"from\":\"bronze\",\"to\":\"gold\",\"reason\":\"pin removed\"," +
                "\"until\":null}", events.get(0).get("data").toString(), events.toString()),
            () -> assertEquals(List.of(10_000L, 2_000L), amounts(ledger("ann"), "accrual")));
        assertFiguresAgree(START, START);
    }

    @Test
    void shouldExportOneConversionRowPerPartnerItCredits() throws Exception
    {
        // Given a shopper clicked ann's link, then bob's, and bought through bob's click (last click: bob alone)
        partner("bob", "active", "");
        final String cookie = ServiceFixture.visitorCookie(service.click("ann-1", null)).orElseThrow();
        clock.addAndGet(60_000);
        final String lastClick = ServiceFixture.clickId(service.click("bob-1", cookie));
        sale("order-1", 10_000, lastClick);

        // When the conversions are exported
        final List<Map<String, String>> rows = csv(admin.getOk("/v1/programs/" + PROGRAM +
            "/conversions/export.csv?from=" + date(START) + "&to=" + date(START)));

        // Then the file holds bob's row only, with the whole credit and his commission: ann, listed on the path with a
        // zero share and no commission (docs/money.md), is not credited by it
        assertAll(
            () -> assertEquals(1, rows.size(), rows.toString()),
            () -> assertEquals("bob", rows.get(0).get("partnerId")),
            () -> assertEquals("10000", rows.get(0).get("credit")),
            () -> assertEquals("1000", rows.get(0).get("commissionAmount")));
        assertFiguresAgree(START, START);
    }

    @Test
    void shouldReverseTheRateASaleEarnedWhenAPinRaisedTheRateBeforeItsRefundAndLapseAfterUntil() throws Exception
    {
        // Given ann earned 10% of a sale, was pinned to gold through tomorrow, and earned 20% of a second sale
        final int today = day(START);
        sale("order-1", 10_000, click("ann-1"));
        pin("ann", "gold", "launch", LocalDate.ofEpochDay(today + 1).toString());
        sale("order-2", 10_000, click("ann-1"));

        // When the first sale is refunded whole, and the clock enters the second day after the pin's last
        refund("refund-1", 10_000, "order-1");
        enterDay(today + 1);
        final JsonNode pinned = admin.getJson("/v1/partners/ann");
        enterDay(today + 2);

        // Then the refund reversed the 10.00 the first sale earned, not 20% of it, and the pin ended on its own day
        final JsonNode ledger = ledger("ann");
        final JsonNode partner = admin.getJson("/v1/partners/ann");
        final JsonNode events = admin.getJson("/v1/partners/ann/timeline").get("events");
        assertAll(
            () -> assertEquals(2_000, ledger.get("approved").asLong(), ledger.toString()),
            () -> assertEquals(List.of(1_000L, 2_000L, -1_000L), amounts(ledger, "accrual", "reversal")),
            () -> assertEquals(2_000, stats("ann", START).get("commission").asLong()),
            () -> assertEquals("gold", pinned.get("tier").asText(), pinned.toString()),
            () -> assertEquals("bronze", partner.get("tier").asText(), partner.toString()),
            () -> assertTrue(partner.get("tierPin").isNull(), partner.toString()),
            () -> assertEquals("tier.unpinned", events.get(0).get("type").asText(), events.toString()),
            () -> assertEquals(LocalDate.ofEpochDay(today + 2).toString(),
                events.get(0).get("time").asText().substring(0, 10), events.toString()));
        assertFiguresAgree(START, Instant.ofEpochMilli((today + 2) * DAY_MS));
    }

    @Test
    void shouldEarnAnImportedPercentFromTheImportOnAndKeepWhatEarlierSalesEarned() throws Exception
    {
        // Given ann earned 10% of a sale
        sale("order-1", 10_000, click("ann-1"));

        // When an import sets her percent to 12.5 and she sells 100.01, then the first sale is refunded in half
        final HttpResponse<String> imported = admin.send(admin.builder("/v1/programs/" + PROGRAM +
            "/partners/import").header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofString(
            "id,name,commissionPercent\r\nann,Partner ann,12.5\r\n")));
        assertEquals(200, imported.statusCode(), imported.body());
        service.awaitCommitted();
        sale("order-2", 10_001, click("ann-1"));
        refund("refund-1", 5_000, "order-1");

        // Then 12.5% of 10001 is 1250.125, rounded half-even to 1250; the refund reverses half of the 10.00 earned
        final JsonNode ledger = ledger("ann");
        assertAll(
            () -> assertEquals(List.of(1_000L, 1_250L, -500L), amounts(ledger, "accrual", "reversal")),
            () -> assertEquals(1_750, ledger.get("approved").asLong(), ledger.toString()));
        assertFiguresAgree(START, START);
    }

    @Test
    void shouldAgreeOnEveryFigureAcrossAnIsoWeekAndThePreviousPeriod() throws Exception
    {
        // Given a previous period (Tue-Fri) with one sale, and a range from Saturday to Tuesday (two ISO weeks) with
        // sales by two partners, clicks without sales, and a refund on Tuesday of Sunday's sale
        partner("bob", "active", "");
        sale("order-0", 3_333, click("bob-1"));
        clock.addAndGet(2 * DAY_MS);
        final Instant from = Instant.ofEpochMilli(clock.get());
        sale("order-1", 12_345, click("ann-1"));
        click("ann-1");
        click("bob-1");
        clock.addAndGet(DAY_MS);
        sale("order-2", 777, click("bob-1"));
        clock.addAndGet(DAY_MS);
        sale("order-3", 50_001, click("ann-1"));
        for (int i = 0; i < 5; i++)
        {
            click("bob-1");
        }
        clock.addAndGet(DAY_MS);
        refund("refund-2", 500, "order-2");
        final Instant to = Instant.ofEpochMilli(clock.get());

        // Then every source of the figures agrees, and the change is computed from the previous period's figures
        final JsonNode overview = assertFiguresAgree(from, to);
        final JsonNode previous = overview.get("previous");
        assertAll(
            () -> assertEquals(3_333, previous.get("revenue").asLong(), previous.toString()),
            () -> assertEquals(change(overview.get("totals").get("revenue"), previous.get("revenue")),
                overview.get("change").get("revenue").decimalValue()),
            () -> assertEquals(2, overview.get("weekSeries").size()));

        // And the tier cohorts of both weeks add up to the weeks' figures (ann's upgrade to silver on Monday included)
        final JsonNode cohorts = json.readTree(admin.getOk("/v1/programs/" + PROGRAM +
            "/reports/tier-cohorts?weeks=2&to=" + date(to))).get("weeks");
        final JsonNode weeks = overview(Instant.parse("2026-03-09T00:00:00Z"), to).get("weekSeries");
        final List<Executable> checks = new ArrayList<>();
        for (int w = 0; w < 2; w++)
        {
            for (final String counter : List.of("leads", "sales", "revenue", "refunded", "commission"))
            {
                final long tiers = sum(cohorts.get(w).get("tiers"), counter);
                final long week = weeks.get(w).get(counter).asLong();
                checks.add(() -> assertEquals(week, tiers, "cohorts " + counter + " " + cohorts));
            }
        }
        // ann's Monday sale lifts her to silver: its revenue counts in bronze, its 15% (7500.15 -> 7500) in silver;
        // bob's refund on Tuesday reverses 500 of revenue and share(78, 500, 777) = 50 of commission in bronze
        final JsonNode bronze = cohorts.get(1).get("tiers").get(0);
        final JsonNode silver = cohorts.get(1).get("tiers").get(1);
        checks.add(() -> assertEquals(List.of(49_501L, 500L, -50L, 0L, 7_500L), List.of(bronze.get("revenue").asLong(),
            bronze.get("refunded").asLong(), bronze.get("commission").asLong(), silver.get("revenue").asLong(),
            silver.get("commission").asLong()), cohorts.toString()));
        assertAll(checks);
    }

    @Test
    void shouldCountAPartnerWithoutAStatusAsActiveInEveryReport() throws Exception
    {
        // Given dee, created without a status (active by default, docs/partners.md), and pen, pending
        admin.seedPartner(PROGRAM, "dee", "Dee", "dee-1");
        partner("pen", "pending", "");

        // When the journal enters the next ISO week (Monday 2026-03-16) and the reports are read
        enterDay(day(START) + 4);
        final String monday = "2026-03-16";
        final JsonNode activity = json.readTree(admin.getOk("/v1/programs/" + PROGRAM +
            "/reports/partners-activity?from=" + monday + "&to=" + monday));
        final JsonNode health = json.readTree(admin.getOk("/v1/programs/" + PROGRAM + "/reports/health"));
        final JsonNode cohorts = json.readTree(admin.getOk("/v1/programs/" + PROGRAM +
            "/reports/tier-cohorts?weeks=1&to=" + monday));
        final JsonNode atRisk = json.readTree(admin.getOk("/v1/programs/" + PROGRAM + "/at-risk"));

        // Then ann and dee are the active partners everywhere, pen nowhere
        assertAll(
            () -> assertEquals(2, activity.get("statusActive").asLong(), activity.toString()),
            () -> assertEquals(2, health.get("partners").asLong(), health.toString()),
            () -> assertEquals(2, atRisk.get("partners").size(), atRisk.toString()),
            () -> assertEquals(2, cohorts.get("weeks").get(0).get("tiers").get(0).get("partners").asLong(),
                cohorts.toString()));
    }

    @Test
    void shouldReplayStatusesPinsImportsAndRefundsIntoTheSameTables() throws Exception
    {
        // Given the scenarios above in one history
        final int today = day(START);
        partner("sus", "active", "");
        sale("order-1", 10_000, click("ann-1"));
        pin("ann", "gold", "launch", LocalDate.ofEpochDay(today).toString());
        sale("order-2", 10_000, click("ann-1"));
        partner("sus", "suspended", ",\"statusReason\":\"odd\"");
        sale("order-3", 10_000, click("sus-1"));
        refund("refund-1", 10_000, "order-1");
        enterDay(today + 1);
        partner("sus", "active", "");
        sale("order-4", 10_001, click("sus-1"));
        approveRun(createRun());
        service.close();
        service = null;

        // When a fresh aggregator replays the journal
        final Path replayDir = dataDir.resolve("replay");
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal"))))
        {
            try (Aggregator replay = Replays.replay(journal, replayDir, clock::get))
            {
                Await.committed(replay, journal);
            }
        }

        // Then the money and the figures are the same bytes
        final List<Executable> checks = new ArrayList<>();
        for (final Table table : List.of(Table.LEDGER, Table.COMMISSIONS, Table.COUNTERS, Table.PROGRAM_COUNTERS,
            Table.PAYOUT_RUNS, Table.TIMELINE, Table.PARTNER_STATE, Table.HELD_COMMISSIONS))
        {
            final Map<String, byte[]> original = Replays.table(dataDir, table);
            final Map<String, byte[]> replayed = Replays.table(replayDir, table);
            checks.add(() -> assertEquals(original.keySet(), replayed.keySet(), table + " keys"));
            for (final Map.Entry<String, byte[]> entry : original.entrySet())
            {
                checks.add(() -> assertArrayEquals(entry.getValue(), replayed.get(entry.getKey()),
                    table + " at " + entry.getKey()));
            }
        }
        assertAll(checks);
    }

    /**
     * The identities of docs/reports.md and docs/import-export.md over from..to: overview totals == the sum of the
     * partners' stats == the partners export's sums == the day and week series; the conversions export's credits and
     * commissions == the partners' revenue gross of refunds and commission; the ledger export == the partners'
     * ledgers' entries dated in the range.
     */
    private JsonNode assertFiguresAgree(final Instant from, final Instant to) throws Exception
    {
        service.awaitCommitted();
        final JsonNode overview = overview(from, to);
        final List<String> partners = links.stream().map(code -> code.substring(0, code.length() - 2)).sorted()
            .toList();
        final String range = "?from=" + date(from) + "&to=" + date(to);
        final List<Map<String, String>> exported = csv(admin.getOk("/v1/programs/" + PROGRAM +
            "/partners/export.csv" + range));
        final List<Map<String, String>> conversions = csv(admin.getOk("/v1/programs/" + PROGRAM +
            "/conversions/export.csv" + range));
        final List<Map<String, String>> ledgerRows = csv(service.finance.getOk("/v1/programs/" + PROGRAM +
            "/ledger/export.csv" + range));
        final List<Executable> checks = new ArrayList<>();
        long ledgerEntries = 0;
        for (final String counter : COUNTERS)
        {
            long statsSum = 0;
            for (final String partner : partners)
            {
                statsSum += stats(partner, from, to).get(counter).asLong();
            }
            final long expected = statsSum;
            final long exportSum = exported.stream().mapToLong(row -> Long.parseLong(row.get(counter))).sum();
            checks.add(() -> assertEquals(expected, overview.get("totals").get(counter).asLong(), "overview " +
                counter));
            checks.add(() -> assertEquals(expected, exportSum, "partners export " + counter));
            checks.add(() -> assertEquals(expected, sum(overview.get("daySeries"), counter), "days " + counter));
            checks.add(() -> assertEquals(expected, sum(overview.get("weekSeries"), counter), "weeks " + counter));
        }
        final JsonNode totals = overview.get("totals");
        checks.add(() -> assertEquals(ratio(totals, "commission", "clicks", 2), decimal(totals.get("epc")), "epc"));
        checks.add(() -> assertEquals(ratio(totals, "conversions", "clicks", 4), decimal(totals.get("conversionRate")),
            "conversionRate"));
        checks.add(() -> assertEquals(ratio(totals, "revenue", "sales", 2), decimal(totals.get("averageOrderValue")),
            "averageOrderValue"));
        final Map<String, Long> ledgerByPartner = new HashMap<>();
        for (final String partner : partners)
        {
            final JsonNode ledger = ledger(partner);
            long inRange = 0;
            for (final JsonNode entry : ledger.get("entries"))
            {
                final String date = entry.get("date").asText();
                if (date.compareTo(date(from)) >= 0 && date.compareTo(date(to)) <= 0)
                {
                    inRange += entry.get("amount").asLong();
                    ledgerEntries++;
                }
            }
            ledgerByPartner.put(partner, inRange);
            long converted = 0;
            for (final Map<String, String> row : conversions)
            {
                if (partner.equals(row.get("partnerId")))
                {
                    converted += Long.parseLong(row.get("credit"));
                }
            }
            final long credits = converted;
            final long exportedLedger = ledgerRows.stream().filter(row -> partner.equals(row.get("partnerId")))
                .filter(row -> !row.get("type").equals("approval") && !row.get("type").startsWith("payout"))
                .mapToLong(row -> Long.parseLong(row.get("amount"))).sum();
            final JsonNode stats = stats(partner, from, to);
            checks.add(() -> assertEquals(stats.get("revenue").asLong() + stats.get("refunded").asLong(), credits,
                "conversions export credits of " + partner));
            checks.add(() -> assertEquals(stats.get("commission").asLong(), exportedLedger,
                "ledger export accruals and reversals of " + partner));
        }
        final long entries = ledgerEntries;
        checks.add(() -> assertEquals(entries, ledgerRows.size(), "ledger export rows"));
        assertAll(checks);
        return overview;
    }

    private List<Long> amounts(final JsonNode ledger, final String... types)
    {
        final List<String> wanted = List.of(types);
        final List<Long> amounts = new ArrayList<>();
        for (final JsonNode entry : ledger.get("entries"))
        {
            if (wanted.contains(entry.get("type").asText()))
            {
                amounts.add(entry.get("amount").asLong());
            }
        }
        return amounts;
    }

    private static BigDecimal ratio(final JsonNode totals, final String numerator, final String denominator,
        final int scale)
    {
        final long divisor = totals.get(denominator).asLong();
        return 0 == divisor ? null : BigDecimal.valueOf(totals.get(numerator).asLong())
            .divide(BigDecimal.valueOf(divisor), scale, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    private static BigDecimal decimal(final JsonNode value)
    {
        return value.isNull() ? null : value.decimalValue().stripTrailingZeros();
    }

    private static BigDecimal change(final JsonNode current, final JsonNode previous)
    {
        final BigDecimal before = previous.decimalValue();
        return current.decimalValue().subtract(before).divide(before.abs(), 4, RoundingMode.HALF_UP);
    }

    private static long sum(final JsonNode series, final String counter)
    {
        long sum = 0;
        for (final JsonNode entry : series)
        {
            sum += entry.get(counter).asLong();
        }
        return sum;
    }

    private static List<Map<String, String>> csv(final String file)
    {
        final String[] lines = file.split("\r\n");
        final String[] header = lines[0].split(",", -1);
        final List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++)
        {
            final String[] cells = lines[i].split(",", -1);
            final Map<String, String> row = new HashMap<>();
            for (int c = 0; c < header.length; c++)
            {
                row.put(header[c], cells[c]);
            }
            rows.add(row);
        }
        return rows;
    }

    private static String date(final Instant instant)
    {
        return LocalDate.ofEpochDay(day(instant)).toString();
    }

    private static int day(final Instant instant)
    {
        return (int)Math.floorDiv(instant.toEpochMilli(), DAY_MS);
    }

    private JsonNode overview(final Instant from, final Instant to) throws Exception
    {
        service.awaitCommitted();
        return json.readTree(admin.getOk("/v1/programs/" + PROGRAM + "/reports/overview?from=" + date(from) +
            "&to=" + date(to)));
    }

    private JsonNode stats(final String partner, final Instant day) throws Exception
    {
        return stats(partner, day, day);
    }

    private JsonNode stats(final String partner, final Instant from, final Instant to) throws Exception
    {
        service.awaitCommitted();
        return json.readTree(admin.getOk("/v1/partners/" + partner + "/stats?from=" + date(from) + "&to=" +
            date(to)));
    }

    private void partner(final String id, final String status, final String extra) throws Exception
    {
        admin.putOk("/v1/partners/" + id, "{\"programId\":\"" + PROGRAM + "\",\"name\":\"Partner " + id +
            "\",\"status\":\"" + status + "\"" + extra + "}");
        if (links.add(id + "-1"))
        {
            admin.seedLink(id + "-1", id);
        }
        service.awaitCommitted();
    }

    private void pin(final String id, final String tier, final String reason, final String until) throws Exception
    {
        final HttpResponse<String> response = admin.post("/v1/partners/" + id + "/tier-pin", "{\"tier\":\"" + tier +
            "\",\"reason\":\"" + reason + "\",\"until\":" + (null == until ? "null" : "\"" + until + "\"") + "}");
        assertEquals(200, response.statusCode(), response.body());
        service.awaitCommitted();
    }

    private JsonNode ledger(final String id) throws Exception
    {
        service.awaitCommitted();
        return json.readTree(service.finance.getOk("/v1/partners/" + id + "/ledger"));
    }

    private JsonNode createRun() throws Exception
    {
        final HttpResponse<String> response = admin.post("/v1/programs/" + PROGRAM + "/payout-runs", "");
        assertEquals(201, response.statusCode(), response.body());
        service.awaitCommitted();
        return json.readTree(response.body());
    }

    private void approveRun(final JsonNode run) throws Exception
    {
        final HttpResponse<String> response = service.finance.post("/v1/payout-runs/" + run.get("id").asText() +
            "/approve", "");
        assertEquals(200, response.statusCode(), response.body());
        service.awaitCommitted();
    }

    private void enterDay(final int day) throws Exception
    {
        clock.set(day * DAY_MS + HOUR_MS);
        final String date = LocalDate.ofEpochDay(day).toString();
        Await.until("the ledger reaches " + date, () ->
        {
            try
            {
                return date.equals(ledger("ann").path("asOf").asText(null));
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        service.awaitCommitted();
    }

    private String click(final String code) throws Exception
    {
        return ServiceFixture.clickId(service.click(code, null));
    }

    private void sale(final String externalId, final long amount, final String clickId) throws Exception
    {
        send("{\"programId\":\"" + PROGRAM + "\",\"externalId\":\"" + externalId + "\"," +
            "\"kind\":\"sale\",\"amount\":" + amount + ",\"currency\":\"USD\",\"clickId\":\"" + clickId + "\"}");
    }

    private void refund(final String externalId, final long amount, final String original) throws Exception
    {
        send("{\"programId\":\"" + PROGRAM + "\",\"externalId\":\"" + externalId + "\",\"kind\":\"refund\"," +
            "\"amount\":" + amount + ",\"originalExternalId\":\"" + original + "\"}");
    }

    private void send(final String body) throws Exception
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.edge("/v1/conversions"))
            .header("Authorization", "Bearer " + API_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), body + " -> " + response.body());
        service.awaitCommitted();
    }
}
