package dev.ricochet.ops;

import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public edge's {@code /metrics} tells an outsider how the service is doing, never how much business it does:
 * click, preview, pixel and conversion counts are on the admin port's {@code /metrics} instead.
 */
class EdgeMetricsSystemTest
{
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";

    @TempDir
    Path dir;

    @Test
    void shouldShowBusinessVolumeOnlyOnTheAdminPortsMetrics() throws Exception
    {
        try (ServiceProcess service = ServiceProcess.start(dir.resolve("data"), dir.resolve("service.log"), Map.of()))
        {
            // Given a link clicked twice on the running service
            final AdminClient admin = new AdminClient(service.adminPort, ServiceFixture.ADMIN_TOKEN);
            admin.putOk("/v1/programs/shop", "{\"name\":\"Shop\",\"currency\":\"USD\"}");
            admin.putOk("/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"Ann\"}");
            admin.putOk("/v1/links/ann-1", "{\"partnerId\":\"ann\",\"destination\":\"https://shop.example.com/a\"}");
            final HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 2; i++)
            {
                assertEquals(302, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
                    service.trackerPort + "/r/ann-1")).header("User-Agent", BROWSER).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            }

            // When a scraper reads both ports' metrics
            final String edge = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
                service.trackerPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            final String adminPort = new AdminClient(service.adminPort, null).getOk("/metrics");

            // Then the edge shows its health but no volume, and the admin port shows the volume
            assertTrue(edge.contains("ricochet_tracker_unexpected_errors_total 0\n"), edge);
            for (final String volume : new String[]{ "clicks_recorded", "previews_recorded", "bot_clicks_recorded",
                "pixel_hits_recorded", "conversions_recorded", "conversions_duplicate" })
            {
                assertFalse(edge.contains(volume), volume + " on the edge: " + edge);
                assertTrue(adminPort.contains("ricochet_tracker_" + volume + "_total"), volume + ": " + adminPort);
            }
            assertTrue(adminPort.contains("ricochet_tracker_clicks_recorded_total 2\n"), adminPort);
            service.stop();
        }
    }
}
