package dev.ricochet.aggregator.commission;

import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.ingest.Money;

import java.math.BigDecimal;
import java.util.List;

/**
 * What a credited conversion earns: which percent or flat amount applies, and the graduated bands; the arithmetic
 * itself (percents, rounding, shares) is {@link Money}'s.
 *
 * <p>Money is integer minor units. A percent is an exact decimal string ({@code "12.5"}); a commission is
 * {@code revenue x percent / 100} computed exactly and rounded once to the minor unit by the one money rounding,
 * {@link Money#ROUNDING} (half to even). In graduated mode every band's exact share is summed first and the sum is
 * rounded once.
 */
public final class CommissionRules
{
    private CommissionRules()
    {
    }

    /**
     * @param revenue minor units.
     * @param percent exact decimal percent.
     * @return revenue x percent / 100, rounded half-even to the minor unit.
     */
    public static long percentOf(final long revenue, final String percent)
    {
        return Money.percentOf(revenue, new BigDecimal(percent));
    }

    /**
     * The percent a partner earns on sales in a tier: the partner's override, else the tier's.
     *
     * @param partner   the partner.
     * @param tiers     the program's ladder.
     * @param tierIndex the partner's tier.
     * @return exact decimal percent, "0" without tiers.
     */
    public static String percent(final PartnerSpec partner, final List<ProgramSpec.Tier> tiers, final int tierIndex)
    {
        if (null != partner.commissionPercent())
        {
            return partner.commissionPercent();
        }
        return tiers.isEmpty() ? "0" : tiers.get(tierIndex).commissionPercent();
    }

    /**
     * @param partner   the partner.
     * @param tiers     the program's ladder.
     * @param tierIndex the partner's tier.
     * @return flat commission per lead in minor units: the partner's override, else the tier's.
     */
    public static long leadCommission(final PartnerSpec partner, final List<ProgramSpec.Tier> tiers,
        final int tierIndex)
    {
        if (null != partner.leadCommission())
        {
            return partner.leadCommission();
        }
        return tiers.isEmpty() || null == tiers.get(tierIndex).leadCommission() ? 0 :
            tiers.get(tierIndex).leadCommission();
    }

    /**
     * Graduated commission: the sale occupies [revenueBefore, revenueBefore + revenue) of the partner's window
     * revenue, and each part earns the rate of the band it falls in (band i runs from tier i's minRevenue, 0 for
     * the first tier, to tier i+1's).
     *
     * @param revenue       the sale's credited revenue.
     * @param revenueBefore the partner's window revenue before this sale (negative counts as 0).
     * @param tiers         the program's ladder, validated for graduated mode.
     * @param override      the partner's percent override, or null.
     * @return the commission, rounded once half-even.
     */
    public static long graduated(
        final long revenue, final long revenueBefore, final List<ProgramSpec.Tier> tiers, final String override)
    {
        if (null != override || tiers.size() < 2)
        {
            return percentOf(revenue, null != override ? override : tiers.isEmpty() ? "0" :
                tiers.get(0).commissionPercent());
        }
        final long start = Math.max(0, revenueBefore);
        // Saturated: the window's revenue is a saturating counter sum, and may already be Long.MAX_VALUE.
        final long end = Money.addSaturated(start, revenue);
        BigDecimal exact = BigDecimal.ZERO;
        for (int i = 0; i < tiers.size(); i++)
        {
            final long bandStart = 0 == i ? 0 : tiers.get(i).minRevenue();
            final long bandEnd = i + 1 < tiers.size() ? tiers.get(i + 1).minRevenue() : Long.MAX_VALUE;
            final long inBand = Math.min(end, bandEnd) - Math.max(start, bandStart);
            if (inBand > 0)
            {
                exact = exact.add(Money.exactPercentOf(inBand, new BigDecimal(tiers.get(i).commissionPercent())));
            }
        }
        return Money.round(exact);
    }
}
