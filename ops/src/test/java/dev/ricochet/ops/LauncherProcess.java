package dev.ricochet.ops;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The launcher's {@code main} in a child JVM with any command line, its stdout and stderr in one file: what a user
 * typing {@code ops/ricochet ...} sees, for start-ups that fail as well as those that serve.
 */
final class LauncherProcess implements AutoCloseable
{
    private final Process process;
    private final Path log;

    private LauncherProcess(final Process process, final Path log)
    {
        this.process = process;
        this.log = log;
    }

    /**
     * @param log         file for stdout and stderr together.
     * @param environment {@code RICOCHET_*} variables for the child (none inherited from this JVM).
     * @param jvmArguments more JVM arguments, e.g. {@code -Dricochet.*}.
     * @param args        the launcher's command line.
     */
    static LauncherProcess start(final Path log, final Map<String, String> environment, final List<String> jvmArguments,
        final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-") || argument.startsWith("-Dchronicle."))
            {
                command.add(argument);
            }
        }
        command.add("-Xmx256m");
        command.addAll(jvmArguments);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Ricochet.class.getName());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("RICOCHET_"));
        builder.environment().putAll(environment);
        return new LauncherProcess(builder.start(), log);
    }

    /**
     * @return the exit status, waiting up to a minute for it.
     */
    int awaitExit() throws InterruptedException
    {
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("launcher still running after 60 s:\n" + output());
        }
        return process.exitValue();
    }

    /**
     * Wait until the output contains the text.
     *
     * @throws IllegalStateException with the output if the process exits or a minute passes first.
     */
    void awaitOutput(final String text) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!output().contains(text))
        {
            if (!process.isAlive() && !output().contains(text))
            {
                throw new IllegalStateException("launcher exited with " + process.exitValue() + " before printing '" +
                    text + "':\n" + output());
            }
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("no '" + text + "' within 60 s:\n" + output());
            }
            Thread.sleep(20);
        }
    }

    String output()
    {
        try
        {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    long pid()
    {
        return process.pid();
    }

    /**
     * SIGTERM and wait: the shutdown hook closes the service.
     */
    void stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("launcher did not stop within 30 s of SIGTERM");
        }
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
    }

    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}
