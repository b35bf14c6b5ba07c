package dev.ricochet.ops;

import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real launcher ({@link Ricochet}) in a child JVM, so that tests can SIGKILL it.
 */
final class ServiceProcess implements AutoCloseable
{
    final int trackerPort;
    final int adminPort;
    private final Process process;

    private ServiceProcess(final Process process, final int trackerPort, final int adminPort)
    {
        this.process = process;
        this.trackerPort = trackerPort;
        this.adminPort = adminPort;
    }

    static ServiceProcess start(final Path dataDir, final Path log, final Map<String, String> environment)
        throws IOException, InterruptedException
    {
        return start(dataDir, log, environment, true);
    }

    /**
     * @param inheritChronicleSwitches false to start the child without this JVM's {@code -Dchronicle.*} switches, so
     *                                 that only the product's own defaults keep Chronicle from phoning home.
     */
    static ServiceProcess start(final Path dataDir, final Path log, final Map<String, String> environment,
        final boolean inheritChronicleSwitches) throws IOException, InterruptedException
    {
        return start(dataDir, log, environment, inheritChronicleSwitches, List.of());
    }

    /**
     * @param jvmArguments more JVM arguments, after the defaults (a later {@code -Xmx} wins).
     */
    static ServiceProcess start(final Path dataDir, final Path log, final Map<String, String> environment,
        final boolean inheritChronicleSwitches, final List<String> jvmArguments) throws IOException,
            InterruptedException
    {
        final int trackerPort = freePort();
        final int adminPort = freePort();
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The same Chronicle flags and analytics switch the build gives this JVM.
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-") || (inheritChronicleSwitches && argument.startsWith("-Dchronicle.")))
            {
                command.add(argument);
            }
        }
        command.add("-Xmx512m");
        command.addAll(jvmArguments);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Ricochet.class.getName());
        command.addAll(List.of("run", "--data-dir", dataDir.toString(),
            "--tracker-port", Integer.toString(trackerPort), "--admin-port", Integer.toString(adminPort)));
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("RICOCHET_ADMIN_TOKEN", ServiceFixture.ADMIN_TOKEN);
        builder.environment().putAll(environment);
        final ServiceProcess service = new ServiceProcess(builder.start(), trackerPort, adminPort);
        service.awaitHealthy();
        return service;
    }

    private void awaitHealthy() throws InterruptedException, IOException
    {
        final HttpClient client = HttpClient.newHttpClient();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadlineNs)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException("service exited with " + process.exitValue() + " during start-up");
            }
            try
            {
                final HttpResponse<Void> tracker = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + trackerPort + "/healthz")).build(), HttpResponse.BodyHandlers.discarding());
                final HttpResponse<Void> admin = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + adminPort + "/healthz")).build(), HttpResponse.BodyHandlers.discarding());
                if (200 == tracker.statusCode() && 200 == admin.statusCode())
                {
                    return;
                }
            }
            catch (final IOException ex)
            {
                Thread.sleep(50); // not listening yet
            }
        }
        throw new IOException("service did not become healthy within 60 s");
    }

    /**
     * SIGKILL: no shutdown hook, no final commit, as in a crash.
     */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM: the shutdown hook closes edge, aggregator and journal in order.
     */
    void stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("service did not stop within 30 s of SIGTERM");
        }
    }

    /**
     * @return the exit status once the process has exited, or null if it still runs after the wait.
     */
    Integer awaitExit(final long timeoutS) throws InterruptedException
    {
        return process.waitFor(timeoutS, TimeUnit.SECONDS) ? process.exitValue() : null;
    }

    long pid()
    {
        return process.pid();
    }

    AdminClient admin()
    {
        return new AdminClient(adminPort, ServiceFixture.ADMIN_TOKEN);
    }

    @Override
    public void close()
    {
        if (process.isAlive())
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
