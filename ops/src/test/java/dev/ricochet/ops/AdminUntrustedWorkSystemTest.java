package dev.ricochet.ops;

import dev.ricochet.aggregator.Aggregator;
import dev.ricochet.aggregator.admin.AdminServer;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.ricochet.ingest.test.RawHttp.readToEnd;
import static dev.ricochet.ingest.test.RawHttp.statuses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Items 4 and 5 of issue 15 on the admin API, through real sockets against a real aggregator and its admin server:
 * every report query has a range limit and parses dates defensively (the committed corpus
 * {@code src/test/resources/hostile-queries/report-queries.txt}); a request that trickles is cut at its deadline;
 * pipelined requests are answered or refused unprocessed, nothing after {@code Connection: close} is processed, and a
 * client that half-closes gets its answer.
 */
class AdminUntrustedWorkSystemTest
{
    private static final Path CORPUS = Path.of("src/test/resources/hostile-queries/report-queries.txt");
    private static final String PROGRAM = "{\"name\":\"Shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
        "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]}";

    @TempDir
    Path dataDir;

    private Journal journal;
    private Aggregator aggregator;
    private AdminClient admin;

    @BeforeEach
    void start() throws Exception
    {
        start(10_000);
    }

    private void start(final long requestTimeoutMs) throws Exception
    {
        journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal")));
        aggregator = Aggregator.launch(new Aggregator.Context()
            .dataDir(dataDir).journal(journal).linkDirectory(new LinkDirectory()).programDirectory(new ProgramDirectory(
                ))
            .adminPort(0).adminToken(ServiceFixture.ADMIN_TOKEN).financeToken(ServiceFixture.FINANCE_TOKEN)
            .analystToken(ServiceFixture.ANALYST_TOKEN).adminRequestTimeoutMs(requestTimeoutMs));
        admin = new AdminClient(aggregator.adminPort(), ServiceFixture.ADMIN_TOKEN);
        admin.putOk("/v1/programs/shop", PROGRAM);
        admin.putOk("/v1/partners/partner0", "{\"programId\":\"shop\",\"name\":\"P0\",\"status\":\"active\"}");
    }

    @AfterEach
    void stop()
    {
        aggregator.close();
        journal.close();
    }

    @Test
    void refusesBodiesPastTheBudgetForBodiesInFlightWith503AndServesOnOnceTheyAreGone() throws Exception
    {
        // When 130 connections each send all but the last byte of a 64 KiB body, more than the 8 MiB budget in all
        final int connections = 130;
        final List<Socket> sockets = new ArrayList<>();
        final List<Integer> answers = new ArrayList<>();
        try
        {
            final byte[] almostAll = new byte[AdminServer.MAX_BODY_BYTES - 1];
            Arrays.fill(almostAll, (byte)' ');
            for (int i = 0; i < connections; i++)
            {
                final Socket socket = socket();
                sockets.add(socket);
                socket.getOutputStream().write(("PUT /v1/partners/big" + i + " HTTP/1.1\r\nHost: x\r\n" +
                    "Authorization: Bearer " + ServiceFixture.ADMIN_TOKEN + "\r\nContent-Length: " +
                    AdminServer.MAX_BODY_BYTES + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                try
                {
                    socket.getOutputStream().write(almostAll);
                }
                catch (final IOException refused)
                {
                    // refused and closed while still sending: its answer is there to read
                }
            }
            for (final Socket socket : sockets)
            {
                answers.addAll(statuses(readToEnd(socket)));
            }
        }
        finally
        {
            for (final Socket socket : sockets)
            {
                socket.close();
            }
        }

        // Then the bodies past the budget got 503 and the others, never completed, 408 at their deadline
        assertEquals(connections, answers.size(), answers.toString());
        assertTrue(answers.contains(503), answers.toString());
        assertTrue(answers.stream().allMatch(status -> 503 == status || 408 == status), answers.toString());
        // And the budget came back: a whole request is served
        admin.putOk("/v1/partners/after", "{\"programId\":\"shop\",\"name\":\"A\"}");
    }

    @TestFactory
    Stream<DynamicTest> answersEveryReportQueryOutOfRangeWith400NamingTheParameterAndItsLimit() throws IOException
    {
        final Map<String, String> tokens = Map.of("admin", ServiceFixture.ADMIN_TOKEN,
            "finance", ServiceFixture.FINANCE_TOKEN, "analyst", ServiceFixture.ANALYST_TOKEN);
        final String hour = Instant.now().truncatedTo(ChronoUnit.HOURS).toString();
        final List<DynamicTest> cases = new ArrayList<>();
        for (final String line : Files.readAllLines(CORPUS, StandardCharsets.UTF_8))
        {
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            final String[] fields = line.split("\\|", -1);
            assertEquals(6, fields.length, line);
            for (int i = 0; i < fields.length; i++)
            {
                fields[i] = fields[i].trim();
            }
            final String path = fields[2].replace("{hour}", hour);
            cases.add(DynamicTest.dynamicTest(fields[1] + " " + path, () ->
            {
                final AdminClient client = new AdminClient(aggregator.adminPort(), tokens.get(fields[0]));
                final HttpResponse<String> response = "GET".equals(fields[1]) ? client.get(path) :
                    client.send(client.builder(path).header("Content-Type", "application/json")
                        .method(fields[1], HttpRequest.BodyPublishers.ofString(fields[3])));
                assertEquals(Integer.parseInt(fields[4]), response.statusCode(), response.body());
                assertTrue(response.body().contains(fields[5]), response.body());
                assertEquals(200, admin.get("/healthz").statusCode());
            }));
        }
        assertTrue(cases.size() >= 15, "corpus at " + CORPUS.toAbsolutePath() + " has " + cases.size() + " cases");
        return cases.stream();
    }

    @Test
    void cutsARequestThatTricklesWith408AtItsDeadline() throws Exception
    {
        // Given an admin API whose requests must arrive within 300 ms of their first byte
        stop();
        start(300);
        try (Socket socket = socket())
        {
            // When a client sends a PUT whose body comes a byte at a time, never idle and never done
            final String body = "{\"programId\":\"shop\",\"name\":\"Slow\",\"status\":\"active\"}";
            socket.getOutputStream().write(("PUT /v1/partners/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                ServiceFixture.ADMIN_TOKEN + "\r\nContent-Length: " + body.length() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            String answer = "";
            for (int i = 0; i < body.length() - 1 && answer.isEmpty(); i++)
            {
                try
                {
                    socket.getOutputStream().write(body.charAt(i));
                    socket.getOutputStream().flush();
                }
                catch (final IOException closed)
                {
                    break;
                }
                Thread.sleep(50);
                final int available = socket.getInputStream().available();
                answer = available > 0 ?
                    new String(socket.getInputStream().readNBytes(available), StandardCharsets.ISO_8859_1) : "";
            }
            answer += readToEnd(socket);

            // Then it gets 408, is closed, and the partner was not created
            assertEquals(List.of(408), statuses(answer), answer);
            assertEquals(404, admin.get("/v1/partners/slow").statusCode());
        }
    }

    @Test
    void answersEveryPipelinedRequestItProcessesAndRefusesTheRestUnprocessed() throws Exception
    {
        try (Socket socket = socket())
        {
            // When a client pipelines 30 partner upserts in one write, past the depth of 16
            final StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < 30; i++)
            {
                pipeline.append(put("/v1/partners/p" + i, "{\"programId\":\"shop\",\"name\":\"P\"}", "keep-alive"));
            }
            socket.getOutputStream().write(pipeline.toString().getBytes(StandardCharsets.US_ASCII));
            final List<Integer> answers = statuses(readToEnd(socket));

            // Then each upsert answered 200 was applied, the first over the depth got 503 and none after it applied
            final long applied = answers.stream().filter(status -> 200 == status).count();
            assertTrue(applied >= 16 && applied < 30, answers.toString());
            assertEquals(503, answers.get(answers.size() - 1), answers.toString());
            for (int i = 0; i < 30; i++)
            {
                assertEquals(i < applied ? 200 : 404, admin.get("/v1/partners/p" + i).statusCode(), "p" + i);
            }
        }
    }

    @Test
    void processesNothingPipelinedAfterARequestThatClosesTheConnection() throws Exception
    {
        try (Socket socket = socket())
        {
            socket.getOutputStream().write((put("/v1/partners/first", "{\"programId\":\"shop\",\"name\":\"F\"}",
                "close") +
                put("/v1/partners/second", "{\"programId\":\"shop\",\"name\":\"S\"}", "keep-alive"))
                .getBytes(StandardCharsets.US_ASCII));

            assertEquals(List.of(200), statuses(readToEnd(socket)));
            assertEquals(200, admin.get("/v1/partners/first").statusCode());
            assertEquals(404, admin.get("/v1/partners/second").statusCode());
        }
    }

    @Test
    void answersAClientThatHalfClosesAfterItsRequests() throws Exception
    {
        try (Socket socket = socket())
        {
            socket.getOutputStream().write((put("/v1/partners/half1", "{\"programId\":\"shop\",\"name\":\"H\"}",
                "keep-alive") + put("/v1/partners/half2", "{\"programId\":\"shop\",\"name\":\"H\"}", "keep-alive"))
                .getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();

            assertEquals(List.of(200, 200), statuses(readToEnd(socket)));
            assertEquals(200, admin.get("/v1/partners/half2").statusCode());
        }
    }

    private Socket socket() throws IOException
    {
        final Socket socket = new Socket("127.0.0.1", aggregator.adminPort());
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static String put(final String path, final String json, final String connection)
    {
        return "PUT " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ServiceFixture.ADMIN_TOKEN +
            "\r\nConnection: " + connection + "\r\nContent-Length: " + json.length() + "\r\n\r\n" + json;
    }
}
