package dev.ricochet.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON mapper of the API surfaces, strict the way the contract needs: an unknown field, a duplicate key,
 * trailing content, a wrong type (a string where a number is due) or a float where an integer is due is an error
 * whose message names the field; nesting, number and string sizes are bounded so a hostile body cannot exhaust the
 * process; a body must be UTF-8
 * (RFC 8259), checked before Jackson sees it, which would otherwise read UTF-16 or UTF-32 and decode overlong or
 * surrogate sequences.
 */
public final class StrictJson
{
    /**
     * Shared, thread-safe mapper.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        // "1299" where a number is due is the wrong type, not an amount: money and counts come as JSON numbers.
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .build();

    static
    {
        MAPPER.getFactory().setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(32).maxStringLength(1 << 20).build());
    }

    /**
     * A body that is not the JSON expected; the message names the field or the syntax problem.
     */
    public static final class InvalidJsonException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        InvalidJsonException(final String message)
        {
            super(message);
        }
    }

    private StrictJson()
    {
    }

    /**
     * Parse a request body.
     *
     * @param body bytes received.
     * @param type expected type.
     * @param <T>  expected type.
     * @return the parsed value, never null.
     * @throws InvalidJsonException naming the field or the syntax problem.
     */
    public static <T> T parse(final byte[] body, final Class<T> type)
    {
        if (0 == body.length)
        {
            throw new InvalidJsonException("request body is empty: expected a JSON object");
        }
        requireUtf8(body);
        try
        {
            final T value = MAPPER.readValue(body, type);
            if (null == value)
            {
                throw new InvalidJsonException("request body is null: expected a JSON object");
            }
            return value;
        }
        catch (final UnrecognizedPropertyException ex)
        {
            throw new InvalidJsonException("unknown field '" + path(ex) + "'");
        }
        catch (final MismatchedInputException ex)
        {
            final String path = path(ex);
            throw new InvalidJsonException(path.isEmpty() ?
                "expected a JSON object" : "field '" + path + "' has the wrong type");
        }
        catch (final JsonProcessingException ex)
        {
            // Well-formed JSON with a number past its field's type (a long's range): name the field, not "malformed".
            if (ex instanceof JsonMappingException mapping &&
                ex.getCause() instanceof InputCoercionException coercion && !path(mapping).isEmpty())
            {
                // Name the range of the field's own type: 2147483648 in an int field is within a long's.
                final Class<?> target = coercion.getTargetType();
                throw new InvalidJsonException("field '" + path(mapping) + "' is past the range of " +
                    (Integer.TYPE == target || Integer.class == target ? "an int (2147483647)" : "a long"));
            }
            throw new InvalidJsonException("malformed JSON: " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            throw new InvalidJsonException("unreadable body: " + ex.getMessage());
        }
    }

    /**
     * Read a request body as a tree, for bodies whose shape a sender defines (webhooks): the same bounds and strictness
     * as {@link #parse}, without a type to map to.
     *
     * @param body bytes received.
     * @return the tree, never null.
     * @throws InvalidJsonException naming the syntax problem or the bound exceeded.
     */
    public static JsonNode readTree(final byte[] body)
    {
        requireUtf8(body);
        try
        {
            final JsonNode tree = MAPPER.readTree(body);
            if (null == tree || tree.isMissingNode())
            {
                throw new InvalidJsonException("request body is empty: expected JSON");
            }
            return tree;
        }
        catch (final JsonProcessingException ex)
        {
            throw new InvalidJsonException("malformed JSON: " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            throw new InvalidJsonException("unreadable body: " + ex.getMessage());
        }
    }

    private static void requireUtf8(final byte[] body)
    {
        final ByteBuffer in = ByteBuffer.wrap(body);
        // As many chars as bytes at most: the output never overflows, so any error is a malformed input.
        final CoderResult result = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(in, CharBuffer.allocate(body.length), true);
        if (result.isError())
        {
            throw new InvalidJsonException(
                "request body is not UTF-8 (JSON must be): invalid byte sequence at byte " + in.position());
        }
        // A NUL is valid UTF-8 but never JSON (a control character must be escaped, even in a string); and UTF-16 or
        // UTF-32 text without a byte-order mark is ASCII between NULs, which passes the check above and which Jackson
        // would otherwise detect and read (found by the hostile corpus through PATCH, part 8).
        for (int i = 0; i < body.length; i++)
        {
            if (0 == body[i])
            {
                throw new InvalidJsonException("request body is not UTF-8 JSON: a NUL byte at byte " + i +
                    " (UTF-16 and UTF-32 are refused)");
            }
        }
    }

    private static String path(final JsonMappingException ex)
    {
        final StringBuilder path = new StringBuilder();
        for (final JsonMappingException.Reference ref : ex.getPath())
        {
            if (null != ref.getFieldName())
            {
                if (path.length() > 0)
                {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            }
            else if (ref.getIndex() >= 0)
            {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
