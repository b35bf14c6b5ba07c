package dev.ricochet.aggregator.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ricochet.ingest.StrictJson;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a changed entity appears in the audit trail: its stored settings, with every secret replaced by the names of
 * the secrets set ({@code secretsSet}), as the API shows a program. The trail never holds a secret or a token.
 */
public final class AuditViews
{
    private AuditViews()
    {
    }

    /**
     * @param spec an entity's settings (a record).
     * @return its JSON tree with secrets redacted.
     */
    public static JsonNode of(final Object spec)
    {
        final JsonNode tree = StrictJson.MAPPER.valueToTree(spec);
        if (tree instanceof ObjectNode && tree.get("secrets") instanceof ObjectNode)
        {
            final ObjectNode object = (ObjectNode)tree;
            final List<String> set = new ArrayList<>();
            for (final Map.Entry<String, JsonNode> secret : object.get("secrets").properties())
            {
                if (!secret.getValue().isNull())
                {
                    set.add(secret.getKey());
                }
            }
            object.remove("secrets");
            final ArrayNode names = object.putArray("secretsSet");
            set.forEach(names::add);
        }
        return tree;
    }
}
