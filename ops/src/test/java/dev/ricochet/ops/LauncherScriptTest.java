package dev.ricochet.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real {@code ops/ricochet} script with a stand-in {@code mvn} first on the PATH (a build within the build would
 * be slow and write the jar under test): what a first build shows.
 */
class LauncherScriptTest
{
    private static final String FAKE_MVN = """
        #!/usr/bin/env bash
        echo "$@" > "$(dirname "$0")/args"
        echo "[INFO] Scanning for projects..."
        echo "[INFO] ------------------< dev.ricochet:ricochet-ingest >-------------------"
        echo "[INFO] Building Ricochet ingest 0.1.0-SNAPSHOT                           [1/4]"
        echo "[INFO] --------------------------------[ jar ]---------------------------------"
        echo "[INFO] Building Ricochet tracker 0.1.0-SNAPSHOT                          [2/4]"
        echo "[ERROR] COMPILATION ERROR: boom"
        exit 1
        """;

    @TempDir
    Path dir;

    @Test
    void showsEachModuleAsTheBuildReachesItAndTheEndOfTheLogWhenItFails() throws Exception
    {
        // Given a stand-in Maven that reaches two modules and fails
        final Path bin = Files.createDirectory(dir.resolve("bin"));
        final Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, FAKE_MVN);
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwx------"));

        // When the launcher is asked to (re)build
        final ProcessBuilder builder = new ProcessBuilder("bash", Path.of("ricochet").toAbsolutePath().toString(),
            "run", "--demo").redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("RICOCHET_REBUILD", "1");
        builder.environment().put("TMPDIR", dir.toString());
        final Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the script did not end");
        final String output = Files.readString(dir.resolve("out"), StandardCharsets.UTF_8);

        // Then it says what it builds, shows each module as Maven reaches it, and on failure the end of the log
        assertEquals(1, process.exitValue(), output);
        assertTrue(output.startsWith("ricochet: building "), output);
        assertTrue(output.contains("\nricochet:   Ricochet ingest 0.1.0-SNAPSHOT [1/4]\n" +
            "ricochet:   Ricochet tracker 0.1.0-SNAPSHOT [2/4]\n"), output);
        assertTrue(output.contains("ricochet: the build failed; the end of its output (all of it: " + dir), output);
        assertTrue(output.endsWith("[ERROR] COMPILATION ERROR: boom\n"), output);
        // No colours and not quiet: Maven is asked for plain output, of which the script shows the module lines
        final String args = Files.readString(bin.resolve("args"));
        assertTrue(args.contains("-Dstyle.color=never"), args);
        assertFalse(args.contains("-q"), args);
    }
}
