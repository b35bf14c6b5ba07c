package dev.ricochet.ops;

import dev.ricochet.ingest.ProcessFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Item 4 of issue 15: an OutOfMemoryError makes the process fail loudly, for its supervisor, instead of living on
 * with dead event loops. The real launcher in a child JVM with a small heap and (deliberately misconfigured) a body
 * budget larger than that heap, so that bodies in flight can exhaust it.
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
}
