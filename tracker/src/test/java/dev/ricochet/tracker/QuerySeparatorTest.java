package dev.ricochet.tracker;

import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramRoute;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Only '&' separates query parameters (WHATWG URL, application/x-www-form-urlencoded): a ';' is part of a value on
 * the postback, as it is for every browser and server that reads the same URL (docs/edge.md, "Query parameters").
 */
class QuerySeparatorTest
{
    @TempDir
    Path dir;

    @AutoClose
    private EdgeFixture edge;

    @BeforeEach
    void startEdge() throws InterruptedException
    {
        edge = new EdgeFixture(dir, new LinkRoute[0],
            new ProgramRoute("shop", 4, "USD", "rcid", null, null, null, "pb-secret-1"));
    }

    @Test
    void keepsASemicolonInsideAPostbackValueInsteadOfSplittingAtIt() throws Exception
    {
        // When a postback hides a second amount behind a ';'
        final HttpResponse<String> response =
            edge.get("/postback?program=shop&token=pb-secret-1&amount=100&order_id=o-1;amount=999999");

        // Then it is one order id, and the amount is the '&'-separated one
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(List.of("o-1;amount=999999|100"), conversions());
    }

    @Test
    void refusesAPostbackWhoseOnlyAmountRunsIntoASemicolon() throws Exception
    {
        final HttpResponse<String> response =
            edge.get("/postback?program=shop&token=pb-secret-1&order_id=o-2&amount=100;currency=EUR");

        assertEquals(400, response.statusCode(), response.body());
        assertEquals(List.of(), conversions());
    }

    private List<String> conversions()
    {
        final ConversionEventFlyweight conversion = new ConversionEventFlyweight();
        return EdgeFixture.journaled(edge.journal, EventHeaderDescriptor.TYPE_CONVERSION, buffer ->
        {
            conversion.wrap(buffer, 0);
            return conversion.externalId() + "|" + conversion.amountMinor();
        });
    }
}
