package dev.ricochet.tracker;

import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.test.RawHttp;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A request value reaches the journal only in the shape its field promises: the referrer host is a host name or
 * nothing (docs/edge.md, "Request values").
 */
class JournaledRequestValuesTest
{
    @TempDir
    Path dir;

    @AutoClose
    private EdgeFixture edge;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir,
            new LinkRoute[]{ new LinkRoute("home", 8, 3, 1, "https://shop.example.com/", "rcid") });
    }

    @Test
    void journalsTheHostOfAnOrdinaryReferrer() throws Exception
    {
        click("https://user@news.example-site.co.uk:8443/a?b#c");

        assertEquals(List.of("news.example-site.co.uk"), referrerHosts());
    }

    @Test
    void journalsNoReferrerHostWhenTheHostHoldsMarkupOrQuotes() throws Exception
    {
        click("https://<script>alert(1)<\\x2fscript>\".example/");
        click("http://a\"onmouseover=\"x/");

        assertEquals(List.of("", ""), referrerHosts());
    }

    private void click(final String referrer) throws Exception
    {
        final String answer = RawHttp.exchange(edge.server.port(), "GET /r/home HTTP/1.1\r\nHost: x\r\nUser-Agent: " +
            EdgeFixture.BROWSER + "\r\nReferer: " + referrer + "\r\nConnection: close\r\n\r\n");
        assertEquals(302, RawHttp.status(answer), answer);
    }

    private List<String> referrerHosts()
    {
        final ClickEventFlyweight click = new ClickEventFlyweight();
        return EdgeFixture.journaled(edge.journal, EventHeaderDescriptor.TYPE_CLICK,
            buffer -> click.wrap(buffer, 0).referrerHost());
    }
}
