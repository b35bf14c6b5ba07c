package dev.ricochet.aggregator.catalog;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/**
 * The one JSON mapper of the aggregator, strict the way the API contract needs: an unknown field, a duplicate key,
 * trailing content or a wrong type is an error whose message names the field.
 */
public final class CatalogJson
{
    /**
     * Shared, thread-safe mapper.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .build();

    static
    {
        MAPPER.getFactory().setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(32).maxNumberLength(32).maxStringLength(65_536).build());
    }

    /**
     * Type of a journaled program.
     */
    public static final TypeReference<CatalogEntry<ProgramSpec>> PROGRAM = new TypeReference<>()
    {
    };

    /**
     * Type of a journaled partner.
     */
    public static final TypeReference<CatalogEntry<PartnerSpec>> PARTNER = new TypeReference<>()
    {
    };

    /**
     * Type of a journaled link.
     */
    public static final TypeReference<CatalogEntry<LinkSpec>> LINK = new TypeReference<>()
    {
    };

    private CatalogJson()
    {
    }

    /**
     * Parse a request body.
     *
     * @param body bytes received.
     * @param type expected type.
     * @param <T>  expected type.
     * @return the parsed value.
     * @throws InvalidSpecException with a message naming the field or the syntax problem.
     */
    public static <T> T parseRequest(final byte[] body, final Class<T> type)
    {
        if (0 == body.length)
        {
            throw new InvalidSpecException("request body is empty: expected a JSON object");
        }
        try
        {
            final T value = MAPPER.readValue(body, type);
            if (null == value)
            {
                throw new InvalidSpecException("request body is null: expected a JSON object");
            }
            return value;
        }
        catch (final UnrecognizedPropertyException ex)
        {
            throw new InvalidSpecException("unknown field '" + path(ex) + "'");
        }
        catch (final MismatchedInputException ex)
        {
            final String path = path(ex);
            throw new InvalidSpecException(path.isEmpty() ?
                "expected a JSON object" : "field '" + path + "' has the wrong type");
        }
        catch (final JsonProcessingException ex)
        {
            throw new InvalidSpecException("malformed JSON: " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            throw new InvalidSpecException("unreadable body: " + ex.getMessage());
        }
    }

    /**
     * @param value to write.
     * @return its JSON bytes.
     */
    public static byte[] write(final Object value)
    {
        try
        {
            return MAPPER.writeValueAsBytes(value);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Read a journaled or stored catalog document.
     *
     * @param json document.
     * @param type expected type.
     * @param <T>  expected type.
     * @return the entry.
     * @throws IllegalStateException if the document is corrupt (the journal is trusted; this is fatal).
     */
    public static <T> T read(final byte[] json, final TypeReference<T> type)
    {
        try
        {
            return MAPPER.readValue(json, type);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("corrupt catalog document: " + ex.getMessage(), ex);
        }
    }

    private static String path(final com.fasterxml.jackson.databind.JsonMappingException ex)
    {
        final StringBuilder path = new StringBuilder();
        for (final com.fasterxml.jackson.databind.JsonMappingException.Reference ref : ex.getPath())
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
