package dev.ricochet.aggregator.store;

/**
 * Receives the entries of every table, from {@link StateStore#forEachEntry}.
 */
@FunctionalInterface
public interface TableEntryConsumer
{
    /**
     * @param table the table's (column family's) name.
     * @param key   the entry's key.
     * @param value the entry's value.
     */
    void accept(String table, byte[] key, byte[] value);
}
