package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.ingest.CatalogEventFlyweight;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ETag of a stored entity: the same for the same entity and key, another for any change of it, and keyed.
 */
class EntityTagTest
{
    private static final CatalogEntry<LinkSpec> LINK =
        new CatalogEntry<>("spring", 7, new LinkSpec("ann", "https://shop.example/a"));

    private final EntityTag tags = new EntityTag("key-one");

    @Test
    void shouldBeAStrongQuotedTagOf22Base64UrlCharacters()
    {
        assertTrue(tags.of(CatalogEventFlyweight.KIND_LINK, LINK).matches("\"[A-Za-z0-9_-]{22}\""));
    }

    @Test
    void shouldBeTheSameForTheSameStoredEntityWhateverItsCatalogNumber()
    {
        assertEquals(tags.of(CatalogEventFlyweight.KIND_LINK, LINK),
            new EntityTag("key-one").of(CatalogEventFlyweight.KIND_LINK, LINK.withNumber(8)));
    }

    @Test
    void shouldChangeWithTheSpecTheIdAndTheKind()
    {
        final String tag = tags.of(CatalogEventFlyweight.KIND_LINK, LINK);

        assertNotEquals(tag, tags.of(CatalogEventFlyweight.KIND_LINK,
            new CatalogEntry<>("spring", 7, new LinkSpec("ann", "https://shop.example/b"))));
        assertNotEquals(tag, tags.of(CatalogEventFlyweight.KIND_LINK,
            new CatalogEntry<>("summer", 7, LINK.spec())));
        assertNotEquals(tag, tags.of(CatalogEventFlyweight.KIND_COUPON, LINK));
    }

    @Test
    void shouldDependOnTheKeySoThatNoOneCanTestGuessesOfHiddenFields()
    {
        assertNotEquals(tags.of(CatalogEventFlyweight.KIND_LINK, LINK),
            new EntityTag("key-two").of(CatalogEventFlyweight.KIND_LINK, LINK));
    }

    @Test
    void shouldBeNullForNoEntity()
    {
        assertNull(tags.of(CatalogEventFlyweight.KIND_LINK, null));
    }
}
