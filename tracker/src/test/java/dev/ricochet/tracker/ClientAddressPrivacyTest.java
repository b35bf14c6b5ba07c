package dev.ricochet.tracker;

import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * What the journal keeps of a client's address, through a real edge on loopback.
 */
class ClientAddressPrivacyTest
{
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";
    private static final long NOON_MS = 1_773_144_000_000L; // 2026-03-10T12:00:00Z
    private static final byte[][] RAW_LOOPBACK = {
        { 127, 0, 0, 1 }, { 1, 0, 0, 127 }, "127.0.0.1".getBytes(StandardCharsets.US_ASCII) };

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(NOON_MS);
    private final IpSalts salts = IpSalts.inMemory();
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private Journal journal;
    private TrackerServer server;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        final LinkDirectory links = new LinkDirectory();
        links.put(new LinkRoute("home", 8, 3, 1, "https://shop.example.com/", "rcid"));
        journal = Journal.open(new Journal.Context().dir(dir));
        server = TrackerServer.launch(new TrackerServer.Context().port(0).bindAddress("127.0.0.1")
            .journal(journal).linkDirectory(links).programDirectory(new ProgramDirectory())
            .ipSalts(salts).epochClock(clock::get));
    }

    @AfterEach
    void stopEdge()
    {
        server.close();
        journal.close();
    }

    @Test
    void shouldJournalAClickFrom127001WithoutItsAddressOnlyTheKeyedHashOfIts24() throws Exception
    {
        // When a click and a pixel hit come from 127.0.0.1
        assertEquals(302, get("/r/home"));
        assertEquals(200, get("/p.gif"));

        // Then no journaled record holds the address, in network or little-endian order or as text
        final List<byte[]> records = journaledRecords();
        assertEquals(2, records.size());
        for (final byte[] record : records)
        {
            for (final byte[] raw : RAW_LOOPBACK)
            {
                assertFalse(contains(record, raw), "a record holds the raw address " + new String(raw,
                    StandardCharsets.ISO_8859_1));
            }
        }

        // And each holds the day's keyed hash of 127.0.0.0/24: any address of that /24 gives the same
        final long expected = new IpHasher(salts).hash(new byte[]{ 127, 0, 0, (byte)200 }, NOON_MS);
        assertEquals(List.of(expected, expected), ipHashes());
    }

    @Test
    void shouldHashTheSameClientAlikeWithinADayAndDifferentlyTheNextDay() throws Exception
    {
        // Given a client that clicks twice today, on one keep-alive connection
        assertEquals(302, get("/r/home"));
        clock.addAndGet(3_600_000L);
        assertEquals(302, get("/r/home"));

        // When it clicks again the next UTC day, still on the same connection
        clock.addAndGet(IpHasher.DAY_MS);
        assertEquals(302, get("/r/home"));

        // Then today's two clicks share a hash and tomorrow's has another
        final List<Long> hashes = ipHashes();
        assertEquals(3, hashes.size());
        assertEquals(hashes.get(0), hashes.get(1));
        assertNotEquals(hashes.get(1), hashes.get(2));
        assertNotEquals(0L, hashes.get(2));
    }

    private int get(final String path) throws Exception
    {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("User-Agent", BROWSER).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private List<byte[]> journaledRecords()
    {
        final List<byte[]> records = new ArrayList<>();
        try (JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            poller.poll((buffer, length, index) ->
            {
                final byte[] record = new byte[length];
                buffer.getBytes(0, record);
                records.add(record);
            }, 10_000);
        }
        return records;
    }

    private List<Long> ipHashes()
    {
        final List<Long> hashes = new ArrayList<>();
        final ClickEventFlyweight event = new ClickEventFlyweight();
        try (JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            poller.poll((buffer, length, index) ->
            {
                final byte type = buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET);
                if (EventHeaderDescriptor.TYPE_CLICK == type || EventHeaderDescriptor.TYPE_PIXEL == type)
                {
                    hashes.add(event.wrap(buffer, 0).ipHash());
                }
            }, 10_000);
        }
        return hashes;
    }

    private static boolean contains(final byte[] haystack, final byte[] needle)
    {
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            int j = 0;
            while (j < needle.length && haystack[i + j] == needle[j])
            {
                j++;
            }
            if (j == needle.length)
            {
                return true;
            }
        }
        return false;
    }
}
