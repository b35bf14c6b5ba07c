package dev.ricochet.ingest.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends bytes exactly as given to a local HTTP server and reads back the response head, for inputs no HTTP client
 * library would send (CRLF in a path, over-long lines, broken framing).
 */
public final class RawHttp
{
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    private RawHttp()
    {
    }

    /**
     * @param port    local port.
     * @param request raw request bytes (ISO-8859-1).
     * @return the status line and headers of the first response, or "" if the server closed without answering.
     * @throws IOException on socket errors.
     */
    public static String exchange(final int port, final String request) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            final InputStream in = socket.getInputStream();
            final ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1)
            {
                head.write(b);
                final byte[] bytes = head.toByteArray();
                final int n = bytes.length;
                if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' &&
                    bytes[n - 1] == '\n')
                {
                    break;
                }
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * @param response a response head from {@link #exchange}.
     * @return its status code, or -1 if there was none.
     */
    public static int status(final String response)
    {
        return response.startsWith("HTTP/1.1 ") ? Integer.parseInt(response.substring(9, 12)) : -1;
    }

    /**
     * Read until the server closes (or resets) the connection, or the socket's read timeout passes.
     *
     * @return all that arrived (ISO-8859-1): a reset or timeout after the answer leaves what arrived as the answer.
     * @throws IOException on other socket errors.
     */
    public static String readToEnd(final Socket socket) throws IOException
    {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        final byte[] chunk = new byte[8192];
        try
        {
            final InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(chunk)) != -1)
            {
                all.write(chunk, 0, n);
            }
        }
        catch (final SocketTimeoutException | SocketException endOfAnswer)
        {
            // A reset after the answer is how a server drops an unread upload: what arrived is the answer.
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * @param answer one or more responses, as read by {@link #readToEnd}.
     * @return the status code of each HTTP/1.1 status line in it, in order.
     */
    public static List<Integer> statuses(final String answer)
    {
        final List<Integer> statuses = new ArrayList<>();
        final Matcher matcher = STATUS_LINE.matcher(answer);
        while (matcher.find())
        {
            statuses.add(Integer.parseInt(matcher.group(1)));
        }
        return statuses;
    }
}
