package dev.ricochet.aggregator.ledger;

import dev.ricochet.aggregator.attribution.ConversionKind;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.fraud.FraudFlag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A commission's JSON is stored state: its kind is typed ({@link ConversionKind}) and must still be stored as the
 * name it had. The documents below were captured from the code before the kind was typed.
 */
class CommissionJsonTest
{
    private static final String PERCENT_SALE =
        "{\"kind\":\"sale\",\"revenue\":10000,\"reversedRevenue\":2500,\"earned\":1250,\"reversed\":3" +
        "12,\"rate\":\"12.5\",\"tier\":\"silver\",\"state\":\"pending\",\"approveDay\":19700,\"runId\":nu" +
        "ll,\"retroactive\":true}";

    private static final String HELD_LEAD =
        "{\"kind\":\"lead\",\"revenue\":0,\"reversedRevenue\":0,\"earned\":500,\"reversed\":0,\"rate\":" +
        "\"flat\",\"tier\":null,\"state\":\"held\",\"approveDay\":19701,\"runId\":\"run-1\",\"retroactiv" +
        "e\":false,\"flags\":[{\"code\":\"velocity\",\"detail\":\"12 sales in 1 hour\"}]}";

    private static final String PAID_RECURRING =
        "{\"kind\":\"recurring\",\"revenue\":2000,\"reversedRevenue\":0,\"earned\":200,\"reversed\":0" +
        ",\"rate\":\"10\",\"tier\":null,\"state\":\"paid\",\"approveDay\":19702,\"runId\":\"run-2\",\"retr" +
        "oactive\":false}";

    @Test
    void commissionsOfEveryKindAreWrittenAsBefore()
    {
        assertEquals(PERCENT_SALE, written(new Commission(ConversionKind.SALE, 10_000, 2_500, 1_250, 312, "12.5",
            "silver", Commission.PENDING, 19_700, null, true, null)));
        assertEquals(HELD_LEAD, written(new Commission(ConversionKind.LEAD, 0, 0, 500, 0, "flat", null,
            Commission.HELD, 19_701, "run-1", false, List.of(new FraudFlag("velocity", "12 sales in 1 hour")))));
        assertEquals(PAID_RECURRING, written(new Commission(ConversionKind.RECURRING, 2_000, 0, 200, 0, "10", null,
            Commission.PAID, 19_702, "run-2", false, List.of())));
    }

    @Test
    void storedCommissionsReadBackToTheSameBytes()
    {
        for (final String json : List.of(PERCENT_SALE, HELD_LEAD, PAID_RECURRING))
        {
            assertEquals(json, written(CatalogJson.read(json.getBytes(StandardCharsets.UTF_8), Commission.class)));
        }
    }

    @Test
    void theKindIsReadAsItsType()
    {
        assertEquals(ConversionKind.LEAD,
            CatalogJson.read(HELD_LEAD.getBytes(StandardCharsets.UTF_8), Commission.class).kind());
    }

    private static String written(final Commission commission)
    {
        return new String(CatalogJson.write(commission), StandardCharsets.UTF_8);
    }
}
