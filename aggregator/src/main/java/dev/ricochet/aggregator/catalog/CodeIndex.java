package dev.ricochet.aggregator.catalog;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The codes of one kind of catalog entity (links, coupons) sorted per program and per partner, the source of a
 * program's link and coupon lists (item 1 of part 8, lists). The {@link Catalog} keeps it as it applies and restores
 * entities, on the aggregator's thread (the single writer); admin threads read it at any time: the sets are
 * concurrent skip lists, so a reader walks a page while a code is added and sees it or not, never a broken set.
 *
 * <p>It holds only references to the codes the catalog already holds (a link's code is its route's), two skip list
 * nodes per code: about 100 bytes per link or coupon. It is rebuilt from the saved catalog at every start, so it is
 * never stored and a replay rebuilds it by applying the same entities.
 */
public final class CodeIndex
{
    private final Map<Integer, NavigableSet<String>> byProgram = new ConcurrentHashMap<>();
    private final Map<Integer, NavigableSet<String>> byPartner = new ConcurrentHashMap<>();

    /**
     * Place a code under its program and partner, moving it from where it was (aggregator thread only).
     *
     * @param code          the entity's code as the catalog keeps it.
     * @param programNumber its program now.
     * @param partnerNumber its partner now.
     * @param oldProgram    its program before, or 0 if it is new.
     * @param oldPartner    its partner before, or 0 if it is new.
     */
    public void put(final String code, final int programNumber, final int partnerNumber, final int oldProgram,
        final int oldPartner)
    {
        if (0 != oldProgram && oldProgram != programNumber)
        {
            remove(byProgram, oldProgram, code);
        }
        if (0 != oldPartner && oldPartner != partnerNumber)
        {
            remove(byPartner, oldPartner, code);
        }
        byProgram.computeIfAbsent(programNumber, n -> new ConcurrentSkipListSet<>()).add(code);
        byPartner.computeIfAbsent(partnerNumber, n -> new ConcurrentSkipListSet<>()).add(code);
    }

    /**
     * A partner moved to another program: its codes move with it (aggregator thread only).
     *
     * @param partnerNumber the partner.
     * @param fromProgram   its program before.
     * @param toProgram     its program now.
     */
    public void movePartner(final int partnerNumber, final int fromProgram, final int toProgram)
    {
        final NavigableSet<String> codes = byPartner.get(partnerNumber);
        if (null == codes || fromProgram == toProgram)
        {
            return;
        }
        final NavigableSet<String> target = byProgram.computeIfAbsent(toProgram, n -> new ConcurrentSkipListSet<>());
        for (final String code : codes)
        {
            // Added before removed: a reader between the two sees the code in both programs, never in neither.
            target.add(code);
            remove(byProgram, fromProgram, code);
        }
    }

    /**
     * @param programNumber a program.
     * @param after         the last code of the previous page, or null for the first page.
     * @return the program's codes after {@code after}, in code order (a live view).
     */
    public NavigableSet<String> ofProgram(final int programNumber, final String after)
    {
        return after(byProgram.get(programNumber), after);
    }

    /**
     * @param partnerNumber a partner.
     * @param after         the last code of the previous page, or null for the first page.
     * @return the partner's codes after {@code after}, in code order (a live view).
     */
    public NavigableSet<String> ofPartner(final int partnerNumber, final String after)
    {
        return after(byPartner.get(partnerNumber), after);
    }

    private static NavigableSet<String> after(final NavigableSet<String> codes, final String after)
    {
        if (null == codes)
        {
            return Collections.emptyNavigableSet();
        }
        return null == after ? codes : codes.tailSet(after, false);
    }

    private static void remove(final Map<Integer, NavigableSet<String>> index, final int number, final String code)
    {
        final NavigableSet<String> codes = index.get(number);
        if (null != codes)
        {
            codes.remove(code);
        }
    }
}
