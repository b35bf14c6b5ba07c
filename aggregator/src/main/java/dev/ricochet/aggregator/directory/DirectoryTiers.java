package dev.ricochet.aggregator.directory;

import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The tier name the directory shows and filters on: a pinned tier while its pin lasts (through its {@code until}
 * day), else the tier the ledger holds.
 */
public final class DirectoryTiers
{
    private DirectoryTiers()
    {
    }

    /**
     * @param program   the partner's program.
     * @param partner   the partner.
     * @param tierIndex the ledger's tier index for it.
     * @param today     the ledger's UTC epoch day.
     * @return the tier's name, or null if the program has no tiers.
     */
    public static String name(final ProgramSpec program, final PartnerSpec partner, final int tierIndex,
        final int today)
    {
        final List<ProgramSpec.Tier> tiers = null == program.tiers() ? List.of() : program.tiers();
        final PartnerSpec.TierPin pin = partner.tierPin();
        if (null != pin && null != pin.tier() && isInForce(pin.until(), today) &&
            tiers.stream().anyMatch(tier -> tier.name().equals(pin.tier())))
        {
            return pin.tier();
        }
        return tiers.isEmpty() ? null : tiers.get(Math.max(0, Math.min(tierIndex, tiers.size() - 1))).name();
    }

    private static boolean isInForce(final String until, final int today)
    {
        if (null == until)
        {
            return true;
        }
        try
        {
            return Integer.MIN_VALUE == today || LocalDate.parse(until).toEpochDay() >= today;
        }
        catch (final DateTimeParseException ex)
        {
            return false;
        }
    }
}
