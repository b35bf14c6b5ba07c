package dev.ricochet.ops;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Command-line arguments of {@code ricochet run}, and the settings they, a properties file and the environment
 * produce; precedence: flag, then environment ({@code RICOCHET_TRACKER_PORT}), then file, then built-in default.
 *
 * @param demo     seed a demo program and print example links.
 * @param dataDir  directory of the journal, the state store and the keys.
 * @param settings every {@code ricochet.*} setting gathered, installed as system properties by {@link #install()}.
 */
record Launcher(boolean demo, Path dataDir, Properties settings)
{
    static final String DATA_DIR_PROP_NAME = "ricochet.data.dir";
    static final String USAGE = String.join("\n",
        "usage: ricochet run [--demo] [--data-dir DIR] [--tracker-port PORT] [--admin-port PORT] [--config FILE]",
        "",
        "  --demo               seed a demo program, partners and links, and print example links",
        "  --data-dir DIR       journal, state and keys (default ./data; env RICOCHET_DATA_DIR)",
        "  --tracker-port PORT  edge port for links and the pixel (default 8080)",
        "  --admin-port PORT    admin API port (default 8081)",
        "  --config FILE        a properties file of ricochet.* settings (see ops/CONFIGURATION.md)");

    static Launcher parse(final String[] args, final Map<String, String> environment) throws IOException
    {
        if (args.length == 0 || !"run".equals(args[0]))
        {
            throw new IllegalArgumentException(args.length == 0 ? "missing command" : "unknown command '" + args[0] + "'");
        }
        boolean demo = false;
        Path configFile = null;
        final Properties flags = new Properties();
        final List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        while (!rest.isEmpty())
        {
            final String flag = rest.remove(0);
            if ("--demo".equals(flag))
            {
                demo = true;
                continue;
            }
            if (rest.isEmpty())
            {
                throw new IllegalArgumentException(flag.startsWith("--") ? flag + " needs a value" : "unknown flag " + flag);
            }
            final String value = rest.remove(0);
            switch (flag)
            {
                case "--data-dir" -> flags.setProperty(DATA_DIR_PROP_NAME, value);
                case "--tracker-port" -> flags.setProperty("ricochet.tracker.port", requirePort(flag, value));
                case "--admin-port" -> flags.setProperty("ricochet.admin.port", requirePort(flag, value));
                case "--config" -> configFile = Path.of(value);
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
        }

        final Properties settings = new Properties();
        if (null != configFile)
        {
            try (InputStream in = Files.newInputStream(configFile))
            {
                settings.load(in);
            }
        }
        environment.forEach((name, value) ->
        {
            if (name.startsWith("RICOCHET_"))
            {
                settings.setProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        settings.putAll(flags);
        for (final String key : settings.stringPropertyNames())
        {
            if (!key.startsWith("ricochet."))
            {
                throw new IllegalArgumentException("unknown setting '" + key + "': settings start with ricochet.");
            }
        }
        final Path dataDir = Path.of(settings.getProperty(DATA_DIR_PROP_NAME, "data")).toAbsolutePath();
        return new Launcher(demo, dataDir, settings);
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
