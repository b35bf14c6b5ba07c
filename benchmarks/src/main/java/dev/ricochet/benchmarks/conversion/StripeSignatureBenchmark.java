package dev.ricochet.benchmarks.conversion;

import dev.ricochet.benchmarks.ChronicleForkedBenchmark;
import dev.ricochet.testsupport.StripeSigner;
import dev.ricochet.tracker.conversion.StripeSignature;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;

/**
 * Verifying a {@code Stripe-Signature} header over a 2 KB webhook body with the real {@code StripeSignature}: a valid
 * header, and a rejected one (right format and time, wrong signature: the full cost an attacker can make us pay).
 *
 * <p>Anchor {@link #hmacOnly}: the HMAC-SHA256 of the same bytes with a {@link Mac} created once, the floor of any
 * verification.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class StripeSignatureBenchmark extends ChronicleForkedBenchmark
{
    private static final String SECRET = "whsec_5f8a1c2d3e4b5a6978877665544332211aabbccdd";
    private static final long TIMESTAMP = 1_763_000_000L;
    private static final long NOW_SECONDS = TIMESTAMP + 12;
    private static final int BODY_LENGTH = 2048;

    private byte[] body;
    private String validHeader;
    private String forgedHeader;
    private Mac mac;
    private byte[] prefix;

    /**
     * Build the body and both headers, and check that they verify as expected.
     *
     * @throws GeneralSecurityException if HmacSHA256 is unavailable.
     */
    @Setup(Level.Trial)
    public void sign() throws GeneralSecurityException
    {
        body = stripeEvent();
        prefix = (TIMESTAMP + ".").getBytes(StandardCharsets.US_ASCII);
        final String signature = new StripeSigner(SECRET).signature(TIMESTAMP, body);
        // Stripe sends a v0 (test-mode) signature as well; the verifier must skip it.
        final String v0 = new StripeSigner("whsec_test").signature(TIMESTAMP, body);
        validHeader = "t=" + TIMESTAMP + ",v1=" + signature + ",v0=" + v0;
        forgedHeader = "t=" + TIMESTAMP + ",v1=" + v0 + ",v0=" + v0;
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));

        if (null != StripeSignature.verify(validHeader, body, SECRET, NOW_SECONDS) ||
            null == StripeSignature.verify(forgedHeader, body, SECRET, NOW_SECONDS))
        {
            throw new IllegalStateException("headers do not verify as expected");
        }
    }

    /**
     * A valid header.
     *
     * @return null (valid).
     */
    @Benchmark
    public String valid()
    {
        return StripeSignature.verify(validHeader, body, SECRET, NOW_SECONDS);
    }

    /**
     * A header with a wrong signature.
     *
     * @return the reason it is rejected.
     */
    @Benchmark
    public String rejected()
    {
        return StripeSignature.verify(forgedHeader, body, SECRET, NOW_SECONDS);
    }

    /**
     * Anchor: HMAC-SHA256 of the signed bytes with a reused Mac.
     *
     * @return the MAC.
     */
    @Benchmark
    public byte[] hmacOnly()
    {
        mac.update(prefix);
        return mac.doFinal(body);
    }

    /**
     * A checkout.session.completed event as Stripe posts it, padded with metadata to {@link #BODY_LENGTH} bytes.
     */
    private static byte[] stripeEvent()
    {
        final StringBuilder json = new StringBuilder(BODY_LENGTH)
            .append("{\"id\":\"evt_1QxYz2AbCdEfGhIjKlMnOpQr\",\"object\":\"event\",\"api_version\":\"2024-06-20\",")
            .append("\"created\":").append(TIMESTAMP).append(",\"type\":\"checkout.session.completed\",")
            .append("\"livemode\":true,\"pending_webhooks\":1,\"request\":{\"id\":null,\"idempotency_key\":null},")
            .append("\"data\":{\"object\":{\"id\":\"cs_live_a1B2c3D4e5F6g7H8i9J0\",\"object\":\"checkout.session\",")
            .append("\"amount_subtotal\":4900,\"amount_total\":4900,\"currency\":\"usd\",")
            .append("\"client_reference_id\":\"0Rk3mV9xQp2LwZ8sT4yN1a\",\"customer\":\"cus_QxYz2AbCdEf\",")
            .append("\"customer_details\":{\"email\":\"shopper@example.com\",\"name\":\"A Shopper\",")
            .append("\"address\":{\"city\":\"Berlin\",\"country\":\"DE\",\"line1\":\"Hauptstr. 1\",")
            .append("\"postal_code\":\"10115\"}},\"invoice\":\"in_1QxYz2AbCdEfGhIj\",\"mode\":\"subscription\",")
            .append("\"payment_status\":\"paid\",\"status\":\"complete\",\"subscription\":\"sub_1QxYz2AbCdEf\",")
            .append("\"metadata\":{\"rcid\":\"0Rk3mV9xQp2LwZ8sT4yN1a\",\"note\":\"");
        while (json.length() < BODY_LENGTH - 8)
        {
            json.append('x');
        }
        json.append("\"}}}}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
