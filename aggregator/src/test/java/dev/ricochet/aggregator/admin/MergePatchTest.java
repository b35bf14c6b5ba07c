package dev.ricochet.aggregator.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JSON Merge Patch against the examples of RFC 7396 (appendix A and section 3).
 */
class MergePatchTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"a\":\"b\"}                 | {\"a\":\"c\"}            | {\"a\":\"c\"}",
        "{\"a\":\"b\"}                 | {\"b\":\"c\"}            | {\"a\":\"b\",\"b\":\"c\"}",
        "{\"a\":\"b\"}                 | {\"a\":null}             | {}",
        "{\"a\":\"b\",\"b\":\"c\"}     | {\"a\":null}             | {\"b\":\"c\"}",
        "{\"a\":[\"b\"]}               | {\"a\":\"c\"}            | {\"a\":\"c\"}",
        "{\"a\":\"c\"}                 | {\"a\":[\"b\"]}          | {\"a\":[\"b\"]}",
        "{\"a\":{\"b\":\"c\"}}         | {\"a\":{\"b\":\"d\",\"c\":null}} | {\"a\":{\"b\":\"d\"}}",
        "{\"a\":[{\"b\":\"c\"}]}       | {\"a\":[1]}              | {\"a\":[1]}",
        "[\"a\",\"b\"]                 | [\"c\",\"d\"]            | [\"c\",\"d\"]",
        "{\"a\":\"b\"}                 | [\"c\"]                  | [\"c\"]",
        "{\"e\":null}                  | {\"a\":1}                | {\"e\":null,\"a\":1}",
        "[1,2]                         | {\"a\":\"b\",\"c\":null} | {\"a\":\"b\"}",
        "{}                            | {\"a\":{\"bb\":{\"ccc\":null}}} | {\"a\":{\"bb\":{}}}",
    })
    void shouldGiveTheResultsOfRfc7396AppendixA(final String target, final String patch, final String result)
        throws Exception
    {
        assertEquals(JSON.readTree(result), MergePatch.apply(JSON.readTree(target), JSON.readTree(patch)));
    }

    @Test
    void shouldGiveNullForANullPatch() throws Exception
    {
        // RFC 7396 appendix A: {"a":"foo"} + null = null
        assertNull(MergePatch.apply(JSON.readTree("{\"a\":\"foo\"}"), JSON.readTree("null")));
    }

    @Test
    void shouldReplaceWithAScalarPatch() throws Exception
    {
        // RFC 7396 appendix A: {"a":"foo"} + "bar" = "bar"
        assertEquals(JSON.readTree("\"bar\""), MergePatch.apply(JSON.readTree("{\"a\":\"foo\"}"),
            JSON.readTree("\"bar\"")));
    }

    @Test
    void shouldGiveTheResultOfRfc7396Section3() throws Exception
    {
        final JsonNode target = JSON.readTree("{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\"," +
            "\"familyName\":\"Doe\"},\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}");
        final JsonNode patch = JSON.readTree("{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\"," +
            "\"author\":{\"familyName\":null},\"tags\":[\"example\"]}");

        assertEquals(JSON.readTree("{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"}," +
            "\"tags\":[\"example\"],\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}"),
            MergePatch.apply(target, patch));
    }

    @Test
    void shouldLeaveTheTargetAndThePatchUnchanged() throws Exception
    {
        final JsonNode target = JSON.readTree("{\"a\":{\"b\":\"c\"},\"d\":1}");
        final JsonNode patch = JSON.readTree("{\"a\":{\"b\":null,\"e\":{\"f\":2}},\"d\":null}");

        MergePatch.apply(target, patch);

        assertEquals(JSON.readTree("{\"a\":{\"b\":\"c\"},\"d\":1}"), target);
        assertEquals(JSON.readTree("{\"a\":{\"b\":null,\"e\":{\"f\":2}},\"d\":null}"), patch);
    }

    @Test
    void shouldRecogniseTheMergePatchMediaTypeInAnyCaseWithParameters()
    {
        assertTrue(MergePatch.isMergePatch("application/merge-patch+json"));
        assertTrue(MergePatch.isMergePatch("Application/Merge-Patch+JSON; charset=utf-8"));
        assertFalse(MergePatch.isMergePatch("application/json"));
        assertFalse(MergePatch.isMergePatch("application/json-patch+json"));
        assertFalse(MergePatch.isMergePatch(null));
    }
}
