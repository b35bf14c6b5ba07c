package dev.ricochet.aggregator.attribution;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AttributionModelTest
{
    private static final long DAY_MS = 86_400_000L;
    private static final long CONVERSION_MS = 100 * DAY_MS;

    static Stream<Arguments> cases()
    {
        return Stream.of(
            // model, touch ages in days (oldest first), amount, expected credits in path order
            Arguments.of("last_click", new long[]{ 9, 5, 1 }, 1000, new long[]{ 0, 0, 1000 }),
            Arguments.of(null, new long[]{ 9, 5, 1 }, 1000, new long[]{ 0, 0, 1000 }), // default is last click
            Arguments.of("first_click", new long[]{ 9, 5, 1 }, 1000, new long[]{ 1000, 0, 0 }),
            // 1000 / 3 by cumulative rounding: 333, 667 - 333, 1000 - 667; nothing created or lost
            Arguments.of("linear", new long[]{ 9, 5, 1 }, 1000, new long[]{ 333, 334, 333 }),
            // round(0.5) = 0 (half to even): the cent goes to the second touch
            Arguments.of("linear", new long[]{ 2, 1 }, 1, new long[]{ 0, 1 }),
            Arguments.of("position_based", new long[]{ 9 }, 1000, new long[]{ 1000 }),
            Arguments.of("position_based", new long[]{ 9, 1 }, 1001, new long[]{ 500, 501 }),
            // running totals 1250.25, 2500.5, 3750.75 round to 1250, 2500 (half to even), 3751
            Arguments.of("linear", new long[]{ 3, 2, 1, 0 }, 5001, new long[]{ 1250, 1250, 1251, 1250 }),
            Arguments.of("position_based", new long[]{ 9, 7, 5, 1 }, 1000, new long[]{ 400, 100, 100, 400 }),
            // the older touch is one half-life (7 days) older: weights 1/3 and 2/3
            Arguments.of("time_decay", new long[]{ 8, 1 }, 900, new long[]{ 300, 600 }),
            Arguments.of("time_decay", new long[]{ 1 }, 777, new long[]{ 777 }));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void shouldSplitTheAmountByTheModelWithoutLosingACent(
        final String model, final long[] agesDays, final long amount, final long[] expected)
    {
        // Given a path of touches by different partners
        final List<Touch> path = new ArrayList<>();
        for (int i = 0; i < agesDays.length; i++)
        {
            path.add(new Touch("click" + i, CONVERSION_MS - agesDays[i] * DAY_MS, i + 1));
        }

        // When credited
        final List<ConversionRecord.Credit> credits =
            AttributionModel.credit(model, path, amount, CONVERSION_MS, 7 * DAY_MS);

        // Then each touch gets its share, in path order, and the shares add up to the amount
        long total = 0;
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals(expected[i], credits.get(i).revenue(), "touch " + i);
            assertEquals(i + 1, credits.get(i).partnerNumber());
            total += credits.get(i).revenue();
        }
        assertEquals(amount, total);
    }
}
