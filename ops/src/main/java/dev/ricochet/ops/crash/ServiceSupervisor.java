package dev.ricochet.ops.crash;

import dev.ricochet.ops.Ricochet;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real service ({@link Ricochet}) as a child JVM on fixed ports, one incarnation after another on the same
 * data directory, and does to it what a crash suite does: SIGKILL, SIGSTOP/SIGCONT, waiting for a crash point to
 * halt it. The ports stay the same across restarts so the load generator's reconnects find the next incarnation.
 */
final class ServiceSupervisor implements AutoCloseable
{
    static final String ADMIN_TOKEN = "crash-suite-admin-token-0123456789";
    private static final long START_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(90);

    final Path dataDir;
    final int trackerPort;
    final int adminPort;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private long logOffset;

    ServiceSupervisor(final Path dataDir, final Path log) throws IOException
    {
        this.dataDir = dataDir;
        this.log = log;
        this.trackerPort = freePort();
        this.adminPort = freePort();
    }

    /**
     * Start an incarnation and wait until both ports answer.
     *
     * @param settings {@code ricochet.*} settings for this incarnation (crash points, roll cycle, ...).
     * @return -1 once healthy, or the exit status of an incarnation that died while starting (a crash point that
     * fired during recovery).
     * @throws IOException if it neither becomes healthy nor dies in time.
     */
    int start(final Map<String, String> settings) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The flags Chronicle needs on Java 17, as this JVM got them from the build or ops/ scripts.
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-"))
            {
                command.add(argument);
            }
        }
        command.add("-Dchronicle.analytics.disable=true");
        command.add("-Dchronicle.announcer.disable=true");
        command.add("-Xmx512m");
        command.add("-XX:+ExitOnOutOfMemoryError"); // as ops/ricochet runs it
        // The edge's abuse limits are for the open internet, not for one load generator on loopback (as in
        // benchmarks/compare); overload shedding stays on.
        command.add("-Dricochet.tracker.rate.limit.address=0");
        command.add("-Dricochet.tracker.rate.limit.link=0");
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Ricochet.class.getName());
        command.addAll(List.of("run", "--data-dir", dataDir.toString(),
            "--tracker-port", Integer.toString(trackerPort), "--admin-port", Integer.toString(adminPort)));
        Files.createDirectories(dataDir);
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("RICOCHET_"));
        builder.environment().put("RICOCHET_ADMIN_TOKEN", ADMIN_TOKEN);
        logOffset = Files.exists(log) ? Files.size(log) : 0;
        process = builder.start();
        return awaitHealthy();
    }

    private int awaitHealthy() throws IOException, InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadlineMs)
        {
            if (process.waitFor(50, TimeUnit.MILLISECONDS))
            {
                return process.exitValue();
            }
            if (200 == status(trackerPort, "/healthz") && 200 == status(adminPort, "/healthz"))
            {
                return -1;
            }
        }
        process.destroyForcibly();
        throw new IOException("service did not become healthy within " + START_TIMEOUT_MS + " ms; see " + log);
    }

    private int status(final int port, final String path) throws InterruptedException
    {
        try
        {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /**
     * SIGKILL: no shutdown hook, no final commit.
     */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * @param timeoutMs how long to wait.
     * @return the exit status, or -1 if the incarnation is still running.
     */
    int awaitExit(final long timeoutMs) throws InterruptedException
    {
        return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /**
     * SIGTERM and wait: the shutdown hook closes the edge, commits the aggregator and closes the journal.
     */
    void stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("service did not stop within 60 s of SIGTERM");
        }
    }

    /**
     * SIGSTOP: the whole process freezes, sockets and all.
     */
    void pause() throws IOException, InterruptedException
    {
        signal("-STOP");
    }

    /**
     * SIGCONT.
     */
    void resume() throws IOException, InterruptedException
    {
        signal("-CONT");
    }

    private void signal(final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (0 != kill.waitFor())
        {
            throw new IOException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    /**
     * @param prefix    start of a line the current incarnation prints.
     * @param timeoutMs how long to wait for it.
     * @return the rest of the first such line, or null if it did not come in time.
     */
    String awaitLogLine(final String prefix, final long timeoutMs) throws IOException, InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        do
        {
            try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r"))
            {
                file.seek(logOffset);
                String line;
                while (null != (line = file.readLine()))
                {
                    if (line.startsWith(prefix))
                    {
                        return line.substring(prefix.length());
                    }
                }
            }
            Thread.sleep(50);
        }
        while (System.currentTimeMillis() < deadlineMs);
        return null;
    }

    boolean isAlive()
    {
        return null != process && process.isAlive();
    }

    long pid()
    {
        return process.pid();
    }

    /**
     * @return the incarnation's resident set in KiB as {total, anonymous, mapped files}: the files are mostly the
     * journal's mapped chunks, which the kernel can drop, the anonymous part is heap and native memory. Null if it
     * cannot be read.
     */
    long[] rssKb()
    {
        try
        {
            final long[] rss = {-1, -1, -1};
            for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")))
            {
                final int field = line.startsWith("VmRSS:") ? 0 : line.startsWith("RssAnon:") ? 1 :
                    line.startsWith("RssFile:") ? 2 : -1;
                if (field >= 0)
                {
                    rss[field] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim().split("\\s+")[0]);
                }
            }
            return rss[0] > 0 ? rss : null;
        }
        catch (final IOException | RuntimeException ex)
        {
            return null; // gone, or not Linux
        }
    }

    /**
     * @return journal events the aggregator has not applied yet (its {@code /metrics}), or -1 if unreachable.
     */
    long aggregatorLag() throws InterruptedException
    {
        try
        {
            final String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort +
                "/metrics")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            for (final String line : metrics.split("\n"))
            {
                if (line.startsWith("ricochet_aggregator_lag_events "))
                {
                    return Long.parseLong(line.substring(line.indexOf(' ') + 1).trim());
                }
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            // not answering (yet)
        }
        return -1;
    }

    /**
     * @param timeoutMs how long to wait.
     * @return milliseconds until the aggregator's lag was 0, or -1 if it was not within the timeout.
     */
    long awaitLagDrained(final long timeoutMs) throws InterruptedException
    {
        final long startMs = System.currentTimeMillis();
        while (System.currentTimeMillis() - startMs < timeoutMs)
        {
            if (0 == aggregatorLag())
            {
                return System.currentTimeMillis() - startMs;
            }
            Thread.sleep(20);
        }
        return -1;
    }

    /**
     * PUT a document on the admin API.
     *
     * @throws IOException unless it answers 200.
     */
    void put(final String path, final String json) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + path))
            .header("Authorization", "Bearer " + ADMIN_TOKEN)
            .timeout(Duration.ofSeconds(30))
            .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (200 != response.statusCode())
        {
            throw new IOException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    @Override
    public void close()
    {
        if (isAlive())
        {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}
