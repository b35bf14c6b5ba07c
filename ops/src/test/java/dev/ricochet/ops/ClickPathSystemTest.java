package dev.ricochet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClickPathSystemTest
{
    private static final int PARTNERS = 5;
    private static final int LINKS_PER_PARTNER = 10;
    private static final int CLICKS = 10_000;
    private static final long DAY_MS = 86_400_000L;
    private static final String BROWSER =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605";

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldReportExactlyTheClicksSentPerPartnerAndPerDay() throws Exception
    {
        // Given 5 partners with 10 links each, and an edge clock that starts late on day D and crosses into D+1
        final long dayD = LocalDate.parse("2026-11-20").toEpochDay();
        final AtomicLong edgeTimeMs = new AtomicLong(dayD * DAY_MS + DAY_MS - 30_000);
        try (ServiceFixture service = new ServiceFixture(dataDir, edgeTimeMs::get))
        {
            service.admin.seedProgram("shop", PARTNERS, LINKS_PER_PARTNER);

            // When 10,000 clicks go out concurrently from 8 clients, half before midnight and half after
            final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            final Set<String> clickIds = ConcurrentHashMap.newKeySet();
            final AtomicLongArray sentPerPartnerDay = new AtomicLongArray(PARTNERS * 2);
            final AtomicInteger next = new AtomicInteger();
            final AtomicInteger non302 = new AtomicInteger();
            final ExecutorService senders = Executors.newFixedThreadPool(8);
            final List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 8; t++)
            {
                running.add(senders.submit(() ->
                {
                    int i;
                    while ((i = next.getAndIncrement()) < CLICKS)
                    {
                        if (i == CLICKS / 2)
                        {
                            edgeTimeMs.set((dayD + 1) * DAY_MS + 1);
                        }
                        final int partner = i % PARTNERS;
                        final int link = (i / PARTNERS) % LINKS_PER_PARTNER;
                        final HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + service.tracker.port() + "/r/p" + partner + "-l" + link))
                            .header("User-Agent", BROWSER).build(), HttpResponse.BodyHandlers.discarding());
                        if (302 != response.statusCode())
                        {
                            non302.incrementAndGet();
                            continue;
                        }
                        final String location = response.headers().firstValue("location").orElseThrow();
                        final String clickId = location.substring(location.indexOf("rcid=") + 5);
                        clickIds.add(clickId);
                        // The click id carries its event time: the day is known exactly, whatever the race.
                        final long eventTimeMs = IdCodec.decodeHi(clickId, 0) >>> 16;
                        final boolean afterMidnight = eventTimeMs >= (dayD + 1) * DAY_MS;
                        sentPerPartnerDay.incrementAndGet(partner * 2 + (afterMidnight ? 1 : 0));
                    }
                    return null;
                }));
            }
            for (final Future<?> future : running)
            {
                future.get();
            }
            senders.shutdown();
            final long lastClickNs = System.nanoTime();

            // Then every click was answered 302 with its own click id
            assertEquals(0, non302.get());
            assertEquals(CLICKS, clickIds.size());

            // And the stats API reports exactly those numbers per partner and per day
            final ObjectMapper json = new ObjectMapper();
            long freshnessMs = -1;
            for (int partner = 0; partner < PARTNERS; partner++)
            {
                final String path = "/v1/partners/partner" + partner + "/stats?from=" + LocalDate.ofEpochDay(dayD) +
                    "&to=" + LocalDate.ofEpochDay(dayD + 1);
                final long expected = CLICKS / PARTNERS;
                JsonNode stats = json.readTree(service.admin.get(path).body());
                while (stats.get("clicks").asLong() < expected && System.nanoTime() - lastClickNs < 30_000_000_000L)
                {
                    Thread.sleep(5);
                    stats = json.readTree(service.admin.get(path).body());
                }
                if (0 == partner)
                {
                    freshnessMs = (System.nanoTime() - lastClickNs) / 1_000_000;
                }
                assertEquals(expected, stats.get("clicks").asLong(), "partner" + partner);
                assertEquals(0, stats.get("botClicks").asLong());
                assertEquals(sentPerPartnerDay.get(partner * 2),
                    stats.get("days").get(0).get("clicks").asLong(), "partner" + partner + " day D");
                assertEquals(sentPerPartnerDay.get(partner * 2 + 1),
                    stats.get("days").get(1).get("clicks").asLong(), "partner" + partner + " day D+1");
                // No cookie was sent back, so every click is a new visitor and unique.
                assertEquals(expected, stats.get("uniqueClicks").asLong());
                assertEquals("USD", stats.get("currency").asText());
            }
            assertTrue(sentPerPartnerDay.get(0) > 0 && sentPerPartnerDay.get(1) > 0, "clicks on both days");
            System.out.println("ClickPathSystemTest: all " + CLICKS + " clicks visible in stats " + freshnessMs +
                " ms after the last 302");
        }
    }
}
