package dev.ricochet.ingest;

/**
 * An event whose bytes do not hold together: shorter than its header, of another type than the flyweight reads, or
 * with a length (the event's own, or a variable field's) that runs past the event or the bytes available.
 *
 * <p>Thrown by the flyweights' {@code wrap}, before any getter can read past the event; after a successful wrap
 * every getter stays inside it. The journal only holds events the flyweights encoded, so a reader meeting this
 * exception has found corruption or a foreign writer: the aggregator stops at that journal position rather than
 * guess, as it does for any decode failure.
 */
public final class MalformedEventException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    MalformedEventException(final String message)
    {
        super(message);
    }
}
