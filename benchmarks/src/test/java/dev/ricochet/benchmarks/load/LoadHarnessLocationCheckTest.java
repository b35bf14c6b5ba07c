package dev.ricochet.benchmarks.load;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The harness's check of a redirect's Location against the link it followed.
 */
class LoadHarnessLocationCheckTest
{
    private static final String CLICK_ID = "-0cUpCA8VobNMR3l0Rz5ln";

    @Test
    void shouldAcceptTheDestinationWithTheClickIdAndPassedThroughCampaign()
    {
        final LinkTarget link = new LinkTarget(0, "alice-tents", "https://shop.example.com/tents?utm_source=alice",
            "rcid");

        assertNull(link.check("https://shop.example.com/tents?utm_source=alice&rcid=" + CLICK_ID));
        assertNull(link.check("https://shop.example.com/tents?utm_source=alice&rcid=" + CLICK_ID +
            "&utm_campaign=spring_sale"));
        assertEquals("https://shop.example.com/tents?utm_source=alice&rcid=".length(),
            link.clickIdStart("https://shop.example.com/tents?utm_source=alice&rcid=" + CLICK_ID));
    }

    @Test
    void shouldKeepTheFragmentLast()
    {
        final LinkTarget link = new LinkTarget(1, "bob-ropes", "https://shop.example.com/ropes#reviews", "ref");

        assertNull(link.check("https://shop.example.com/ropes?ref=" + CLICK_ID + "#reviews"));
        assertEquals(ErrorKind.WRONG_LOCATION, link.check("https://shop.example.com/ropes?ref=" + CLICK_ID));
    }

    @Test
    void shouldTellAWrongDestinationFromAMissingClickId()
    {
        final LinkTarget link = new LinkTarget(1, "carol", "https://shop.example.com/sale", "rcid");

        assertEquals(ErrorKind.WRONG_LOCATION, link.check("https://evil.example/sale?rcid=" + CLICK_ID));
        assertEquals(ErrorKind.MISSING_CLICK_ID, link.check("https://shop.example.com/sale"));
        assertEquals(ErrorKind.MISSING_CLICK_ID, link.check("https://shop.example.com/sale?via=" + CLICK_ID));
        assertEquals(ErrorKind.MISSING_CLICK_ID, link.check("https://shop.example.com/sale?rcid=short"));
        assertEquals(ErrorKind.MISSING_CLICK_ID, link.check("https://shop.example.com/sale?rcid=" + CLICK_ID + "x"));
    }

    @Test
    void shouldReadCodesWithAndWithoutDestinations()
    {
        final List<LinkTarget> links = LinkTarget.parseList("a-1=https://x.example/?q=1, b_2", "rcid");

        assertEquals("a-1", links.get(0).code());
        assertEquals("https://x.example/?q=1", links.get(0).destination());
        assertNull(links.get(1).destination());
        assertEquals("GET /r/a-1" + LinkTarget.CAMPAIGN_QUERY + " HTTP/1.1\r\n",
            new String(links.get(0).redirectLine(), StandardCharsets.US_ASCII));
        assertEquals("GET /r/b_2 HTTP/1.1\r\n",
            new String(links.get(1).redirectLine(), StandardCharsets.US_ASCII));
    }

    @Test
    void shouldParseDurationsWithUnits()
    {
        assertEquals(10_000_000_000L, LoadOptions.durationNs("--duration", "10s"));
        assertEquals(500_000_000L, LoadOptions.durationNs("--duration", "500ms"));
        assertEquals(1_500_000_000L, LoadOptions.durationNs("--duration", "1.5"));
        assertEquals(120_000_000_000L, LoadOptions.durationNs("--duration", "2m"));
    }
}
