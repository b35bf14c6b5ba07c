package dev.ricochet.aggregator.csv;

/**
 * An import file with more data rows than an import takes (a 413).
 */
public final class ImportTooLargeException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is too large and the bound.
     */
    public ImportTooLargeException(final String message)
    {
        super(message);
    }
}
