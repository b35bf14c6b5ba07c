package dev.ricochet.tracker;

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

    private static final char[][] TOKEN_CHARS = toChars(TOKENS);

    // Reused per classifier (one per channel): lower-casing a user agent must not allocate on the redirect path.
    private char[] lowerCase = new char[256];

    boolean isBot(final String userAgent)
    {
        if (null == userAgent || userAgent.isBlank())
        {
            return true;
        }
        final int length = userAgent.length();
        if (lowerCase.length < length)
        {
            lowerCase = new char[Math.max(length, lowerCase.length * 2)];
        }
        final char[] ua = lowerCase;
        for (int i = 0; i < length; i++)
        {
            final char c = userAgent.charAt(i);
            ua[i] = c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
        }
        for (final char[] token : TOKEN_CHARS)
        {
            if (contains(ua, length, token))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(final char[] text, final int length, final char[] token)
    {
        final char first = token[0];
        final int last = length - token.length;
        for (int i = 0; i <= last; i++)
        {
            if (text[i] == first && regionEquals(text, i, token))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean regionEquals(final char[] text, final int offset, final char[] token)
    {
        for (int j = 1; j < token.length; j++)
        {
            if (text[offset + j] != token[j])
            {
                return false;
            }
        }
        return true;
    }

    private static char[][] toChars(final String[] tokens)
    {
        final char[][] chars = new char[tokens.length][];
        for (int i = 0; i < tokens.length; i++)
        {
            chars[i] = tokens[i].toCharArray();
        }
        return chars;
    }
}
