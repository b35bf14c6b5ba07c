package dev.ricochet.aggregator.bulk;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ricochet.ingest.StrictJson;

import java.util.Map;

/**
 * A bulk change's summary as JSON fields: written into its audit record's {@code after}, read back for the answer.
 */
public final class BulkResults
{
    /**
     * A summary's fields, in order.
     */
    public static final TypeReference<Map<String, Object>> FIELDS = new TypeReference<>()
    {
    };

    private BulkResults()
    {
    }

    /**
     * @param after an applied bulk change's audit {@code after}.
     * @return its summary (the per-partner changes left out).
     */
    public static BulkSummary summary(final JsonNode after)
    {
        final ObjectNode fields = after.deepCopy();
        fields.remove("changes");
        return StrictJson.MAPPER.convertValue(fields, BulkSummary.class);
    }
}
