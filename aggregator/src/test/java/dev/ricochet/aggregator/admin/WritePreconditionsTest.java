package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.InvalidSpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * If-Match and If-None-Match as RFC 9110 section 13.1 evaluates them for a write.
 */
class WritePreconditionsTest
{
    private static final String CURRENT = "\"v2\"";

    @Test
    void shouldWriteWithoutConditions()
    {
        assertNull(WritePreconditions.of(null, null).refusal("partner 'ann'", CURRENT));
        assertNull(WritePreconditions.of(null, null).refusal("partner 'ann'", null));
    }

    @Test
    void shouldWriteWhenIfMatchNamesTheCurrentTagAmongOthers()
    {
        assertNull(WritePreconditions.of("\"v1\", \"v2\"", null).refusal("partner 'ann'", CURRENT));
    }

    @Test
    void shouldRefuseAStaleIfMatchSayingReRead()
    {
        final String refusal = WritePreconditions.of("\"v1\"", null).refusal("partner 'ann'", CURRENT);

        assertTrue(refusal.contains("re-read"), refusal);
    }

    @Test
    void shouldNeverMatchAWeakTagInIfMatch()
    {
        assertNotNull(WritePreconditions.of("W/\"v2\"", null).refusal("partner 'ann'", CURRENT));
    }

    @Test
    void shouldRequireAnExistingEntityForIfMatchStar()
    {
        assertNull(WritePreconditions.of("*", null).refusal("partner 'ann'", CURRENT));
        assertNotNull(WritePreconditions.of("*", null).refusal("partner 'ann'", null));
    }

    @Test
    void shouldCreateOnlyWithIfNoneMatchStar()
    {
        assertNull(WritePreconditions.of(null, "*").refusal("partner 'ann'", null));
        assertTrue(WritePreconditions.of(null, "*").refusal("partner 'ann'", CURRENT).contains("already exists"));
    }

    @Test
    void shouldCompareIfNoneMatchWeakly()
    {
        assertNotNull(WritePreconditions.of(null, "W/\"v2\"").refusal("partner 'ann'", CURRENT));
        assertNull(WritePreconditions.of(null, "\"v1\"").refusal("partner 'ann'", CURRENT));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", " ", "v2", "\"v2", "\"v2\" \"v3\"x", "\"a\", *", "\"a b\"", "W/v2", "\"v2\"\"v3\"" })
    void shouldRefuseAMalformedIfMatchNamingTheHeader(final String header)
    {
        final InvalidSpecException thrown = assertThrows(InvalidSpecException.class,
            () -> WritePreconditions.of(header, null));

        assertTrue(thrown.getMessage().startsWith("If-Match"), thrown.getMessage());
    }

    @Test
    void shouldBoundTheTagsOfOneHeader()
    {
        final String many = "\"t\", ".repeat(WritePreconditions.MAX_TAGS + 1);

        assertThrows(InvalidSpecException.class, () -> WritePreconditions.of(many, null));
    }
}
