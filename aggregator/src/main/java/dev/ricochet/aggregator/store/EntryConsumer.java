package dev.ricochet.aggregator.store;

/**
 * Receives the entries of a {@link StateStore#scan}.
 */
@FunctionalInterface
public interface EntryConsumer
{
    /**
     * @param key   the entry's key.
     * @param value the entry's value.
     * @return true to continue.
     */
    boolean accept(byte[] key, byte[] value);
}
