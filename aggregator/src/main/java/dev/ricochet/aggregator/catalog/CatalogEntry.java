package dev.ricochet.aggregator.catalog;

/**
 * A catalog entity with its external id and the compact number events carry for it.
 *
 * @param id     external id (program id, partner id or link code).
 * @param number catalog number, assigned in journal order when first applied; 0 before that.
 * @param spec   the entity's settings.
 * @param <T>    the spec type.
 */
public record CatalogEntry<T>(String id, int number, T spec)
{
    /**
     * @param number the assigned catalog number.
     * @return a copy with that number.
     */
    public CatalogEntry<T> withNumber(final int number)
    {
        return new CatalogEntry<>(id, number, spec);
    }
}
