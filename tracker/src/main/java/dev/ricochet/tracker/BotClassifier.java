package dev.ricochet.tracker;

import java.util.Arrays;

/**
 * Flags user agents of crawlers, link unfurlers, monitors and scripts, whose clicks are journaled as bot clicks.
 *
 * <p>A token list over the lower-cased user agent: cheap enough for the redirect path, and it catches the
 * self-declared bots that make up nearly all automated link traffic. A missing user agent is a bot: every browser
 * sends one.
 */
final class BotClassifier
{
    private static final String[] TOKENS =
        {
            "bot", "crawl", "spider", "slurp", "preview", "facebookexternalhit", "embedly", "quora link",
            "whatsapp", "bitlybot", "vkshare", "w3c_validator", "curl/", "wget/", "python-requests", "python-urllib",
            "go-http-client", "java/", "okhttp", "libwww", "httpclient", "headlesschrome", "phantomjs", "lighthouse",
            "pingdom", "uptime", "monitor", "scan"
        };

    // Tokens bucketed by first character: one pass over the user agent tries only the tokens that can start at
    // each position, instead of one pass per token.
    private static final char[][][] TOKENS_BY_FIRST_CHAR = byFirstChar(TOKENS);

    boolean isBot(final String userAgent)
    {
        if (null == userAgent || userAgent.isBlank())
        {
            return true;
        }
        // One pass, lower-casing as it compares: no copy of the user agent.
        final int length = userAgent.length();
        for (int i = 0; i < length; i++)
        {
            final char c = lowerCase(userAgent.charAt(i));
            final char[][] candidates = c < TOKENS_BY_FIRST_CHAR.length ? TOKENS_BY_FIRST_CHAR[c] : null;
            if (null != candidates)
            {
                for (final char[] token : candidates)
                {
                    if (i + token.length <= length && regionEquals(userAgent, i, token))
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static char lowerCase(final char c)
    {
        return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
    }

    private static boolean regionEquals(final String text, final int offset, final char[] token)
    {
        for (int j = 1; j < token.length; j++)
        {
            if (lowerCase(text.charAt(offset + j)) != token[j])
            {
                return false;
            }
        }
        return true;
    }

    private static char[][][] byFirstChar(final String[] tokens)
    {
        final char[][][] table = new char[128][][];
        for (final String token : tokens)
        {
            final char first = token.charAt(0);
            final char[][] bucket = null == table[first] ? new char[0][] : table[first];
            final char[][] grown = Arrays.copyOf(bucket, bucket.length + 1);
            grown[bucket.length] = token.toCharArray();
            table[first] = grown;
        }
        return table;
    }
}
