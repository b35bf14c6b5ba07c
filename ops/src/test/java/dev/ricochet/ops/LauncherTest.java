package dev.ricochet.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LauncherTest
{
    @TempDir
    Path dir;

    @Test
    void shouldTakeFlagsOverEnvironmentOverFile() throws Exception
    {
        // Given a file, the environment and a flag all setting the tracker port
        final Path config = dir.resolve("ricochet.properties");
        Files.writeString(config,
            "ricochet.tracker.port=7000\nricochet.admin.port=7001\nricochet.admin.bind.address=::1\n");
        final Map<String, String> environment = Map.of("RICOCHET_TRACKER_PORT", "7100", "RICOCHET_ADMIN_PORT", "7101",
            "PATH", "/usr/bin");

        // When parsed
        final Launcher launcher = Launcher.parse(new String[]{ "run", "--config", config.toString(),
            "--tracker-port", "7200", "--data-dir", dir.resolve("d").toString() }, environment);

        // Then the flag wins, then the environment, then the file
        assertEquals("7200", launcher.settings().getProperty("ricochet.tracker.port"));
        assertEquals("7101", launcher.settings().getProperty("ricochet.admin.port"));
        assertEquals("::1", launcher.settings().getProperty("ricochet.admin.bind.address"));
        assertEquals(dir.resolve("d"), launcher.dataDir());
    }

    @Test
    void shouldNameTheBadFlagOrValue()
    {
        assertEquals("unknown flag --colour", assertThrows(IllegalArgumentException.class,
            () -> Launcher.parse(new String[]{ "run", "--colour", "red" }, Map.of())).getMessage());
        assertEquals("--admin-port 99999: expected a port 0-65535", assertThrows(IllegalArgumentException.class,
            () -> Launcher.parse(new String[]{ "run", "--admin-port", "99999" }, Map.of())).getMessage());
        assertEquals("unknown command 'serve'", assertThrows(IllegalArgumentException.class,
            () -> Launcher.parse(new String[]{ "serve" }, Map.of())).getMessage());
    }

    @Test
    void shouldRefuseAnUnknownFlagAMissingValueAndAFlagGivenTwiceNamingTheFlag()
    {
        // "--bogus" alone said "needs a value"; "--tracker-port=0" too
        assertEquals("unknown flag --bogus", refusal("run", "--bogus"));
        assertEquals("unknown flag --tracker-port=0 (give the value after a space: --tracker-port 0)",
            refusal("run", "--tracker-port=0"));
        // "--data-dir --demo" made a data directory named --demo
        assertEquals("--data-dir needs a value", refusal("run", "--data-dir", "--demo"));
        assertEquals("--data-dir needs a value", refusal("run", "--data-dir"));
        // the second --data-dir silently won
        assertEquals("--data-dir given more than once", refusal("run", "--data-dir", "a", "--data-dir", "b"));
    }

    private static String refusal(final String... args)
    {
        return assertThrows(IllegalArgumentException.class, () -> Launcher.parse(args, Map.of())).getMessage();
    }

    @Test
    void shouldStartTheServiceWithChronicleAnalyticsOff() throws Exception
    {
        // The launcher script is how operators start Ricochet: it must never let Chronicle phone home.
        final String script = Files.readString(Path.of("ricochet"));
        assertTrue(script.contains("-Dchronicle.analytics.disable=true"), "ops/ricochet must disable analytics");
    }

    @Test
    void shouldRefuseAMisspeltKeyInTheConfigFileNamingTheNearestKnownOne() throws Exception
    {
        final Path config = dir.resolve("ricochet.properties");
        Files.writeString(config, "ricochet.tracker.rate.limit.adress=5/s\n");

        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
            () -> Launcher.parse(new String[]{ "run", "--config", config.toString() }, Map.of()));

        assertEquals("unknown setting 'ricochet.tracker.rate.limit.adress' from " + config + ": did you mean " +
            "ricochet.tracker.rate.limit.address? (every setting: ops/CONFIGURATION.md)", thrown.getMessage());
    }

    @Test
    void shouldRefuseAKeyGivenTwiceInTheConfigFile() throws Exception
    {
        // The last of two lines silently won (a space before '=' makes the same key)
        final Path config = dir.resolve("ricochet.properties");
        Files.writeString(config, "ricochet.tracker.port = 7000\nricochet.admin.port=7001\nricochet.tracker.port=0\n");

        final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
            () -> Launcher.parse(new String[]{ "run", "--config", config.toString() }, Map.of()));

        assertEquals("setting 'ricochet.tracker.port' given more than once in " + config, thrown.getMessage());
    }

    @Test
    void shouldReadTheScriptsOwnVariablesAsNoSettings() throws Exception
    {
        final Launcher launcher = Launcher.parse(new String[]{ "run" },
            Map.of("RICOCHET_HEAP", "1g", "RICOCHET_JAVA_OPTS", "-Dx=y", "RICOCHET_REBUILD", "1"));

        assertTrue(launcher.settings().isEmpty(), launcher.settings().toString());
    }

    @Test
    void shouldTakeHelpAnywhereOnTheCommandLine()
    {
        assertTrue(Launcher.wantsHelp(new String[]{ "--help" }));
        assertTrue(Launcher.wantsHelp(new String[]{ "run", "--demo", "-h" }));
        assertTrue(Launcher.wantsHelp(new String[]{ "help" }));
        assertFalse(Launcher.wantsHelp(new String[]{ "run", "--demo" }));
    }

    @Test
    void shouldNameWhereEachSettingCameFromTheStrongestWinning() throws Exception
    {
        // Given a -D, a file and the environment setting keys, two of them the same one, and a flag
        final Path config = dir.resolve("ricochet.properties");
        Files.writeString(config, "ricochet.admin.port=7001\nricochet.tracker.overload.lag=1s\n");
        final Properties systemProperties = new Properties();
        systemProperties.setProperty("ricochet.aggregator.commit.interval", "50ms");

        // When parsed
        final Launcher launcher = Launcher.parse(new String[]{ "run", "--config", config.toString(),
            "--tracker-port", "7200" }, Map.of("RICOCHET_ADMIN_PORT", "7101"), systemProperties);

        // Then each key names its strongest source
        assertEquals(Map.of("ricochet.aggregator.commit.interval", "-Dricochet.aggregator.commit.interval",
            "ricochet.admin.port", "RICOCHET_ADMIN_PORT", "ricochet.tracker.overload.lag", config.toString(),
            "ricochet.tracker.port", "--tracker-port"), launcher.sources());
    }
}
