package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.ops.PayoutModel.PartnerModel;
import dev.ricochet.ops.PayoutModel.Stats;
import dev.ricochet.ops.PayoutScript.Action;
import dev.ricochet.ops.PayoutScript.Click;
import dev.ricochet.ops.PayoutScript.Conversion;
import dev.ricochet.ops.PayoutScript.PayoutRun;
import dev.ricochet.ops.PayoutScript.Tier;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.Await;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.function.Executable;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static dev.ricochet.ops.PayoutModel.entryLine;
import static dev.ricochet.ops.PayoutScript.API_KEY;
import static dev.ricochet.ops.PayoutScript.ATTRIBUTION_WINDOW_DAYS;
import static dev.ricochet.ops.PayoutScript.BROWSER;
import static dev.ricochet.ops.PayoutScript.DAY_MS;
import static dev.ricochet.ops.PayoutScript.HOLD_DAYS;
import static dev.ricochet.ops.PayoutScript.HOUR_MS;
import static dev.ricochet.ops.PayoutScript.MIN_PAYOUT;
import static dev.ricochet.ops.PayoutScript.PARTNERS;
import static dev.ricochet.ops.PayoutScript.PROGRAM;
import static dev.ricochet.ops.PayoutScript.RECURRING_MONTHS;
import static dev.ricochet.ops.PayoutScript.STEP_MS;
import static dev.ricochet.ops.PayoutScript.TIERS;
import static dev.ricochet.ops.PayoutScript.dateOf;
import static dev.ricochet.ops.PayoutScript.email;
import static dev.ricochet.ops.PayoutScript.epochDay;
import static dev.ricochet.ops.PayoutScript.linkCode;
import static dev.ricochet.ops.PayoutScript.name;
import static dev.ricochet.ops.PayoutScript.partnerId;
import static dev.ricochet.ops.PayoutScript.payoutAccount;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The driver of the payout history: plays the script day by day through the public HTTP APIs of the real service on
 * a test clock, keeps the model in step, and compares the service's answers with it.
 */
final class PayoutHistory
{
    final ServiceFixture service;
    final AtomicLong clock;
    final PayoutModel model = new PayoutModel();
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
    PayoutHistory(final ServiceFixture service, final AtomicLong clock, final boolean isCheckedAgainstModel)
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

    void play(final PayoutScript script, final int dayCount) throws Exception
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
            Await.committed(service.aggregator, service.journal);
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
        Await.committed(service.aggregator, service.journal);
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
        Await.committed(service.aggregator, service.journal);
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
        Await.committed(service.aggregator, service.journal);
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

    static void assertCoverage(final PayoutModel model, final int runs)
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

    static void assertSameLines(final List<String> expected, final List<String> actual, final String what)
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

    static List<String> window(final List<String> lines, final int at)
    {
        return lines.subList(Math.max(0, at - 2), Math.min(lines.size(), at + 3));
    }
}
