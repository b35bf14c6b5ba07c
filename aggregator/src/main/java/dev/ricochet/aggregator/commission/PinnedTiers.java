package dev.ricochet.aggregator.commission;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.timeline.Timeline;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Manual tiers ({@link PartnerSpec#tierPin()}): a pin puts the partner in its tier at once ({@code tier.pinned});
 * while it is in force (through its {@code until} day, or for ever) automatic upgrades and reviews skip the partner;
 * when it is removed, or on the day after its {@code until}, the partner's tier is re-evaluated
 * ({@code tier.unpinned}). Decisions use the journal's time only, so a replay pins and unpins on the same events.
 */
final class PinnedTiers
{
    private static final long DAY_MS = 86_400_000L;

    /**
     * The tier a partner qualifies for by its window sums.
     */
    @FunctionalInterface
    interface Qualifying
    {
        int tier(int partnerNumber, List<ProgramSpec.Tier> tiers, int endDay);
    }

    private final Catalog catalog;
    private final Ledger ledger;
    private final Timeline timeline;
    private final Qualifying qualifying;
    /**
     * The pins with an end: last day to partner numbers, built from the catalog at the first day's lapse and kept with
     * every partner change, so that a day's lapse reads only its own pins. Null until built.
     */
    private TreeMap<Integer, TreeSet<Integer>> ending;

    PinnedTiers(final Catalog catalog, final Ledger ledger, final Timeline timeline, final Qualifying qualifying)
    {
        this.catalog = catalog;
        this.ledger = ledger;
        this.timeline = timeline;
        this.qualifying = qualifying;
    }

    /**
     * @param spec  a partner.
     * @param tiers its program's ladder.
     * @param day   an epoch day.
     * @return the index of the tier its pin holds on that day, or -1 if it has no pin in force (none, ended, or
     *         naming a tier the ladder no longer has).
     */
    static int pinnedTier(final PartnerSpec spec, final List<ProgramSpec.Tier> tiers, final int day)
    {
        final PartnerSpec.TierPin pin = spec.tierPin();
        if (null == pin || null == pin.tier() || (null != pin.until() && day > untilDay(pin)))
        {
            return -1;
        }
        for (int i = 0; i < tiers.size(); i++)
        {
            if (tiers.get(i).name().equals(pin.tier()))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * A partner change was applied: pin, re-pin or unpin it if its pin changed.
     *
     * @param before  the partner before the change, or null if new.
     * @param after   the partner as applied, with its number.
     * @param program its program.
     * @param timeMs  time of the change, from the journal.
     */
    void onPartnerChanged(final CatalogEntry<PartnerSpec> before, final CatalogEntry<PartnerSpec> after,
        final CatalogEntry<ProgramSpec> program, final long timeMs)
    {
        final PartnerSpec.TierPin oldPin = null == before ? null : before.spec().tierPin();
        final PartnerSpec.TierPin newPin = after.spec().tierPin();
        if (null != ending)
        {
            unindex(before);
            index(after);
        }
        final List<ProgramSpec.Tier> tiers = program.spec().tiers();
        if (Objects.equals(oldPin, newPin) || tiers.isEmpty())
        {
            return;
        }
        final int day = day(timeMs);
        final int pinned = pinnedTier(after.spec(), tiers, day);
        if (pinned >= 0)
        {
            move(after, program, pinned, timeMs, "tier.pinned", newPin.reason(), newPin.until());
        }
        else if (null != before && pinnedTier(before.spec(), tiers, day) >= 0)
        {
            // Removed by hand: re-evaluated as at a conversion now (today's buckets count).
            move(after, program, tiers.size() < 2 ? 0 : qualifying.tier(after.number(), tiers, day), timeMs,
                "tier.unpinned", "pin removed", oldPin.until());
        }
    }

    /**
     * The ledger's clock entered {@code today}: the pins whose last day is in [firstUntilDay, today - 1] end, and
     * their partners are re-evaluated as a review on {@code today} would (windows ending yesterday). Called before the
     * day's tier reviews.
     *
     * @param firstUntilDay first last-day to end (today - 1 when the clock moves one day).
     * @param today         the new day.
     */
    void lapse(final int firstUntilDay, final int today)
    {
        if (null == ending)
        {
            ending = new TreeMap<>();
            for (final CatalogEntry<ProgramSpec> program : catalog.programs())
            {
                for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(program.id()))
                {
                    index(partner);
                }
            }
        }
        if (today - 1 < firstUntilDay)
        {
            return;
        }
        // Ended pins leave the index: days in order, partners by number in each (a replay does the same work).
        final Map<Integer, TreeSet<Integer>> ended = ending.headMap(today, false);
        final List<Map.Entry<Integer, TreeSet<Integer>>> days = List.copyOf(ended.entrySet());
        ended.clear();
        for (final Map.Entry<Integer, TreeSet<Integer>> day : days)
        {
            if (day.getKey() < firstUntilDay)
            {
                continue; // ended before the clock last moved: already re-evaluated
            }
            for (final int partnerNumber : day.getValue())
            {
                unpinEnded(catalog.partnerByNumber(partnerNumber), day.getKey(), today);
            }
        }
    }

    private void unpinEnded(final CatalogEntry<PartnerSpec> partner, final int untilDay, final int today)
    {
        final CatalogEntry<ProgramSpec> program = null == partner ? null : catalog.program(partner.spec().programId());
        final PartnerSpec.TierPin pin = null == partner ? null : partner.spec().tierPin();
        if (null == program || program.spec().tiers().isEmpty() || null == pin || null == pin.until() ||
            untilDay(pin) != untilDay || pinnedTier(partner.spec(), program.spec().tiers(), untilDay) < 0)
        {
            return;
        }
        final List<ProgramSpec.Tier> tiers = program.spec().tiers();
        final int tier = tiers.size() < 2 ? 0 : qualifying.tier(partner.number(), tiers, today - 1);
        move(partner, program, tier, today * DAY_MS, "tier.unpinned", "pin ended", pin.until());
    }

    private void index(final CatalogEntry<PartnerSpec> partner)
    {
        final PartnerSpec.TierPin pin = partner.spec().tierPin();
        if (null != pin && null != pin.until())
        {
            ending.computeIfAbsent(untilDay(pin), day -> new TreeSet<>()).add(partner.number());
        }
    }

    private void unindex(final CatalogEntry<PartnerSpec> partner)
    {
        final PartnerSpec.TierPin pin = null == partner ? null : partner.spec().tierPin();
        if (null != pin && null != pin.until())
        {
            final TreeSet<Integer> partners = ending.get(untilDay(pin));
            if (null != partners && partners.remove(partner.number()) && partners.isEmpty())
            {
                ending.remove(untilDay(pin));
            }
        }
    }

    private void move(final CatalogEntry<PartnerSpec> partner, final CatalogEntry<ProgramSpec> program,
        final int newTier, final long timeMs, final String type, final String reason, final String until)
    {
        final List<ProgramSpec.Tier> tiers = program.spec().tiers();
        final PartnerAccount account = ledger.account(partner.number());
        final int oldTier = Math.min(account.tier(), tiers.size() - 1);
        if (newTier != account.tier())
        {
            ledger.account(partner.number(), account.withTier(newTier, LocalDate.ofEpochDay(day(timeMs)).toString()));
        }
        // Insertion-ordered: a replay writes the same bytes.
        final Map<String, Object> data = new LinkedHashMap<>();
        data.put("from", tiers.get(oldTier).name());
        data.put("to", tiers.get(newTier).name());
        data.put("reason", reason);
        data.put("until", until);
        timeline.record(partner.number(), partner, program, timeMs, type, data);
    }

    private static int untilDay(final PartnerSpec.TierPin pin)
    {
        try
        {
            return (int)LocalDate.parse(pin.until()).toEpochDay();
        }
        catch (final DateTimeParseException ex)
        {
            return Integer.MAX_VALUE; // the API refuses such a date; journaled anyway, the pin has no end
        }
    }

    private static int day(final long timeMs)
    {
        return (int)Math.floorDiv(timeMs, DAY_MS);
    }
}
