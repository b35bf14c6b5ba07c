package dev.ricochet.aggregator.bulk;

import dev.ricochet.aggregator.catalog.AttributeSchema;
import dev.ricochet.aggregator.catalog.InvalidSpecException;

/**
 * What a bulk change does to each partner it selects.
 */
public enum BulkAction
{
    /** Set the status, with a reason. */
    STATUS("status"),
    /** Add and remove tags. */
    TAGS("tags"),
    /** Set or clear one custom attribute. */
    ATTRIBUTE("attribute"),
    /** Pin to a tier, or unpin. */
    TIER_PIN("tierPin"),
    /** Set or clear the commission percent override. */
    COMMISSION("commission");

    private final String jsonName;

    BulkAction(final String jsonName)
    {
        this.jsonName = jsonName;
    }

    /**
     * @return the name in a request and in the audit trail.
     */
    public String jsonName()
    {
        return jsonName;
    }

    /**
     * @param name the request's {@code action}.
     * @return the action.
     * @throws InvalidSpecException if it is none.
     */
    public static BulkAction of(final String name)
    {
        for (final BulkAction action : values())
        {
            if (action.jsonName.equals(name))
            {
                return action;
            }
        }
        throw new InvalidSpecException(
            "action '" + AttributeSchema.abbreviated(String.valueOf(name)) +
            "' is invalid: expected one of status, tags, attribute, " +
            "tierPin, commission");
    }
}
