package dev.ricochet.aggregator.attribution;

import dev.ricochet.ingest.Money;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Credit splits over any touch path, with partners repeated, for every attribution model and any amount up to the
 * bound: no cent created or lost, none negative, one credit per partner equal to the sum of its touches', and every
 * part the exact running share rounded once, half to even (docs/money.md, Rounding).
 */
class CreditSplitPropertyTest
{
    private static final long DAY_MS = 86_400_000L;
    private static final long CONVERSION_MS = 400 * DAY_MS;

    /**
     * A touch path: each touch's partner (1 to 4, repeats allowed) and age in ms.
     */
    record Path(String model, List<Touch> touches)
    {
    }

    @Property(tries = 2_000)
    void perTouchCreditsAreTheExactRunningSharesRoundedHalfEvenAndAddUpToTheAmount(
        @ForAll("paths") final Path path, @ForAll("amounts") final long amount)
    {
        final long[] weights = AttributionModel.weights(path.model(), path.touches(), CONVERSION_MS, 7 * DAY_MS);
        final List<ConversionRecord.Credit> credits =
            AttributionModel.credit(path.model(), path.touches(), amount, CONVERSION_MS, 7 * DAY_MS);

        long total = 0;
        long totalWeight = 0;
        for (final long weight : weights)
        {
            assertTrue(weight >= 0);
            totalWeight += weight;
        }
        long cumulativeWeight = 0;
        for (int i = 0; i < credits.size(); i++)
        {
            assertTrue(credits.get(i).revenue() >= 0, "no negative credit");
            total += credits.get(i).revenue();
            cumulativeWeight += weights[i];
            // Then the running total after touch i is round_half_even(amount x C_i / W), exactly
            assertEquals(new BigDecimal(BigInteger.valueOf(amount).multiply(BigInteger.valueOf(cumulativeWeight)))
                .divide(BigDecimal.valueOf(totalWeight), 0, RoundingMode.HALF_EVEN).longValueExact(), total);
        }
        assertEquals(amount, total, "no cent created or lost");
    }

    @Property(tries = 2_000)
    void aRepeatedPartnerGetsOneCreditTheSumOfItsTouches(
        @ForAll("paths") final Path path, @ForAll("amounts") final long amount)
    {
        final List<ConversionRecord.Credit> perTouch =
            AttributionModel.credit(path.model(), path.touches(), amount, CONVERSION_MS, 7 * DAY_MS);
        final Map<Integer, Long> expected = new LinkedHashMap<>();
        for (final ConversionRecord.Credit credit : perTouch)
        {
            expected.merge(credit.partnerNumber(), credit.revenue(), Long::sum);
        }

        final List<ConversionRecord.Credit> byPartner = AttributionModel.byPartner(perTouch);

        final Map<Integer, Long> actual = new LinkedHashMap<>();
        for (final ConversionRecord.Credit credit : byPartner)
        {
            assertEquals(null, actual.put(credit.partnerNumber(), credit.revenue()), "one credit per partner");
        }
        assertEquals(expected, actual);
    }

    @Property(tries = 1_000)
    void everyTouchOfALinearPositionBasedOrTimeDecayPathHasAPositiveWeight(@ForAll("paths") final Path path)
    {
        final long[] weights = AttributionModel.weights(path.model(), path.touches(), CONVERSION_MS, 7 * DAY_MS);
        final boolean everyTouchCounts = !"last_click".equals(path.model()) && !"first_click".equals(path.model());
        for (final long weight : weights)
        {
            assertTrue(everyTouchCounts ? weight > 0 : weight >= 0);
        }
    }

    @Property(tries = 2_000)
    void aShareIsTheExactQuotientRoundedHalfEvenAndTheWholeGivesItAll(
        @ForAll @LongRange(min = 0, max = Money.MAX_AMOUNT) final long amount,
        @ForAll @LongRange(min = 1, max = Money.MAX_AMOUNT) final long whole,
        @ForAll @LongRange(min = 0, max = Money.MAX_AMOUNT) final long anyPart)
    {
        final long part = anyPart % (whole + 1);

        final long share = Money.share(amount, part, whole);

        final BigDecimal exact = new BigDecimal(BigInteger.valueOf(amount).multiply(BigInteger.valueOf(part)))
            .divide(BigDecimal.valueOf(whole), 30, RoundingMode.DOWN);
        assertTrue(exact.subtract(BigDecimal.valueOf(share)).abs().compareTo(new BigDecimal("0.5")) <= 0);
        assertTrue(share >= 0 && share <= amount);
        assertEquals(amount, Money.share(amount, whole, whole));
        assertTrue(Money.share(amount, Math.max(0, part - 1), whole) <= share, "monotone in the part");
    }

    @Provide
    Arbitrary<Long> amounts()
    {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 20), Arbitraries.longs().between(0, 100_000),
            Arbitraries.longs().between(0, Money.MAX_AMOUNT));
    }

    @Provide
    Arbitrary<Path> paths()
    {
        final Arbitrary<Touch> touch = Combinators.combine(Arbitraries.integers().between(1, 4),
            Arbitraries.longs().between(0, 90 * DAY_MS)).as((partner, age) ->
            new Touch("c" + partner + "-" + age, CONVERSION_MS - age, partner));
        return Combinators.combine(
            Arbitraries.of("last_click", "first_click", "linear", "position_based", "time_decay"),
            touch.list().ofMinSize(1).ofMaxSize(12)).as((model, touches) ->
            {
                final List<Touch> sorted = new ArrayList<>(touches);
                sorted.sort(Comparator.comparingLong(Touch::timeMs));
                return new Path(model, sorted);
            });
    }
}
