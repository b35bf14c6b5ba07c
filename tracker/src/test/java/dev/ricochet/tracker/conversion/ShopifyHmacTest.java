package dev.ricochet.tracker.conversion;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShopifyHmacTest
{
    // A published example of Shopify's scheme (SQLPage's HMAC test), checked here with
    // `printf '%s' BODY | openssl dgst -sha256 -hmac test-webhook-secret -binary | base64`.
    private static final byte[] BODY =
        "{\"id\":1234567890,\"email\":\"customer@example.com\",\"total_price\":\"123.45\"}"
            .getBytes(StandardCharsets.UTF_8);
    private static final String SECRET = "test-webhook-secret";
    private static final String HMAC = "QNyObTlKbMx2qDlPF/ZOZcBqg5OgPg+2oky3zldc0Gw=";

    @Test
    void shouldAcceptThePublishedExample()
    {
        assertTrue(ShopifyWebhookIntake.isValid(HMAC, BODY, SECRET));
    }

    @Test
    void shouldRejectAnyChangeToBodySecretOrSignature()
    {
        assertFalse(ShopifyWebhookIntake.isValid(HMAC, "{\"id\":1234567890}".getBytes(StandardCharsets.UTF_8), SECRET));
        assertFalse(ShopifyWebhookIntake.isValid(HMAC, BODY, "other-secret"));
        assertFalse(ShopifyWebhookIntake.isValid("QNyObTlKbMx2qDlPF/ZOZcBqg5OgPg+2oky3zldc0Gx=", BODY, SECRET));
        assertFalse(ShopifyWebhookIntake.isValid("not base64 !!", BODY, SECRET));
    }

    @Test
    void shouldConvertDecimalPricesExactlyToMinorUnits()
    {
        assertEquals(2599, ShopifyWebhookIntake.minorUnits("25.99", "USD"));
        assertEquals(2500, ShopifyWebhookIntake.minorUnits("25", "usd"));
        assertEquals(1000, ShopifyWebhookIntake.minorUnits("1000", "JPY"));
        assertEquals(12345, ShopifyWebhookIntake.minorUnits("12.345", "KWD"));
        assertEquals(-1, ShopifyWebhookIntake.minorUnits("12.345", "USD"), "finer than cents is not exact");
        assertEquals(-1, ShopifyWebhookIntake.minorUnits("abc", "USD"));
        assertEquals(-1, ShopifyWebhookIntake.minorUnits("1.00", "XYZ"));
        assertEquals(-1, ShopifyWebhookIntake.minorUnits("1" + "0".repeat(32), "USD"), "over 32 characters");
        assertEquals(-1, ShopifyWebhookIntake.minorUnits("99999999999999999.99", "USD"), "past a long");
        assertEquals(-1, ShopifyWebhookIntake.minorUnits("25e3", "USD"),
            "a price is written in plain digits, never an exponent");
    }

    /**
     * Found by WebhookIntakeFuzzTest as a unit running four minutes: the point of 12.1e99999950 was moved by writing
     * out its hundred million digits. The bound is a hang guard many times what the fixed code takes, not a speed
     * measure.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseAPriceWithAHugeExponentWithoutWritingItOut()
    {
        assertEquals(-1, ShopifyWebhookIntake.minorUnits("12.1e99999950", "USD"));
        assertEquals(-1, ShopifyWebhookIntake.minorUnits("1e999999999", "USD"));
        assertEquals(-1, ShopifyWebhookIntake.minorUnits("1e-999999999", "USD"));
    }
}
