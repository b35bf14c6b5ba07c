package dev.ricochet.ingest;

/**
 * The one place for the bound on an amount from outside and for arithmetic on amounts and balances.
 * Amounts are integer minor units of the program's currency. A sum, difference or product that would leave the
 * range of a long throws {@link ArithmeticException}: a wrapped amount is never stored, counted or paid.
 */
public final class Money
{
    /**
     * The largest amount any one event from outside may carry, in minor units: 10^12 (ten billion dollars in
     * cents, a trillion yen). An amount above it is refused at the API and dead-lettered from a webhook.
     */
    public static final long MAX_AMOUNT = 1_000_000_000_000L;

    private Money()
    {
    }

    /**
     * @return true if {@code amount} is an amount an event from outside may carry: 0 to {@link #MAX_AMOUNT}.
     */
    public static boolean isWithinBound(final long amount)
    {
        return amount >= 0 && amount <= MAX_AMOUNT;
    }

    /**
     * @param field the amount's name as the sender wrote it, e.g. {@code amount} or {@code tiers[1].minRevenue}.
     * @return the refusal for an amount outside the bound, naming the field and the bound.
     */
    public static String outOfBound(final String field)
    {
        return field + " must be an integer number of minor units from 0 to " + MAX_AMOUNT;
    }

    /**
     * The sum for a counter or a report total, which must neither wrap nor stop the program that keeps it: a sum past
     * the range of a long stays at {@link Long#MAX_VALUE} (or {@link Long#MIN_VALUE}), which reads as "more than a
     * long holds". With every amount at most {@link #MAX_AMOUNT}, a counter reaches it only after more than 9 million
     * amounts of the bound in one bucket.
     *
     * @return {@code a + b}, or the end of the range of a long it passed.
     */
    public static long addSaturated(final long a, final long b)
    {
        final long sum = a + b;
        // Overflow iff both operands have the sign the sum lacks.
        if (((a ^ sum) & (b ^ sum)) < 0)
        {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    /**
     * @return {@code a + b}, or an {@link ArithmeticException} if the sum leaves the range of a long.
     */
    public static long add(final long a, final long b)
    {
        return Math.addExact(a, b);
    }

    /**
     * @return {@code a - b}, or an {@link ArithmeticException} if the difference leaves the range of a long.
     */
    public static long subtract(final long a, final long b)
    {
        return Math.subtractExact(a, b);
    }
}
