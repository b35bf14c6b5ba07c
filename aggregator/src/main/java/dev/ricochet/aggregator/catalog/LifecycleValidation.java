package dev.ricochet.aggregator.catalog;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * Items 3 and 5 (part 8): checks of a partner's lifecycle fields, its status reason and its tier pin; every message
 * names the offending field. The status itself is checked with the partner ({@link CatalogValidation#PARTNER_STATUSES}).
 */
public final class LifecycleValidation
{
    /**
     * Furthest a tier pin's end may be, in years after today.
     */
    static final int MAX_PIN_YEARS = 10;

    /**
     * Most characters of a status reason or a tier pin's reason.
     */
    public static final int MAX_REASON_LENGTH = 500;

    /**
     * Item 3 and 5 (part 8): a partner's status reason and tier pin. A pin equal to the partner's current one is
     * accepted as it is (a read-modify-write of a partner whose pin has ended stays valid); a new or changed pin names
     * one of the program's tiers, gives a reason and ends today or later, or never.
     *
     * @param spec     the partner as received.
     * @param program  its program.
     * @param existing the partner as stored, or null if new.
     * @param today    today's UTC date.
     * @throws InvalidSpecException naming the invalid field.
     */
    public static void requireLifecycle(final PartnerSpec spec, final ProgramSpec program, final PartnerSpec existing,
        final LocalDate today)
    {
        if (null != spec.statusReason())
        {
            requireReason("statusReason", spec.statusReason());
        }
        final PartnerSpec.TierPin pin = spec.tierPin();
        if (null == pin || (null != existing && Objects.equals(pin, existing.tierPin())))
        {
            return;
        }
        if (null == pin.tier())
        {
            throw new InvalidSpecException("tierPin.tier is required");
        }
        if (program.tiers().stream().noneMatch(tier -> tier.name().equals(pin.tier())))
        {
            throw new InvalidSpecException("tierPin.tier '" + pin.tier() + "' is not a tier of program '" +
                spec.programId() + "'");
        }
        if (null == pin.reason())
        {
            throw new InvalidSpecException("tierPin.reason is required");
        }
        requireReason("tierPin.reason", pin.reason());
        if (null != pin.until())
        {
            final LocalDate until;
            try
            {
                until = LocalDate.parse(pin.until());
            }
            catch (final DateTimeParseException ex)
            {
                throw new InvalidSpecException("tierPin.until '" + pin.until() + "' is not a date (YYYY-MM-DD)");
            }
            if (until.isAfter(today.plusYears(MAX_PIN_YEARS)))
            {
                // A date is bounded before it is used: the pin's end day is kept as an epoch day (an int).
                throw new InvalidSpecException("tierPin.until " + pin.until() + " is more than " + MAX_PIN_YEARS +
                    " years ahead; leave it null for a pin without an end");
            }
            if (until.isBefore(today))
            {
                throw new InvalidSpecException("tierPin.until " + pin.until() + " is in the past (today is " + today +
                    ")");
            }
        }
    }

    private static void requireReason(final String field, final String reason)
    {
        if (reason.isBlank() || reason.length() > MAX_REASON_LENGTH)
        {
            throw new InvalidSpecException(field + " must be 1-" + MAX_REASON_LENGTH + " characters");
        }
        if (reason.chars().anyMatch(Character::isISOControl))
        {
            throw new InvalidSpecException(field + " contains a control character");
        }
    }

    private LifecycleValidation()
    {
    }
}
