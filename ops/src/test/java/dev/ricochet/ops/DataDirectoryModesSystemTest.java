package dev.ricochet.ops;

import dev.ricochet.testsupport.AdminClient;
import dev.ricochet.testsupport.ServiceFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data directory holds program secrets (journal catalog events, the state store), tokens and keys: after a real
 * start of {@code ricochet run} every directory in it is {@code 0700} and every file the service writes itself, or
 * found there at start, is {@code 0600} (docs/edge.md, "Files on disk").
 */
class DataDirectoryModesSystemTest
{
    @TempDir
    Path temp;

    @Test
    void makesTheDataDirectoryOwnerOnlyAfterARealStartEvenIfItWasWorldReadable() throws Exception
    {
        // Given a data directory an operator made world-readable, with a world-readable file from an older version
        final Path dataDir = temp.resolve("data");
        Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dataDir.resolve("finance.token"), "rk_old_finance_token_0123456789\n");
        Files.setPosixFilePermissions(dataDir.resolve("finance.token"), PosixFilePermissions.fromString("rw-r--r--"));

        // When the service starts there and takes a program with secrets and a click (the journal's first cycle)
        try (ServiceProcess service = ServiceProcess.start(dataDir, temp.resolve("service.log"), Map.of()))
        {
            final AdminClient admin = new AdminClient(service.adminPort, ServiceFixture.ADMIN_TOKEN);
            admin.putOk("/v1/programs/modes", "{\"name\":\"Modes\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
                "\"tiers\":[{\"name\":\"base\",\"commissionPercent\":\"10\"}],\"secrets\":{\"apiKey\":" +
                "\"modes-api-key-0123456789\",\"stripe\":\"whsec_modes_0123456789\"}}");
            admin.putOk("/v1/partners/p", "{\"programId\":\"modes\",\"name\":\"P\",\"status\":\"active\"}");
            admin.putOk("/v1/links/l", "{\"partnerId\":\"p\",\"destination\":\"https://shop.example/\"}");
            final HttpResponse<Void> click = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + service.trackerPort + "/r/l")).header("User-Agent",
                "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0").build(), HttpResponse.BodyHandlers.discarding());
            assertTrue(302 == click.statusCode() || 404 == click.statusCode(), "click: " + click.statusCode());

            // Then every directory is owner-only, and so is every file outside RocksDB's (which sits in one)
            final List<String> wrong = new ArrayList<>();
            try (Stream<Path> paths = Files.walk(dataDir))
            {
                paths.forEach(path ->
                {
                    final boolean isDirectory = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
                    final String mode = mode(path);
                    final boolean inState = dataDir.relativize(path).startsWith("state") && !isDirectory;
                    if (!"gone".equals(mode) &&
                        (isDirectory ? !"rwx------".equals(mode) : !inState && !"rw-------".equals(mode)))
                    {
                        wrong.add(dataDir.relativize(path) + " " + mode);
                    }
                });
            }
            assertEquals(List.of(), wrong);
            assertEquals("rw-------", mode(dataDir.resolve("visitor.key")));
            assertTrue(Files.list(dataDir.resolve("journal")).anyMatch(p -> p.toString().endsWith(".cq4")));
        }
    }

    @Test
    void refusesToStartOnAnEmptyTokenFileAndNamesIt() throws Exception
    {
        // Given a token file created and never written (what a crash between the two left before the write was atomic)
        final Path dataDir = temp.resolve("data");
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("finance.token"), "\n");
        final Path log = temp.resolve("service.log");

        // When the service starts there, it stops at once and says which file to delete (it said "Empty key")
        assertThrows(IllegalStateException.class, () -> ServiceProcess.start(dataDir, log, Map.of()).close());
        final String output = Files.readString(log);
        assertTrue(output.contains("finance.token: holds no token of at least 16 characters"), output);
    }

    private static String mode(final Path path)
    {
        try
        {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        }
        catch (final IOException ex)
        {
            return "gone";
        }
    }
}
