package dev.ricochet.aggregator.store;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The open RocksDB under a {@link StateStore}: its handles, the lock that keeps readers off a database being
 * reopened, and the reopen itself.
 */
final class Database implements AutoCloseable
{
    static
    {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final boolean readOnly;
    private final StoreOptions options;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    /**
     * Readers on other threads (admin API, webhook dispatcher) hold the read lock while they touch the database; the
     * aggregator thread takes the write lock only to {@link #reopen()} it, so no read ever sees a closed handle.
     * The aggregator thread builds batches without the lock: it is the only thread that replaces the handles.
     */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /**
     * Handle of each table by ordinal; null only in a read-only store whose files predate the table.
     */
    private final ColumnFamilyHandle[] tables = new ColumnFamilyHandle[Table.values().length];
    private RocksDB db;
    private String unavailableReason;

    Database(final Path dir, final long memoryBytes, final boolean readOnly) throws RocksDBException
    {
        this.dir = dir;
        this.readOnly = readOnly;
        options = new StoreOptions(memoryBytes, readOnly);
        try
        {
            db = StoreFiles.open(options.dbOptions, options.cfOptions, dir, readOnly, handles, tables);
        }
        catch (final RocksDBException | RuntimeException ex)
        {
            options.close();
            throw ex;
        }
    }

    boolean isReadOnly()
    {
        return readOnly;
    }

    /**
     * @param table a table.
     * @return its handle for a batch being built on the aggregator thread (the only thread that reopens).
     */
    ColumnFamilyHandle writable(final Table table)
    {
        if (readOnly)
        {
            throw readOnly();
        }
        return tables[table.ordinal()];
    }

    /**
     * Run a read (or a delete outside the batches) under the read lock; the action reads handles through
     * {@link #handle(Table)} within it, since a concurrent reopen replaces them.
     */
    <T> T read(final String what, final Action<T> action)
    {
        lock.readLock().lock();
        try
        {
            if (null == db)
            {
                throw new StateStore.UnavailableException("state store unavailable: " + unavailableReason);
            }
            return action.apply(db);
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException("state store " + what + " failed: " + ex.getMessage(), ex);
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * Take the read lock for a cursor, or fail clearly while a {@link #reopen()} has not yet succeeded.
     *
     * @return the database, until {@link #unlockRead()}.
     */
    RocksDB lockRead()
    {
        lock.readLock().lock();
        if (null == db)
        {
            final String reason = unavailableReason;
            lock.readLock().unlock();
            throw new StateStore.UnavailableException("state store unavailable: " + reason);
        }
        return db;
    }

    void unlockRead()
    {
        lock.readLock().unlock();
    }

    /**
     * @param table a table.
     * @return its handle, null if a read-only store's files lack it; only within {@link #read}.
     */
    ColumnFamilyHandle handle(final Table table)
    {
        return tables[table.ordinal()];
    }

    /**
     * @return every open handle, "default" first; only within {@link #read}.
     */
    List<ColumnFamilyHandle> handles()
    {
        return handles;
    }

    /**
     * A read run under the lock.
     *
     * @param <T> its result.
     */
    @FunctionalInterface
    interface Action<T>
    {
        T apply(RocksDB db) throws RocksDBException;
    }

    void write(final WriteBatch batch)
    {
        if (readOnly)
        {
            throw readOnly();
        }
        if (null == db)
        {
            throw new StateStore.WriteFailedException(
                "state store write failed: the store is closed: " + unavailableReason, null);
        }
        try
        {
            db.write(options.writeOptions, batch);
            batch.clear();
        }
        catch (final RocksDBException ex)
        {
            throw new StateStore.WriteFailedException("state store write failed: " + ex.getMessage(), ex);
        }
    }

    void delete(final Table table, final byte[] key)
    {
        read("delete", rocks ->
        {
            rocks.delete(writable(table), options.writeOptions, key);
            return null;
        });
    }

    void reopen()
    {
        if (readOnly)
        {
            throw readOnly();
        }
        lock.writeLock().lock();
        try
        {
            if (null != db)
            {
                closeDatabase();
            }
            try
            {
                db = StoreFiles.open(options.dbOptions, options.cfOptions, dir, false, handles, tables);
                unavailableReason = null;
            }
            catch (final RocksDBException | RuntimeException ex)
            {
                unavailableReason = "reopening " + dir + " failed: " + ex.getMessage();
                throw new StateStore.UnavailableException("state store " + unavailableReason);
            }
        }
        finally
        {
            lock.writeLock().unlock();
        }
    }

    private void closeDatabase()
    {
        // Column family handles before the database.
        for (final ColumnFamilyHandle handle : handles)
        {
            handle.close();
        }
        handles.clear();
        Arrays.fill(tables, null);
        // close() rather than closeE(): after a failed write the final flush fails too, and the WAL has the state.
        db.close();
        db = null;
        unavailableReason = "closed for a reopen";
    }

    private IllegalStateException readOnly()
    {
        return new IllegalStateException("state store at " + dir + " is open read-only");
    }

    @Override
    public void close()
    {
        lock.writeLock().lock();
        try
        {
            if (null != db)
            {
                closeDatabase();
            }
            unavailableReason = "closed";
            // The database before its options.
            options.close();
        }
        finally
        {
            lock.writeLock().unlock();
        }
    }
}
