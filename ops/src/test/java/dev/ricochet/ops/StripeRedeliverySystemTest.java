package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.ingest.test.StripeEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StripeRedeliverySystemTest
{
    private static final int PARTNERS = 5;
    private static final int CHECKOUTS = 1000;
    private static final String BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1";

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldCountEachCheckoutOnceWithExactRevenueWhateverTheRedeliveriesAndARestart() throws Exception
    {
        final long[] expectedSales = new long[PARTNERS];
        final long[] expectedRevenue = new long[PARTNERS];
        final List<String[]> deliveries = new ArrayList<>(); // {payload}
        final Random random = new Random(20261121);

        ServiceFixture service = new ServiceFixture(dataDir, null);
        try
        {
            service.admin.seedProgram("shop", PARTNERS, 2);

            // Given 1,000 shoppers who each clicked a partner's link, then paid at Stripe; 5% later refunded
            for (int i = 0; i < CHECKOUTS; i++)
            {
                final int partner = i % PARTNERS;
                final String clickId = click(service, "/r/p" + partner + "-l" + (i / PARTNERS) % 2);
                final long amount = 1000 + (i * 37L) % 9000;
                final String paymentIntent = "pi_" + i;
                expectedSales[partner]++;
                expectedRevenue[partner] += amount;
                deliveries.add(new String[]{ StripeEvents.event("evt_cs_" + i, "checkout.session.completed",
                    StripeEvents.checkoutSession(paymentIntent, amount, clickId, "cus_" + i)) });
                if (i % 20 == 0)
                {
                    // Half refunded, and every other one of those refunded in full afterwards.
                    final long half = amount / 2;
                    deliveries.add(new String[]{ StripeEvents.event("evt_rf1_" + i, "charge.refunded",
                        StripeEvents.charge("ch_" + i, paymentIntent, amount, half)) });
                    long refunded = half;
                    if (i % 40 == 0)
                    {
                        deliveries.add(new String[]{ StripeEvents.event("evt_rf2_" + i, "charge.refunded",
                            StripeEvents.charge("ch_" + i, paymentIntent, amount, amount)) });
                        refunded = amount;
                    }
                    expectedRevenue[partner] -= refunded;
                }
            }

            // When Stripe delivers every event 1-3 times, in random order (refunds may precede their sale)
            final List<String> schedule = new ArrayList<>();
            for (final String[] delivery : deliveries)
            {
                final int times = 1 + random.nextInt(3);
                for (int t = 0; t < times; t++)
                {
                    schedule.add(delivery[0]);
                }
            }
            Collections.shuffle(schedule, random);

            for (int d = 0; d < schedule.size(); d++)
            {
                if (d == schedule.size() / 2)
                {
                    // And the service restarts in the middle
                    service.close();
                    service = new ServiceFixture(dataDir, null);
                }
                final HttpResponse<String> response = deliver(service, schedule.get(d));
                assertEquals(200, response.statusCode(), response.body());
            }

            // Then each partner has exactly one sale per checkout and the exact revenue net of refunds
            for (int p = 0; p < PARTNERS; p++)
            {
                JsonNode stats = stats(service, p);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while ((stats.get("sales").asLong() != expectedSales[p] ||
                    stats.get("revenue").asLong() != expectedRevenue[p]) && System.nanoTime() < deadline)
                {
                    Thread.sleep(20);
                    stats = stats(service, p);
                }
                assertEquals(expectedSales[p], stats.get("sales").asLong(), "sales of partner" + p);
                assertEquals(expectedRevenue[p], stats.get("revenue").asLong(), "revenue of partner" + p);
                final JsonNode conversions = json.readTree(
                    service.admin.get("/v1/partners/partner" + p + "/conversions?limit=1000").body());
                assertEquals(expectedSales[p], conversions.get("conversions").size(), "conversions of partner" + p);
            }
            System.out.println("StripeRedeliverySystemTest: " + deliveries.size() + " events, " + schedule.size() +
                " deliveries, restart after " + schedule.size() / 2);
        }
        finally
        {
            service.close();
        }
    }

    private String click(final ServiceFixture service, final String path) throws Exception
    {
        final String location = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + service.tracker.port() + path)).header("User-Agent", BROWSER).build(),
            HttpResponse.BodyHandlers.discarding()).headers().firstValue("location").orElseThrow();
        return location.substring(location.indexOf("rcid=") + 5);
    }

    private HttpResponse<String> deliver(final ServiceFixture service, final String payload) throws Exception
    {
        return http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + service.tracker.port() + "/webhooks/stripe/shop"))
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Stripe-Signature", StripeEvents.signatureHeader(AdminClient.STRIPE_SECRET, payload,
                System.currentTimeMillis() / 1000))
            .POST(HttpRequest.BodyPublishers.ofString(payload)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode stats(final ServiceFixture service, final int partner) throws Exception
    {
        return json.readTree(service.admin.get("/v1/partners/partner" + partner + "/stats").body());
    }
}
