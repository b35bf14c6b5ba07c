package dev.ricochet.ops;

import dev.ricochet.aggregator.AggregatorConfiguration;
import dev.ricochet.tracker.TrackerConfiguration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Command-line arguments of {@code ricochet run}, and the settings they, a properties file and the environment
 * produce; precedence: flag, then environment ({@code RICOCHET_TRACKER_PORT}), then file, then built-in default.
 * A key the service does not read ({@link KnownSettings}) is refused, naming the nearest known one.
 *
 * @param demo     seed a demo program and print example links.
 * @param dataDir  directory of the journal, the state store and the keys.
 * @param settings every {@code ricochet.*} setting gathered, installed as system properties by {@link #install()}.
 * @param sources  where each setting came from, for the start summary.
 */
record Launcher(boolean demo, Path dataDir, Properties settings, Map<String, String> sources)
{
    static final String DATA_DIR_PROP_NAME = "ricochet.data.dir";
    static final String USAGE = String.join("\n",
        "usage: ricochet run [--demo] [--data-dir DIR] [--tracker-port PORT] [--admin-port PORT] [--config FILE]",
        "       ricochet --help",
        "",
        "Runs the edge (links, pixel, conversions), the aggregator and its admin API in the foreground;",
        "Ctrl-C stops it cleanly.",
        "",
        "  --demo               seed a demo program, partners and links (only those missing), and print commands",
        "  --data-dir DIR       journal, state and keys (default ./data; env RICOCHET_DATA_DIR)",
        "  --tracker-port PORT  edge port for links and the pixel (default 8080)",
        "  --admin-port PORT    admin API port (default 8081)",
        "  --config FILE        a properties file of ricochet.* settings (example: ops/config/ricochet.properties)",
        "  --help, -h           this text",
        "",
        "Every ricochet.* setting can also come from the environment (ricochet.tracker.port: RICOCHET_TRACKER_PORT);",
        "flags win over the environment, which wins over the file. Durations take a unit (500ms, 10s, 1h, 30d).",
        "All settings: ops/CONFIGURATION.md. The script ops/ricochet also reads RICOCHET_HEAP (default 256m),",
        "RICOCHET_JAVA_OPTS and RICOCHET_REBUILD=1.");

    /**
     * @param args command line.
     * @return whether it asks for the usage: {@code --help}, {@code -h} or {@code help} anywhere before a value.
     */
    static boolean wantsHelp(final String[] args)
    {
        for (final String arg : args)
        {
            if ("--help".equals(arg) || "-h".equals(arg) || "help".equals(arg))
            {
                return true;
            }
        }
        return false;
    }

    static Launcher parse(final String[] args, final Map<String, String> environment) throws IOException
    {
        return parse(args, environment, new Properties());
    }

    /**
     * @param args             command line.
     * @param environment      the process environment: {@code RICOCHET_*} variables are settings.
     * @param systemProperties the JVM's, whose {@code ricochet.*} keys ({@code -D} in RICOCHET_JAVA_OPTS) are checked.
     * @return the launcher.
     * @throws IllegalArgumentException naming the bad flag, value or key.
     * @throws IOException              if the config file cannot be read.
     */
    static Launcher parse(final String[] args, final Map<String, String> environment,
        final Properties systemProperties) throws IOException
    {
        if (args.length == 0 || !"run".equals(args[0]))
        {
            throw new IllegalArgumentException(
                args.length == 0 ? "missing command" : "unknown command '" + args[0] + "'");
        }
        final Flags flags = Flags.parse(List.of(args).subList(1, args.length));
        // Weakest first, each source overriding the one before: -D, file, environment, flags.
        final Properties settings = new Properties();
        final Map<String, String> sources = new TreeMap<>();
        for (final String key : new TreeSet<>(systemProperties.stringPropertyNames()))
        {
            if (key.startsWith("ricochet."))
            {
                requireKnown(key, "a system property (-D" + key + ")");
                sources.put(key, "-D" + key);
            }
        }
        if (null != flags.configFile())
        {
            final Path path = flags.configFile();
            final Properties file = new Properties()
            {
                @Override
                public synchronized Object put(final Object key, final Object value)
                {
                    // A key given twice took its last value silently (which one did the operator mean?): refused.
                    if (containsKey(key))
                    {
                        throw new IllegalArgumentException("setting '" + key + "' given more than once in " + path);
                    }
                    return super.put(key, value);
                }
            };
            try (InputStream in = Files.newInputStream(flags.configFile()))
            {
                file.load(in);
            }
            for (final String key : new TreeSet<>(file.stringPropertyNames()))
            {
                requireKnown(key, flags.configFile().toString());
                settings.setProperty(key, file.getProperty(key));
                sources.put(key, flags.configFile().toString());
            }
        }
        for (final Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet())
        {
            final String name = variable.getKey();
            if (name.startsWith("RICOCHET_") && !KnownSettings.SCRIPT_VARIABLES.contains(name))
            {
                final String key = name.toLowerCase(Locale.ROOT).replace('_', '.');
                requireKnown(key, "the environment (" + name + ")");
                settings.setProperty(key, variable.getValue());
                sources.put(key, name);
            }
        }
        settings.putAll(flags.settings());
        sources.putAll(flags.sources());
        final Path dataDir = Path.of(settings.getProperty(DATA_DIR_PROP_NAME,
            systemProperties.getProperty(DATA_DIR_PROP_NAME, "data"))).toAbsolutePath();
        return new Launcher(flags.demo(), dataDir, settings, Map.copyOf(sources));
    }

    /**
     * The flags after {@code run}.
     *
     * @param demo       {@code --demo} given.
     * @param configFile {@code --config}'s file, or null.
     * @param settings   the settings the other flags set.
     * @param sources    each of those settings' flag.
     */
    private record Flags(boolean demo, Path configFile, Properties settings, Map<String, String> sources)
    {
        private static final Set<String> FLAGS = Set.of("--data-dir", "--tracker-port", "--admin-port", "--config");

        static Flags parse(final List<String> args)
        {
            boolean demo = false;
            Path configFile = null;
            final Properties settings = new Properties();
            final Map<String, String> sources = new TreeMap<>();
            final List<String> rest = new ArrayList<>(args);
            final Set<String> given = new HashSet<>();
            while (!rest.isEmpty())
            {
                final String flag = rest.remove(0);
                if ("--demo".equals(flag))
                {
                    demo = true;
                    continue;
                }
                final String key = switch (flag)
                {
                    case "--data-dir" -> DATA_DIR_PROP_NAME;
                    case "--tracker-port" -> TrackerConfiguration.PORT_PROP_NAME;
                    case "--admin-port" -> AggregatorConfiguration.ADMIN_PORT_PROP_NAME;
                    case "--config" -> null;
                    default -> throw new IllegalArgumentException(unknownFlag(flag));
                };
                // "--bogus" last said "needs a value", "--data-dir --demo" made a directory named --demo, and a flag
                // given twice silently took its last value: each is refused naming the flag.
                if (rest.isEmpty() || rest.get(0).startsWith("--"))
                {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                if (!given.add(flag))
                {
                    throw new IllegalArgumentException(flag + " given more than once");
                }
                final String value = rest.remove(0);
                if (null == key)
                {
                    configFile = Path.of(value);
                    continue;
                }
                settings.setProperty(key, DATA_DIR_PROP_NAME.equals(key) ? value : requirePort(flag, value));
                sources.put(key, flag);
            }
            return new Flags(demo, configFile, settings, sources);
        }

        private static String unknownFlag(final String flag)
        {
            final int equals = flag.indexOf('=');
            return equals > 0 && FLAGS.contains(flag.substring(0, equals)) ? "unknown flag " + flag + " (give the " +
                "value after a space: " + flag.substring(0, equals) + " " + flag.substring(equals + 1) + ")" :
                "unknown flag " + flag;
        }
    }

    private static void requireKnown(final String key, final String source)
    {
        if (!key.startsWith("ricochet."))
        {
            throw new IllegalArgumentException("unknown setting '" + key + "' from " + source +
                ": settings start with ricochet.");
        }
        if (!KnownSettings.isKnown(key))
        {
            throw new IllegalArgumentException(KnownSettings.refusal(key, source));
        }
    }

    void install()
    {
        for (final String key : settings.stringPropertyNames())
        {
            System.setProperty(key, settings.getProperty(key));
        }
    }

    private static String requirePort(final String flag, final String value)
    {
        try
        {
            final int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65_535)
            {
                return value;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new IllegalArgumentException(flag + " " + value + ": expected a port 0-65535");
    }
}
