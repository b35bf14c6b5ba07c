package dev.ricochet.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrashRestartSystemTest
{
    private static final int PARTNERS = 5;
    private static final int SENDERS = 4;
    private static final String BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/128.0";

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldCountEveryJournaledClickExactlyOnceAcrossAKillMidStream() throws Exception
    {
        final Path dataDir = dir.resolve("data");
        final Path log = dir.resolve("service.log");
        // A long commit interval makes the kill land between apply and commit: the case that could double count.
        final Map<String, String> environment = Map.of("RICOCHET_AGGREGATOR_COMMIT_INTERVAL", "500ms",
            "RICOCHET_AGGREGATOR_COMMIT_MAX_EVENTS", "1000000");
        final Set<String> acked = ConcurrentHashMap.newKeySet();

        // Given a running service with 5 partners, taking clicks from 4 concurrent senders
        try (ServiceProcess first = ServiceProcess.start(dataDir, log, environment))
        {
            first.admin().seedProgram("shop", PARTNERS, 4);
            final AtomicBoolean running = new AtomicBoolean(true);
            final ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            final List<Future<?>> futures = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++)
            {
                final int sender = s;
                futures.add(senders.submit(() -> sendUntilFailure(first.trackerPort, sender, running, acked)));
            }

            // When the whole process is SIGKILLed mid-stream
            while (acked.size() < 3000)
            {
                Thread.sleep(5);
            }
            first.kill();
            running.set(false);
            for (final Future<?> future : futures)
            {
                future.get();
            }
            senders.shutdown();
        }
        final int ackedBeforeKill = acked.size();

        // And it restarts on the same data and takes 1,000 more clicks
        try (ServiceProcess second = ServiceProcess.start(dataDir, log, environment))
        {
            for (int i = 0; i < 1000; i++)
            {
                assertTrue(sendClick(HttpClient.newHttpClient(), second.trackerPort, i, acked), "click after restart");
            }
            second.stop();
        }

        // Then every acknowledged click is in the journal, each request journaled at most once
        final long[] journaledPerPartner = new long[PARTNERS + 1];
        final Set<String> journaledIds = new HashSet<>();
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal")));
            JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            final ClickEventFlyweight click = new ClickEventFlyweight();
            while (poller.poll((buffer, length, index) ->
            {
                if (EventHeaderDescriptor.TYPE_CLICK == buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET))
                {
                    click.wrap(buffer, 0);
                    journaledIds.add(IdCodec.toString(click.clickIdHi(), click.clickIdLo()));
                    journaledPerPartner[click.partnerId()]++;
                }
            }, 10_000) > 0)
            {
                // drain
            }
        }
        final Set<String> missing = new HashSet<>(acked);
        missing.removeAll(journaledIds);
        assertEquals(Set.of(), missing, "acknowledged clicks missing from the journal");
        assertTrue(journaledIds.size() <= acked.size() + SENDERS,
            "at most one unacknowledged click per in-flight request: " + journaledIds.size() + " vs " + acked.size());

        // And after one more restart the stats count each journaled click exactly once
        try (ServiceProcess third = ServiceProcess.start(dataDir, log, environment))
        {
            final ObjectMapper json = new ObjectMapper();
            long total = 0;
            for (int p = 0; p < PARTNERS; p++)
            {
                final long clicks = json.readTree(third.admin().get("/v1/partners/partner" + p + "/stats").body())
                    .get("clicks").asLong();
                // Partners are numbered in the order they were created: partner0 is 1.
                assertEquals(journaledPerPartner[p + 1], clicks, "partner" + p + "\n" + Files.readString(log));
                total += clicks;
            }
            assertEquals(journaledIds.size(), total);
            System.out.println("CrashRestartSystemTest: acked before kill " + ackedBeforeKill + ", acked total " +
                acked.size() + ", journaled " + journaledIds.size() + ", counted " + total);
        }
    }

    private static Void sendUntilFailure(
        final int port, final int sender, final AtomicBoolean running, final Set<String> acked)
    {
        final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        int i = sender;
        while (running.get())
        {
            try
            {
                sendClick(client, port, i, acked);
            }
            catch (final IOException ex)
            {
                return null; // the service was killed under us: this request was never acknowledged
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return null;
            }
            i += SENDERS;
        }
        return null;
    }

    private static boolean sendClick(final HttpClient client, final int port, final int i, final Set<String> acked)
        throws IOException, InterruptedException
    {
        final HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + port + "/r/p" + (i % PARTNERS) + "-l" + (i / PARTNERS) % 4))
            .header("User-Agent", BROWSER).build(), HttpResponse.BodyHandlers.discarding());
        if (302 != response.statusCode())
        {
            return false;
        }
        final String location = response.headers().firstValue("location").orElseThrow();
        acked.add(location.substring(location.indexOf("rcid=") + 5));
        return true;
    }
}
