package dev.ricochet.aggregator.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.aggregator.store.Table;
import dev.ricochet.aggregator.timeline.TimelineEvent;
import dev.ricochet.ingest.StrictJson;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntBiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class WebhookDispatcherTest
{
    private static final String SECRET_A = "whsec_program_a_0123456789";
    private static final String SECRET_B = "whsec_program_b_0123456789";
    private static final long DEADLINE_MS = 10_000;
    private static final long INITIAL_BACKOFF_MS = 20;
    private static final long MAX_BACKOFF_MS = 100;

    @TempDir
    Path dir;

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, WebhookDispatcher.Target> targets = new HashMap<>();
    private volatile ToIntBiFunction<String, String> responder = (path, eventId) -> 200;
    // The receiver listens on loopback, so these tests allow private networks, except where they test the refusal.
    private boolean allowPrivateNetworks = true;
    private HttpServer server;
    private StateStore store;
    private WebhookDispatcher dispatcher;

    /**
     * One request as the receiver saw it.
     */
    private record Received(String path, Map<String, String> headers, byte[] body)
    {
        String eventId()
        {
            return headers.get("Ricochet-Event-Id");
        }
    }

    @BeforeEach
    void setUp() throws IOException
    {
        store = StateStore.open(dir.resolve("state"));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::receive);
        server.start();
        targets.put("a", new WebhookDispatcher.Target(baseUrl() + "/a", SECRET_A));
        targets.put("b", new WebhookDispatcher.Target(baseUrl() + "/b", SECRET_B));
    }

    @AfterEach
    void tearDown()
    {
        if (null != dispatcher)
        {
            dispatcher.close();
        }
        server.stop(0);
        store.close();
    }

    @Test
    void deliversSignedEventAndDeletesIt() throws Exception
    {
        // Given one outbox row for program a
        final byte[] stored = putRow(1, "a", "tier.upgraded");

        // When the dispatcher runs
        start(SystemEpochClock.INSTANCE, 5);
        await(() -> 1 == dispatcher.delivered(), "delivered");

        // Then the receiver got the stored JSON exactly, with the event's headers and a signature, and the row is gone
        assertEquals(1, received.size());
        final Received request = received.get(0);
        assertEquals("/a", request.path());
        assertArrayEquals(stored, request.body());
        assertEquals("application/json", request.headers().get("Content-Type"));
        assertEquals("Ricochet-Webhooks/1", request.headers().get("User-Agent"));
        assertEquals("evt_1", request.eventId());
        assertEquals("tier.upgraded", request.headers().get("Ricochet-Event-Type"));
        assertTrue(request.headers().get("Ricochet-Signature").matches("t=\\d+,v1=[0-9a-f]{64}"),
            request.headers().get("Ricochet-Signature"));
        assertEquals(List.of(), outboxSeqs());
        assertEquals(List.of(), errors);
    }

    @Test
    void verifiesSignatureLikeAReceiverWould() throws Exception
    {
        // Given a clock at a known instant and one row for program a
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(1_762_560_000_123L);
        putRow(1, "a", "payout.paid");

        // When it is delivered
        start(clock, 5);
        await(() -> 1 == dispatcher.delivered(), "delivered");

        // Then the header verifies the way Stripe's scheme does: HMAC-SHA256(secret, "t." + raw body)
        final Received request = received.get(0);
        final String[] parts = request.headers().get("Ricochet-Signature").split(",");
        assertEquals("t=1762560000", parts[0]);
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET_A.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update("1762560000.".getBytes(StandardCharsets.US_ASCII));
        mac.update(request.body());
        assertEquals("v1=" + HexFormat.of().formatHex(mac.doFinal()), parts[1]);
    }

    @Test
    void retriesWithBackoffUntilTheReceiverAccepts() throws Exception
    {
        // Given a receiver that answers 500 twice, then 200
        final AtomicInteger calls = new AtomicInteger();
        responder = (path, eventId) -> calls.incrementAndGet() <= 2 ? 500 : 200;
        putRow(1, "a", "commission.held");

        // When the dispatcher runs
        start(SystemEpochClock.INSTANCE, 5);
        await(() -> 1 == dispatcher.delivered(), "delivered");

        // Then the same event was attempted three times, and the row is gone once accepted
        assertEquals(List.of("evt_1", "evt_1", "evt_1"), eventIds("/a"));
        assertEquals(2, dispatcher.failedAttempts());
        assertEquals(0, dispatcher.dead());
        assertEquals(List.of(), outboxSeqs());
        assertEquals(List.of(), errors);
    }

    @Test
    void givesUpAfterMaxAttempts() throws Exception
    {
        // Given a receiver that always fails and three attempts allowed, whose URL carries its own token
        responder = (path, eventId) -> 500;
        targets.put("a", new WebhookDispatcher.Target(baseUrl() + "/a?token=receiver-token-77", SECRET_A));
        putRow(1, "a", "commission.voided");

        // When the dispatcher runs
        start(SystemEpochClock.INSTANCE, 3);
        await(() -> 1 == dispatcher.dead(), "given up");

        // Then it tried three times, deleted the row and reported it once, naming the event and the receiver's host
        // but neither the signing secret nor the URL's path and query, where receivers keep their own tokens
        assertEquals(List.of("evt_1", "evt_1", "evt_1"), eventIds("/a"));
        assertEquals(3, dispatcher.failedAttempts());
        assertEquals(List.of(), outboxSeqs());
        assertEquals(1, errors.size());
        final String message = errors.get(0).getMessage();
        assertTrue(message.contains("evt_1"), message);
        assertTrue(message.contains(baseUrl() + "/…"), message);
        assertFalse(message.contains(SECRET_A), message);
        assertFalse(message.contains("receiver-token-77"), message);
    }

    @Test
    void shouldRefuseAtSendTimeAWebhookWhoseHostIsOrResolvesToAPrivateAddressUnlessAllowed() throws Exception
    {
        // Given private networks are not allowed, and webhooks journaled before the admin API refused such hosts:
        // the receiver on loopback by IP, by name, as IPv4-mapped IPv6, as a decimal number, and metadata/ULA hosts
        allowPrivateNetworks = false;
        final String port = ":" + server.getAddress().getPort();
        final List<String> urls = List.of("http://127.0.0.1" + port + "/a", "http://localhost" + port + "/a",
            "http://[::ffff:127.0.0.1]" + port + "/a", "http://[::1]" + port + "/a", "http://2130706433" + port + "/a",
            "http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/a", "http://[fe80::1]/a",
            "http://0.0.0.0" + port + "/a", "http://10.0.0.1/a", "http://[64:ff9b::7f00:1]/a");
        for (int i = 0; i < urls.size(); i++)
        {
            targets.put("p" + i, new WebhookDispatcher.Target(urls.get(i), SECRET_A));
            putRow(i + 1, "p" + i, "tier.upgraded");
        }

        // When the dispatcher runs with one attempt allowed
        start(SystemEpochClock.INSTANCE, 1);
        await(() -> urls.size() == dispatcher.dead(), "given up");

        // Then nothing reached the receiver, and every refusal was reported without the secret
        assertEquals(List.of(), received);
        assertEquals(urls.size(), errors.size());
        for (final Throwable error : errors)
        {
            assertTrue(error.getMessage().contains("refused: its host"), error.getMessage());
            assertFalse(error.getMessage().contains(SECRET_A), error.getMessage());
        }
    }

    @Test
    void shouldGiveUpAWebhookWithABlankSigningSecretWithoutThrowing() throws Exception
    {
        // Given a webhook journaled with an empty signing secret before the admin API refused one
        targets.put("a", new WebhookDispatcher.Target(baseUrl() + "/a", ""));
        putRow(1, "a", "tier.upgraded");

        // When the dispatcher runs with one attempt allowed
        start(SystemEpochClock.INSTANCE, 1);
        await(() -> 1 == dispatcher.dead(), "given up");

        // Then nothing was sent and the one report says why
        assertEquals(List.of(), received);
        assertTrue(errors.get(0).getMessage().contains("signing secret missing"), errors.get(0).getMessage());
    }

    @Test
    void countsAConnectionRefusedAsAFailedAttempt() throws Exception
    {
        // Given program a's webhook points at a port nobody listens on
        targets.put("a", new WebhookDispatcher.Target("http://127.0.0.1:" + closedPort() + "/a", SECRET_A));
        putRow(1, "a", "tier.downgraded");

        // When the dispatcher runs with two attempts allowed
        start(SystemEpochClock.INSTANCE, 2);
        await(() -> 1 == dispatcher.dead(), "given up");

        // Then both attempts counted as failures and the row was given up
        assertEquals(2, dispatcher.failedAttempts());
        assertEquals(List.of(), outboxSeqs());
        assertEquals(1, errors.size());
    }

    @Test
    void aFailingProgramDoesNotHoldUpAnotherProgram() throws Exception
    {
        // Given program a's receiver always fails and rows of a and b interleaved
        responder = (path, eventId) -> "/a".equals(path) ? 500 : 200;
        putRow(1, "a", "tier.upgraded");
        putRow(2, "b", "tier.upgraded");
        putRow(3, "a", "commission.held");
        putRow(4, "b", "commission.held");

        // When the dispatcher runs with attempts enough to outlast the test
        start(SystemEpochClock.INSTANCE, 1000);
        await(() -> 2 == dispatcher.delivered(), "b delivered");

        // Then b's rows were delivered while a's wait, its second row never sent ahead of its first
        assertEquals(List.of("evt_2", "evt_4"), eventIds("/b"));
        await(() -> !eventIds("/a").isEmpty(), "a's first row tried");
        final List<String> triedForA = eventIds("/a");
        assertEquals(Collections.nCopies(triedForA.size(), "evt_1"), triedForA);
        assertEquals(List.of(1L, 3L), outboxSeqs());
    }

    @Test
    void dropsRowsOfProgramsWithoutWebhook() throws Exception
    {
        // Given rows of a program that has no webhook around a row of program a
        putRow(1, "gone", "tier.upgraded");
        putRow(2, "a", "tier.upgraded");
        putRow(3, "gone", "payout.paid");

        // When the dispatcher runs
        start(SystemEpochClock.INSTANCE, 5);
        await(() -> 1 == dispatcher.delivered() && 2 == dispatcher.dropped(), "delivered and dropped");

        // Then only a's row was sent and every row is gone
        assertEquals(1, received.size());
        assertEquals("evt_2", received.get(0).eventId());
        assertEquals(List.of(), outboxSeqs());
        assertEquals(List.of(), errors);
    }

    @Test
    void keepsOrderWithinAProgram() throws Exception
    {
        // Given five rows of program a and a receiver that fails the second event once
        final AtomicBoolean failedOnce = new AtomicBoolean();
        responder = (path, eventId) -> "evt_2".equals(eventId) && failedOnce.compareAndSet(false, true) ? 503 : 200;
        for (long seq = 1; seq <= 5; seq++)
        {
            putRow(seq, "a", "commission.held");
        }

        // When the dispatcher runs
        start(SystemEpochClock.INSTANCE, 5);
        await(() -> 5 == dispatcher.delivered(), "all delivered");

        // Then nothing overtook the retried event
        assertEquals(List.of("evt_1", "evt_2", "evt_2", "evt_3", "evt_4", "evt_5"), eventIds("/a"));
        assertEquals(List.of(), errors);
    }

    @Test
    void deliversRowsCommittedAfterStart() throws Exception
    {
        // Given a running dispatcher that has already delivered the outbox
        putRow(1, "a", "tier.upgraded");
        start(SystemEpochClock.INSTANCE, 5);
        await(() -> 1 == dispatcher.delivered(), "first delivered");

        // When the aggregator commits more rows and wakes it
        putRow(2, "b", "tier.upgraded");
        putRow(3, "a", "tier.downgraded");
        dispatcher.wake();
        await(() -> 3 == dispatcher.delivered(), "later rows delivered");

        // Then the later rows were found and delivered too
        assertEquals(List.of("evt_1", "evt_3"), eventIds("/a"));
        assertEquals(List.of("evt_2"), eventIds("/b"));
        assertEquals(List.of(), outboxSeqs());
    }

    private void start(final EpochClock clock, final int maxAttempts)
    {
        dispatcher = new WebhookDispatcher(store, targets::get, clock, errors::add, INITIAL_BACKOFF_MS, MAX_BACKOFF_MS,
            maxAttempts, allowPrivateNetworks).start();
    }

    private void receive(final HttpExchange exchange) throws IOException
    {
        final byte[] body = exchange.getRequestBody().readAllBytes();
        final Map<String, String> headers = new HashMap<>();
        for (final String name : new String[]{ "Content-Type", "User-Agent", "Ricochet-Event-Id",
            "Ricochet-Event-Type", "Ricochet-Signature" })
        {
            headers.put(name, exchange.getRequestHeaders().getFirst(name));
        }
        final Received request = new Received(exchange.getRequestURI().getPath(), headers, body);
        received.add(request);
        exchange.sendResponseHeaders(responder.applyAsInt(request.path(), request.eventId()), -1);
        exchange.close();
    }

    private byte[] putRow(final long seq, final String programId, final String type) throws IOException
    {
        final byte[] json = StrictJson.MAPPER.writeValueAsBytes(new TimelineEvent("evt_" + seq, type,
            "2025-11-08T00:00:00Z", programId, "alice", Map.of("tier", "gold")));
        try (WriteBatch batch = new WriteBatch())
        {
            store.put(batch, Table.OUTBOX, ByteBuffer.allocate(8).putLong(seq).array(), json);
            store.write(batch);
        }
        return json;
    }

    private List<Long> outboxSeqs()
    {
        final byte[] end = new byte[9];
        Arrays.fill(end, (byte)0xFF);
        final List<Long> seqs = new ArrayList<>();
        store.scan(Table.OUTBOX, new byte[0], end, false, (key, value) ->
        {
            seqs.add(ByteBuffer.wrap(key).getLong());
            return true;
        });
        return seqs;
    }

    private List<String> eventIds(final String path)
    {
        return received.stream().filter((request) -> path.equals(request.path())).map(Received::eventId).toList();
    }

    private String baseUrl()
    {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static int closedPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            return socket.getLocalPort();
        }
    }

    /**
     * Poll for a condition; the deadline only guards against a hang, it asserts nothing about speed.
     */
    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_MS * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("not " + what + " within " + DEADLINE_MS + " ms");
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
