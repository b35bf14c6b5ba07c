package dev.ricochet.aggregator.attribution;

import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.ingest.ConversionEventFlyweight;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules the conversion states and kinds carry: which id a conversion is known by, which waiting refunds apply to
 * an arriving sale, what each kind counts.
 */
class StoredConversionTest
{
    private static final StoredConversion.WaitingReversal REFUND =
        new StoredConversion.WaitingReversal("re_1", 500, 1_000, false);

    @Test
    void anAliasNamesItsConversionsPrimaryId()
    {
        assertEquals("pi_1", StoredConversion.primaryId(new StoredConversion.Alias("in_1", "pi_1", 1_000)));
    }

    @Test
    void aConversionIsItsOwnPrimaryId()
    {
        assertEquals("o1", StoredConversion.primaryId(
            ConversionRecord.reversal("o1", ConversionKind.REFUND, 1_000, 5, "USD", "o0", "api")));
        assertNull(StoredConversion.primaryId(null));
    }

    @Test
    void refundsWaitingInOneCurrencyApplyOnlyToASaleInIt()
    {
        final StoredConversion.AwaitingSale awaiting =
            new StoredConversion.AwaitingSale("o1", 1_000, "USD", List.of(REFUND));

        assertTrue(awaiting.appliesTo("USD"));
        assertFalse(awaiting.appliesTo("EUR"));
    }

    @Test
    void refundsWaitingWithoutACurrencyApplyToAnySale()
    {
        assertTrue(new StoredConversion.AwaitingSale("o1", 1_000, null, List.of(REFUND)).appliesTo("EUR"));
    }

    @Test
    void anotherWaitingRefundIsKeptAfterTheFirstAndTheFirstStaysAsItWas()
    {
        final StoredConversion.AwaitingSale first = new StoredConversion.AwaitingSale("o1", 1_000, "USD",
            List.of(REFUND));
        final StoredConversion.WaitingReversal second = new StoredConversion.WaitingReversal("re_2", 300, 2_000, true);

        assertEquals(List.of(REFUND, second), first.with(second).waiting());
        assertEquals(List.of(REFUND), first.waiting());
        assertEquals(1_000, first.with(second).timeMs());
    }

    @Test
    void leadsAndSalesAreCountedAndNothingElseIs()
    {
        assertEquals(CounterField.LEADS, ConversionKind.LEAD.countField());
        assertEquals(CounterField.SALES, ConversionKind.SALE.countField());
        assertNull(ConversionKind.RECURRING.countField());
        assertNull(ConversionKind.REFUND.countField());
        assertNull(ConversionKind.CHARGEBACK.countField());
    }

    @Test
    void refundsAndChargebacksAreReversals()
    {
        assertTrue(ConversionKind.isReversal(ConversionEventFlyweight.KIND_REFUND));
        assertTrue(ConversionKind.isReversal(ConversionEventFlyweight.KIND_CHARGEBACK));
        assertFalse(ConversionKind.isReversal(ConversionEventFlyweight.KIND_SALE));
        assertEquals(ConversionKind.CHARGEBACK, ConversionKind.fromEvent(ConversionEventFlyweight.KIND_CHARGEBACK));
        assertTrue(ConversionKind.CHARGEBACK.isReversal());
        assertFalse(ConversionKind.RECURRING.isReversal());
    }

    @Test
    void anEventKindNoKindHasIsRefused()
    {
        assertThrows(IllegalStateException.class, () -> ConversionKind.fromEvent((byte)99));
    }
}
