package dev.ricochet.ops;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The program reports (issue 17 item 6, docs/reports.md) over HTTP on the real service, on a test clock: what they
 * answer must be what the partners' own stats add up to.
 *
 * <p>Program "shop": bronze 10%, silver 15% from 3 conversions in 30 days (reviewed daily); ann, bob and cat, one
 * link each; cat never does anything. The clock starts on Monday 2026-03-09.
 */
class ProgramReportsSystemTest
{
    private static final String API_KEY = "reports-test-program-key-0123";
    private static final long DAY_MS = 86_400_000L;
    private static final Instant MONDAY = Instant.parse("2026-03-09T10:00:00Z");
    private static final List<String> COUNTERS = List.of("clicks", "uniqueClicks", "botClicks", "previews", "leads",
        "sales", "revenue", "refunded", "commission");

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private final AtomicLong clock = new AtomicLong(MONDAY.toEpochMilli());
    private ServiceFixture service;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get);
        service.admin.putOk("/v1/programs/shop", "{\"name\":\"Shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"tierReview\":\"daily\",\"fraud\":{\"minClickToConversionSeconds\":0}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
            "{\"name\":\"silver\",\"minConversions\":3,\"windowDays\":30,\"commissionPercent\":\"15\"}]," +
            "\"secrets\":{\"apiKey\":\"" + API_KEY + "\"}}");
        for (final String partner : List.of("ann", "bob", "cat"))
        {
            service.admin.putOk("/v1/partners/" + partner,
                "{\"programId\":\"shop\",\"name\":\"" + partner + "\",\"status\":\"active\"}");
            service.admin.seedLink(partner + "-1", partner);
        }
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
    void overviewTotalsAreTheSumOfThePartnersStatsForTheSameRange() throws Exception
    {
        // Given a week of clicks and conversions over a weekend and the next Monday
        playAWeekend();

        // When the overview and every partner's stats cover the same range
        final JsonNode overview = get("/v1/programs/shop/reports/overview?from=2026-03-09&to=2026-03-16");

        // Then each total is the partners' sum, and also the sum of the day series and of the week series
        for (final String counter : COUNTERS)
        {
            long partners = 0;
            for (final String partner : List.of("ann", "bob", "cat"))
            {
                partners += get("/v1/partners/" + partner + "/stats?from=2026-03-09&to=2026-03-16").get(counter)
                    .asLong();
            }
            assertEquals(partners, overview.get("totals").get(counter).asLong(), counter);
            assertEquals(partners, sum(overview.get("daySeries"), counter), counter + " over days");
            assertEquals(partners, sum(overview.get("weekSeries"), counter), counter + " over weeks");
        }
        assertEquals(9, overview.get("totals").get("clicks").asLong());
        assertEquals(45_000, overview.get("totals").get("revenue").asLong());
        assertEquals(8, overview.get("daySeries").size());
    }

    @Test
    void ratiosAreComputedFromTheSumsAndRoundedHalfUp() throws Exception
    {
        // Given 3 clicks and 2 sales of 100.00 and 50.01 on one day
        final String clickId = click("ann-1");
        click("ann-1");
        click("ann-1");
        sale("o-1", 10_000, clickId);
        sale("o-2", 5_001, clickId);
        service.awaitCommitted();

        // When the overview covers that day
        final JsonNode totals = get("/v1/programs/shop/reports/overview?from=2026-03-09&to=2026-03-09")
            .get("totals");

        // Then conversion rate = 2/3, EPC = commission / 3 clicks, AOV = 15001 / 2 sales
        assertDecimal("0.6667", totals.get("conversionRate"));
        assertEquals(1_500, totals.get("commission").asLong());
        assertDecimal("500.00", totals.get("epc"));
        assertDecimal("7500.50", totals.get("averageOrderValue"));
        assertEquals(0, BigDecimal.valueOf(totals.get("commission").asLong()).divide(BigDecimal.valueOf(3), 2,
            RoundingMode.HALF_UP).compareTo(totals.get("epc").decimalValue()));
        // As written: plain JSON numbers, never in exponent form
        final String body = service.admin.get("/v1/programs/shop/reports/overview?from=2026-03-09&to=2026-03-09")
            .body();
        assertTrue(body.contains("\"epc\":500.0,") && body.contains("\"averageOrderValue\":7500.5}"), body);
    }

    @Test
    void ratiosWithoutTheirDivisorAreNullAndThePreviousPeriodIsTheSameLengthBefore() throws Exception
    {
        // Given a sale on Tuesday and nothing on the Monday before
        clock.addAndGet(DAY_MS);
        sale("o-1", 10_000, click("bob-1"));
        service.awaitCommitted();

        // When the overview covers Tuesday alone
        final JsonNode overview = get("/v1/programs/shop/reports/overview?from=2026-03-10&to=2026-03-10");

        // Then the previous period is Monday, empty: its ratios are null, and so is every change against it
        assertEquals("2026-03-09", overview.get("previous").get("from").asText());
        assertEquals("2026-03-09", overview.get("previous").get("to").asText());
        assertTrue(overview.get("previous").get("conversionRate").isNull());
        assertTrue(overview.get("previous").get("averageOrderValue").isNull());
        assertTrue(overview.get("change").get("revenue").isNull());
        assertDecimal("10000.00", overview.get("totals").get("averageOrderValue"));
    }

    @Test
    void weekSeriesRunMondayToSundayAndAreCutToTheRange() throws Exception
    {
        // Given activity on Saturday, Sunday and the next Monday
        playAWeekend();

        // When the range runs from the Saturday to the Monday
        final JsonNode weeks = get("/v1/programs/shop/reports/overview?from=2026-03-14&to=2026-03-16")
            .get("weekSeries");

        // Then there are two weeks: Saturday-Sunday of the week of 2026-03-09, and Monday 2026-03-16 alone
        assertEquals(2, weeks.size());
        assertEquals("2026-03-09", weeks.get(0).get("weekStart").asText());
        assertEquals("2026-03-14", weeks.get(0).get("from").asText());
        assertEquals("2026-03-15", weeks.get(0).get("to").asText());
        assertEquals(2, weeks.get(0).get("days").asInt());
        assertEquals("2026-03-16", weeks.get(1).get("weekStart").asText());
        assertEquals(1, weeks.get(1).get("days").asInt());
        assertEquals(7, weeks.get(0).get("clicks").asLong());
        assertEquals(2, weeks.get(1).get("clicks").asLong());
    }

    @Test
    void tierCohortsFollowATierChange() throws Exception
    {
        // Given ann's third sale on Friday lifts her to silver, and her fourth on Saturday is a silver sale
        clock.addAndGet(4 * DAY_MS);
        for (int i = 1; i <= 3; i++)
        {
            sale("o-" + i, 10_000, click("ann-1"));
        }
        clock.addAndGet(DAY_MS);
        sale("o-4", 10_000, click("ann-1"));
        // and the journal enters the next week (Monday 2026-03-16)
        clock.addAndGet(2 * DAY_MS);
        click("bob-1");
        service.awaitCommitted();
        assertEquals("silver", get("/v1/partners/ann").get("tier").asText());

        // When the cohorts of the two weeks are read
        final JsonNode weeks = get("/v1/programs/shop/reports/tier-cohorts?weeks=2&to=2026-03-16").get("weeks");

        // Then the first week's revenue is split at the upgrade (the third sale counts before it) ...
        final JsonNode first = weeks.get(0).get("tiers");
        assertEquals("bronze", first.get(0).get("tier").asText());
        assertEquals(30_000, first.get(0).get("revenue").asLong());
        assertEquals(3, first.get(0).get("sales").asLong());
        assertEquals(10_000, first.get(1).get("revenue").asLong());
        // ... and no partners were recorded for it (the program began inside it)
        assertFalse(weeks.get(0).get("partnersRecorded").asBoolean());
        // And the second week began with ann in silver and bob and cat in bronze
        final JsonNode second = weeks.get(1).get("tiers");
        assertTrue(weeks.get(1).get("partnersRecorded").asBoolean());
        assertEquals(2, second.get(0).get("partners").asLong());
        assertEquals(1, second.get(1).get("partners").asLong());
        // And the tiers' commissions add up to the week's commission in the overview
        final JsonNode week = get("/v1/programs/shop/reports/overview?from=2026-03-09&to=2026-03-15")
            .get("totals");
        assertEquals(week.get("commission").asLong(),
            first.get(0).get("commission").asLong() + first.get(1).get("commission").asLong());
    }

    @Test
    void topPartnersAndActivityCountEachPartnerOnce() throws Exception
    {
        // Given ann and bob active over a weekend, cat never
        playAWeekend();

        // When partners are ranked by revenue and by clicks over a range the weeks cut
        final JsonNode byRevenue = get("/v1/programs/shop/reports/top-partners?metric=revenue&from=2026-03-13" +
            "&to=2026-03-16").get("items");
        final JsonNode byClicks = get("/v1/programs/shop/reports/top-partners?metric=clicks&from=2026-03-13" +
            "&to=2026-03-16&limit=1").get("items");
        final JsonNode activity = get("/v1/programs/shop/reports/partners-activity?from=2026-03-09" +
            "&to=2026-03-16&dormantDays=2");

        // Then the ranking matches their stats, and only cat is inactive
        assertEquals(2, byRevenue.size());
        assertEquals("ann", byRevenue.get(0).get("partnerId").asText());
        assertEquals(get("/v1/partners/ann/stats?from=2026-03-13&to=2026-03-16").get("revenue").asLong(),
            byRevenue.get(0).get("revenue").asLong());
        assertEquals(1, byRevenue.get(0).get("rank").asInt());
        assertEquals(1, byClicks.size());
        assertEquals(2, activity.get("active").asLong());
        assertEquals(3, activity.get("statusActive").asLong());
        assertEquals(joinedBetween("2026-03-09", "2026-03-16"), activity.get("joined").asLong());
        // cat joined on 2026-03-09, before the window 03-15..03-16, and did nothing in it
        assertEquals(1, activity.get("dormant").asLong());
    }

    @Test
    void badRangesAndParametersAre400NamingTheField() throws Exception
    {
        final String base = "/v1/programs/shop/reports/";
        assertBad(base + "overview?from=2026-03-10&to=2026-03-09", "from");
        assertBad(base + "overview?from=2025-01-01&to=2026-03-09", "400 days");
        assertBad(base + "overview?from=2026-02-30", "from");
        assertBad(base + "overview?to=9999-01-01", "to");
        assertBad(base + "overview?bogus=1", "bogus");
        assertBad(base + "top-partners?metric=luck", "metric");
        assertBad(base + "top-partners?limit=101", "limit");
        assertBad(base + "tier-cohorts?weeks=0", "weeks");
        assertBad(base + "partners-activity?dormantDays=366", "dormantDays");
        assertBad(base + "health?threshold=-1", "threshold");
        assertEquals(404, service.admin.get("/v1/programs/nope/reports/overview").statusCode());
    }

    @Test
    void analystsReadReportsAndPartnersDoNot() throws Exception
    {
        final AdminClient analyst = new AdminClient(service.aggregator.adminPort(), ServiceFixture.ANALYST_TOKEN);
        assertEquals(200, analyst.get("/v1/programs/shop/reports/overview").statusCode());
        assertEquals(200, analyst.get("/v1/programs/shop/reports/health").statusCode());
        final String partnerToken = get("/v1/partners/ann/token").get("token").asText();
        final AdminClient partner = new AdminClient(service.aggregator.adminPort(), partnerToken);
        assertEquals(403, partner.get("/v1/programs/shop/reports/overview").statusCode());
    }

    @Test
    void healthCountsEveryActivePartnerInOneBand() throws Exception
    {
        playAWeekend();

        final JsonNode health = get("/v1/programs/shop/reports/health");

        long banded = 0;
        for (final JsonNode band : health.get("bands"))
        {
            banded += band.get("partners").asLong();
        }
        assertEquals(3, health.get("partners").asLong());
        assertEquals(3, banded);
        assertEquals(get("/v1/programs/shop/at-risk").get("partners").size(), health.get("atRisk").asLong());
    }

    @Test
    void replayRebuildsTheProgramCountersByteForByte() throws Exception
    {
        // Given a week of activity across a week boundary, committed
        playAWeekend();
        service.close();
        service = null;

        // When a fresh aggregator replays the whole journal into a new data directory
        final Path replayDir = dataDir.resolve("replay");
        Replays.replayJournal(dataDir, replayDir, clock::get);

        // Then the program counters hold the same keys with the same bytes
        final Map<String, byte[]> original = Replays.table(dataDir, Table.PROGRAM_COUNTERS);
        final Map<String, byte[]> replayed = Replays.table(replayDir, Table.PROGRAM_COUNTERS);
        assertFalse(original.isEmpty());
        assertEquals(original.keySet(), replayed.keySet());
        for (final Map.Entry<String, byte[]> entry : original.entrySet())
        {
            assertArrayEquals(entry.getValue(), replayed.get(entry.getKey()), "at key " + entry.getKey());
        }
    }

    /**
     * Saturday 2026-03-14: ann 3 clicks and a sale of 100.00, bob 2 clicks; Sunday: bob a click and a sale of 50.00,
     * ann a click; Monday 2026-03-16: ann a click and a sale of 300.00, bob a click and a lead (no amount). 9 clicks.
     */
    private void playAWeekend() throws Exception
    {
        clock.set(MONDAY.toEpochMilli() + 5 * DAY_MS);
        final String annSaturday = click("ann-1");
        click("ann-1");
        click("ann-1");
        sale("s-1", 10_000, annSaturday);
        click("bob-1");
        click("bob-1");
        clock.addAndGet(DAY_MS);
        sale("s-2", 5_000, click("bob-1"));
        click("ann-1");
        clock.addAndGet(DAY_MS);
        sale("s-3", 30_000, click("ann-1"));
        lead("l-1", click("bob-1"));
        service.awaitCommitted();
    }

    private String click(final String code) throws Exception
    {
        return ServiceFixture.clickId(service.click(code, null));
    }

    private void sale(final String externalId, final long amount, final String clickId) throws Exception
    {
        conversion("{\"programId\":\"shop\",\"externalId\":\"" + externalId + "\",\"kind\":\"sale\",\"amount\":" +
            amount + ",\"currency\":\"USD\",\"clickId\":\"" + clickId + "\"}");
    }

    private void lead(final String externalId, final String clickId) throws Exception
    {
        conversion("{\"programId\":\"shop\",\"externalId\":\"" + externalId + "\",\"kind\":\"lead\",\"clickId\":\"" +
            clickId + "\"}");
    }

    private void conversion(final String body) throws Exception
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(service.edge("/v1/conversions")).header("Authorization", "Bearer " + API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
    }

    private JsonNode get(final String path) throws Exception
    {
        final HttpResponse<String> response = service.admin.get(path);
        assertEquals(200, response.statusCode(), path + " " + response.body());
        return json.readTree(response.body());
    }

    private static void assertDecimal(final String expected, final JsonNode actual)
    {
        assertEquals(0, new BigDecimal(expected).compareTo(actual.decimalValue()), expected + " vs " + actual);
    }

    private void assertBad(final String path, final String named) throws Exception
    {
        final HttpResponse<String> response = service.admin.get(path);
        assertEquals(400, response.statusCode(), path + " " + response.body());
        assertTrue(response.body().contains(named), path + " should name " + named + ": " + response.body());
    }

    /**
     * @return the partners whose joinedAt (as their view shows it) falls on a day in from..to.
     */
    private long joinedBetween(final String from, final String to) throws Exception
    {
        long joined = 0;
        for (final String partner : List.of("ann", "bob", "cat"))
        {
            final JsonNode joinedAt = get("/v1/partners/" + partner).get("joinedAt");
            final String day = null == joinedAt || joinedAt.isNull() ? null : joinedAt.asText().substring(0, 10);
            joined += null != day && day.compareTo(from) >= 0 && day.compareTo(to) <= 0 ? 1 : 0;
        }
        return joined;
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
}
