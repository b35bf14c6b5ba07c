package dev.ricochet.ingest;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Money#percentOf}, {@link Money#exactPercentOf}, {@link Money#sum} and {@link Money#canAdd}: percents are
 * exact until rounded once, half to even; sums never wrap.
 */
class MoneyPercentAndSumTest
{
    @Test
    void aPercentIsRoundedOnceHalfToEven()
    {
        assertEquals(2, Money.percentOf(5, new BigDecimal("50")), "2.5 rounds to the even 2");
        assertEquals(4, Money.percentOf(7, new BigDecimal("50")), "3.5 rounds to the even 4");
        assertEquals(1_250, Money.percentOf(10_000, new BigDecimal("12.5")));
    }

    @Test
    void exactPercentsAddUpBeforeTheOneRounding()
    {
        final BigDecimal exact = Money.exactPercentOf(5, new BigDecimal("10"))
            .add(Money.exactPercentOf(5, new BigDecimal("10")));

        assertEquals(new BigDecimal("1.0"), exact.stripTrailingZeros().setScale(1));
        assertEquals(1, Money.round(exact), "0.5 + 0.5 is 1, where two rounded halves would be 0 + 0");
    }

    @Test
    void aPercentPastTheRangeOfALongThrows()
    {
        assertThrows(ArithmeticException.class, () -> Money.percentOf(Long.MAX_VALUE, new BigDecimal("200")));
    }

    @Test
    void aSumIsExactOrThrows()
    {
        assertEquals(6, Money.sum(new long[]{ 1, 2, 3 }));
        assertEquals(0, Money.sum(new long[0]));
        assertThrows(ArithmeticException.class, () -> Money.sum(new long[]{ Long.MAX_VALUE, 1 }));
    }

    @Test
    void canAddSaysWhetherAddWouldThrow()
    {
        assertTrue(Money.canAdd(Long.MAX_VALUE - 1, 1));
        assertFalse(Money.canAdd(Long.MAX_VALUE, 1));
        assertFalse(Money.canAdd(Long.MIN_VALUE, -1));
        assertTrue(Money.canAdd(-5, 5));
    }
}
