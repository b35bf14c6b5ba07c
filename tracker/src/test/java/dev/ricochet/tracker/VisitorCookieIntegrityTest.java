package dev.ricochet.tracker;

import com.sun.management.ThreadMXBean;
import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.IdCodec;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalPoller;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.test.RawHttp;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A visitor cookie is the edge's only if its tag, a SipHash-2-4 MAC under the server's key, verifies: a forged but
 * well-formed cookie is replaced with a new visitor id, so no browser can be made to pass for another visitor
 * (docs/edge.md, "Visitor cookie").
 */
class VisitorCookieIntegrityTest
{
    private static final VisitorKey KEY = new VisitorKey(0x1111_2222_3333_4444L, 0x5555_6666_7777_8888L);

    @TempDir
    Path dir;

    @AutoClose
    private EdgeFixture edge;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir, context -> context.visitorKey(KEY),
            new LinkRoute[]{ new LinkRoute("home", 8, 3, 1, "https://shop.example.com/", "rcid") });
    }

    @Test
    void keepsTheVisitorOfACookieItIssued() throws Exception
    {
        final String answer = click(VisitorCookie.value(KEY, 42, 4242));

        assertEquals(302, RawHttp.status(answer), answer);
        assertEquals(List.of("42/4242/returning"), visitors());
    }

    @Test
    void replacesAWellFormedCookieWithAForgedTagWithANewVisitor() throws Exception
    {
        // Given a cookie naming visitor 42/4242 whose tag was made with another key
        final String forged = VisitorCookie.value(new VisitorKey(1, 2), 42, 4242);

        // When a browser presents it
        final String answer = click(forged);

        // Then the edge issues a new id instead and counts the replacement
        assertEquals(302, RawHttp.status(answer), answer);
        final List<String> visitors = visitors();
        assertEquals(1, visitors.size());
        assertTrue(visitors.get(0).endsWith("/new"), visitors.toString());
        assertNotEquals("42/4242/new", visitors.get(0));
        assertTrue(!answer.contains(forged), answer);
        assertEquals(1, edge.server.context().counters().get(TrackerCounter.VISITOR_COOKIES_REPLACED));
    }

    @Test
    void replacesAnUnsignedIdOfTheFormerFormat() throws Exception
    {
        click(IdCodec.toString(42, 4242));

        assertTrue(visitors().get(0).endsWith("/new"));
        assertEquals(1, edge.server.context().counters().get(TrackerCounter.VISITOR_COOKIES_REPLACED));
    }

    @Test
    void replacesACookieWhoseIdWasChangedUnderItsTag() throws Exception
    {
        final String issued = VisitorCookie.value(KEY, 42, 4242);
        final String tampered = IdCodec.toString(42, 4243) + issued.substring(IdCodec.ENCODED_LENGTH);

        click(tampered);

        assertTrue(visitors().get(0).endsWith("/new"));
    }

    @Test
    void signsWithSipHash24AsTheReferenceVectorsSay()
    {
        // Reference implementation, key 00..0f, message 00..0f (vectors_sip64[16])
        assertEquals(0x3f2acc7f57c29bdbL, SipHash.hash24(
            0x0706050403020100L, 0x0f0e0d0c0b0a0908L, 0x0706050403020100L, 0x0f0e0d0c0b0a0908L));
    }

    @Test
    void verifiesACookieWithoutAllocating()
    {
        final VisitorCookie cookie = new VisitorCookie("rv", 60, false, KEY);
        final String header = "other=1; rv=" + VisitorCookie.value(KEY, 42, 4242) + "; x=y";
        final ThreadMXBean threads =
            (ThreadMXBean)ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int i = 0; i < 20_000; i++)
        {
            sink += cookie.read(header);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++)
        {
            sink += cookie.read(header) + cookie.format(cookie.hi(), cookie.lo() + (i & 1)).length();
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 10_000, allocated + " bytes allocated by 100,000 reads (sink " + sink + ")");
    }

    @Test
    void keepsAPersistentKeyOwnerOnlyAndTheSameAcrossRestarts() throws Exception
    {
        final Path file = dir.resolve("keys").resolve("visitor.key");
        Files.createDirectories(file.getParent());

        final VisitorKey first = VisitorKey.persistent(file);
        final VisitorKey again = VisitorKey.persistent(file);

        assertEquals(first, again);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(new long[]{ first.k0(), first.k1() }, new long[]{ again.k0(), again.k1() });
    }

    private String click(final String cookieValue) throws Exception
    {
        return RawHttp.exchange(edge.server.port(), "GET /r/home HTTP/1.1\r\nHost: x\r\nUser-Agent: " +
            EdgeFixture.BROWSER + "\r\nCookie: rv=" + cookieValue + "\r\nConnection: close\r\n\r\n");
    }

    private List<String> visitors()
    {
        final List<String> visitors = new ArrayList<>();
        final ClickEventFlyweight click = new ClickEventFlyweight();
        try (JournalPoller poller = edge.journal.newPoller(Journal.NULL_INDEX))
        {
            poller.poll((buffer, length, index) ->
            {
                if (EventHeaderDescriptor.TYPE_CLICK == buffer.getByte(EventHeaderDescriptor.TYPE_OFFSET))
                {
                    click.wrap(buffer, 0);
                    visitors.add(click.visitorIdHi() + "/" + click.visitorIdLo() + "/" +
                        (click.hasFlag(ClickEventFlyweight.FLAG_NEW_VISITOR) ? "new" : "returning"));
                }
            }, 10_000);
        }
        return visitors;
    }
}
