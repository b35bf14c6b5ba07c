package dev.ricochet.ingest;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The one place for the bound on an amount from outside and for arithmetic on amounts and balances.
 * Amounts are integer minor units of the program's currency. A sum, difference or product that would leave the
 * range of a long throws {@link ArithmeticException}: a wrapped amount is never stored, counted or paid.
 *
 * <p>Rounding, the one rule for every amount of money (commissions, reversals, credit splits, lead splits): the exact
 * value is computed first and rounded once to the minor unit, half to even ({@link #ROUNDING}). A split of a whole
 * into parts by weights is cumulative ({@link #split}): part i gets round(A x C_i / W) - round(A x C_(i-1) / W),
 * C_i being the sum of the first i weights, so the parts add up to the whole exactly, none is negative, and the
 * remainder cents go where the running total crosses a half.
 *
 * <p>Every module computes shares ({@link #share}, {@link #split}), percents ({@link #percentOf}) and sums of amounts
 * ({@link #add}, {@link #sum}, {@link #addSaturated}) here and nowhere else.
 */
public final class Money
{
    /**
     * The largest amount any one event from outside may carry, in minor units: 10^12 (ten billion dollars in
     * cents, a trillion yen). An amount above it is refused at the API and dead-lettered from a webhook.
     */
    public static final long MAX_AMOUNT = 1_000_000_000_000L;

    /**
     * The rounding of every amount of money: half to even (banker's rounding; over many amounts the half cents
     * favour neither the merchant nor the partner).
     */
    public static final RoundingMode ROUNDING = RoundingMode.HALF_EVEN;

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private Money()
    {
    }

    /**
     * A percent of an amount, computed exactly and rounded once by {@link #ROUNDING}.
     *
     * @param amount  minor units.
     * @param percent exact decimal percent, e.g. 12.5.
     * @return amount x percent / 100, rounded to the minor unit.
     * @throws ArithmeticException if the result leaves the range of a long.
     */
    public static long percentOf(final long amount, final BigDecimal percent)
    {
        return round(exactPercentOf(amount, percent));
    }

    /**
     * A percent of an amount, exact (not rounded): for sums of several percents that are rounded once at the end
     * ({@link #round}), as a graduated commission's bands are.
     *
     * @param amount  minor units.
     * @param percent exact decimal percent.
     * @return amount x percent / 100, exactly.
     */
    public static BigDecimal exactPercentOf(final long amount, final BigDecimal percent)
    {
        return BigDecimal.valueOf(amount).multiply(percent).divide(HUNDRED);
    }

    /**
     * @param exact an exact amount in minor units.
     * @return it rounded to the minor unit by {@link #ROUNDING}.
     * @throws ArithmeticException if the result leaves the range of a long.
     */
    public static long round(final BigDecimal exact)
    {
        return exact.setScale(0, ROUNDING).longValueExact();
    }

    /**
     * The proportional part of an amount, computed exactly and rounded once: used cumulatively (the part of a
     * commission reversed in total after each refund), so a full refund reverses exactly the whole and no sequence of
     * partial refunds reverses more.
     *
     * @param amount the whole amount.
     * @param part   the part of the base.
     * @param whole  the base; 0 gives 0.
     * @return round(amount x part / whole) by {@link #ROUNDING}.
     */
    public static long share(final long amount, final long part, final long whole)
    {
        if (0 == whole)
        {
            return 0;
        }
        // divide(divisor, scale 0, mode) rounds the exact quotient, however many digits it has.
        return new BigDecimal(BigInteger.valueOf(amount).multiply(BigInteger.valueOf(part)))
            .divide(BigDecimal.valueOf(whole), 0, ROUNDING).longValueExact();
    }

    /**
     * Split an amount by weights with cumulative rounding: the parts add up to the amount exactly and none is
     * negative (for a non-negative amount and weights). All weights 0 gives the whole amount to the last part.
     *
     * @param amount  minor units to split.
     * @param weights non-negative weights, at least one.
     * @return one part per weight, in order.
     */
    public static long[] split(final long amount, final long[] weights)
    {
        final long total = sum(weights);
        final long[] parts = new long[weights.length];
        if (0 == total)
        {
            parts[weights.length - 1] = amount;
            return parts;
        }
        long cumulative = 0;
        long assigned = 0;
        for (int i = 0; i < weights.length; i++)
        {
            cumulative += weights[i];
            final long upTo = share(amount, cumulative, total);
            parts[i] = upTo - assigned;
            assigned = upTo;
        }
        return parts;
    }

    /**
     * @return true if {@code amount} is an amount an event from outside may carry: 0 to {@link #MAX_AMOUNT}.
     */
    public static boolean isWithinBound(final long amount)
    {
        return amount >= 0 && amount <= MAX_AMOUNT;
    }

    /**
     * The one spelling of an amount written as text from outside (a query parameter): ASCII digits only, no sign, no
     * leading zero ({@code 0} itself excepted). Java's {@code Long.parseLong} and {@code BigDecimal} also read
     * {@code +5}, {@code 0100}, fullwidth {@code １２３} and Arabic-Indic {@code ٣} as numbers, which the sender's own
     * records, a proxy or a log reader read differently (or as octal): one text, one number.
     *
     * @param text the text, or null.
     * @return true if it is such a number (of any length: bound it separately).
     */
    public static boolean isPlainInteger(final CharSequence text)
    {
        if (null == text || text.length() == 0 || (text.charAt(0) == '0' && text.length() > 1))
        {
            return false;
        }
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
    }

    /**
     * A decimal written as text from outside (a Shopify price, a commission percent): {@link #isPlainInteger plain
     * integer digits}, optionally a point and ASCII digits; no sign, exponent or non-ASCII digit.
     *
     * @param text the text, or null.
     * @return true if it is such a decimal.
     */
    public static boolean isPlainDecimal(final CharSequence text)
    {
        if (null == text)
        {
            return false;
        }
        int point = -1;
        for (int i = 0; i < text.length(); i++)
        {
            if (text.charAt(i) == '.')
            {
                point = i;
                break;
            }
        }
        if (point < 0)
        {
            return isPlainInteger(text);
        }
        if (point == text.length() - 1 || !isPlainInteger(text.subSequence(0, point)))
        {
            return false;
        }
        for (int i = point + 1; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
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
     * @param amounts amounts in minor units.
     * @return their sum, or an {@link ArithmeticException} if it leaves the range of a long.
     */
    public static long sum(final long[] amounts)
    {
        long total = 0;
        for (final long amount : amounts)
        {
            total = add(total, amount);
        }
        return total;
    }

    /**
     * @return true if {@code a + b} stays within the range of a long ({@link #add} would not throw).
     */
    public static boolean canAdd(final long a, final long b)
    {
        return addSaturated(a, b) == a + b;
    }

    /**
     * @return {@code a - b}, or an {@link ArithmeticException} if the difference leaves the range of a long.
     */
    public static long subtract(final long a, final long b)
    {
        return Math.subtractExact(a, b);
    }
}
