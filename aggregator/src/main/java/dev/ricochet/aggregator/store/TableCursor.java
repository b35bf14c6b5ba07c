package dev.ricochet.aggregator.store;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * Iterates a table's committed entries in key order, for code that walks two tables side by side (tools comparing
 * stores). It holds the store's read lock from {@link StateStore#cursor} to {@link #close()}, on one thread, so close
 * it promptly: a reopen waits for it.
 */
public final class TableCursor implements AutoCloseable
{
    private final Database database;
    private final ReadOptions readOptions;
    private final RocksIterator iterator;

    TableCursor(final Database database, final Table table)
    {
        this.database = database;
        final RocksDB db = database.lockRead();
        try
        {
            final ColumnFamilyHandle handle = database.handle(table);
            readOptions = new ReadOptions().setTotalOrderSeek(true);
            iterator = null == handle ? null : db.newIterator(handle, readOptions);
            if (null != iterator)
            {
                iterator.seekToFirst();
            }
        }
        catch (final RuntimeException ex)
        {
            database.unlockRead();
            throw ex;
        }
    }

    /**
     * @return true while the cursor is on an entry.
     */
    public boolean isValid()
    {
        return null != iterator && iterator.isValid();
    }

    /**
     * @return the current entry's key.
     */
    public byte[] key()
    {
        return iterator.key();
    }

    /**
     * @return the current entry's value.
     */
    public byte[] value()
    {
        return iterator.value();
    }

    /**
     * Move to the next entry.
     */
    public void next()
    {
        iterator.next();
    }

    @Override
    public void close()
    {
        try
        {
            if (null != iterator)
            {
                iterator.close();
            }
            readOptions.close();
        }
        finally
        {
            database.unlockRead();
        }
    }
}
