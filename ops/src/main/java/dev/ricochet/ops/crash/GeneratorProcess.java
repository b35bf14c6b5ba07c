package dev.ricochet.ops.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@link LoadGenerator} as a child process: started with its options, steered over its standard input, its
 * once-a-second counts read from its standard output.
 */
final class GeneratorProcess implements AutoCloseable
{
    private final Process process;
    private final Writer commands;
    private final Path ackDir;
    private volatile Map<String, Long> latest = Map.of();

    private GeneratorProcess(final Process process, final Path ackDir, final PrintStream echo)
    {
        this.process = process;
        this.ackDir = ackDir;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        final Thread reader = new Thread(() -> readStats(echo), "generator-stats");
        reader.setDaemon(true);
        reader.start();
    }

    static GeneratorProcess start(final LoadOptions options, final Path log, final PrintStream echo)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-"))
            {
                command.add(argument);
            }
        }
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LoadGenerator.class.getName());
        command.addAll(options.toArgs());
        final Process process = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        return new GeneratorProcess(process, options.ackDir(), echo);
    }

    private void readStats(final PrintStream echo)
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if (line.startsWith("stats "))
                {
                    latest = parse(line.substring(6));
                }
                else if (null != echo)
                {
                    echo.println("generator: " + line);
                }
            }
        }
        catch (final IOException ex)
        {
            // the generator is gone; its final counts are in its file
        }
    }

    private static Map<String, Long> parse(final String line)
    {
        final Map<String, Long> values = new TreeMap<>();
        for (final String pair : line.trim().split(" "))
        {
            final int equals = pair.indexOf('=');
            if (equals > 0)
            {
                values.put(pair.substring(0, equals), Long.parseLong(pair.substring(equals + 1)));
            }
        }
        return values;
    }

    /**
     * @return the generator's counts as of its last report (about a second old).
     */
    Map<String, Long> latest()
    {
        return latest;
    }

    void rate(final int rate) throws IOException
    {
        commands.write("rate " + rate + "\n");
        commands.flush();
    }

    void mix(final int clickPercent, final int pixelPercent) throws IOException
    {
        commands.write("mix " + clickPercent + " " + pixelPercent + "\n");
        commands.flush();
    }

    /**
     * Stop sending, let answers in flight arrive, and return the final counts.
     */
    Map<String, Long> stop() throws IOException, InterruptedException
    {
        commands.write("stop\n");
        commands.flush();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("load generator did not stop within 60 s");
        }
        final Properties properties = new Properties();
        try (var in = Files.newInputStream(ackDir.resolve(LoadGenerator.FINAL_STATS_FILE)))
        {
            properties.load(in);
        }
        final Map<String, Long> values = new TreeMap<>();
        properties.forEach((name, value) -> values.put(name.toString(), Long.parseLong(value.toString())));
        return values;
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
    }
}
