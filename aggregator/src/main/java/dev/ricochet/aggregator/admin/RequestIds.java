package dev.ricochet.aggregator.admin;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The id of an admin request: in the answer's {@code X-Request-Id} header and in the audit trail, so that a change can
 * be traced from a client's log to the trail.
 */
final class RequestIds
{
    private static final int MAX_LENGTH = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestIds()
    {
    }

    /**
     * @param presented the client's {@code X-Request-Id}, or null.
     * @return the client's id if it is 1-64 characters of {@code [A-Za-z0-9._:-]}, else a new random one
     * ({@code req_} and 24 hex digits): an id is never trusted to be unique, only to be safe to log and show.
     */
    static String of(final String presented)
    {
        if (null != presented && !presented.isEmpty() && presented.length() <= MAX_LENGTH)
        {
            boolean isSafe = true;
            for (int i = 0; i < presented.length() && isSafe; i++)
            {
                final char c = presented.charAt(i);
                isSafe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
            }
            if (isSafe)
            {
                return presented;
            }
        }
        final byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        return "req_" + HexFormat.of().formatHex(random);
    }
}
