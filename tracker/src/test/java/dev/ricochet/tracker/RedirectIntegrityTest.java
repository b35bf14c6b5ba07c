package dev.ricochet.tracker;

import dev.ricochet.ingest.LinkRoute;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Location of a click carries exactly one click parameter, the edge's: no request value and no parameter of the
 * destination's own query can put a second one next to it (docs/edge.md, "Redirect integrity").
 */
class RedirectIntegrityTest
{
    private static final String ID = "[-0-9A-Za-z_]{22}";

    @TempDir
    Path dir;

    @AutoClose
    private EdgeFixture edge;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir, new LinkRoute[]{
            new LinkRoute("utm", 1, 3, 1, "https://shop.example.com/", "utm_id"),
            new LinkRoute("upper", 2, 3, 1, "https://shop.example.com/", "UTM_ID"),
            new LinkRoute("preset", 3, 3, 1, "https://shop.example.com/p?utm_id=OLD&color=red&Utm%5FId=x#top",
                "utm_id"),
            new LinkRoute("only", 4, 3, 1, "https://shop.example.com/p?utm_id=OLD", "utm_id") });
    }

    @Test
    void dropsARequestParameterNamedLikeAUtmClickParameterSoTheForgedIdNeverFollowsTheClickId() throws Exception
    {
        // When a shopper's link carries its own value for the program's click parameter, utm_id
        final String location = location("/r/utm?utm_id=FORGED&utm_source=news");

        // Then the Location holds the edge's click id once and the other utm_* values, never the forged one
        assertTrue(location.matches("https://shop\\.example\\.com/\\?utm_id=" + ID + "&utm_source=news"), location);
    }

    @Test
    void dropsARequestParameterNamedLikeTheClickParameterInAnotherLetterCase() throws Exception
    {
        // When the program's click parameter is UTM_ID and the request passes utm_id (a case-insensitive reader,
        // such as ASP.NET's, would see two values of one name)
        final String location = location("/r/upper?utm_id=FORGED");

        // Then only the click id is there
        assertTrue(location.matches("https://shop\\.example\\.com/\\?UTM_ID=" + ID), location);
    }

    @Test
    void neverPassesAPercentEncodedOrUpperCaseSpellingOfTheClickParameter() throws Exception
    {
        // When the request spells the name with an escape or capitals
        final String location = location("/r/utm?utm%5Fid=FORGED&UTM_ID=FORGED&Utm_Id=FORGED");

        // Then none of them passes (pass-through names are literal lower-case utm_* names)
        assertTrue(location.matches("https://shop\\.example\\.com/\\?utm_id=" + ID), location);
    }

    @Test
    void removesTheDestinationsOwnClickParameterInAnySpelling() throws Exception
    {
        // When the merchant's destination already holds utm_id (and a percent-encoded, mixed-case utm_id)
        final String location = location("/r/preset");

        // Then the Location keeps its other parameters and fragment, with the click id as the only utm_id
        assertTrue(location.matches("https://shop\\.example\\.com/p\\?color=red&utm_id=" + ID + "#top"), location);
        assertEquals("https://shop.example.com/p?color=red#top", edge.links.lookup("preset").servedDestination());
    }

    @Test
    void leavesNoEmptyQueryWhenTheClickParameterWasTheDestinationsOnlyParameter() throws Exception
    {
        final String location = location("/r/only");

        assertTrue(location.matches("https://shop\\.example\\.com/p\\?utm_id=" + ID), location);
    }

    @Test
    void dropsTheForgedClickParameterFromARedirectWithoutCreditToo() throws Exception
    {
        // Given an edge whose per-link limit lets one click a minute through, then redirects without credit
        try (EdgeFixture limited = new EdgeFixture(dir.resolve("limited"),
            context -> context.rateLimitLink("1/m", 1),
            new LinkRoute[]{ new LinkRoute("utm", 1, 3, 1, "https://shop.example.com/", "utm_id") }))
        {
            limited.get("/r/utm");

            // When the next request over the limit forges the click parameter
            final HttpResponse<String> response = limited.get("/r/utm?utm_id=FORGED&utm_medium=mail");

            // Then the shopper lands without a click id and without the forged one
            assertEquals(302, response.statusCode());
            final String location = response.headers().firstValue("location").orElseThrow();
            assertEquals("https://shop.example.com/?utm_medium=mail", location);
        }
    }

    private String location(final String path) throws Exception
    {
        final HttpResponse<String> response = edge.get(path);
        assertEquals(302, response.statusCode(), response.body());
        return response.headers().firstValue("location").orElseThrow();
    }
}
