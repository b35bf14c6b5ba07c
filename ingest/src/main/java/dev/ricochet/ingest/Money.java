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
