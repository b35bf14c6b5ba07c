package dev.ricochet.ingest.test;

import com.google.gson.JsonObject;
import com.stripe.model.Charge;
import com.stripe.model.Event;
import com.stripe.model.StripeObject;
import com.stripe.model.checkout.Session;
import com.stripe.net.ApiResource;
import com.stripe.net.Webhook;

import java.security.GeneralSecurityException;

/**
 * Builds Stripe webhook payloads and {@code Stripe-Signature} headers with stripe-java, as Stripe sends them.
 */
public final class StripeEvents
{
    private StripeEvents()
    {
    }

    /**
     * @param paymentIntent the session's payment intent (the sale's external id).
     * @param amount        amount_total in minor units.
     * @param clickId       client_reference_id.
     * @param customer      customer id.
     * @return the session object.
     */
    public static JsonObject checkoutSession(
        final String paymentIntent, final long amount, final String clickId, final String customer)
    {
        final Session session = new Session();
        session.setId("cs_test_" + paymentIntent);
        session.setObject("checkout.session");
        session.setMode("payment");
        session.setPaymentStatus("paid");
        session.setAmountTotal(amount);
        session.setCurrency("usd");
        session.setClientReferenceId(clickId);
        // stripe-java's Gson writes expandable fields only when expanded; webhooks carry them as plain ids.
        return withIds(session, "payment_intent", paymentIntent, "customer", customer);
    }

    /**
     * A Charge as Stripe sends it; stripe-java's Gson writes no fields of a Charge model, so the JSON is built with
     * the model's field names and read back through stripe-java to prove it is a valid Charge.
     *
     * @param id            charge id.
     * @param paymentIntent the charge's payment intent.
     * @param amount        charged amount.
     * @param refunded      cumulative amount_refunded.
     * @return the charge object.
     */
    public static JsonObject charge(final String id, final String paymentIntent, final long amount, final long refunded)
    {
        final JsonObject json = new JsonObject();
        json.addProperty("id", id);
        json.addProperty("object", "charge");
        json.addProperty("payment_intent", paymentIntent);
        json.addProperty("amount", amount);
        json.addProperty("amount_refunded", refunded);
        json.addProperty("currency", "usd");
        json.addProperty("refunded", amount == refunded);
        final Charge parsed = ApiResource.GSON.fromJson(json, Charge.class);
        if (refunded != parsed.getAmountRefunded() || !paymentIntent.equals(parsed.getPaymentIntent()))
        {
            throw new IllegalStateException("not a valid Stripe charge: " + json);
        }
        return json;
    }

    /**
     * @param id     event id.
     * @param type   event type.
     * @param object data.object.
     * @return the event JSON.
     */
    public static String event(final String id, final String type, final JsonObject object)
    {
        return event(id, type, object, true);
    }

    /**
     * @param id       event id.
     * @param type     event type.
     * @param object   data.object.
     * @param livemode false for an event of Stripe's test mode.
     * @return the event JSON.
     */
    public static String event(final String id, final String type, final JsonObject object, final boolean livemode)
    {
        final Event event = new Event();
        event.setId(id);
        event.setObject("event");
        event.setType(type);
        event.setCreated(System.currentTimeMillis() / 1000);
        event.setLivemode(livemode);
        event.setApiVersion("2025-10-29.clover");
        final Event.Data data = new Event.Data();
        data.setObject(object);
        event.setData(data);
        return ApiResource.GSON.toJson(event);
    }

    /**
     * @param secret    the endpoint's whsec_ secret.
     * @param payload   the exact body.
     * @param timestamp seconds.
     * @return the Stripe-Signature header, computed by stripe-java.
     */
    public static String signatureHeader(final String secret, final String payload, final long timestamp)
    {
        try
        {
            return "t=" + timestamp + ",v1=" + Webhook.Util.computeHmacSha256(secret, timestamp + "." + payload);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static JsonObject withIds(final StripeObject object, final String... fieldsAndIds)
    {
        final JsonObject json = ApiResource.GSON.toJsonTree(object).getAsJsonObject();
        for (int i = 0; i < fieldsAndIds.length; i += 2)
        {
            json.addProperty(fieldsAndIds[i], fieldsAndIds[i + 1]);
        }
        return json;
    }
}
