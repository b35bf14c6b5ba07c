package dev.ricochet.aggregator.catalog;

/**
 * A catalog change that cannot be accepted; the message names the field and is shown to the API caller.
 */
public final class InvalidSpecException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the field.
     */
    public InvalidSpecException(final String message)
    {
        super(message);
    }
}
