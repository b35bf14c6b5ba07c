package dev.ricochet.aggregator.catalog;

import dev.ricochet.ingest.CatalogEventFlyweight;

/**
 * The kinds of catalog entry saved in the state store with their catalog numbers, and how each is restored into the
 * {@link Catalog} at start-up. The journal's catalog events, entities and commands, are applied by one switch in the
 * aggregator agent's catalog role; an entry saved there is read back here.
 */
public enum CatalogEntity
{
    /**
     * A program.
     */
    PROGRAM(CatalogEventFlyweight.KIND_PROGRAM)
    {
        void restore(final Catalog catalog, final byte[] json)
        {
            catalog.restoreProgram(CatalogJson.read(json, CatalogJson.PROGRAM));
        }
    },

    /**
     * A partner.
     */
    PARTNER(CatalogEventFlyweight.KIND_PARTNER)
    {
        void restore(final Catalog catalog, final byte[] json)
        {
            catalog.restorePartner(CatalogJson.read(json, CatalogJson.PARTNER));
        }
    },

    /**
     * A tracking link.
     */
    LINK(CatalogEventFlyweight.KIND_LINK)
    {
        void restore(final Catalog catalog, final byte[] json)
        {
            catalog.restoreLink(CatalogJson.read(json, CatalogJson.LINK));
        }
    },

    /**
     * A coupon code.
     */
    COUPON(CatalogEventFlyweight.KIND_COUPON)
    {
        void restore(final Catalog catalog, final byte[] json)
        {
            catalog.restoreCoupon(CatalogJson.read(json, CatalogJson.COUPON));
        }
    },

    /**
     * A saved segment (item 4).
     */
    SEGMENT(CatalogEventFlyweight.KIND_SEGMENT)
    {
        void restore(final Catalog catalog, final byte[] json)
        {
            catalog.segments().apply(CatalogJson.read(json, CatalogJson.SEGMENT));
        }
    };

    private static final CatalogEntity[] VALUES = values();

    private final byte kind;

    CatalogEntity(final byte kind)
    {
        this.kind = kind;
    }

    /**
     * @return the kind of the journal's catalog event that carries this entity, and of its saved entry.
     */
    public byte kind()
    {
        return kind;
    }

    abstract void restore(Catalog catalog, byte[] json);

    /**
     * Restore one saved entry (start-up, before the aggregator resumes the journal); programs and partners are
     * restored before links.
     *
     * @param catalog the catalog.
     * @param kind    kind of the saved entry.
     * @param json    the entry as saved, with its number.
     * @throws IllegalStateException if the kind is no entity's.
     */
    public static void restore(final Catalog catalog, final byte kind, final byte[] json)
    {
        for (final CatalogEntity entity : VALUES)
        {
            if (entity.kind == kind)
            {
                entity.restore(catalog, json);
                return;
            }
        }
        throw new IllegalStateException("unknown catalog kind " + kind + " in state store");
    }
}
