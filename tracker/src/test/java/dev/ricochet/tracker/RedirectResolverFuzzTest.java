package dev.ricochet.tracker;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the redirect resolver, the way the click path uses it: {@link RequestPath} classifies the request target,
 * the {@link LinkDirectory} resolves the code where it lies, {@link RedirectLocation} builds the Location. Whatever
 * the target, a Location is built only for a code the directory holds, goes only to that link's destination host,
 * and what the request contributed to it is percent-encoded: no CR, LF, space, quote or other control character.
 * The seeds are in {@code src/test/resources/dev/ricochet/tracker/RedirectResolverFuzzTestInputs/}.
 */
class RedirectResolverFuzzTest
{
    private static final LinkRoute[] ROUTES = {
        new LinkRoute("home", 1, 1, 1, "https://shop.example.com/", "rcid"),
        new LinkRoute("spring-sale", 2, 2, 1, "https://shop.example.com/landing?campaign=s26#offer", "rcid"),
        new LinkRoute("q", 3, 3, 2, "http://deals.example.org/p?utm_source=merchant&", "ref"),
        new LinkRoute("A_b-9", 4, 3, 2, "https://xn--bcher-kva.example/?", "rclid"),
    };
    private static final Set<String> DIRECTORY_HOSTS =
        Set.of("shop.example.com", "deals.example.org", "xn--bcher-kva.example");
    private static final LinkDirectory DIRECTORY = new LinkDirectory();

    static
    {
        for (final LinkRoute route : ROUTES)
        {
            DIRECTORY.put(route);
        }
    }

    private final RequestPath requestPath = new RequestPath();
    private final RedirectLocation redirectLocation = new RedirectLocation();
    private final LinkDirectory.CodeView codeView = new LinkDirectory.CodeView();

    @FuzzTest
    @DictionaryEntries({ "/r/", "home", "spring-sale", "A_b-9", "?utm_", "utm_source=", "&utm_campaign=", "%0d%0a",
        "%", "%2F", "//evil.example", "@evil.example", "\\", "#", "rcid=", "%C3%A9", "%u0041", "%%" })
    void buildsALocationOnlyToTheDestinationOfAKnownCode(final byte[] target)
    {
        // Given a request target as the HTTP decoder hands it over: one char per byte
        final String uri = new String(target, StandardCharsets.ISO_8859_1);

        // When the click path resolves it
        final int route = requestPath.parse(uri);
        if (RequestPath.CLICK != route)
        {
            return;
        }
        final LinkRoute link = DIRECTORY.lookup(codeView.wrap(uri, requestPath.codeStart(), requestPath.codeEnd()));
        // The allocation-free lookup and the plain one agree.
        assertSame(DIRECTORY.lookup(requestPath.code()), link);
        if (null == link)
        {
            assertNull(DIRECTORY.lookup(requestPath.code()));
            return;
        }
        assertEquals(link.code(), uri.substring(requestPath.codeStart(), requestPath.codeEnd()));
        final boolean hasUtm = uri.indexOf(RedirectLocation.UTM_PREFIX, requestPath.queryStart()) >= 0;
        final String location =
            redirectLocation.build(link, 0x0193_1A2B_3C4DL, 0x5E6F_7081_92A3_B4C5L, hasUtm ? requestPath.query() : null)
                .toString();

        // Then it is the link's destination, plus only encoded characters, on a host of the directory
        final StringBuilder prefix = new StringBuilder();
        link.appendLocationPrefix(prefix);
        final StringBuilder fragment = new StringBuilder();
        link.appendFragment(fragment);
        assertTrue(location.startsWith(prefix.toString()), location);
        assertTrue(location.endsWith(fragment.toString()), location);
        final String added = location.substring(prefix.length(), location.length() - fragment.length());
        for (int i = 0; i < added.length(); i++)
        {
            final char c = added.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                "-._~%&=".indexOf(c) >= 0))
            {
                fail("request-supplied character 0x" + Integer.toHexString(c) + " in the Location " + location);
            }
        }
        final URI parsed = URI.create(location);
        assertEquals(URI.create(link.destination()).getHost(), parsed.getHost(), location);
        assertTrue(DIRECTORY_HOSTS.contains(parsed.getHost()), location);
        assertNull(parsed.getRawUserInfo(), location);
    }
}
