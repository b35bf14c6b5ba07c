package dev.ricochet.aggregator.commission;

import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.ingest.Money;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the commission arithmetic, over any amounts and exact decimal rates.
 */
class CommissionRulesPropertyTest
{
    @Property
    void percentOfIsTheExactProductRoundedHalfEvenToTheMinorUnit(
        @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) final long revenue,
        @ForAll("percents") final String percent)
    {
        final BigDecimal exact = BigDecimal.valueOf(revenue).multiply(new BigDecimal(percent))
            .divide(BigDecimal.valueOf(100));
        final long commission = CommissionRules.percentOf(revenue, percent);

        assertEquals(exact.setScale(0, RoundingMode.HALF_EVEN).longValueExact(), commission);
        assertTrue(exact.subtract(BigDecimal.valueOf(commission)).abs().compareTo(new BigDecimal("0.5")) <= 0);
        assertTrue(commission >= 0 && commission <= revenue);
    }

    @Property
    void anExactHalfRoundsToTheEvenNeighbour(@ForAll @LongRange(min = 0, max = 1_000_000_000L) final long units)
    {
        // revenue 2u+1 at 50% is exactly u + 0.5
        assertEquals(0 == units % 2 ? units : units + 1, CommissionRules.percentOf(2 * units + 1, "50"));
    }

    @Property
    void graduatedCommissionLiesBetweenTheLowestAndHighestRate(
        @ForAll @LongRange(min = 0, max = 10_000_000L) final long revenue,
        @ForAll @LongRange(min = -1_000_000L, max = 10_000_000L) final long revenueBefore)
    {
        final List<ProgramSpec.Tier> tiers = List.of(
            new ProgramSpec.Tier("base", null, null, 30, "5", 0L),
            new ProgramSpec.Tier("plus", null, 100_000L, 30, "7.5", 0L),
            new ProgramSpec.Tier("top", null, 1_000_000L, 30, "12.25", 0L));

        final long commission = CommissionRules.graduated(revenue, revenueBefore, tiers, null);

        assertTrue(commission >= CommissionRules.percentOf(revenue, "5") - 1);
        assertTrue(commission <= CommissionRules.percentOf(revenue, "12.25") + 1);
    }

    @Property
    void graduatedCommissionOfASaleSplitInTwoDiffersByAtMostTheRounding(
        @ForAll @LongRange(min = 0, max = 5_000_000L) final long first,
        @ForAll @LongRange(min = 0, max = 5_000_000L) final long second)
    {
        final List<ProgramSpec.Tier> tiers = List.of(
            new ProgramSpec.Tier("base", null, null, 30, "10", 0L),
            new ProgramSpec.Tier("plus", null, 250_000L, 30, "15", 0L));

        final long whole = CommissionRules.graduated(first + second, 0, tiers, null);
        final long split = CommissionRules.graduated(first, 0, tiers, null) +
            CommissionRules.graduated(second, first, tiers, null);

        assertTrue(Math.abs(whole - split) <= 1, whole + " vs " + split);
    }

    @Property
    void cumulativeReversalsNeverTakeBackMoreThanTheCommissionAndAFullRefundTakesItAll(
        @ForAll @LongRange(min = 0, max = 100_000_000L) final long earned,
        @ForAll @LongRange(min = 1, max = 100_000_000L) final long revenue,
        @ForAll @Size(min = 1, max = 8) final List<@IntRange(min = 1, max = 100) Integer> refundPercents)
    {
        long refunded = 0;
        long reversed = 0;
        for (final int refundPercent : refundPercents)
        {
            refunded = Math.min(revenue, refunded + Math.max(1, revenue * refundPercent / 100));
            final long total = Money.share(earned, refunded, revenue);
            assertTrue(total >= reversed, "a refund never gives commission back");
            assertTrue(total <= earned, "never more than was earned");
            reversed = total;
        }
        assertEquals(earned, Money.share(earned, revenue, revenue));
    }

    @Provide
    Arbitrary<String> percents()
    {
        return Arbitraries.bigDecimals().between(BigDecimal.ZERO, BigDecimal.valueOf(100)).ofScale(4)
            .map(value -> value.stripTrailingZeros().toPlainString());
    }
}
