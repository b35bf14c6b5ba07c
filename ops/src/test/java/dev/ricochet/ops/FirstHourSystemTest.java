package dev.ricochet.ops;

import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16, item 9: the first hour, tried as a new user would, against the launcher in a child JVM: what it prints
 * and how it exits when asked for help, given a misspelt key or a duration without a unit, started on a busy port or
 * on a data directory in use; what the demo seeds, keeps and prints.
 */
class FirstHourSystemTest
{
    private static final Pattern CLICK_LINE =
        Pattern.compile("curl -si -A '([^']+)' (http://localhost:\\d+/r/alice-tents)");
    private static final Pattern STATS_LINE =
        Pattern.compile("'(http://localhost:\\d+/v1/partners/alice/stats\\?[^']+)'");

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void helpPrintsTheUsageAndExitsZero() throws Exception
    {
        try (LauncherProcess launcher = LauncherProcess.start(dir.resolve("out"), Map.of(), List.of(), "--help"))
        {
            assertEquals(0, launcher.awaitExit(), launcher.output());
            assertTrue(launcher.output().startsWith("usage: ricochet run [--demo]"), launcher.output());
        }
    }

    @Test
    void runHelpPrintsTheUsageAndExitsZero() throws Exception
    {
        try (LauncherProcess launcher = LauncherProcess.start(dir.resolve("out"), Map.of(), List.of(), "run", "--help"))
        {
            assertEquals(0, launcher.awaitExit(), launcher.output());
            assertTrue(launcher.output().startsWith("usage: ricochet run [--demo]"), launcher.output());
            assertFalse(launcher.output().contains("needs a value"), launcher.output());
        }
    }

    @Test
    void refusesAMisspeltKeyFromTheEnvironmentNamingTheNearestKnownOne() throws Exception
    {
        try (LauncherProcess launcher = LauncherProcess.start(dir.resolve("out"),
            Map.of("RICOCHET_TRACKER_PROT", "9000"), List.of(), "run", "--data-dir", dir.resolve("data").toString()))
        {
            assertEquals(2, launcher.awaitExit(), launcher.output());
            assertTrue(launcher.output().startsWith("ricochet: unknown setting 'ricochet.tracker.prot' from the " +
                "environment (RICOCHET_TRACKER_PROT): did you mean ricochet.tracker.port?"), launcher.output());
        }
    }

    @Test
    void refusesAMisspeltSystemPropertyNamingTheNearestKnownOne() throws Exception
    {
        try (LauncherProcess launcher = LauncherProcess.start(dir.resolve("out"), Map.of(),
            List.of("-Dricochet.aggregator.comit.interval=1s"), "run", "--data-dir", dir.resolve("data").toString()))
        {
            assertEquals(2, launcher.awaitExit(), launcher.output());
            assertTrue(launcher.output().contains("did you mean ricochet.aggregator.commit.interval?"),
                launcher.output());
        }
    }

    @Test
    void refusesADurationWithoutAUnitNamingTheKey() throws Exception
    {
        try (LauncherProcess launcher = LauncherProcess.start(dir.resolve("out"),
            Map.of("RICOCHET_AGGREGATOR_COMMIT_INTERVAL", "100"), List.of(), "run", "--data-dir",
            dir.resolve("data").toString(), "--tracker-port", "0", "--admin-port", "0"))
        {
            assertEquals(1, launcher.awaitExit(), launcher.output());
            assertTrue(launcher.output().contains("ricochet: cannot start: ricochet.aggregator.commit.interval=100: " +
                "a duration needs a unit"), launcher.output());
        }
    }

    @Test
    void aBusyEdgePortStopsTheStartWithOneLineNamingThePortAndItsSetting() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"));
            LauncherProcess launcher = LauncherProcess.start(dir.resolve("out"), Map.of(), List.of(), "run",
                "--data-dir", dir.resolve("data").toString(), "--tracker-port", Integer.toString(taken.getLocalPort()),
                "--admin-port", "0"))
        {
            assertEquals(1, launcher.awaitExit(), launcher.output());
            assertEquals("ricochet: cannot start: edge port " + taken.getLocalPort() + " on 0.0.0.0 is already in " +
                "use (another Ricochet or program listens there): choose another with --tracker-port PORT or " +
                "ricochet.tracker.port (0 = any free port)\n", launcher.output());
        }
    }

    @Test
    void aBusyAdminPortStopsTheStartWithOneLineNamingThePortAndItsSetting() throws Exception
    {
        try (ServerSocket taken = new ServerSocket())
        {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            try (LauncherProcess launcher = LauncherProcess.start(dir.resolve("out"), Map.of(), List.of(), "run",
                "--data-dir", dir.resolve("data").toString(), "--tracker-port", "0",
                "--admin-port", Integer.toString(taken.getLocalPort())))
            {
                assertEquals(1, launcher.awaitExit(), launcher.output());
                assertEquals("ricochet: cannot start: admin API port " + taken.getLocalPort() + " on 127.0.0.1 is " +
                    "already in use (another Ricochet or program listens there): choose another with --admin-port " +
                    "PORT or ricochet.admin.port (0 = any free port)\n", launcher.output());
            }
        }
    }

    @Test
    void aSecondInstanceOnTheSameDataDirectoryStopsNamingTheFirst() throws Exception
    {
        final Path data = dir.resolve("data");
        try (LauncherProcess first = LauncherProcess.start(dir.resolve("first"), Map.of(), List.of(), "run",
            "--data-dir", data.toString(), "--tracker-port", "0", "--admin-port", "0"))
        {
            first.awaitOutput("ricochet: started");

            try (LauncherProcess second = LauncherProcess.start(dir.resolve("second"), Map.of(), List.of(), "run",
                "--data-dir", data.toString(), "--tracker-port", "0", "--admin-port", "0"))
            {
                assertEquals(1, second.awaitExit(), second.output());
                assertEquals("ricochet: cannot start: data directory " + data + " is in use by another Ricochet " +
                    "(pid " + first.pid() + "): stop it first, or give this one its own with --data-dir\n",
                    second.output());
            }
        }
    }

    @Test
    void theDemosPrintedClickCountsAsAShoppersClickInTodaysStats() throws Exception
    {
        try (LauncherProcess demo = startDemo(dir.resolve("demo")))
        {
            demo.awaitOutput("partners/alice/stats");
            final String output = demo.output();
            final Matcher click = CLICK_LINE.matcher(output);
            final Matcher stats = STATS_LINE.matcher(output);
            assertTrue(click.find() && stats.find(), output);
            final LocalDate today = LocalDate.now(ZoneOffset.UTC);
            assertTrue(stats.group(1).endsWith("?from=" + today + "&to=" + today), stats.group(1));

            // When the printed click is made as printed
            assertEquals(302, client.send(HttpRequest.newBuilder(URI.create(click.group(2)))
                .header("User-Agent", click.group(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());

            // Then the printed stats command shows it as a click, not a bot's
            String body;
            do
            {
                Thread.sleep(20);
                body = get(stats.group(1));
            }
            while (!body.contains("\"clicks\":1,") && !body.contains("\"botClicks\":1,"));
            assertTrue(body.contains("\"clicks\":1,") && body.contains("\"botClicks\":0,"), body);
        }
    }

    @Test
    void theStartPrintsAPlainSummaryWithoutLibraryInfoLines() throws Exception
    {
        try (LauncherProcess demo = startDemo(dir.resolve("demo")))
        {
            demo.awaitOutput("partners/alice/stats");
            final String output = demo.output();

            assertTrue(output.contains("\n  data       " + dir.resolve("data") + "\n"), output);
            assertTrue(output.matches("(?s).*\n  edge       http://localhost:\\d+/r/\\{code}.*"), output);
            assertTrue(output.contains("ricochet.admin.token=(set) (RICOCHET_ADMIN_TOKEN)"), output);
            assertFalse(output.contains(ServiceFixture.ADMIN_TOKEN + " (RICOCHET"), output);
            assertFalse(output.contains(" INFO "), output);
            assertFalse(output.contains("\u001b"), output);
        }
    }

    @Test
    void rerunningTheDemoKeepsAnEditedPartner() throws Exception
    {
        final String adminBase;
        try (LauncherProcess demo = startDemo(dir.resolve("first")))
        {
            demo.awaitOutput("partners/alice/stats");
            final Matcher stats = STATS_LINE.matcher(demo.output());
            assertTrue(stats.find(), demo.output());
            adminBase = stats.group(1).substring(0, stats.group(1).indexOf("/v1/") + 4);
            final HttpResponse<String> edit = client.send(
                HttpRequest.newBuilder(URI.create(adminBase + "partners/alice"))
                    .header("Authorization", "Bearer " + ServiceFixture.ADMIN_TOKEN)
                    .PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"programId\":\"demo\",\"name\":\"Alice Renamed\",\"email\":\"alice@example.com\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, edit.statusCode(), edit.body());
            demo.stop();
        }

        try (LauncherProcess again = startDemo(dir.resolve("again")))
        {
            again.awaitOutput("partners/alice/stats");
            assertTrue(again.output().contains("ricochet: demo: kept as they are (existing, your edits included): " +
                "program demo, partner alice, partner bob, partner carol, link alice-tents"), again.output());
            final Matcher stats = STATS_LINE.matcher(again.output());
            assertTrue(stats.find(), again.output());
            final String base = stats.group(1).substring(0, stats.group(1).indexOf("/v1/") + 4);
            assertTrue(get(base + "partners/alice").contains("\"name\":\"Alice Renamed\""), again.output());
        }
    }

    private LauncherProcess startDemo(final Path log) throws IOException
    {
        return LauncherProcess.start(log, Map.of("RICOCHET_ADMIN_TOKEN", ServiceFixture.ADMIN_TOKEN), List.of(),
            "run", "--demo", "--data-dir", dir.resolve("data").toString(),
            "--tracker-port", Integer.toString(LauncherProcess.freePort()),
            "--admin-port", Integer.toString(LauncherProcess.freePort()));
    }

    private String get(final String url) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + ServiceFixture.ADMIN_TOKEN).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }
}
