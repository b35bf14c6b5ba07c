package dev.ricochet.tracker;

import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A pixel hit that reports a conversion ({@code /p.gif?e=conversion&...}) is decided at the edge: the edge journals
 * the conversion (source pixel) next to the pixel hit, or nothing when the report breaks a rule. The aggregator reads
 * no HTTP.
 */
class PixelConversionTest
{
    private static final ProgramRoute SHOP =
        new ProgramRoute("shop", 1, "USD", "rcid", null, null, null, null, true);
    private static final ProgramRoute NO_PIXEL =
        new ProgramRoute("no-pixel", 2, "USD", "rcid", null, null, null, null, false);

    @TempDir
    Path dir;
    private EdgeFixture edge;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir, new LinkRoute[0], SHOP, NO_PIXEL);
    }

    @AfterEach
    void stopEdge()
    {
        edge.close();
    }

    @Test
    void shouldJournalTheReportedConversionNextToThePixelHit() throws Exception
    {
        // When the thank-you page loads the pixel reporting a lead with a coupon
        assertEquals(200, edge.get("/p.gif?e=conversion&program=shop&order_id=o-1&amount=1500&kind=lead" +
            "&currency=usd&coupon=SPRING").statusCode());

        // Then the pixel hit stays a hit, and the conversion is journaled for the same visitor at the same time
        final ClickEventFlyweight hit = new ClickEventFlyweight();
        final List<long[]> hits = EdgeFixture.journaled(edge.journal, EventHeaderDescriptor.TYPE_PIXEL,
            buffer -> new long[]{ hit.wrap(buffer, 0).visitorIdHi(), hit.visitorIdLo(), hit.timestampMs() });
        assertEquals(1, hits.size());
        final List<String> conversions = conversions();
        assertEquals(List.of("pixel lead program 1 USD 1500 o-1 coupon SPRING visitor " + hits.get(0)[0] + ":" +
            hits.get(0)[1] + " at " + hits.get(0)[2]), conversions);
        assertEquals(1, edge.server.context().counters().get(TrackerCounter.PIXEL_CONVERSIONS_RECORDED));
    }

    @Test
    void shouldDropAReportWhoseAmountIsNoPlainIntegerWithinTheBoundAndCountIt() throws Exception
    {
        // When anyone loads the pixel with the largest long, one past it, one past the bound, and other spellings
        for (final String amount : new String[]{ "9223372036854775807", "9223372036854775808", "1000000000001",
            "%2B5", "0100", "-5" })
        {
            assertEquals(200, edge.get("/p.gif?e=conversion&program=shop&order_id=o-" + amount.length() +
                "&amount=" + amount).statusCode());
        }
        // And then with an ordinary amount
        assertEquals(200, edge.get("/p.gif?e=conversion&program=shop&order_id=o-ok&amount=2500").statusCode());

        // Then only the ordinary report is journaled; each pixel hit is; the others are counted
        assertEquals(List.of("o-ok 2500"), orderAmounts());
        assertEquals(7, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_PIXEL));
        assertEquals(6, edge.server.context().counters().get(TrackerCounter.PIXEL_AMOUNTS_REFUSED));
    }

    @Test
    void shouldDropAReportThatGivesAParameterTwice() throws Exception
    {
        // When the report names two amounts (frameworks disagree on which one counts)
        edge.get("/p.gif?e=conversion&program=shop&order_id=o-1&amount=1&amount=1500");

        // Then nothing is journaled but the hit
        assertEquals(List.of(), orderAmounts());
        assertEquals(1, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_PIXEL));
    }

    @Test
    void shouldSplitAReportOnlyAtAmpersandsNeverAtSemicolons() throws Exception
    {
        // When the page's query hides a second amount behind a ';' (WHATWG URL: only '&' separates)
        edge.get("/p.gif?e=conversion&program=shop&amount=1500&order_id=o-1;amount=999999");

        // Then the amount is the one '&'-separated value, and the ';' stays part of the order id
        assertEquals(List.of("o-1;amount=999999 1500"), orderAmounts());
    }

    @Test
    void shouldTakeOnlyTheParameterEqualsConversionAsAReport() throws Exception
    {
        // When a page view's query merely contains the text "e=conversion" (page=conversion), or e is something else
        edge.get("/p.gif?page=conversion&program=shop&order_id=o-1&amount=1500");
        edge.get("/p.gif?e=conversions&program=shop&order_id=o-2&amount=1500&x=e=conversion");

        // Then no conversion is journaled
        assertEquals(List.of(), orderAmounts());
        assertEquals(2, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_PIXEL));
    }

    @Test
    void shouldDropReportsForUnknownProgramsAndProgramsThatDoNotTakeThem() throws Exception
    {
        // When the report names a program the edge does not know, and one that takes no pixel conversions
        edge.get("/p.gif?e=conversion&program=nope&order_id=o-1&amount=1500");
        edge.get("/p.gif?e=conversion&program=no-pixel&order_id=o-2&amount=1500");
        edge.get("/p.gif?e=conversion&order_id=o-3&amount=1500");

        // Then no conversion is journaled
        assertEquals(List.of(), orderAmounts());
    }

    @Test
    void shouldDropAReportInAnotherCurrencyOrWithoutAUsableOrderId() throws Exception
    {
        // When the report gives another currency than the program's, no order id, or one past the id bound
        edge.get("/p.gif?e=conversion&program=shop&order_id=o-1&amount=1500&currency=EUR");
        edge.get("/p.gif?e=conversion&program=shop&amount=1500");
        edge.get("/p.gif?e=conversion&program=shop&order_id=" + "o".repeat(256) + "&amount=1500");
        // And one in the program's currency (any case)
        edge.get("/p.gif?e=conversion&program=shop&order_id=o-4&amount=1500&currency=usd");

        // Then only the last is journaled
        assertEquals(List.of("o-4 1500"), orderAmounts());
    }

    @Test
    void shouldDropAReportWhoseOrderIdOrCouponTheJournalCannotKeepAsGiven() throws Exception
    {
        // When the order id holds a NUL or a line break, is 240 characters but 280 bytes of UTF-8 (the journal keeps
        // 255 bytes: it was cut mid-character), or the coupon is past its 64 bytes
        edge.get("/p.gif?e=conversion&program=shop&order_id=o%00x&amount=1500");
        edge.get("/p.gif?e=conversion&program=shop&order_id=o%0Ax&amount=1500");
        edge.get("/p.gif?e=conversion&program=shop&order_id=" + "o".repeat(200) + "%C3%A9".repeat(40) +
            "&amount=1500");
        edge.get("/p.gif?e=conversion&program=shop&order_id=o-c&amount=1500&coupon=" + "C".repeat(65));
        // And then one at both bounds
        edge.get("/p.gif?e=conversion&program=shop&order_id=" + "o".repeat(255) + "&amount=1500&coupon=" +
            "C".repeat(64));

        // Then only the last is journaled, as given; every pixel hit is
        assertEquals(List.of("o".repeat(255) + " 1500"), orderAmounts());
        assertEquals(5, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_PIXEL));
    }

    @Test
    void shouldDropAReportWhoseQueryIsLongerThanThePixelHitJournals() throws Exception
    {
        // When a thank-you page with long tracking parameters reports an order: the hit journals only the first
        // 512 characters, cut inside the order id, with the amount past the cut
        final String padding = "x=" + "p".repeat(470);
        edge.get("/p.gif?" + padding + "&e=conversion&program=shop&order_id=trunc-1234567890&amount=1500");
        // And one of exactly 512 characters
        final String report = "&e=conversion&program=shop&order_id=o-512&amount=1500";
        edge.get("/p.gif?x=" + "p".repeat(512 - 2 - report.length()) + report);

        // Then the cut one reports nothing (it was booked as order "trun" for 0), the one within the bound does; the
        // hits are journaled
        assertEquals(List.of("o-512 1500"), orderAmounts());
        assertEquals(2, EdgeFixture.journaledCount(edge.journal, EventHeaderDescriptor.TYPE_PIXEL));
    }

    private List<String> orderAmounts()
    {
        final ConversionEventFlyweight conversion = new ConversionEventFlyweight();
        return EdgeFixture.journaled(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION,
            buffer -> conversion.wrap(buffer, 0).externalId() + " " + conversion.amountMinor());
    }

    private List<String> conversions()
    {
        final ConversionEventFlyweight conversion = new ConversionEventFlyweight();
        return EdgeFixture.journaled(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION, buffer ->
        {
            conversion.wrap(buffer, 0);
            return (ConversionEventFlyweight.SOURCE_PIXEL == conversion.source() ? "pixel " : "other ") +
                (ConversionEventFlyweight.KIND_LEAD == conversion.kind() ? "lead" : "sale") +
                " program " + conversion.programNumber() + " " + conversion.currency() + " " +
                conversion.amountMinor() + " " + conversion.externalId() + " coupon " + conversion.coupon() +
                " visitor " + conversion.visitorIdHi() + ":" + conversion.visitorIdLo() +
                " at " + conversion.timestampMs() + (conversion.reportedMs() == conversion.timestampMs() ? "" : "!");
        });
    }
}
