package dev.ricochet.ops;

import dev.ricochet.ingest.ProcessFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Item 4 of issue 15: an OutOfMemoryError or a stopped event loop makes the process fail loudly, for its supervisor,
 * instead of living on with dead event loops. Real child JVMs: the launcher with a small heap and (deliberately
 * misconfigured) a body budget larger than that heap, so that bodies in flight can exhaust it; an edge one of whose
 * loops is stopped.
 */
class FailLoudSystemTest
{
    @TempDir
    Path dir;

    @Test
    void haltsWithItsFailureStatusWhenTheHeapRunsOutInAnEventLoop() throws Exception
    {
        final Path log = dir.resolve("service.log");
        try (ServiceProcess service = ServiceProcess.start(dir.resolve("data"), log, Map.of(), true,
            List.of("-Xmx160m", "-Dricochet.tracker.bodies.in.flight.max=4g")))
        {
            // When far more body bytes arrive at once than the heap holds (bodies left one byte short of complete)
            final byte[] chunk = new byte[64 * 1024];
            final List<Socket> sockets = new ArrayList<>();
            Integer status = null;
            try
            {
                for (int i = 0; i < 2_000 && null == (status = service.awaitExit(0)); i++)
                {
                    final Socket socket = new Socket("127.0.0.1", service.trackerPort);
                    sockets.add(socket);
                    final OutputStream out = socket.getOutputStream();
                    out.write(("POST /v1/conversions HTTP/1.1\r\nHost: x\r\nContent-Length: 262144\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                    for (int sent = 0; sent < 262_144 - chunk.length; sent += chunk.length)
                    {
                        out.write(chunk);
                    }
                    out.write(chunk, 0, chunk.length - 1);
                    out.flush();
                }
            }
            catch (final IOException gone)
            {
                // the service went away under the upload: what this test waits for
            }
            finally
            {
                for (final Socket socket : sockets)
                {
                    socket.close();
                }
            }

            // Then the process halts with the failure status, saying why, instead of serving on deaf
            if (null == status)
            {
                status = service.awaitExit(120);
            }
            final String output = Files.readString(log);
            assertEquals(Integer.valueOf(ProcessFailure.EXIT_STATUS), status, output);
            assertTrue(output.contains("ricochet: FATAL") && output.contains("OutOfMemoryError"), output);
        }
    }

    @Test
    void turnsReadinessOffWhenAnEventLoopStopsWhileServing() throws Exception
    {
        // Given a real edge in a child JVM (not halting, as the launcher would), one of whose two loops has stopped
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-") || argument.startsWith("-Dchronicle."))
            {
                command.add(argument);
            }
        }
        command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"),
            "dev.ricochet.tracker.DeadLoopChild", dir.resolve("journal").toString()));
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            int port = -1;
            final StringBuilder seen = new StringBuilder();
            while (port < 0 && null != (line = out.readLine()))
            {
                seen.append(line).append('\n');
                if (line.startsWith("port "))
                {
                    port = Integer.parseInt(line.substring(5).trim());
                }
            }
            assertTrue(port > 0, seen.toString());

            // Then /readyz, answered by the loop still running, says the edge is not ready and why
            final HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> readyz = null;
            for (int attempt = 0; attempt < 100 && (null == readyz || 503 != readyz.statusCode()); attempt++)
            {
                try
                {
                    readyz = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                }
                catch (final IOException onTheStoppedLoop)
                {
                    // a connection handed to the stopped loop is closed unanswered: the next goes to the other
                }
            }
            assertTrue(null != readyz && 503 == readyz.statusCode(), null == readyz ? "no answer" : readyz.body());
            assertTrue(readyz.body().contains("an edge event loop stopped while serving"), readyz.body());
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor();
        }
    }
}
