package dev.ricochet.tracker;

import dev.ricochet.ingest.LinkRoute;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bot classification on a real edge with the yauaa library: its verdict comes off the redirect path and is journaled
 * with the click. The analyzer is built once per JVM in the background; these tests wait for it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BotClassificationTest
{
    private static final LinkRoute[] LINKS = {new LinkRoute("tents", 7, 3, 1, "https://shop.example.com/tents", "rcid")};
    /**
     * Google's ad crawler: no token of the list in it ("bot", "crawl", ...), a robot to yauaa.
     */
    private static final String AD_CRAWLER = "Mediapartners-Google";

    @TempDir
    Path dir;

    @AutoClose
    private EdgeFixture edge;

    @Test
    void shouldJournalACrawlerTheTokenListMissesAsABotOnceYauaaHasJudgedIt() throws Exception
    {
        // Given an edge whose yauaa analyzer is built
        edge = new EdgeFixture(dir, context -> context.botClassifier("yauaa").botClassifierDelayMs(0), LINKS);
        awaitAnalyzer();

        // When a crawler the token list does not know follows the link, and again once yauaa has judged it
        assertEquals(302, edge.get("/r/tents", AD_CRAWLER).statusCode());
        awaitVerdict(AD_CRAWLER);
        assertEquals(302, edge.get("/r/tents", AD_CRAWLER).statusCode());

        // Then both are redirected; the first click carries the token list's verdict (a person), the second yauaa's
        // (a bot). Each verdict is in the journal: a replay reads the flags and counts what was counted live
        assertEquals(List.of(false, true), EdgeFixture.journaledBotFlags(edge.journal));
        final TrackerCounters counters = edge.server.context().counters();
        assertEquals(1, counters.get(TrackerCounter.BOTS_BY_LIBRARY));
        assertEquals(1, counters.get(TrackerCounter.BOT_CLICKS_RECORDED));
        assertEquals(1, counters.get(TrackerCounter.CLICKS_RECORDED));
    }

    @Test
    void shouldKeepAPersonsBrowserAPersonOnceYauaaHasJudgedIt() throws Exception
    {
        // Given an edge whose yauaa analyzer is built, and a phone's browser it has judged
        final String phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) " +
            "Chrome/126.0.0.0 Mobile Safari/537.36";
        edge = new EdgeFixture(dir, context -> context.botClassifier("yauaa").botClassifierDelayMs(0), LINKS);
        awaitAnalyzer();
        edge.get("/r/tents", phone);
        awaitVerdict(phone);

        // When that browser clicks
        edge.get("/r/tents", phone);

        // Then neither click is a bot's
        assertEquals(List.of(false, false), EdgeFixture.journaledBotFlags(edge.journal));
        assertEquals(UserAgentVerdicts.HUMAN, verdict(phone));
    }

    @Test
    void shouldJudgeByTheTokenListAloneWhenTheLibraryIsOff() throws Exception
    {
        // Given an edge configured for the token list alone
        edge = new EdgeFixture(dir, context -> context.botClassifier("tokens"), LINKS);

        // When a crawler only yauaa would know, and one the token list knows, follow the link
        edge.get("/r/tents", "Scrapy/2.11.0 (+https://scrapy.org)");
        edge.get("/r/tents", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)");

        // Then only the token list's bot is flagged, and nothing waits for a library verdict
        assertEquals(List.of(false, true), EdgeFixture.journaledBotFlags(edge.journal));
        assertEquals(0, edge.server.context().counters().get(TrackerCounter.BOT_VERDICTS_PENDING));
    }

    private static void awaitAnalyzer() throws InterruptedException
    {
        // Built on its own thread after the edge started; minutes only on a machine as loaded as CI can be.
        while (!UserAgentVerdicts.shared().isReady())
        {
            Thread.sleep(50);
        }
        System.out.println("BotClassificationTest: yauaa analyzer built in " + UserAgentVerdicts.shared().buildMs() +
            " ms");
    }

    private static void awaitVerdict(final String userAgent) throws InterruptedException
    {
        while (UserAgentVerdicts.UNKNOWN == verdict(userAgent))
        {
            Thread.sleep(10);
        }
    }

    private static int verdict(final String userAgent)
    {
        return UserAgentVerdicts.shared().verdict(UserAgentVerdicts.hash(userAgent));
    }
}
