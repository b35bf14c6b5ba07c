package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.ingest.test.StripeEvents;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import dev.ricochet.testsupport.StripeSigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Stripe's delivery promise is at least once; Ricochet's is that each (program, order id) counts once. Checkouts are
 * delivered several times, out of order, across restarts and crashes, and through a network that loses answers; the
 * per-partner sales, revenue, conversions and ledgers must come out exact.
 *
 * <p>The chaos case runs short in the normal suite; a longer run is the same test with more checkouts and kills:
 * {@code mvn -B -pl ops -am verify -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest='StripeRedeliverySystemTest#shouldApplyEachOrderOnceThroughAFaultyNetworkWhileTheServiceIsKilled'
 * -Dricochet.chaos.checkouts=2000 -Dricochet.chaos.kills=15}, optionally with {@code -Dricochet.chaos.seed=N}.
 */
class StripeRedeliverySystemTest
{
    private static final int PARTNERS = 5;
    private static final int CHECKOUTS = 1000;
    private static final String BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1";
    private static final String WEBHOOK = "/webhooks/stripe/shop";
    /**
     * The seeded program's single tier pays 10% of revenue.
     */
    private static final long COMMISSION_PERCENT = 10;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final ObjectMapper json = new ObjectMapper();

    /**
     * What was bought through whom, the Stripe events that tell it, and what the books must say.
     *
     * @param events     every event once.
     * @param orders     per partner, the payment intents (order ids) credited to it.
     * @param revenue    per partner, revenue net of refunds.
     * @param commission per partner, commission net of reversals.
     */
    private record Plan(List<String> events, List<Set<String>> orders, long[] revenue, long[] commission)
    {
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldCountEachCheckoutOnceWithExactRevenueWhateverTheRedeliveriesAndARestart() throws Exception
    {
        final Random random = new Random(20261121);
        ServiceFixture service = new ServiceFixture(dir, null);
        try
        {
            service.admin.seedProgram("shop", PARTNERS, 2);

            // Given 1,000 shoppers who each clicked a partner's link, then paid at Stripe; 5% later refunded
            final int trackerPort = service.tracker.port();
            final Plan plan = plan(CHECKOUTS, path -> click(trackerPort, path));

            // When Stripe delivers every event 1-3 times, in random order (refunds may precede their sale)
            final List<String> schedule = schedule(plan, 3, random);
            for (int d = 0; d < schedule.size(); d++)
            {
                if (d == schedule.size() / 2)
                {
                    // And the service restarts in the middle
                    service.close();
                    service = new ServiceFixture(dir, null);
                }
                final HttpResponse<String> response = deliver(service.tracker.port(), schedule.get(d));
                assertEquals(200, response.statusCode(), response.body());
            }

            // Then each partner has exactly one sale per checkout, the exact revenue, and a balanced ledger
            assertBooksExact(service.admin, plan);
            System.out.println("StripeRedeliverySystemTest: " + plan.events().size() + " events, " + schedule.size() +
                " deliveries, restart after " + schedule.size() / 2);
        }
        finally
        {
            service.close();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES) // a safety net for the long run; the default run takes under a minute
    void shouldApplyEachOrderOnceThroughAFaultyNetworkWhileTheServiceIsKilled() throws Exception
    {
        final int checkouts = Integer.getInteger("ricochet.chaos.checkouts", 150);
        final int kills = Integer.getInteger("ricochet.chaos.kills", 2);
        final long seed = Long.getLong("ricochet.chaos.seed", 20261122);
        final Random random = new Random(seed);
        final long startNs = System.nanoTime();
        final Path dataDir = dir.resolve("data");
        final Path log = dir.resolve("service.log");
        final AtomicReference<ServiceProcess> service =
            new AtomicReference<>(ServiceProcess.start(dataDir, log, Map.of()));
        final ExecutorService senders = Executors.newFixedThreadPool(8);
        try (ChaosProxy proxy = new ChaosProxy(seed, 0.35, 1500))
        {
            // Given a program whose checkouts clicked partners' links, 5% of them later refunded
            proxy.target(service.get().trackerPort);
            service.get().admin().seedProgram("shop", PARTNERS, 2);
            final int trackerPort = service.get().trackerPort;
            final Plan plan = plan(checkouts, path -> click(trackerPort, path));

            // When a Stripe-like sender delivers every event once or twice, in random order, through a proxy that
            // resets, stalls and half-closes a third of its connections, retrying each until it gets a 2xx
            final List<String> schedule = schedule(plan, 2, random);
            final StripeLikeSender stripe = new StripeLikeSender(proxy::port, WEBHOOK, AdminClient.STRIPE_SECRET,
                500, 1000, seed);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(120 + checkouts / 5);
            final AtomicInteger delivered = new AtomicInteger();
            final List<Future<?>> deliveries = new ArrayList<>();
            for (final String event : schedule)
            {
                deliveries.add(senders.submit(() ->
                {
                    stripe.deliver(event, deadlineNs);
                    delivered.incrementAndGet();
                    return null;
                }));
            }

            // And the whole service (edge and aggregator are one process) is SIGKILLed and restarted, at even
            // steps of the deliveries, while they go on
            for (int k = 1; k <= kills; k++)
            {
                final int due = schedule.size() * k / (kills + 1);
                while (delivered.get() < due)
                {
                    assertTrue(System.nanoTime() < deadlineNs, "deliveries stalled at " + delivered.get());
                    Thread.sleep(5);
                }
                Thread.sleep(random.nextInt(200));
                service.get().kill();
                proxy.target(0);
                service.set(ServiceProcess.start(dataDir, log, Map.of()));
                proxy.target(service.get().trackerPort);
            }
            for (final Future<?> delivery : deliveries)
            {
                delivery.get(Math.max(1, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            }

            // Then every kind of fault really happened, those after the edge had the request included (they force a
            // redelivery of what was already journaled)
            final Map<ChaosProxy.Fault, Long> faults = proxy.counts();
            assertAll(Arrays.stream(ChaosProxy.Fault.values()).filter(fault -> ChaosProxy.Fault.NONE != fault)
                .map(fault -> () -> assertTrue(faults.get(fault) > 0, fault + " never happened: " + faults)));

            // And every (program, order id) is applied exactly once: stats, conversions and ledgers are exact, and
            // the ledger's trial balance is zero
            final String trialBalance = assertBooksExact(service.get().admin(), plan);
            System.out.println("StripeRedeliverySystemTest (chaos): " + (System.nanoTime() - startNs) / 1_000_000 +
                " ms, " + plan.events().size() + " events, " +
                schedule.size() + " deliveries, " + stripe.attempts() + " attempts, failed " + stripe.failures() +
                ", proxy faults " + faults + ", kills " + kills + ", " + trialBalance);
        }
        catch (final AssertionError | RuntimeException ex)
        {
            System.out.println("service log:\n" + (Files.exists(log) ? Files.readString(log) : "(none)"));
            throw ex;
        }
        finally
        {
            senders.shutdownNow();
            service.get().close();
        }
    }

    /**
     * Checkouts paid at Stripe after a click on a partner's link: amounts are multiples of 20 so that 10% of them, and
     * of half of them, are whole cents; every 20th is half refunded, and every 40th refunded in full afterwards.
     */
    private static Plan plan(final int checkouts, final ClickSource clicks) throws Exception
    {
        final List<String> events = new ArrayList<>();
        final List<Set<String>> orders = new ArrayList<>();
        final long[] revenue = new long[PARTNERS];
        final long[] commission = new long[PARTNERS];
        for (int p = 0; p < PARTNERS; p++)
        {
            orders.add(new TreeSet<>());
        }
        for (int i = 0; i < checkouts; i++)
        {
            final int partner = i % PARTNERS;
            final String clickId = clicks.click("/r/p" + partner + "-l" + (i / PARTNERS) % 2);
            final long amount = 2000 + 20 * ((i * 37L) % 450);
            final String paymentIntent = "pi_" + i;
            orders.get(partner).add(paymentIntent);
            events.add(StripeEvents.event("evt_cs_" + i, "checkout.session.completed",
                StripeEvents.checkoutSession(paymentIntent, amount, clickId, "cus_" + i)));
            long refunded = 0;
            if (i % 20 == 0)
            {
                refunded = amount / 2;
                events.add(StripeEvents.event("evt_rf1_" + i, "charge.refunded",
                    StripeEvents.charge("ch_" + i, paymentIntent, amount, refunded)));
                if (i % 40 == 0)
                {
                    refunded = amount;
                    events.add(StripeEvents.event("evt_rf2_" + i, "charge.refunded",
                        StripeEvents.charge("ch_" + i, paymentIntent, amount, amount)));
                }
            }
            revenue[partner] += amount - refunded;
            commission[partner] += (amount - refunded) * COMMISSION_PERCENT / 100;
        }
        return new Plan(events, orders, revenue, commission);
    }

    /**
     * Every event 1 to {@code maxTimes} times, shuffled: refunds may come before their sale.
     */
    private static List<String> schedule(final Plan plan, final int maxTimes, final Random random)
    {
        final List<String> schedule = new ArrayList<>();
        for (final String event : plan.events())
        {
            final int times = 1 + random.nextInt(maxTimes);
            for (int t = 0; t < times; t++)
            {
                schedule.add(event);
            }
        }
        Collections.shuffle(schedule, random);
        return schedule;
    }

    /**
     * Wait until the aggregator has applied everything, then check each partner's books against the plan: sales and
     * revenue, one conversion per order (by program and order id), one accrual per order, every balance the sum of
     * its entries, and the commission booked equal to 10% of the net revenue.
     *
     * @return the trial balance, for the report.
     */
    private String assertBooksExact(final AdminClient admin, final Plan plan) throws Exception
    {
        long imbalance = 0;
        long booked = 0;
        for (int p = 0; p < PARTNERS; p++)
        {
            final String partner = "partner" + p;
            final int partnerIndex = p;
            final JsonNode stats = await(admin, "/v1/partners/" + partner + "/stats",
                s -> s.get("sales").asLong() == plan.orders().get(partnerIndex).size() &&
                    s.get("revenue").asLong() == plan.revenue()[partnerIndex]);
            assertEquals(plan.orders().get(p).size(), stats.get("sales").asLong(), "sales of " + partner);
            assertEquals(plan.revenue()[p], stats.get("revenue").asLong(), "revenue of " + partner);

            final List<String> conversions = new ArrayList<>();
            for (final JsonNode conversion : json.readTree(admin.getOk("/v1/partners/" + partner +
                "/conversions?limit=1000")).get("conversions"))
            {
                conversions.add(conversion.get("programId").asText() + "/" + conversion.get("externalId").asText());
            }
            assertEquals(new HashSet<>(conversions).size(), conversions.size(), "a conversion twice for " + partner);
            assertEquals(withProgram(plan.orders().get(p)), new TreeSet<>(conversions), "conversions of " + partner);

            final JsonNode ledger = json.readTree(admin.getOk("/v1/partners/" + partner + "/ledger?limit=10000"));
            final Map<String, Integer> accruals = new TreeMap<>();
            final Map<String, Long> balances = new HashMap<>();
            long partnerBooked = 0;
            for (final JsonNode entry : ledger.get("entries"))
            {
                final long amount = entry.get("amount").asLong();
                if ("accrual".equals(entry.get("type").asText()))
                {
                    accruals.merge(entry.get("programId").asText() + "/" + entry.get("externalId").asText(), 1,
                        Integer::sum);
                }
                final JsonNode from = entry.path("from");
                if (from.isMissingNode() || from.isNull())
                {
                    partnerBooked += amount; // booked into a balance: accruals, reversals
                }
                else
                {
                    balances.merge(from.asText(), -amount, Long::sum); // moved between balances
                }
                balances.merge(entry.get("to").asText(), amount, Long::sum);
            }
            assertEquals(withProgram(plan.orders().get(p)), accruals.keySet(), "accruals of " + partner);
            final Map<String, Integer> oncePerOrder = new TreeMap<>();
            withProgram(plan.orders().get(p)).forEach(order -> oncePerOrder.put(order, 1));
            assertEquals(oncePerOrder, accruals, "an order accrued twice for " + partner);
            long reported = 0;
            for (final String balance : List.of("pending", "approved", "held", "scheduled", "paid"))
            {
                reported += ledger.get(balance).asLong();
                imbalance += Math.abs(ledger.get(balance).asLong() - balances.getOrDefault(balance, 0L));
            }
            imbalance += Math.abs(reported - partnerBooked);
            assertEquals(plan.commission()[p], partnerBooked, "commission booked for " + partner);
            booked += partnerBooked;
        }
        assertEquals(0, imbalance, "trial balance: balances minus the sums of their entries");
        return "trial balance " + imbalance + " (commission booked " + booked + ")";
    }

    private static Set<String> withProgram(final Set<String> orders)
    {
        final Set<String> keys = new TreeSet<>();
        orders.forEach(order -> keys.add("shop/" + order));
        return keys;
    }

    private JsonNode await(final AdminClient admin, final String path,
        final Predicate<JsonNode> done) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode answer = json.readTree(admin.getOk(path));
        while (!done.test(answer) && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(20);
            answer = json.readTree(admin.getOk(path));
        }
        return answer;
    }

    /**
     * Follows a partner's link as a shopper would.
     */
    @FunctionalInterface
    private interface ClickSource
    {
        /**
         * @param path the link.
         * @return the click id the edge put in the redirect.
         * @throws Exception if the edge cannot be reached.
         */
        String click(String path) throws Exception;
    }

    private String click(final int trackerPort, final String path) throws IOException, InterruptedException
    {
        final HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + trackerPort + path)).header("User-Agent", BROWSER).build(),
            HttpResponse.BodyHandlers.discarding());
        if (302 != response.statusCode())
        {
            fail("click " + path + " answered " + response.statusCode());
        }
        final String location = response.headers().firstValue("location").orElseThrow();
        return location.substring(location.indexOf("rcid=") + 5);
    }

    private HttpResponse<String> deliver(final int trackerPort, final String payload) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + trackerPort + WEBHOOK))
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Stripe-Signature", StripeSigner.header(AdminClient.STRIPE_SECRET, payload,
                System.currentTimeMillis() / 1000))
            .POST(HttpRequest.BodyPublishers.ofString(payload)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
