package dev.ricochet.aggregator.attribution;

import dev.ricochet.aggregator.catalog.CatalogJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The conversions table's JSON is stored state: replays and rebuilds compare its bytes, and the admin API renders it.
 * The documents below are what the code before the typed states ({@link StoredConversion}) wrote, captured from it;
 * every state must read from and write to exactly these bytes.
 */
class StoredConversionJsonTest
{
    private static final String SALE_BY_CLICK_PATH =
        "{\"externalId\":\"o1\",\"kind\":\"sale\",\"timeMs\":1700000200000,\"amount\":10000,\"currency" +
        "\":\"USD\",\"clickId\":\"c2\",\"customerId\":\"cus_1\",\"coupon\":null,\"originalExternalId\":n" +
        "ull,\"attributedBy\":\"click_id\",\"unattributedReason\":null,\"credits\":[{\"partnerNumb" +
        "er\":3,\"revenue\":6666,\"clickId\":\"c1\",\"clickTimeMs\":1700000000000},{\"partnerNumber" +
        "\":4,\"revenue\":3334,\"clickId\":\"c2\",\"clickTimeMs\":1700000100000}],\"reversedAmount\"" +
        ":0,\"waitingReversals\":[],\"cumulativeReversed\":0,\"additiveReversed\":0,\"source\":\"a" +
        "pi\",\"countedPartners\":[3,4],\"path\":[{\"partnerNumber\":3,\"revenue\":6666,\"clickId\":" +
        "\"c1\",\"clickTimeMs\":1700000000000},{\"partnerNumber\":4,\"revenue\":0,\"clickId\":\"c3\"," +
        "\"clickTimeMs\":1700000050000},{\"partnerNumber\":4,\"revenue\":3334,\"clickId\":\"c2\",\"c" +
        "lickTimeMs\":1700000100000}]}";

    private static final String LEAD_BY_COUPON =
        "{\"externalId\":\"l1\",\"kind\":\"lead\",\"timeMs\":1700000300000,\"amount\":0,\"currency\":\"E" +
        "UR\",\"clickId\":null,\"customerId\":null,\"coupon\":\"SPRING\",\"originalExternalId\":null" +
        ",\"attributedBy\":\"coupon\",\"unattributedReason\":null,\"credits\":[{\"partnerNumber\":5" +
        ",\"revenue\":0,\"clickId\":null,\"clickTimeMs\":0}],\"reversedAmount\":0,\"waitingReversa" +
        "ls\":[],\"cumulativeReversed\":0,\"additiveReversed\":0,\"source\":\"postback\",\"countedP" +
        "artners\":[5],\"path\":null}";

    private static final String RECURRING_UNATTRIBUTED =
        "{\"externalId\":\"r1\",\"kind\":\"recurring\",\"timeMs\":1700000400000,\"amount\":2500,\"curr" +
        "ency\":\"USD\",\"clickId\":null,\"customerId\":\"cus_9\",\"coupon\":null,\"originalExternalI" +
        "d\":null,\"attributedBy\":null,\"unattributedReason\":\"customer was not referred\",\"cr" +
        "edits\":[],\"reversedAmount\":0,\"waitingReversals\":[],\"cumulativeReversed\":0,\"addit" +
        "iveReversed\":0,\"source\":\"stripe\",\"countedPartners\":[],\"path\":null}";

    private static final String SALE_PARTLY_REFUNDED =
        "{\"externalId\":\"o2\",\"kind\":\"sale\",\"timeMs\":1700000500000,\"amount\":9999,\"currency\"" +
        ":\"USD\",\"clickId\":null,\"customerId\":null,\"coupon\":null,\"originalExternalId\":null," +
        "\"attributedBy\":\"visitor_id\",\"unattributedReason\":null,\"credits\":[{\"partnerNumber" +
        "\":4,\"revenue\":3334,\"clickId\":\"c2\",\"clickTimeMs\":1700000100000}],\"reversedAmount\"" +
        ":5000,\"waitingReversals\":[],\"cumulativeReversed\":4000,\"additiveReversed\":1000,\"s" +
        "ource\":\"pixel\",\"countedPartners\":[4],\"path\":[{\"partnerNumber\":4,\"revenue\":3334,\"" +
        "clickId\":\"c2\",\"clickTimeMs\":1700000100000}]}";

    private static final String REFUND =
        "{\"externalId\":\"re_1\",\"kind\":\"refund\",\"timeMs\":1700000600000,\"amount\":1000,\"curre" +
        "ncy\":\"USD\",\"clickId\":null,\"customerId\":null,\"coupon\":null,\"originalExternalId\":\"" +
        "o2\",\"attributedBy\":null,\"unattributedReason\":null,\"credits\":[],\"reversedAmount\":" +
        "0,\"waitingReversals\":[],\"cumulativeReversed\":0,\"additiveReversed\":0,\"source\":\"sh" +
        "opify\",\"countedPartners\":[],\"path\":null}";

    private static final String CHARGEBACK =
        "{\"externalId\":\"dp_1\",\"kind\":\"chargeback\",\"timeMs\":1700000700000,\"amount\":1000,\"c" +
        "urrency\":\"USD\",\"clickId\":null,\"customerId\":null,\"coupon\":null,\"originalExternalI" +
        "d\":\"o2\",\"attributedBy\":null,\"unattributedReason\":null,\"credits\":[],\"reversedAmou" +
        "nt\":0,\"waitingReversals\":[],\"cumulativeReversed\":0,\"additiveReversed\":0,\"source\"" +
        ":\"stripe\",\"countedPartners\":[],\"path\":null}";

    private static final String ALIAS =
        "{\"externalId\":\"in_1\",\"kind\":\"alias\",\"timeMs\":1700000800000,\"amount\":0,\"currency\"" +
        ":null,\"clickId\":null,\"customerId\":null,\"coupon\":null,\"originalExternalId\":\"pi_1\"" +
        ",\"attributedBy\":null,\"unattributedReason\":null,\"credits\":[],\"reversedAmount\":0,\"" +
        "waitingReversals\":[],\"cumulativeReversed\":0,\"additiveReversed\":0,\"source\":null,\"" +
        "countedPartners\":[],\"path\":null}";

    private static final String AWAITING_SALE =
        "{\"externalId\":\"o3\",\"kind\":\"awaiting_sale\",\"timeMs\":1700000900000,\"amount\":0,\"cur" +
        "rency\":\"USD\",\"clickId\":null,\"customerId\":null,\"coupon\":null,\"originalExternalId\"" +
        ":null,\"attributedBy\":null,\"unattributedReason\":\"refund arrived before its conver" +
        "sion\",\"credits\":[],\"reversedAmount\":0,\"waitingReversals\":[{\"externalId\":\"re_2\",\"" +
        "amount\":500,\"timeMs\":1700000900000,\"cumulative\":false},{\"externalId\":\"ch_2\",\"amo" +
        "unt\":700,\"timeMs\":1700000950000,\"cumulative\":true}],\"cumulativeReversed\":0,\"addi" +
        "tiveReversed\":0,\"source\":null,\"countedPartners\":[],\"path\":null}";

    private static final String OLD_SALE_PARTNER_TWICE =
        "{\"externalId\":\"o9\",\"kind\":\"sale\",\"timeMs\":1700000000000,\"amount\":300,\"currency\":" +
        "\"USD\",\"clickId\":\"c1\",\"customerId\":null,\"coupon\":null,\"originalExternalId\":null,\"" +
        "attributedBy\":\"click_id\",\"unattributedReason\":null,\"credits\":[{\"partnerNumber\":3" +
        ",\"revenue\":100,\"clickId\":\"c0\",\"clickTimeMs\":1699999000000},{\"partnerNumber\":4,\"r" +
        "evenue\":100,\"clickId\":\"c5\",\"clickTimeMs\":1699999500000},{\"partnerNumber\":3,\"reve" +
        "nue\":100,\"clickId\":\"c1\",\"clickTimeMs\":1699999900000}],\"reversedAmount\":0,\"waitin" +
        "gReversals\":[],\"cumulativeReversed\":0,\"additiveReversed\":0,\"source\":\"api\",\"count" +
        "edPartners\":[3,4]}";

    private static final String OLD_SALE_PARTNER_TWICE_REWRITTEN =
        "{\"externalId\":\"o9\",\"kind\":\"sale\",\"timeMs\":1700000000000,\"amount\":300,\"currency\":" +
        "\"USD\",\"clickId\":\"c1\",\"customerId\":null,\"coupon\":null,\"originalExternalId\":null,\"" +
        "attributedBy\":\"click_id\",\"unattributedReason\":null,\"credits\":[{\"partnerNumber\":3" +
        ",\"revenue\":200,\"clickId\":\"c1\",\"clickTimeMs\":1699999900000},{\"partnerNumber\":4,\"r" +
        "evenue\":100,\"clickId\":\"c5\",\"clickTimeMs\":1699999500000}],\"reversedAmount\":0,\"wai" +
        "tingReversals\":[],\"cumulativeReversed\":0,\"additiveReversed\":0,\"source\":\"api\",\"co" +
        "untedPartners\":[3,4],\"path\":[{\"partnerNumber\":3,\"revenue\":100,\"clickId\":\"c0\",\"cl" +
        "ickTimeMs\":1699999000000},{\"partnerNumber\":4,\"revenue\":100,\"clickId\":\"c5\",\"click" +
        "TimeMs\":1699999500000},{\"partnerNumber\":3,\"revenue\":100,\"clickId\":\"c1\",\"clickTim" +
        "eMs\":1699999900000}]}";

    private static final ConversionRecord.Credit C1 = new ConversionRecord.Credit(3, 6_666, "c1", 1_700_000_000_000L);
    private static final ConversionRecord.Credit C2 = new ConversionRecord.Credit(4, 3_334, "c2", 1_700_000_100_000L);
    private static final ConversionRecord.Credit C3 = new ConversionRecord.Credit(4, 0, "c3", 1_700_000_050_000L);

    @Test
    void everyStateReadsAndWritesTheSameBytes()
    {
        for (final String json : List.of(SALE_BY_CLICK_PATH, LEAD_BY_COUPON, RECURRING_UNATTRIBUTED,
            SALE_PARTLY_REFUNDED, REFUND, CHARGEBACK, ALIAS, AWAITING_SALE))
        {
            assertEquals(json, rewritten(json));
        }
    }

    @Test
    void anAttributedSaleIsWrittenAsBefore()
    {
        final Reported sale = new Reported(new ConversionKey(1, "o1"), ConversionKind.SALE, 1_700_000_200_000L,
            10_000, "USD", "c2", "cus_1", null, "api");
        final Attribution attribution =
            new Attribution("click_id", null, List.of(C1, C2), List.of(), List.of(C1, C3, C2));

        assertEquals(SALE_BY_CLICK_PATH, written(ConversionRecord.attributed(sale, attribution, List.of(3, 4))));
    }

    @Test
    void aCouponLeadIsWrittenAsBefore()
    {
        final Reported lead = new Reported(new ConversionKey(1, "l1"), ConversionKind.LEAD, 1_700_000_300_000L, 0,
            "EUR", null, null, "SPRING", "postback");
        final Attribution attribution = new Attribution("coupon", null,
            List.of(new ConversionRecord.Credit(5, 0, null, 0)), List.of(), null);

        assertEquals(LEAD_BY_COUPON, written(ConversionRecord.attributed(lead, attribution, List.of(5))));
    }

    @Test
    void anUnattributedPaymentIsWrittenAsBefore()
    {
        final Reported payment = new Reported(new ConversionKey(1, "r1"), ConversionKind.RECURRING,
            1_700_000_400_000L, 2_500, "USD", null, "cus_9", null, "stripe");

        assertEquals(RECURRING_UNATTRIBUTED, written(ConversionRecord.attributed(payment,
            Attribution.none("customer was not referred"), List.of())));
    }

    @Test
    void aReversedSaleIsWrittenAsBefore()
    {
        final Reported sale = new Reported(new ConversionKey(1, "o2"), ConversionKind.SALE, 1_700_000_500_000L, 9_999,
            "USD", null, null, null, "pixel");
        final ConversionRecord record = ConversionRecord.attributed(sale,
            new Attribution("visitor_id", null, List.of(C2), List.of(), List.of(C2)), List.of(4));

        assertEquals(SALE_PARTLY_REFUNDED, written(record.withReversal(4_000, 1_000)));
    }

    @Test
    void refundsAndChargebacksAreWrittenAsBefore()
    {
        assertEquals(REFUND, written(ConversionRecord.reversal("re_1", ConversionKind.REFUND, 1_700_000_600_000L,
            1_000, "USD", "o2", "shopify")));
        assertEquals(CHARGEBACK, written(ConversionRecord.reversal("dp_1", ConversionKind.CHARGEBACK,
            1_700_000_700_000L, 1_000, "USD", "o2", "stripe")));
    }

    @Test
    void anAliasIsWrittenAsBeforeAndReadAsAnAlias()
    {
        assertEquals(ALIAS, written(new StoredConversion.Alias("in_1", "pi_1", 1_700_000_800_000L)));
        assertEquals(new StoredConversion.Alias("in_1", "pi_1", 1_700_000_800_000L), read(ALIAS));
    }

    @Test
    void aSaleAwaitingItsArrivalIsWrittenAsBeforeAndReadWithItsReversals()
    {
        final StoredConversion.AwaitingSale awaiting = new StoredConversion.AwaitingSale("o3", 1_700_000_900_000L,
            "USD", List.of(new StoredConversion.WaitingReversal("re_2", 500, 1_700_000_900_000L, false)))
            .with(new StoredConversion.WaitingReversal("ch_2", 700, 1_700_000_950_000L, true));

        assertEquals(AWAITING_SALE, written(awaiting));
        assertEquals(awaiting, read(AWAITING_SALE));
    }

    @Test
    void conversionsAndReversalsReadAsRecordsWithTheirKind()
    {
        assertEquals(ConversionKind.SALE, assertInstanceOf(ConversionRecord.class, read(SALE_BY_CLICK_PATH)).kind());
        assertEquals(ConversionKind.CHARGEBACK, assertInstanceOf(ConversionRecord.class, read(CHARGEBACK)).kind());
        assertEquals(ConversionKind.RECURRING,
            CatalogJson.read(bytes(RECURRING_UNATTRIBUTED), ConversionRecord.class).kind());
    }

    @Test
    void aRecordWithAPartnerTwiceIsMergedAsBefore()
    {
        assertEquals(OLD_SALE_PARTNER_TWICE_REWRITTEN, rewritten(OLD_SALE_PARTNER_TWICE));
    }

    @Test
    void anUnknownKindIsACorruptDocument()
    {
        assertThrows(IllegalStateException.class, () -> read(REFUND.replace("\"refund\"", "\"gift\"")));
    }

    private static StoredConversion read(final String json)
    {
        return CatalogJson.read(bytes(json), StoredConversion.class);
    }

    private static String rewritten(final String json)
    {
        return written(read(json));
    }

    private static String written(final StoredConversion stored)
    {
        return new String(CatalogJson.write(stored), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(final String json)
    {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
