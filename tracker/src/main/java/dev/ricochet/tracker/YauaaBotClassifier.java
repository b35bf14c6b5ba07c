package dev.ricochet.tracker;

import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;

import java.util.Set;

/**
 * The yauaa user-agent library, asked one question: is this user agent a robot? Slow to build (seconds of CPU,
 * about 100 MB of heap) and tens of microseconds or more per new user agent, so only {@link UserAgentVerdicts}'
 * background thread touches it: no event loop ever loads this class.
 */
final class YauaaBotClassifier
{
    private static final String DEVICE_CLASS = UserAgent.DEVICE_CLASS;

    /**
     * Device classes that are not a person at a browser: crawlers, fetchers and scripts ({@code Robot},
     * {@code Robot Mobile}), bots posing as browsers ({@code Robot Imitator}) and attack tools ({@code Hacker}).
     */
    private static final Set<String> BOT_DEVICE_CLASSES = Set.of("Robot", "Robot Mobile", "Robot Imitator", "Hacker");

    private final UserAgentAnalyzer analyzer;

    private YauaaBotClassifier(final UserAgentAnalyzer analyzer)
    {
        this.analyzer = analyzer;
    }

    /**
     * Build the analyzer with only the rules the device class needs, no cache (the verdict table is the cache) and no
     * test cases kept, fully initialised here rather than on the first parse.
     *
     * @return the classifier.
     */
    static YauaaBotClassifier build()
    {
        return new YauaaBotClassifier(UserAgentAnalyzer.newBuilder()
            .hideMatcherLoadStats()
            .withoutCache()
            .dropTests()
            .withField(DEVICE_CLASS)
            .immediateInitialization()
            .build());
    }

    /**
     * @param userAgent a User-Agent header value.
     * @return true if yauaa classifies it as a robot or an attack tool.
     */
    boolean isBot(final String userAgent)
    {
        return BOT_DEVICE_CLASSES.contains(analyzer.parse(userAgent).getValue(DEVICE_CLASS));
    }
}
