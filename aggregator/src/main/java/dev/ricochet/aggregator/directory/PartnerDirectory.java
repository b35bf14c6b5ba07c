package dev.ricochet.aggregator.directory;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.store.StateStore;
import org.agrona.collections.IntHashSet;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The partner directory: every program's partners with their catalog fields, tier and lifetime totals, in memory, so
 * that a filtered, sorted page over a program of 100,000 partners is one pass over its entries and a bounded heap,
 * never a read of events or buckets (health aside: see {@link HealthCache}).
 *
 * <p>Single writer, the aggregator thread: the catalog tells it which partners and programs were applied
 * ({@link #partnerApplied}, {@link #programApplied}); after each commit ({@link #committed}) the entries of those
 * partners, of partners whose totals the commit wrote, and of every partner once the ledger's day moves on (tier
 * reviews) are rebuilt and published. Readers on the admin threads see published entries only: each is immutable and
 * replaced whole in a concurrent map, so a reader sees every partner either before or after a change, never half of
 * one.
 */
public final class PartnerDirectory implements Catalog.Changes
{
    /**
     * The partner's tier as the aggregator knows it now (aggregator thread).
     */
    @FunctionalInterface
    public interface TierSource
    {
        /**
         * @param partner a partner.
         * @param program its program.
         * @return the name of its tier, or null if the program has no tiers.
         */
        String tier(CatalogEntry<PartnerSpec> partner, CatalogEntry<ProgramSpec> program);
    }

    private final Catalog catalog;
    private final PartnerTotals totals;
    private final TierSource tiers;
    private final IntSupplier ledgerDay;
    private final HealthCache health;
    private final Map<String, Map<Integer, DirectoryEntry>> programs = new ConcurrentHashMap<>();
    private final Map<Integer, String> programOf = new HashMap<>();
    private final IntHashSet stale = new IntHashSet();
    private final IntHashSet countersWritten = new IntHashSet();
    private int lastLedgerDay = Integer.MIN_VALUE;
    private long stamp;

    /**
     * @param catalog   the catalog (restored): every partner it holds is indexed at once.
     * @param store     committed state, for health scores.
     * @param totals    the partners' lifetime totals.
     * @param tiers     the partners' current tiers.
     * @param ledgerDay the ledger's current day (its move starts tier reviews).
     */
    public PartnerDirectory(final Catalog catalog, final StateStore store, final PartnerTotals totals,
        final TierSource tiers, final IntSupplier ledgerDay)
    {
        this.catalog = catalog;
        this.totals = totals;
        this.tiers = tiers;
        this.ledgerDay = ledgerDay;
        this.health = new HealthCache(store);
        this.lastLedgerDay = ledgerDay.getAsInt();
        for (final CatalogEntry<ProgramSpec> program : catalog.programs())
        {
            programs.put(program.id(), new ConcurrentHashMap<>());
            for (final CatalogEntry<PartnerSpec> partner : catalog.partnersOf(program.id()))
            {
                rebuild(partner.number(), true);
            }
        }
    }

    /**
     * A partner was created or changed (aggregator thread).
     *
     * @param partner as applied.
     */
    @Override
    public void partnerApplied(final CatalogEntry<PartnerSpec> partner)
    {
        stale.add(partner.number());
    }

    /**
     * A program was created or changed (aggregator thread): its partners' tier names may have changed.
     *
     * @param program as applied.
     */
    @Override
    public void programApplied(final CatalogEntry<ProgramSpec> program)
    {
        programs.computeIfAbsent(program.id(), id -> new ConcurrentHashMap<>());
        for (final DirectoryEntry entry : programs.get(program.id()).values())
        {
            stale.add(entry.number());
        }
    }

    /**
     * A commit is written (aggregator thread): publish what it changed.
     */
    public void committed()
    {
        totals.drainFlushed(countersWritten);
        checkLedgerDay();
        refresh();
    }

    private void checkLedgerDay()
    {
        final int day = ledgerDay.getAsInt();
        if (day != lastLedgerDay)
        {
            lastLedgerDay = day; // tier reviews may have moved anyone, and pins may have ended
            for (final int number : programOf.keySet())
            {
                stale.add(number);
            }
        }
    }

    /**
     * Bring every entry exactly up to what the aggregator has applied so far, uncommitted changes included
     * (aggregator thread): call it before a {@link #select} that a journaled command applies, so that the selection
     * depends on the journal up to that event only, never on where commits fell (a replay selects the same
     * partners).
     */
    public void refreshApplied()
    {
        totals.addChanged(stale); // a conversion may have moved its partner's tier
        checkLedgerDay();
        refresh();
    }

    /**
     * Publish the catalog changes applied since the last call (aggregator thread, after each poll): a change is
     * listed as soon as the catalog answers it.
     */
    public void refresh()
    {
        if (stale.isEmpty() && countersWritten.isEmpty())
        {
            return;
        }
        final IntHashSet.IntIterator numbers = stale.iterator();
        while (numbers.hasNext())
        {
            final int number = numbers.nextValue();
            rebuild(number, countersWritten.remove(number));
        }
        final IntHashSet.IntIterator written = countersWritten.iterator();
        while (written.hasNext())
        {
            rebuild(written.nextValue(), true);
        }
        stale.clear();
        countersWritten.clear();
    }

    private void rebuild(final int number, final boolean isCountersWritten)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partnerByNumber(number);
        final CatalogEntry<ProgramSpec> program = null == partner ? null : catalog.program(partner.spec().programId());
        if (null == program)
        {
            return; // totals of a partner the catalog does not know (an event for an unknown number)
        }
        final String programId = program.id();
        final String previousProgram = programOf.put(number, programId);
        final Map<Integer, DirectoryEntry> entries =
            programs.computeIfAbsent(programId, id -> new ConcurrentHashMap<>());
        final DirectoryEntry previous = null == previousProgram ? null : programs.get(previousProgram).get(number);
        final long countersStamp = isCountersWritten || null == previous ? ++stamp : previous.countersStamp();
        final DirectoryEntry entry = entry(partner, tiers.tier(partner, program),
            totals.copy(number, new long[CounterField.COUNT]), countersStamp);
        entries.put(number, entry);
        if (null != previousProgram && !previousProgram.equals(programId))
        {
            programs.get(previousProgram).remove(number);
        }
    }

    private static DirectoryEntry entry(final CatalogEntry<PartnerSpec> partner, final String tier,
        final long[] partnerTotals, final long countersStamp)
    {
        final PartnerSpec spec = partner.spec();
        final Map<String, Object> attributes = null == spec.attributes() ? Map.of() :
            Collections.unmodifiableMap(new LinkedHashMap<>(spec.attributes()));
        final Map<String, String> attributeText = new HashMap<>();
        attributes.forEach((name, value) ->
        {
            if (null != value)
            {
                attributeText.put(name, DirectoryFilters.text(value));
            }
        });
        final String name = null == spec.name() ? "" : spec.name();
        return new DirectoryEntry(partner.number(), partner.id(), spec.programId(), name, spec.email(),
            spec.status(), tier, null == spec.tags() ? List.of() : List.copyOf(spec.tags()), attributes,
            Map.copyOf(attributeText), spec.joinedAt(), joinedMs(spec.joinedAt()), partnerTotals,
            DirectoryFilters.statusBit(spec.status()), partnerTotals[CounterField.CLICKS.ordinal()],
            DirectoryMetrics.conversions(partnerTotals), partnerTotals[CounterField.REVENUE.ordinal()],
            partnerTotals[CounterField.COMMISSION.ordinal()], DirectoryMetrics.epc(partnerTotals),
            DirectoryMetrics.conversionRate(partnerTotals),
            name.toLowerCase(Locale.ROOT), null == spec.email() ? "" : spec.email().toLowerCase(Locale.ROOT),
            countersStamp);
    }

    private static long joinedMs(final String joinedAt)
    {
        if (null == joinedAt)
        {
            return Long.MIN_VALUE;
        }
        try
        {
            return Instant.parse(joinedAt).toEpochMilli();
        }
        catch (final DateTimeParseException | ArithmeticException ex)
        {
            return Long.MIN_VALUE;
        }
    }

    /**
     * @param programId a program.
     * @return how many partners it has in the directory (any thread).
     */
    public int size(final String programId)
    {
        final Map<Integer, DirectoryEntry> entries = programs.get(programId);
        return null == entries ? 0 : entries.size();
    }

    /**
     * @param partnerId a partner.
     * @param programId its program.
     * @return its published entry, or null (any thread).
     */
    public DirectoryEntry entry(final String programId, final String partnerId)
    {
        final CatalogEntry<PartnerSpec> partner = catalog.partner(partnerId);
        final Map<Integer, DirectoryEntry> entries = programs.get(programId);
        return null == partner || null == entries ? null : entries.get(partner.number());
    }

    /**
     * The ids of a program's partners a filter selects (see {@link #select(String, DirectoryFilters.Compiled)}).
     *
     * @param programId the program.
     * @param filter    the filter, or null for every partner.
     * @return the partner ids, ascending; empty if the program is unknown.
     * @throws dev.ricochet.aggregator.catalog.InvalidSpecException naming the field if the filter does not fit the
     *                                                              program (JSON field names).
     */
    public List<String> select(final String programId, final PartnerFilter filter)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        return null == program ? List.of() :
            select(programId, DirectoryFilters.compile(program.spec(), filter, DirectoryFilters.Syntax.JSON));
    }

    /**
     * The ids of a program's partners a filter selects, from the published entries (any thread); on the aggregator
     * thread, {@link #refreshApplied()} first makes them exactly what the journal has applied.
     *
     * @param programId the program.
     * @param filter    the filter, checked against the program ({@link DirectoryFilters#compile}).
     * @return the partner ids, ascending.
     */
    public List<String> select(final String programId, final DirectoryFilters.Compiled filter)
    {
        final Map<Integer, DirectoryEntry> entries = programs.get(programId);
        final List<String> ids = new ArrayList<>();
        if (null != entries)
        {
            for (final DirectoryEntry entry : entries.values())
            {
                if (filter.matches(entry))
                {
                    ids.add(entry.id());
                }
            }
        }
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    /**
     * One page of a program's partner list (any thread).
     *
     * @param programId the program.
     * @param query     filters, sort and cursor.
     * @param today     the UTC epoch day health scores are computed for.
     * @return the page.
     */
    public DirectoryPage page(final String programId, final DirectoryQuery query, final int today)
    {
        final Map<Integer, DirectoryEntry> entries = programs.get(programId);
        final Collection<DirectoryEntry> candidates = null == entries ? List.of() : entries.values();
        final boolean descending = query.descending();
        final DirectorySort sort = query.sort();
        final DirectoryCursor cursor = query.cursor();
        final int limit = query.limit();
        // The page plus one, kept in a heap whose head is the last of them: O(n log limit), no sort of the program.
        final PriorityQueue<Ranked> kept = new PriorityQueue<>(limit + 2, (a, b) -> b.compareTo(a, descending));
        final boolean isHealthSort = DirectorySort.HEALTH == sort;
        for (final DirectoryEntry entry : candidates)
        {
            if (!query.matches(entry))
            {
                continue;
            }
            final int score = isHealthSort ? health.score(entry, today) : -1;
            final long key = sort.key(entry, score);
            final String text = sort.text(entry);
            if (null != cursor && compare(key, text, entry.id(), cursor.key(), cursor.text(), cursor.partnerId(),
                descending) <= 0)
            {
                continue;
            }
            if (kept.size() > limit)
            {
                final Ranked last = kept.peek();
                if (compare(key, text, entry.id(), last.key, last.text, last.entry.id(), descending) >= 0)
                {
                    continue;
                }
            }
            kept.add(new Ranked(entry, score, key, text));
            if (kept.size() > limit + 1)
            {
                kept.poll();
            }
        }
        final List<Ranked> sorted = new ArrayList<>(kept);
        sorted.sort((a, b) -> a.compareTo(b, descending));
        final boolean hasMore = sorted.size() > limit;
        final List<Ranked> shown = hasMore ? sorted.subList(0, limit) : sorted;
        final List<DirectoryPage.Item> items = new ArrayList<>(shown.size());
        for (final Ranked ranked : shown)
        {
            items.add(new DirectoryPage.Item(ranked.entry,
                isHealthSort ? ranked.health : health.score(ranked.entry, today)));
        }
        final Ranked last = shown.isEmpty() ? null : shown.get(shown.size() - 1);
        final String next = !hasMore ? null :
            new DirectoryCursor(sort, descending, last.key, last.text, last.entry.id()).encode();
        return new DirectoryPage(items, next);
    }

    /**
     * The list's order: by key (then text key) in the list's order, ties by partner id ascending.
     */
    private static int compare(final long key, final String text, final String id, final long otherKey,
        final String otherText, final String otherId, final boolean descending)
    {
        int order = Long.compare(key, otherKey);
        if (0 == order)
        {
            order = text.compareTo(otherText);
        }
        if (descending)
        {
            order = -order;
        }
        return 0 == order ? id.compareTo(otherId) : order;
    }

    /**
     * A partner with its sort key.
     */
    private record Ranked(DirectoryEntry entry, int health, long key, String text)
    {
        int compareTo(final Ranked other, final boolean descending)
        {
            return compare(key, text, entry.id(), other.key, other.text, other.entry.id(), descending);
        }
    }
}
