package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.store.StateStore;
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
import org.rocksdb.WriteBatch;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A program's lists (part 8 item 1) over HTTP against the real service: links, coupons, conversions and payout runs,
 * each paged by cursor, filtered, ordered, refusing malformed input with a 400 naming the field, and the conversion
 * index rebuilt byte for byte by a replay and backfilled in a directory from before it.
 *
 * <p>Program shop: ann (links ann-1..3, coupons ANN10, ANN20), bob (bob-1 to a summer sale page, bob-2, coupon
 * BOB10). Program other: zed (zed-1, ZED10), never in shop's lists.
 */
class ProgramListsSystemTest
{
    private static final String API_KEY = "lists-test-program-key";
    private static final Instant START = Instant.parse("2026-03-10T10:15:00Z");
    private static final long DAY_MS = 86_400_000L;

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final AtomicLong clock = new AtomicLong(START.toEpochMilli());
    private ServiceFixture service;
    private AdminClient admin;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, clock::get);
        admin = service.admin;
        admin.putOk("/v1/programs/shop", program("shop", API_KEY));
        admin.putOk("/v1/programs/other", program("other", "other-program-key"));
        admin.seedPartner("shop", "ann", "Ann", "ann-3", "ann-1", "ann-2");
        admin.seedPartner("shop", "bob", "Bob", "bob-2");
        admin.putOk("/v1/links/bob-1", "{\"partnerId\":\"bob\",\"destination\":\"https://shop.example.com/Summer\"}");
        admin.seedPartner("other", "zed", "Zed", "zed-1");
        for (final String coupon : List.of("ann20:ann", "bob10:bob", "ANN10:ann", "ZED10:zed"))
        {
            final String[] parts = coupon.split(":");
            admin.putOk("/v1/coupons/" + parts[0], "{\"partnerId\":\"" + parts[1] + "\"}");
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
    void shouldListAProgramsLinksByCodeAcrossPagesExactlyOnce() throws Exception
    {
        // When the program's links are read two at a time
        final List<JsonNode> links = all("/v1/programs/shop/links?limit=2", 2);

        // Then each of the program's links comes once, by code, with its partner and destination, and no other
        assertEquals(List.of("ann-1", "ann-2", "ann-3", "bob-1", "bob-2"), field(links, "code"));
        assertEquals("bob", links.get(3).get("partnerId").asText());
        assertEquals("https://shop.example.com/Summer", links.get(3).get("destination").asText());
    }

    @Test
    void shouldNeitherRepeatNorSkipAnItemWhenItemsAreAddedBetweenPages() throws Exception
    {
        // Given the first page of two links has been read
        final JsonNode first = json.readTree(admin.getOk("/v1/programs/shop/links?limit=2"));

        // When a link sorting before the cursor and one sorting after it are added, and the rest is read
        admin.seedLink("ann-0", "bob");
        admin.seedLink("zz-9", "bob");
        final List<JsonNode> rest = all("/v1/programs/shop/links?limit=2", 2, first.get("next").asText());

        // Then the pages go on after the cursor: nothing twice, the later link included, the earlier one not
        assertEquals(List.of("ann-1", "ann-2"), field(List.of(first.get("items").get(0), first.get("items").get(1)),
            "code"));
        assertEquals(List.of("ann-3", "bob-1", "bob-2", "zz-9"), field(rest, "code"));
    }

    @Test
    void shouldExamineAtMostFiveThousandLinksPerSearchAndGoOnWithTheCursor() throws Exception
    {
        // Given 5,001 more links, of which only the last goes to a gift page
        for (int i = 0; i < 5_000; i++)
        {
            admin.seedLink(String.format("l%04d", i), "ann");
        }
        admin.putOk("/v1/links/l5000", "{\"partnerId\":\"ann\",\"destination\":\"https://shop.example.com/gift\"}");

        // When the gift page is searched for
        final JsonNode first = json.readTree(admin.getOk("/v1/programs/shop/links?q=gift&limit=500"));
        final JsonNode second = json.readTree(admin.getOk("/v1/programs/shop/links?q=gift&limit=500&cursor=" +
            first.get("next").asText()));

        // Then the first request stops after 5,000 links with nothing found and a cursor, the next one finds it
        assertEquals(0, first.get("items").size(), first.toString());
        assertFalse(first.get("next").isNull());
        assertEquals(List.of("l5000"), field(List.of(second.get("items").get(0)), "code"));
        assertTrue(second.get("next").isNull(), second.toString());
    }

    @Test
    void shouldListOnlyOnePartnersLinksWithPartnerId() throws Exception
    {
        // When bob's links are read
        final List<JsonNode> links = all("/v1/programs/shop/links?partnerId=bob", 50);

        // Then only bob's come
        assertEquals(List.of("bob-1", "bob-2"), field(links, "code"));
    }

    @Test
    void shouldFindLinksWhoseCodeOrDestinationHoldsTheText() throws Exception
    {
        // When links are searched by a word of a destination and by part of a code, in another case
        final List<JsonNode> summer = all("/v1/programs/shop/links?q=sUMMER", 50);
        final List<JsonNode> ann = all("/v1/programs/shop/links?q=NN-", 50);

        // Then the destination's link and the codes' links match
        assertEquals(List.of("bob-1"), field(summer, "code"));
        assertEquals(List.of("ann-1", "ann-2", "ann-3"), field(ann, "code"));
    }

    @Test
    void shouldMoveALinkToItsNewPartnersListWhenItChangesPartnerOrProgram() throws Exception
    {
        // When bob-2 is given to ann, and ann-3 to zed of the other program
        admin.seedLink("bob-2", "ann");
        admin.seedLink("ann-3", "zed");

        // Then each list shows each link where it is now, once
        assertEquals(List.of("ann-1", "ann-2", "bob-2"), field(all("/v1/programs/shop/links?partnerId=ann", 50),
            "code"));
        assertEquals(List.of("bob-1"), field(all("/v1/programs/shop/links?partnerId=bob", 50), "code"));
        assertEquals(List.of("ann-1", "ann-2", "bob-1", "bob-2"), field(all("/v1/programs/shop/links", 50), "code"));
        assertEquals(List.of("ann-3", "zed-1"), field(all("/v1/programs/other/links", 50), "code"));
    }

    @Test
    void shouldListAProgramsCouponsByCodeAcrossPagesAndByPartner() throws Exception
    {
        // When the program's coupons are read one at a time, and ann's
        final List<JsonNode> coupons = all("/v1/programs/shop/coupons?limit=1", 1);
        final List<JsonNode> anns = all("/v1/programs/shop/coupons?partnerId=ann", 50);

        // Then each comes once, upper case by code, with its partner
        assertEquals(List.of("ANN10", "ANN20", "BOB10"), field(coupons, "code"));
        assertEquals(List.of("ann", "ann", "bob"), field(coupons, "partnerId"));
        assertEquals(List.of("ANN10", "ANN20"), field(anns, "code"));
    }

    @Test
    void shouldListConversionsNewestFirstAcrossPagesExactlyOnceAndOldestFirstOnRequest() throws Exception
    {
        // Given five sales on five days, and one of the other program
        for (int i = 1; i <= 5; i++)
        {
            sale("shop", API_KEY, "order-" + i, 1_000L * i, click(i % 2 == 0 ? "bob-1" : "ann-1"));
            clock.addAndGet(DAY_MS);
        }
        sale("other", "other-program-key", "order-z", 500, click("zed-1"));

        // When they are read two at a time, newest first, then oldest first
        final List<JsonNode> newest = all("/v1/programs/shop/conversions?limit=2", 2);
        final List<JsonNode> oldest = all("/v1/programs/shop/conversions?limit=2&order=asc", 2);

        // Then each comes once, in time order, with what was reported and its credit and commission
        assertEquals(List.of("order-5", "order-4", "order-3", "order-2", "order-1"), field(newest, "externalId"));
        assertEquals(List.of("order-1", "order-2", "order-3", "order-4", "order-5"), field(oldest, "externalId"));
        final JsonNode order2 = newest.get(3);
        assertEquals("sale", order2.get("kind").asText());
        assertEquals("api", order2.get("source").asText());
        assertEquals(2_000, order2.get("amount").asLong());
        assertEquals("2026-03-11T10:15:00Z", order2.get("time").asText());
        assertEquals("bob", order2.get("credits").get(0).get("partnerId").asText());
        assertEquals(2_000, order2.get("credits").get(0).get("credit").asLong());
        assertEquals(200, order2.get("credits").get(0).get("commission").get("amount").asLong());
    }

    @Test
    void shouldFilterConversionsByPartnerKindSourceStateAndDays() throws Exception
    {
        // Given ann's sale and lead on the 10th, bob's sale on the 11th held by finance, and a refund of ann's sale
        sale("shop", API_KEY, "ann-sale", 10_000, click("ann-1"));
        clock.addAndGet(60_000);
        conversion("shop", API_KEY, "{\"externalId\":\"ann-lead\",\"kind\":\"lead\",\"amount\":0,\"clickId\":\"" +
            click("ann-2") + "\"}");
        clock.addAndGet(DAY_MS);
        sale("shop", API_KEY, "bob-sale", 20_000, click("bob-1"));
        assertEquals(200, service.finance.post("/v1/partners/bob/commission-reviews",
            "{\"externalId\":\"bob-sale\",\"action\":\"hold\",\"reason\":\"check\"}").statusCode());
        clock.addAndGet(DAY_MS);
        conversion("shop", API_KEY, "{\"externalId\":\"ann-refund\",\"kind\":\"refund\",\"amount\":10000," +
            "\"originalExternalId\":\"ann-sale\"}");
        service.awaitCommitted();
        final String list = "/v1/programs/shop/conversions?";

        // When each filter is applied
        // Then each answers exactly the conversions it names
        assertAll(
            () -> assertEquals(List.of("ann-lead", "ann-sale"), ids(list + "partnerId=ann")),
            () -> assertEquals(List.of("bob-sale", "ann-sale"), ids(list + "kind=sale")),
            () -> assertEquals(List.of("ann-lead"), ids(list + "kind=lead")),
            () -> assertEquals(List.of("ann-refund"), ids(list + "kind=refund")),
            () -> assertEquals(List.of("ann-refund", "bob-sale", "ann-lead", "ann-sale"), ids(list + "source=api")),
            () -> assertEquals(List.of(), ids(list + "source=stripe")),
            () -> assertEquals(List.of("bob-sale"), ids(list + "state=held")),
            () -> assertEquals(List.of(), ids(list + "state=held&partnerId=ann")),
            () -> assertEquals(List.of(), ids(list + "state=paid")),
            () -> assertEquals(List.of("bob-sale"), ids(list + "from=2026-03-11&to=2026-03-11")),
            () -> assertEquals(List.of("ann-refund", "bob-sale"), ids(list + "from=2026-03-11")),
            () -> assertEquals(List.of("ann-lead", "ann-sale"), ids(list + "to=2026-03-10")),
            () -> assertEquals(List.of("ann-sale"), ids(list + "partnerId=ann&kind=sale&to=2026-03-10")));
        final JsonNode refund = all(list + "kind=refund", 50).get(0);
        assertEquals("ann-sale", refund.get("originalExternalId").asText());
        assertEquals(10_000, all(list + "kind=sale&partnerId=ann", 50).get(0).get("reversedAmount").asLong());
    }

    @Test
    void shouldListABrowserReportedOrderOnceAsItsVerifiedReportWhenTheCheckoutReportsIt() throws Exception
    {
        // Given a program taking pixel conversions, whose thank-you page reported order-1 after a click
        admin.putOk("/v1/programs/px", "{\"name\":\"Pixel shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"pixelConversions\":true,\"fraud\":{\"minClickToConversionSeconds\":0}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]," +
            "\"secrets\":{\"apiKey\":\"pixel-program-key\"}}");
        admin.seedPartner("px", "pixie", "Pixie", "pixie-1");
        final HttpResponse<Void> click = service.click("pixie-1", null);
        assertEquals(200, http.send(HttpRequest.newBuilder(service.edge("/p.gif?e=conversion&program=px" +
            "&order_id=order-1&amount=999999")).header("User-Agent", ServiceFixture.BROWSER)
            .header("Cookie", ServiceFixture.visitorCookie(click).orElseThrow()).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode());
        service.awaitCommitted();
        assertEquals(List.of("pixel"), field(all("/v1/programs/px/conversions", 50), "source"));

        // When the checkout reports the same order an hour later
        clock.addAndGet(3_600_000L);
        sale("px", "pixel-program-key", "order-1", 2_600, ServiceFixture.clickId(click));

        // Then the list holds the order once, as the checkout reported it
        final List<JsonNode> conversions = all("/v1/programs/px/conversions", 50);
        assertEquals(List.of("order-1"), field(conversions, "externalId"));
        assertEquals("api", conversions.get(0).get("source").asText());
        assertEquals(2_600, conversions.get(0).get("amount").asLong());
        assertEquals("2026-03-10T11:15:00Z", conversions.get(0).get("time").asText());
        assertEquals(List.of(), all("/v1/programs/px/conversions?source=pixel", 50));
    }

    @Test
    void shouldListPayoutRunsLatestPeriodFirstAndByStatus() throws Exception
    {
        // Given a run for the 10th approved by finance, and a run for the 12th waiting
        sale("shop", API_KEY, "order-1", 10_000, click("ann-1"));
        final String first = run("2026-03-10");
        assertEquals(200, service.finance.post("/v1/payout-runs/" + first + "/approve", "").statusCode());
        clock.addAndGet(2 * DAY_MS);
        sale("shop", API_KEY, "order-2", 20_000, click("bob-1"));
        final String second = run("2026-03-12");

        // When the runs are read one at a time, and by status
        final List<JsonNode> runs = all("/v1/programs/shop/payout-runs?limit=1", 1);
        final List<JsonNode> paid = all("/v1/programs/shop/payout-runs?status=paid", 50);
        final List<JsonNode> waiting = all("/v1/programs/shop/payout-runs?status=pending_approval", 50);

        // Then each run comes once, latest period first, with its totals and no lines; the other program has none
        assertEquals(List.of(second, first), field(runs, "id"));
        assertEquals(List.of("2026-03-12", "2026-03-10"), field(runs, "periodEnd"));
        assertEquals(2_000, runs.get(0).get("total").asLong());
        assertEquals(1, runs.get(0).get("partnerCount").asInt());
        assertEquals("2026-03-10", runs.get(1).get("paidOn").asText());
        assertEquals(List.of(first), field(paid, "id"));
        assertEquals(List.of(second), field(waiting, "id"));
        assertEquals(List.of(), all("/v1/programs/other/payout-runs", 50));
    }

    @Test
    void shouldRefuseEveryMalformedInputWith400NamingIt() throws Exception
    {
        // Given a genuine cursor of the newest-first conversion list and one of the link list
        for (int i = 0; i < 3; i++)
        {
            sale("shop", API_KEY, "order-" + i, 1_000, click("ann-1"));
        }
        final String newestCursor = next("/v1/programs/shop/conversions?limit=1");
        final String linkCursor = next("/v1/programs/shop/links?limit=1");
        final String garbage = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[]{ 1, 'd', 7 });

        // When each malformed input is sent
        final Map<String, String> cases = Map.ofEntries(
            Map.entry("/v1/programs/shop/conversions?kind=purchase", "kind"),
            Map.entry("/v1/programs/shop/conversions?source=fax", "source"),
            Map.entry("/v1/programs/shop/conversions?state=approved-ish", "state"),
            Map.entry("/v1/programs/shop/conversions?order=sideways", "order"),
            Map.entry("/v1/programs/shop/conversions?from=2026-13-01", "from"),
            Map.entry("/v1/programs/shop/conversions?to=yesterday", "to"),
            Map.entry("/v1/programs/shop/conversions?from=2026-03-10&to=2026-03-09", "to"),
            Map.entry("/v1/programs/shop/conversions?from=2025-01-01&to=2026-03-09", "from..to"),
            Map.entry("/v1/programs/shop/conversions?partnerId=zed", "partnerId"),
            Map.entry("/v1/programs/shop/conversions?partnerId=nobody", "partnerId"),
            Map.entry("/v1/programs/shop/conversions?cursor=%25%25", "cursor"),
            Map.entry("/v1/programs/shop/conversions?cursor=" + garbage, "cursor"),
            Map.entry("/v1/programs/shop/conversions?cursor=" + linkCursor, "cursor"),
            Map.entry("/v1/programs/shop/conversions?order=asc&cursor=" + newestCursor, "cursor"),
            Map.entry("/v1/programs/shop/conversions?limit=0", "limit"),
            Map.entry("/v1/programs/shop/conversions?limit=501", "limit"),
            Map.entry("/v1/programs/shop/conversions?sort=amount", "sort"),
            Map.entry("/v1/programs/shop/links?cursor=" + newestCursor, "cursor"),
            Map.entry("/v1/programs/shop/links?q=" + "x".repeat(101), "q"),
            Map.entry("/v1/programs/shop/links?partnerId=zed", "partnerId"),
            Map.entry("/v1/programs/shop/coupons?partnerId=zed", "partnerId"),
            Map.entry("/v1/programs/shop/coupons?cursor=" + "A".repeat(2000), "cursor"),
            Map.entry("/v1/programs/shop/payout-runs?status=open", "status"),
            Map.entry("/v1/programs/shop/payout-runs?limit=-1", "limit"));

        // Then each is a 400 naming the field
        final List<Executable> checks = new ArrayList<>();
        for (final Map.Entry<String, String> entry : cases.entrySet())
        {
            final HttpResponse<String> response = admin.get(entry.getKey());
            checks.add(() -> assertEquals(400, response.statusCode(), entry.getKey() + " -> " + response.body()));
            checks.add(() -> assertTrue(json.readTree(response.body()).get("error").asText()
                .contains(entry.getValue()), entry.getKey() + " -> " + response.body()));
        }
        assertAll("malformed input", checks);
    }

    @Test
    void shouldAnswerHostileQueryValuesWithA4xxOrAnEmptyPageNeverA5xx() throws Exception
    {
        // Given values an attacker would try in every parameter: bytes that are not UTF-8, NUL, control characters,
        // standard base64, huge texts, numbers past a long
        final List<String> values = List.of("%FF%FE", "%00", "%0D%0Aset-cookie:x", "a%2Bb%2F%3D", "x".repeat(4000),
            "99999999999999999999", "-0", "%E2%80%AE", "..%2F..%2Fetc");
        final List<String> parameters = List.of("links?q=", "links?partnerId=", "links?cursor=", "coupons?cursor=",
            "conversions?partnerId=", "conversions?kind=", "conversions?from=", "conversions?to=",
            "conversions?cursor=", "conversions?limit=", "payout-runs?status=", "payout-runs?cursor=");

        // When each is sent in each parameter
        final List<Executable> checks = new ArrayList<>();
        for (final String parameter : parameters)
        {
            for (final String value : values)
            {
                final String path = "/v1/programs/shop/" + parameter + value;
                final HttpResponse<String> response = admin.get(path);
                final String call = path.substring(0, Math.min(path.length(), 120)) + " -> " + response.statusCode();

                // Then the answer is a 4xx with an error, or a page
                checks.add(() -> assertTrue(response.statusCode() < 500, call));
                checks.add(() -> assertTrue(response.statusCode() >= 400 ?
                    json.readTree(response.body()).has("error") : json.readTree(response.body()).has("items"), call));
            }
        }
        assertAll("hostile query values", checks);

        // And the service still lists
        assertEquals(5, all("/v1/programs/shop/links", 50).size());
    }

    @Test
    void shouldAnswer404ForAnUnknownProgram() throws Exception
    {
        // When each list of a program that does not exist is read
        // Then each is a 404
        for (final String list : List.of("links", "coupons", "conversions", "payout-runs"))
        {
            final HttpResponse<String> response = admin.get("/v1/programs/nowhere/" + list);
            assertEquals(404, response.statusCode(), list + " -> " + response.body());
        }
    }

    @Test
    void shouldRebuildTheConversionIndexByteIdenticalWhenTheJournalIsReplayed() throws Exception
    {
        // Given sales on several days and a refund
        for (int i = 0; i < 4; i++)
        {
            sale("shop", API_KEY, "order-" + i, 1_000L + i, click("ann-1"));
            clock.addAndGet(DAY_MS / 3);
        }
        conversion("shop", API_KEY, "{\"externalId\":\"refund-1\",\"kind\":\"refund\",\"amount\":100," +
            "\"originalExternalId\":\"order-1\"}");
        final String page = admin.getOk("/v1/programs/shop/conversions?limit=500");
        service.awaitCommitted();
        service.close();
        service = null;

        // When a fresh aggregator replays the whole journal into a new data directory
        final Path replayDir = dataDir.resolve("replay");
        final String replayedPage;
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal"))))
        {
            final Aggregator replay = Replays.replay(journal, replayDir, clock::get);
            try
            {
                Await.committed(replay, journal);
                replayedPage = new AdminClient(replay.adminPort(), ServiceFixture.ADMIN_TOKEN)
                    .getOk("/v1/programs/shop/conversions?limit=500");
            }
            finally
            {
                replay.close();
            }
        }

        // Then the list answers the same, and the index holds the same keys and bytes
        assertEquals(page, replayedPage);
        final Map<String, byte[]> original = Replays.table(dataDir, Table.PROGRAM_INDEX);
        final Map<String, byte[]> replayed = Replays.table(replayDir, Table.PROGRAM_INDEX);
        assertEquals(5, original.size());
        assertEquals(original.keySet(), replayed.keySet());
        for (final Map.Entry<String, byte[]> entry : original.entrySet())
        {
            assertArrayEquals(entry.getValue(), replayed.get(entry.getKey()), entry.getKey());
        }
    }

    @Test
    void shouldBackfillTheConversionIndexOfADataDirectoryFromBeforeIt() throws Exception
    {
        // Given a data directory whose conversions were written before the index existed (its rows removed)
        for (int i = 0; i < 3; i++)
        {
            sale("shop", API_KEY, "order-" + i, 1_000, click("bob-1"));
            clock.addAndGet(DAY_MS);
        }
        final String conversions = admin.getOk("/v1/programs/shop/conversions");
        final String links = admin.getOk("/v1/programs/shop/links");
        service.awaitCommitted();
        service.close();
        service = null;
        final Map<String, byte[]> rows = Replays.table(dataDir, Table.PROGRAM_INDEX);
        try (StateStore store = StateStore.open(dataDir.resolve("state"));
            WriteBatch batch = new WriteBatch())
        {
            store.deleteRange(batch, Table.PROGRAM_INDEX, new byte[]{ 0 }, new byte[]{ (byte)0xFF });
            store.write(batch);
        }
        assertTrue(Replays.table(dataDir, Table.PROGRAM_INDEX).isEmpty());

        // When the service opens it again
        service = new ServiceFixture(dataDir, clock::get);

        // Then the index is rebuilt as it was, and the lists answer as before
        assertEquals(rows.keySet(), Replays.table(dataDir, Table.PROGRAM_INDEX).keySet());
        assertEquals(conversions, service.admin.getOk("/v1/programs/shop/conversions"));
        assertEquals(links, service.admin.getOk("/v1/programs/shop/links"));
        assertFalse(rows.isEmpty());
    }

    private static String program(final String name, final String apiKey)
    {
        return "{\"name\":\"" + name + "\",\"currency\":\"USD\",\"clickParam\":\"rcid\",\"holdDays\":0," +
            "\"minPayout\":0,\"fraud\":{\"minClickToConversionSeconds\":0}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]," +
            "\"secrets\":{\"apiKey\":\"" + apiKey + "\"}}";
    }

    private String click(final String code) throws Exception
    {
        return ServiceFixture.clickId(service.click(code, null));
    }

    private void sale(final String programId, final String apiKey, final String externalId, final long amount,
        final String clickId) throws Exception
    {
        conversion(programId, apiKey, "{\"externalId\":\"" + externalId + "\",\"kind\":\"sale\",\"amount\":" +
            amount + ",\"clickId\":\"" + clickId + "\"}");
    }

    private void conversion(final String programId, final String apiKey, final String fields) throws Exception
    {
        final String body = "{\"programId\":\"" + programId + "\",\"currency\":\"USD\"," + fields.substring(1);
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.edge("/v1/conversions"))
            .header("Authorization", "Bearer " + apiKey)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), body + " -> " + response.body());
        service.awaitCommitted();
    }

    private String run(final String periodEnd) throws Exception
    {
        final HttpResponse<String> response = admin.post("/v1/programs/shop/payout-runs",
            "{\"periodEnd\":\"" + periodEnd + "\"}");
        assertEquals(201, response.statusCode(), response.body());
        service.awaitCommitted();
        return json.readTree(response.body()).get("id").asText();
    }

    /**
     * Every item of a list, following its cursor to the end; each page holds at most the limit.
     */
    private List<JsonNode> all(final String path, final int limit) throws Exception
    {
        return all(path, limit, null);
    }

    /**
     * Every item of a list from a cursor on (null: from the start), following its cursor to the end.
     */
    private List<JsonNode> all(final String path, final int limit, final String from) throws Exception
    {
        final List<JsonNode> items = new ArrayList<>();
        String cursor = from;
        for (int pages = 0; pages < 100; pages++)
        {
            final String separator = path.contains("?") ? "&" : "?";
            final JsonNode page = json.readTree(admin.getOk(null == cursor ? path : path + separator + "cursor=" +
                URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            assertTrue(page.get("items").size() <= limit, page.toString());
            page.get("items").forEach(items::add);
            if (page.get("next").isNull())
            {
                return items;
            }
            cursor = page.get("next").asText();
        }
        throw new AssertionError("no end to " + path);
    }

    private String next(final String path) throws Exception
    {
        return json.readTree(admin.getOk(path)).get("next").asText();
    }

    private List<String> ids(final String path) throws Exception
    {
        return field(all(path, 50), "externalId");
    }

    private static List<String> field(final List<JsonNode> items, final String name)
    {
        final List<String> values = new ArrayList<>();
        items.forEach(item -> values.add(item.get(name).asText()));
        return values;
    }
}
