package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.ingest.test.StripeEvents;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A partner twice on a shopper's path, paid through Stripe's signed webhooks on the real service (real clock): one
 * commission, and Stripe's running refund total reaches all of it (docs/money.md).
 */
class MoneyWebhookSystemTest
{
    private static final String WEBHOOK = "/webhooks/stripe/shop";

    @TempDir
    Path dataDir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private ServiceFixture service;
    private StripeLikeSender stripe;
    private String visitorCookie;

    @BeforeEach
    void start() throws Exception
    {
        service = new ServiceFixture(dataDir, null);
        service.admin.putOk("/v1/programs/shop", "{\"name\":\"Shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"holdDays\":0,\"minPayout\":0,\"attribution\":{\"model\":\"linear\",\"windowDays\":30}," +
            "\"fraud\":{\"minClickToConversionSeconds\":0,\"maxRefundRatePercent\":0}," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]," +
            "\"secrets\":{\"stripe\":\"" + AdminClient.STRIPE_SECRET + "\"}}");
        service.admin.seedPartner("shop", "ann", "Ann", "ann-1", "ann-2");
        service.admin.seedPartner("shop", "bob", "Bob", "bob-1");
        stripe = new StripeLikeSender(service.tracker::port, WEBHOOK, AdminClient.STRIPE_SECRET, 5_000, 200, 15);
    }

    @AfterEach
    void stop()
    {
        service.close();
    }

    @Test
    void stripesRunningRefundTotalReachesAllOfARepeatedPartnersCommission() throws Exception
    {
        // Given a shopper who clicked ann-1, bob-1, then ann-2, and paid 100.00 through Stripe with the last click:
        // ann's touches get 33.33 + 33.33, one commission of 6.67 (approved at once)
        click("ann-1");
        click("bob-1");
        final String clickId = click("ann-2");
        deliver(StripeEvents.event("evt_cs_1", "checkout.session.completed",
            StripeEvents.checkoutSession("pi_1", 10_000, clickId, "cus_1")));
        assertEquals(667, ledger("ann").get("approved").asLong());

        // When Stripe reports 40.00 refunded, then the whole
        deliver(StripeEvents.event("evt_rf_1", "charge.refunded", StripeEvents.charge("ch_1", "pi_1", 10_000, 4_000)));
        final long annAfterPart = ledger("ann").get("approved").asLong();
        deliver(StripeEvents.event("evt_rf_2", "charge.refunded",
            StripeEvents.charge("ch_1", "pi_1", 10_000, 10_000)));

        // Then 40% of her one commission was reversed (6.67 - round(6.67 x 26.66 / 66.66) = 4.00), then all of it
        assertEquals(400, annAfterPart);
        final JsonNode ann = ledger("ann");
        assertEquals(0, ann.get("approved").asLong(), ann.toString());
        assertEquals(1, count(ann, "accrual"), ann.toString());
        assertEquals(0, ledger("bob").get("approved").asLong());
    }

    private void deliver(final String event) throws Exception
    {
        // A live program's events (livemode true), as Stripe sends them to it
        stripe.deliver(event.replace("\"livemode\":false", "\"livemode\":true"), System.nanoTime() + 30_000_000_000L);
        service.awaitCommitted();
    }

    private JsonNode ledger(final String partnerId) throws Exception
    {
        return json.readTree(service.admin.getOk("/v1/partners/" + partnerId + "/ledger"));
    }

    private static long count(final JsonNode ledger, final String type)
    {
        long count = 0;
        for (final JsonNode entry : ledger.get("entries"))
        {
            count += type.equals(entry.get("type").asText()) ? 1 : 0;
        }
        return count;
    }

    private String click(final String code) throws Exception
    {
        final HttpResponse<Void> response = service.click(code, visitorCookie);
        ServiceFixture.visitorCookie(response).ifPresent(cookie -> visitorCookie = cookie);
        return ServiceFixture.clickId(response);
    }
}
