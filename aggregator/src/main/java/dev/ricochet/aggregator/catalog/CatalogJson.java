package dev.ricochet.aggregator.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.ricochet.ingest.StrictJson;

import java.io.IOException;

/**
 * JSON of catalog entities: strict parsing of admin requests and the journaled and stored documents.
 */
public final class CatalogJson
{
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
     * Type of a journaled coupon.
     */
    public static final TypeReference<CatalogEntry<CouponSpec>> COUPON = new TypeReference<>()
    {
    };

    /**
     * Type of a journaled link.
     */
    public static final TypeReference<CatalogEntry<LinkSpec>> LINK = new TypeReference<>()
    {
    };

    /**
     * Type of a journaled or saved segment (item 4); a null spec deletes it.
     */
    public static final TypeReference<CatalogEntry<SegmentSpec>> SEGMENT = new TypeReference<>()
    {
    };

    private CatalogJson()
    {
    }

    /**
     * Parse a request body strictly.
     *
     * @param body bytes received.
     * @param type expected type.
     * @param <T>  expected type.
     * @return the parsed value.
     * @throws InvalidSpecException with a message naming the field or the syntax problem.
     */
    public static <T> T parseRequest(final byte[] body, final Class<T> type)
    {
        try
        {
            return StrictJson.parse(body, type);
        }
        catch (final StrictJson.InvalidJsonException ex)
        {
            throw new InvalidSpecException(ex.getMessage());
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
            return StrictJson.MAPPER.writeValueAsBytes(value);
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
            return StrictJson.MAPPER.readValue(json, type);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("corrupt catalog document: " + ex.getMessage(), ex);
        }
    }

    /**
     * Read a journaled or stored record (ledger entries, commissions, runs, commands, conversions).
     *
     * @param json document.
     * @param type expected record type.
     * @param <T>  expected type.
     * @return the record.
     * @throws IllegalStateException if the document is corrupt (stored state is trusted; this is fatal).
     */
    public static <T> T read(final byte[] json, final Class<T> type)
    {
        try
        {
            return StrictJson.MAPPER.readValue(json, type);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("corrupt stored " + type.getSimpleName() + ": " + ex.getMessage(), ex);
        }
    }
}
