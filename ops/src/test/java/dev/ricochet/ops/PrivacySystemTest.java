package dev.ricochet.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ricochet.ingest.test.StripeEvents;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.StripeSigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Part 6 of the hardening: the running service keeps its secrets out of its output and talks to no one it was not
 * told to. Both run the real launcher in a child JVM, whose output and sockets the test can see from outside.
 */
class PrivacySystemTest
{
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";
    private static final String ADMIN_TOKEN = "CANARY-admin-token-5e1f0a";
    private static final String FINANCE_TOKEN = "CANARY-finance-token-7b2c9d";
    private static final String ANALYST_TOKEN = "CANARY-analyst-token-c4e81f";
    private static final String WRONG_TOKEN = "CANARY-mistyped-admin-token-3a8e";
    private static final String API_KEY = "CANARY-api-key-41d7e2";
    private static final String STRIPE_SECRET = "whsec_CANARY_stripe_9c04b1";
    private static final String SHOPIFY_SECRET = "CANARY-shopify-secret-6f3a20";
    private static final String POSTBACK_SECRET = "CANARY-postback-secret-d81c57";
    private static final String WEBHOOK_SECRET = "whsec_CANARY_outbound_2e9f64";
    /**
     * The fixed IP-hash key of older versions, a file in the data directory: seeded with printable bytes so that its
     * raw form is a searchable string too; the service deletes it.
     */
    private static final byte[] EDGE_KEY = "CANARYedgeKey16B".getBytes(StandardCharsets.US_ASCII);
    private static final String TCP_LISTEN = "0A";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    /**
     * Secrets the service issues while the test runs (a partner's token), searched for with the configured ones.
     */
    private final List<String> issuedSecrets = new ArrayList<>();

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldNeverWriteASecretToItsOutputOrLogFiles() throws Exception
    {
        // Given the service started with a recognisable canary for every secret it holds
        final Path dataDir = dir.resolve("data");
        final Path log = dir.resolve("service.log");
        Files.createDirectories(dataDir);
        Files.write(dataDir.resolve("edge.key"), EDGE_KEY);
        final String programJson;
        try (ServiceProcess service = ServiceProcess.start(dataDir, log, canaryEnvironment()))
        {
            final AdminClient admin = new AdminClient(service.adminPort, ADMIN_TOKEN);
            programJson = program("");

            // When the catalog is built over the admin API, with the program's secrets
            admin.putOk("/v1/programs/shop", programJson);
            admin.putOk("/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"Ann\",\"status\":\"active\"}");
            admin.putOk("/v1/links/ann-1", "{\"partnerId\":\"ann\",\"destination\":\"https://shop.example.com/a\"}");
            final String clickId = click(service.trackerPort, "/r/ann-1");

            // And every door is knocked on with a wrong or a right secret, and with bad input
            final String sale = StripeEvents.event("evt_privacy_1", "checkout.session.completed",
                StripeEvents.checkoutSession("pi_privacy_1", 5_000, clickId, "cus_1"));
            final long nowSeconds = System.currentTimeMillis() / 1000;
            assertEquals(400, stripe(service.trackerPort, sale,
                StripeSigner.header("whsec_CANARY_wrong_secret_11aa", sale, nowSeconds)));
            assertEquals(200, stripe(service.trackerPort, sale,
                StripeSigner.header(STRIPE_SECRET, sale, nowSeconds)));
            assertEquals(400, stripe(service.trackerPort, "{\"id\":", "t=" + nowSeconds + ",v1=" + STRIPE_SECRET));
            send(HttpRequest.newBuilder(tracker(service.trackerPort, "/webhooks/shopify/shop"))
                .header("X-Shopify-Topic", "orders/create")
                .header("X-Shopify-Hmac-Sha256", Base64.getEncoder().encodeToString(SHOPIFY_SECRET.getBytes(
                    StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":1}")));
            send(HttpRequest.newBuilder(tracker(service.trackerPort, "/v1/conversions"))
                .header("Authorization", "Bearer " + WRONG_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(conversion("order-1"))));
            send(HttpRequest.newBuilder(tracker(service.trackerPort, "/v1/conversions"))
                .header("Authorization", "Bearer " + API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(conversion("order-2"))));
            send(HttpRequest.newBuilder(tracker(service.trackerPort, "/v1/conversions"))
                .header("Authorization", "Bearer " + API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"programId\":\"shop\",\"apiKey\":\"" + API_KEY + "\"")));
            send(HttpRequest.newBuilder(tracker(service.trackerPort, "/postback?program=shop&order_id=o3&amount=100" +
                "&currency=USD&token=" + WRONG_TOKEN)).GET());
            send(HttpRequest.newBuilder(tracker(service.trackerPort, "/postback?program=shop&order_id=o4&amount=100" +
                "&currency=USD&token=" + POSTBACK_SECRET + "&secret=" + POSTBACK_SECRET)).GET());
            send(HttpRequest.newBuilder(tracker(service.trackerPort, "/r/" + API_KEY)).GET());
            final String partnerToken = MAPPER.readTree(admin.getOk("/v1/partners/ann/token")).get("token").asText();
            issuedSecrets.add(partnerToken);
            final AdminClient partner = new AdminClient(service.adminPort, partnerToken);
            partner.getOk("/v1/partners/ann/stats");
            assertEquals(403, partner.get("/v1/programs/shop").statusCode());
            assertEquals(401, new AdminClient(service.adminPort, partnerToken + "x").get("/v1/partners/ann/stats")
                .statusCode());
            final AdminClient intruder = new AdminClient(service.adminPort, WRONG_TOKEN);
            assertEquals(401, intruder.get("/v1/programs/shop").statusCode());
            assertEquals(400, admin.put("/v1/programs/shop", programJson.replace("\"holdDays\"",
                "\"token\":\"" + ADMIN_TOKEN + "\",\"holdDays\"")).statusCode());
            assertEquals(403, new AdminClient(service.adminPort, FINANCE_TOKEN).put("/v1/links/x",
                "{\"secret\":\"" + FINANCE_TOKEN + "\"}").statusCode());

            // And the admin API, asked for the program, answers without its secrets
            final String shown = admin.getOk("/v1/programs/shop");
            assertNoCanary("GET /v1/programs/shop", shown);

            // And the process is stopped as an operator would
            service.stop();
        }

        // Then the fixed edge key an older version left is gone (with it, any past day's hashes could be recomputed)
        assertFalse(Files.exists(dataDir.resolve("edge.key")));

        // And neither its stdout/stderr nor any log file under its data directory holds a canary, nor a day's salt
        try (Stream<Path> salts = Files.list(dataDir.resolve("ip-salts")))
        {
            for (final Path salt : salts.toList())
            {
                final byte[] bytes = Files.readAllBytes(salt);
                issuedSecrets.addAll(List.of(HexFormat.of().formatHex(bytes), Base64.getEncoder().encodeToString(
                    bytes)));
            }
        }
        assertTrue(issuedSecrets.size() >= 4, "today's and tomorrow's salts: " + issuedSecrets);
        assertNoCanary("stdout/stderr", Files.readString(log, StandardCharsets.ISO_8859_1));
        final List<Path> logFiles = logFiles(dataDir);
        assertFalse(logFiles.isEmpty(), "no log file found to search (RocksDB writes state/LOG)");
        for (final Path file : logFiles)
        {
            assertNoCanary(dataDir.relativize(file).toString(), Files.readString(file, StandardCharsets.ISO_8859_1));
        }
        System.out.println("PrivacySystemTest: " + Files.size(log) + " bytes of output and " + logFiles.size() +
            " log files searched for " + canaries().size() + " canaries");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldConnectOutToNothingButTheProgramsWebhookReceiver() throws Exception
    {
        assumeTrue(Files.isReadable(Path.of("/proc/self/net/tcp")) && Files.isDirectory(Path.of("/proc/self/fd")),
            "needs Linux /proc/<pid>/net/tcp and /proc/<pid>/fd to see the service's sockets");

        // Given a webhook receiver on loopback, the only outbound endpoint the service is told about
        final BlockingQueue<String> deliveries = new LinkedBlockingQueue<>();
        final HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange ->
        {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            deliveries.add(exchange.getRequestHeaders().getFirst("Ricochet-Event-Type"));
            exchange.close();
        });
        receiver.start();
        final int receiverPort = receiver.getAddress().getPort();

        // And the service started without the build's Chronicle switches: only its own defaults keep it quiet
        final Path dataDir = dir.resolve("data");
        try (ServiceProcess service = ServiceProcess.start(dataDir, dir.resolve("service.log"), canaryEnvironment(),
            false))
        {
            // Looked at continuously from the start to the end, not only at a few moments
            final ConnectionWatcher watcher = new ConnectionWatcher(service.pid(), receiverPort);

            // When the program subscribes the receiver, and a click and a sale move a partner up a tier
            final AdminClient admin = new AdminClient(service.adminPort, ADMIN_TOKEN);
            admin.putOk("/v1/programs/shop", program(",\"webhookUrl\":\"http://127.0.0.1:" + receiverPort + "/hook\""));
            admin.putOk("/v1/partners/ann", "{\"programId\":\"shop\",\"name\":\"Ann\",\"status\":\"active\"}");
            admin.putOk("/v1/links/ann-1", "{\"partnerId\":\"ann\",\"destination\":\"https://shop.example.com/a\"}");
            final String clickId = click(service.trackerPort, "/r/ann-1");
            final HttpResponse<String> sale = send(HttpRequest.newBuilder(
                tracker(service.trackerPort, "/v1/conversions"))
                .header("Authorization", "Bearer " + API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(conversion("order-1").replace("}",
                    ",\"clickId\":\"" + clickId + "\"}"))));
            assertEquals(200, sale.statusCode(), sale.body());

            // Then the upgrade reaches the receiver
            final String delivered = deliveries.poll(60, TimeUnit.SECONDS);
            assertEquals("tier.upgraded", delivered, "the tier upgrade was not delivered within 60 s");

            // And at every look, each connection of the process is either one a client opened to its own listening
            // ports, or its own to the receiver
            click(service.trackerPort, "/r/ann-1");
            admin.getOk("/v1/partners/ann/stats");
            watcher.stop();
            assertTrue(watcher.seenRemotePorts.contains(receiverPort),
                "the watcher never saw the delivery's connection");
            assertEquals(Set.of(), watcher.unexpected, "connections to anything but a client or the webhook receiver");
            System.out.println("PrivacySystemTest: " + watcher.looks.get() + " looks, outbound connections seen to " +
                "ports " + watcher.seenRemotePorts + " (receiver " + receiverPort + ")");
        }
        finally
        {
            receiver.stop(0);
        }
    }

    /**
     * Looks at a process's sockets over and over on its own thread, from construction until stopped or the process
     * ends.
     */
    private static final class ConnectionWatcher
    {
        final Set<String> unexpected = ConcurrentHashMap.newKeySet();
        final Set<Integer> seenRemotePorts = ConcurrentHashMap.newKeySet();
        final AtomicInteger looks = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;
        private volatile boolean isWatching = true;

        ConnectionWatcher(final long pid, final int receiverPort)
        {
            thread = new Thread(() ->
            {
                while (isWatching)
                {
                    try
                    {
                        unexpected.addAll(foreignConnections(pid, receiverPort, seenRemotePorts));
                        looks.incrementAndGet();
                    }
                    catch (final IOException | UncheckedIOException ex)
                    {
                        if (!Files.isDirectory(Path.of("/proc", Long.toString(pid))))
                        {
                            return; // the process is gone (a failed test stopped it): nothing left to watch
                        }
                        // a socket went between listing the fds and reading the tables: look again
                    }
                    catch (final RuntimeException | Error ex)
                    {
                        failure.set(ex);
                        return;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
            }, "outbound-connection-watcher");
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * Stop looking.
         *
         * @throws AssertionError if a look failed other than by a socket closing under it.
         */
        void stop() throws InterruptedException
        {
            isWatching = false;
            thread.join();
            if (null != failure.get())
            {
                throw new AssertionError("the connection watcher failed", failure.get());
            }
        }
    }

    /**
     * The process's TCP sockets (its fds matched against the namespace's tables) that are neither listening, nor
     * accepted on a listening port, nor connected to the receiver on loopback; UDP sockets are all unexpected.
     */
    private static List<String> foreignConnections(final long pid, final int receiverPort,
        final Set<Integer> seenRemotePorts) throws IOException
    {
        final Set<String> inodes = socketInodes(pid);
        final List<String[]> sockets = new ArrayList<>();
        for (final String table : List.of("tcp", "tcp6", "udp", "udp6"))
        {
            final Path file = Path.of("/proc/" + pid + "/net/" + table);
            if (!Files.isReadable(file))
            {
                continue;
            }
            final List<String> lines = Files.readAllLines(file);
            for (final String line : lines.subList(1, lines.size()))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                final String[] fields = line.trim().split("\\s+");
                if (inodes.contains(fields[9]))
                {
                    sockets.add(new String[]{ table, fields[1], fields[2], fields[3] });
                }
            }
        }
        final Set<Integer> listening = new HashSet<>();
        for (final String[] socket : sockets)
        {
            if (socket[0].startsWith("tcp") && TCP_LISTEN.equals(socket[3]))
            {
                listening.add(port(socket[1]));
            }
        }
        final List<String> foreign = new ArrayList<>();
        for (final String[] socket : sockets)
        {
            final boolean isTcp = socket[0].startsWith("tcp");
            if (isTcp && TCP_LISTEN.equals(socket[3]))
            {
                continue;
            }
            if (isTcp && listening.contains(port(socket[1])))
            {
                continue; // accepted from a client
            }
            final int remotePort = port(socket[2]);
            seenRemotePorts.add(remotePort);
            if (isTcp && remotePort == receiverPort && isLoopback(socket[2]))
            {
                continue;
            }
            foreign.add(socket[0] + " " + socket[1] + " -> " + socket[2] + " state " + socket[3]);
        }
        return foreign;
    }

    private static Set<String> socketInodes(final long pid) throws IOException
    {
        final Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:["))
                    {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                }
                catch (final IOException ex)
                {
                    // closed between the listing and the read
                }
            }
        }
        return inodes;
    }

    private static int port(final String address)
    {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }

    /**
     * 127.x.x.x in /proc's little-endian hex (IPv4: "0100007F"; IPv4-mapped IPv6 ends in it), or ::1.
     */
    private static boolean isLoopback(final String address)
    {
        final String host = address.substring(0, address.indexOf(':'));
        return host.endsWith("7F") || "00000000000000000000000001000000".equals(host);
    }

    private static Map<String, String> canaryEnvironment()
    {
        final Map<String, String> environment = new HashMap<>();
        environment.put("RICOCHET_ADMIN_TOKEN", ADMIN_TOKEN);
        environment.put("RICOCHET_ADMIN_FINANCE_TOKEN", FINANCE_TOKEN);
        environment.put("RICOCHET_ADMIN_ANALYST_TOKEN", ANALYST_TOKEN);
        environment.put("RICOCHET_WEBHOOK_INITIAL_BACKOFF", "100ms");
        // The test's webhook receiver listens on loopback.
        environment.put("RICOCHET_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true");
        return environment;
    }

    private List<String> canaries()
    {
        final List<String> canaries = new ArrayList<>(issuedSecrets);
        canaries.addAll(List.of(ADMIN_TOKEN, FINANCE_TOKEN, ANALYST_TOKEN, WRONG_TOKEN,
            API_KEY, STRIPE_SECRET, SHOPIFY_SECRET, POSTBACK_SECRET, WEBHOOK_SECRET, "CANARY"));
        canaries.add(new String(EDGE_KEY, StandardCharsets.US_ASCII));
        canaries.add(HexFormat.of().formatHex(EDGE_KEY));
        canaries.add(HexFormat.of().withUpperCase().formatHex(EDGE_KEY));
        canaries.add(Base64.getEncoder().encodeToString(EDGE_KEY));
        return canaries;
    }

    private void assertNoCanary(final String where, final String text)
    {
        for (final String canary : canaries())
        {
            final int at = text.toLowerCase(Locale.ROOT).indexOf(canary.toLowerCase(Locale.ROOT));
            assertFalse(at >= 0, () -> where + " holds the secret '" + canary + "': ..." +
                text.substring(Math.max(0, at - 200), Math.min(text.length(), at + 200)) + "...");
        }
    }

    /**
     * Files that are logs rather than data: RocksDB's info LOG (its WAL files, numbered *.log, and the journal hold
     * the catalog, secrets included, as data at rest) and any text log the service might start writing.
     */
    private static List<Path> logFiles(final Path dataDir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dataDir))
        {
            return files.filter(Files::isRegularFile).filter(file ->
            {
                final String name = file.getFileName().toString();
                return name.startsWith("LOG") || name.endsWith(".txt") || name.endsWith(".err") ||
                    name.endsWith(".out") || (name.endsWith(".log") && !name.matches("\\d+\\.log"));
            }).toList();
        }
    }

    private static String program(final String extra)
    {
        return "{\"name\":\"Privacy shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}," +
            "{\"name\":\"silver\",\"minConversions\":1,\"windowDays\":30,\"commissionPercent\":\"15\"}]," +
            "\"holdDays\":30,\"minPayout\":5000," +
            "\"secrets\":{\"apiKey\":\"" + API_KEY + "\",\"stripe\":\"" + STRIPE_SECRET + "\",\"shopify\":\"" +
            SHOPIFY_SECRET + "\",\"postback\":\"" + POSTBACK_SECRET + "\",\"webhook\":\"" + WEBHOOK_SECRET + "\"}" +
            extra + "}";
    }

    private static String conversion(final String orderId)
    {
        return "{\"programId\":\"shop\",\"externalId\":\"" + orderId + "\",\"kind\":\"sale\",\"amount\":5000," +
            "\"currency\":\"USD\"}";
    }

    private String click(final int trackerPort, final String path) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = send(HttpRequest.newBuilder(tracker(trackerPort, path))
            .header("User-Agent", BROWSER).GET());
        assertEquals(302, response.statusCode(), response.body());
        final String location = response.headers().firstValue("location").orElseThrow();
        return location.substring(location.indexOf("rcid=") + 5);
    }

    private int stripe(final int trackerPort, final String payload, final String signature)
        throws IOException, InterruptedException
    {
        return send(HttpRequest.newBuilder(tracker(trackerPort, "/webhooks/stripe/shop"))
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Stripe-Signature", signature)
            .POST(HttpRequest.BodyPublishers.ofString(payload))).statusCode();
    }

    private HttpResponse<String> send(final HttpRequest.Builder request) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        // Every door answers, wrong secrets and bad input included, and none with a server error.
        assertTrue(response.statusCode() < 500, response.uri() + " -> " + response.statusCode() + " " + response.body(
            ));
        return response;
    }

    private static URI tracker(final int port, final String path)
    {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
