package dev.ricochet.tracker;

import java.util.Locale;

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

    boolean isBot(final String userAgent)
    {
        if (null == userAgent || userAgent.isBlank())
        {
            return true;
        }
        final String ua = userAgent.toLowerCase(Locale.ROOT);
        for (final String token : TOKENS)
        {
            if (ua.contains(token))
            {
                return true;
            }
        }
        return false;
    }
}
