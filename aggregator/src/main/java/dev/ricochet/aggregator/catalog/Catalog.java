package dev.ricochet.aggregator.catalog;

import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.LinkRoute;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.ProgramRoute;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The programs, partners and links in memory, as applied from the journal by the aggregator (the single writer)
 * and read by the admin API; every change is pushed to the edge's {@link LinkDirectory} and {@link ProgramDirectory}
 * at once.
 *
 * <p>Catalog numbers are assigned in journal order when an entity is first applied, so a replay of the same journal
 * assigns the same numbers.
 *
 * <p>Links live only in the {@link LinkDirectory}: a catalog of a million links is one compact table shared with the
 * edge, not a second map of specs here (a link's spec is its partner and destination, which its route holds).
 */
public final class Catalog
{
    private final Map<String, CatalogEntry<ProgramSpec>> programs = new ConcurrentHashMap<>();
    private final Map<String, CatalogEntry<PartnerSpec>> partners = new ConcurrentHashMap<>();
    private final Map<Integer, CatalogEntry<ProgramSpec>> programsByNumber = new ConcurrentHashMap<>();
    private final Map<Integer, CatalogEntry<PartnerSpec>> partnersByNumber = new ConcurrentHashMap<>();
    private final Map<String, CatalogEntry<CouponSpec>> coupons = new ConcurrentHashMap<>();
    private final LinkDirectory linkDirectory;
    private final ProgramDirectory programDirectory;
    // Part 8 item 1 (lists): links and coupons sorted per program and per partner.
    private final CodeIndex linkCodes = new CodeIndex();
    private final CodeIndex couponCodes = new CodeIndex();
    private final Segments segments = new Segments(); // item 4
    private int lastProgramNumber;
    private int lastPartnerNumber;
    private int lastLinkNumber;
    // Part 8, item 1 (directory): told of every program and partner applied.
    private Changes changes = Changes.NONE;

    /**
     * Who is told of the programs and partners applied (aggregator thread), such as the partner directory.
     */
    public interface Changes
    {
        /**
         * Nobody.
         */
        Changes NONE = new Changes()
        {
        };

        /**
         * @param program as applied, with its number.
         */
        default void programApplied(final CatalogEntry<ProgramSpec> program)
        {
        }

        /**
         * @param partner as applied, with its number.
         */
        default void partnerApplied(final CatalogEntry<PartnerSpec> partner)
        {
        }
    }

    /**
     * @param linkDirectory    the edge's link routes to keep current.
     * @param programDirectory the edge's program routes (currency, intake secrets) to keep current.
     */
    public Catalog(final LinkDirectory linkDirectory, final ProgramDirectory programDirectory)
    {
        this.linkDirectory = linkDirectory;
        this.programDirectory = programDirectory;
    }

    /**
     * @param listener told of every program and partner applied from now on (part 8, item 1).
     */
    public void onChanges(final Changes listener)
    {
        this.changes = listener;
    }

    /**
     * @param programId a program.
     * @return its partners in catalog-number order (a stable order, so that replays do the same work in the same
     * order).
     */
    public List<CatalogEntry<PartnerSpec>> partnersOf(final String programId)
    {
        final List<CatalogEntry<PartnerSpec>> result = new ArrayList<>();
        for (final CatalogEntry<PartnerSpec> partner : partners.values())
        {
            if (partner.spec().programId().equals(programId))
            {
                result.add(partner);
            }
        }
        result.sort(Comparator.comparingInt(CatalogEntry::number));
        return result;
    }

    /**
     * @return the saved segments (item 4).
     */
    public Segments segments()
    {
        return segments;
    }

    /**
     * @return every program in catalog-number order.
     */
    public List<CatalogEntry<ProgramSpec>> programs()
    {
        final List<CatalogEntry<ProgramSpec>> result = new ArrayList<>(programs.values());
        result.sort(Comparator.comparingInt(CatalogEntry::number));
        return result;
    }

    /**
     * @param id program id.
     * @return the program or null.
     */
    public CatalogEntry<ProgramSpec> program(final String id)
    {
        return programs.get(id);
    }

    /**
     * @param number catalog number of a program.
     * @return the program or null.
     */
    public CatalogEntry<ProgramSpec> programByNumber(final int number)
    {
        return programsByNumber.get(number);
    }

    /**
     * @param number catalog number of a partner.
     * @return the partner or null.
     */
    public CatalogEntry<PartnerSpec> partnerByNumber(final int number)
    {
        return partnersByNumber.get(number);
    }

    /**
     * @param id partner id.
     * @return the partner or null.
     */
    public CatalogEntry<PartnerSpec> partner(final String id)
    {
        return partners.get(id);
    }

    /**
     * @param code link code.
     * @return the link or null.
     */
    public CatalogEntry<LinkSpec> link(final String code)
    {
        final LinkRoute route = linkDirectory.lookup(code);
        final CatalogEntry<PartnerSpec> partner = null == route ? null : partnersByNumber.get(route.partnerId());
        return null == partner ? null :
            new CatalogEntry<>(code, route.linkId(), new LinkSpec(partner.id(), route.destination()));
    }

    /**
     * Upsert a program (aggregator thread only).
     *
     * @param entry as journaled.
     * @return the entry with its catalog number.
     */
    public CatalogEntry<ProgramSpec> applyProgram(final CatalogEntry<ProgramSpec> entry)
    {
        final CatalogEntry<ProgramSpec> existing = programs.get(entry.id());
        final CatalogEntry<ProgramSpec> numbered = entry.withNumber(
            null == existing ? ++lastProgramNumber : existing.number());
        programs.put(numbered.id(), numbered);
        programsByNumber.put(numbered.number(), numbered);
        programDirectory.put(programRoute(numbered));
        if (null != existing)
        {
            refreshRoutes(numbered.id(), null);
        }
        changes.programApplied(numbered); // part 8, item 1
        return numbered;
    }

    /**
     * Upsert a partner (aggregator thread only).
     *
     * @param entry as journaled.
     * @return the entry with its catalog number, or null if its program is unknown (the change is ignored).
     */
    public CatalogEntry<PartnerSpec> applyPartner(final CatalogEntry<PartnerSpec> entry)
    {
        if (!programs.containsKey(entry.spec().programId()))
        {
            return null;
        }
        final CatalogEntry<PartnerSpec> existing = partners.get(entry.id());
        final CatalogEntry<PartnerSpec> numbered = entry.withNumber(
            null == existing ? ++lastPartnerNumber : existing.number());
        partners.put(numbered.id(), numbered);
        partnersByNumber.put(numbered.number(), numbered);
        changes.partnerApplied(numbered); // part 8, item 1
        if (null != existing)
        {
            refreshRoutes(null, numbered.id());
            // Part 8 item 1 (lists): a partner that changed program takes its links and coupons with it.
            final int from = programs.get(existing.spec().programId()).number();
            final int to = programs.get(numbered.spec().programId()).number();
            linkCodes.movePartner(numbered.number(), from, to);
            couponCodes.movePartner(numbered.number(), from, to);
        }
        return numbered;
    }

    /**
     * Upsert a link (aggregator thread only) and publish its route to the edge.
     *
     * @param entry as journaled.
     * @return the entry with its catalog number, or null if its partner is unknown (the change is ignored).
     */
    public CatalogEntry<LinkSpec> applyLink(final CatalogEntry<LinkSpec> entry)
    {
        if (!partners.containsKey(entry.spec().partnerId()))
        {
            return null;
        }
        final LinkRoute existing = linkDirectory.lookup(entry.id());
        final CatalogEntry<LinkSpec> numbered = entry.withNumber(
            null == existing ? ++lastLinkNumber : existing.linkId());
        final LinkRoute route = route(numbered);
        linkDirectory.put(route);
        // Part 8 item 1 (lists).
        linkCodes.put(route.code(), route.programId(), route.partnerId(),
            null == existing ? 0 : existing.programId(), null == existing ? 0 : existing.partnerId());
        return numbered;
    }

    /**
     * Upsert a coupon (aggregator thread only); the code is kept upper case.
     *
     * @param entry as journaled.
     * @return the entry, or null if its partner is unknown (the change is ignored).
     */
    public CatalogEntry<CouponSpec> applyCoupon(final CatalogEntry<CouponSpec> entry)
    {
        if (!partners.containsKey(entry.spec().partnerId()))
        {
            return null;
        }
        final CatalogEntry<CouponSpec> normalised = new CatalogEntry<>(
            entry.id().toUpperCase(Locale.ROOT), 0, entry.spec());
        final CatalogEntry<CouponSpec> existing = coupons.put(normalised.id(), normalised);
        indexCoupon(normalised, existing);
        return normalised;
    }

    /**
     * @param entry saved coupon.
     */
    public void restoreCoupon(final CatalogEntry<CouponSpec> entry)
    {
        coupons.put(entry.id(), entry);
        indexCoupon(entry, null);
    }

    /**
     * Part 8 item 1 (lists): the coupon under its partner and program, moved from its previous partner's.
     */
    private void indexCoupon(final CatalogEntry<CouponSpec> coupon, final CatalogEntry<CouponSpec> existing)
    {
        final CatalogEntry<PartnerSpec> partner = partners.get(coupon.spec().partnerId());
        final CatalogEntry<ProgramSpec> program = null == partner ? null : programs.get(partner.spec().programId());
        if (null == program)
        {
            return;
        }
        final CatalogEntry<PartnerSpec> before = null == existing ? null : partners.get(existing.spec().partnerId());
        final CatalogEntry<ProgramSpec> beforeProgram = null == before ? null :
            programs.get(before.spec().programId());
        couponCodes.put(coupon.id(), program.number(), partner.number(),
            null == beforeProgram ? 0 : beforeProgram.number(), null == before ? 0 : before.number());
    }

    /**
     * @return the links' codes per program and per partner (part 8 item 1, lists).
     */
    public CodeIndex linkCodes()
    {
        return linkCodes;
    }

    /**
     * @return the coupons' codes (upper case) per program and per partner (part 8 item 1, lists).
     */
    public CodeIndex couponCodes()
    {
        return couponCodes;
    }

    /**
     * @param code coupon code, any case.
     * @return the coupon or null.
     */
    public CatalogEntry<CouponSpec> coupon(final String code)
    {
        return coupons.get(code.toUpperCase(Locale.ROOT));
    }

    /**
     * @param programNumber program of the conversion.
     * @param code          coupon code used, any case.
     * @return catalog number of the partner the coupon credits in that program, or 0.
     */
    public int couponPartner(final int programNumber, final String code)
    {
        final CatalogEntry<CouponSpec> coupon = coupons.get(code.toUpperCase(Locale.ROOT));
        final CatalogEntry<PartnerSpec> partner = null == coupon ? null : partners.get(coupon.spec().partnerId());
        final CatalogEntry<ProgramSpec> program = null == partner ? null : programs.get(partner.spec().programId());
        return null != program && program.number() == programNumber ? partner.number() : 0;
    }

    /**
     * Restore an entity saved with its number (start-up, before the aggregator resumes the journal).
     *
     * @param entry saved program.
     */
    public void restoreProgram(final CatalogEntry<ProgramSpec> entry)
    {
        programs.put(entry.id(), entry);
        programsByNumber.put(entry.number(), entry);
        programDirectory.put(programRoute(entry));
        lastProgramNumber = Math.max(lastProgramNumber, entry.number());
    }

    /**
     * @param entry saved partner.
     */
    public void restorePartner(final CatalogEntry<PartnerSpec> entry)
    {
        partners.put(entry.id(), entry);
        partnersByNumber.put(entry.number(), entry);
        lastPartnerNumber = Math.max(lastPartnerNumber, entry.number());
    }

    /**
     * @param entry saved link, published to the edge at once; programs and partners are restored before links.
     */
    public void restoreLink(final CatalogEntry<LinkSpec> entry)
    {
        if (partners.containsKey(entry.spec().partnerId()))
        {
            final LinkRoute route = route(entry);
            linkDirectory.put(route);
            linkCodes.put(route.code(), route.programId(), route.partnerId(), 0, 0); // part 8 item 1 (lists)
        }
        lastLinkNumber = Math.max(lastLinkNumber, entry.number());
    }

    /**
     * A program's click parameter or a partner's program changed: rebuild the routes of the links it covers.
     */
    private void refreshRoutes(final String programId, final String partnerId)
    {
        final int programNumber = null == programId ? 0 : programs.get(programId).number();
        final int partnerNumber = null == partnerId ? 0 : partners.get(partnerId).number();
        final List<LinkRoute> stale = new ArrayList<>();
        linkDirectory.forEach(route ->
        {
            if (route.programId() == programNumber || route.partnerId() == partnerNumber)
            {
                stale.add(route);
            }
        });
        for (final LinkRoute route : stale)
        {
            final CatalogEntry<PartnerSpec> partner = partnersByNumber.get(route.partnerId());
            linkDirectory.put(route(new CatalogEntry<>(
                route.code(), route.linkId(), new LinkSpec(partner.id(), route.destination()))));
        }
    }

    private static ProgramRoute programRoute(final CatalogEntry<ProgramSpec> program)
    {
        final ProgramSpec spec = program.spec();
        final ProgramSpec.Secrets secrets = spec.secrets();
        return new ProgramRoute(program.id(), program.number(), spec.currency(), spec.clickParam(),
            null == secrets ? null : secrets.apiKey(),
            null == secrets ? null : secrets.stripe(),
            null == secrets ? null : secrets.shopify(),
            null == secrets ? null : secrets.postback(), Boolean.TRUE.equals(spec.pixelConversions()));
    }

    private LinkRoute route(final CatalogEntry<LinkSpec> link)
    {
        final CatalogEntry<PartnerSpec> partner = partners.get(link.spec().partnerId());
        final CatalogEntry<ProgramSpec> program = programs.get(partner.spec().programId());
        return new LinkRoute(
            link.id(),
            link.number(),
            partner.number(),
            program.number(),
            link.spec().destination(),
            program.spec().clickParam());
    }
}
