package dev.ricochet.aggregator.catalog;

import java.util.Locale;

/**
 * A partner's place in its program, and what each place means for its links, credit, payouts and token
 * (docs/partners.md has the table). Links always redirect: a shopper never hits a dead end whatever the status.
 */
public enum PartnerStatus
{
    /**
     * Applied, not yet approved: its clicks earn nothing, it is not paid, its token reads.
     */
    PENDING(false, false, false, true),
    /**
     * A member: credited, paid.
     */
    ACTIVE(true, false, true, true),
    /**
     * Taking a break: new conversions do not credit it, what it has earned is still approved and paid.
     */
    PAUSED(false, false, true, true),
    /**
     * Under investigation: credited, but its new commissions are held for review and it is left out of payout runs;
     * its token reads nothing.
     */
    SUSPENDED(true, true, false, false),
    /**
     * Application refused (or membership ended): no credit, no payouts, its token reads nothing.
     */
    REJECTED(false, false, false, false);

    private final boolean credited;
    private final boolean holdsCommissions;
    private final boolean paid;
    private final boolean tokenReads;

    PartnerStatus(final boolean credited, final boolean holdsCommissions, final boolean paid,
        final boolean tokenReads)
    {
        this.credited = credited;
        this.holdsCommissions = holdsCommissions;
        this.paid = paid;
        this.tokenReads = tokenReads;
    }

    /**
     * @param status a stored status, or null (the default).
     * @return the status: null is active (the default); a name this version does not know reads as
     *         {@link #PENDING}, which earns and pays nothing.
     */
    public static PartnerStatus of(final String status)
    {
        if (null == status)
        {
            return ACTIVE;
        }
        for (final PartnerStatus value : values())
        {
            if (value.wireName().equals(status))
            {
                return value;
            }
        }
        return PENDING;
    }

    /**
     * @param spec a partner.
     * @return its status.
     */
    public static PartnerStatus of(final PartnerSpec spec)
    {
        return of(spec.status());
    }

    /**
     * @return the name in JSON.
     */
    public String wireName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @return true if a conversion applied while the partner has this status may credit it (its touches are on
     *         attribution paths, its coupons and referred customers attribute to it).
     */
    public boolean isCredited()
    {
        return credited;
    }

    /**
     * @return true if its new commissions accrue held for review.
     */
    public boolean holdsCommissions()
    {
        return holdsCommissions;
    }

    /**
     * @return true if payout runs take its approved balance.
     */
    public boolean isPaid()
    {
        return paid;
    }

    /**
     * @return true if its partner token reads its own records.
     */
    public boolean tokenReads()
    {
        return tokenReads;
    }
}
