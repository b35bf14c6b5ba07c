package dev.ricochet.aggregator.store;

import dev.ricochet.aggregator.AggregatorConfiguration;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.OwnerOnly;
import dev.ricochet.ingest.Settings;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The aggregator's RocksDB: one column family per {@link Table}, and the journal position committed in the same
 * atomic {@link WriteBatch} as the state it produced. It stores bytes: each table's key and value layout lives in
 * the table's class in the package that owns it (see {@link Table}).
 *
 * <p>Only the aggregator thread writes ({@link #write}); the admin API reads concurrently, which RocksDB allows.
 * The WAL stays on (not synced per write): a committed batch survives a process crash, and the journal, which is
 * the source of truth, covers anything newer.
 *
 * <p>Tools open a store no process writes (a stopped service's, a copy of a dead one's) with
 * {@link #openReadOnly(Path)}: it reads everything committed, including the batches only the WAL holds, and changes
 * nothing on disk.
 */
public final class StateStore implements AutoCloseable
{
    /**
     * Smallest memory budget {@link #open(Path, long)} accepts.
     */
    public static final long MIN_MEMORY_BYTES = 16L << 20;

    private static final byte[] POSITION_KEY = "journal.position".getBytes(StandardCharsets.US_ASCII);

    private final Path dir;
    private final Database database;

    private StateStore(final Path dir, final long memoryBytes, final boolean readOnly) throws RocksDBException
    {
        this.dir = dir;
        this.database = new Database(dir, memoryBytes, readOnly);
    }

    /**
     * Open (or create) the store.
     *
     * @param dir directory of the database.
     * @return the open store.
     * @throws IllegalStateException if RocksDB cannot open it (for example another process holds its lock).
     */
    public static StateStore open(final Path dir)
    {
        return open(dir, Settings.parseSizeBytes(
            AggregatorConfiguration.STATE_MEMORY_PROP_NAME, AggregatorConfiguration.STATE_MEMORY_DEFAULT));
    }

    /**
     * Open (or create) the store with a memory budget.
     *
     * @param dir         directory of the database.
     * @param memoryBytes RocksDB's memory: block cache and memtables together, at least {@link #MIN_MEMORY_BYTES}.
     * @return the open store.
     * @throws IllegalStateException if RocksDB cannot open it (for example another process holds its lock).
     */
    public static StateStore open(final Path dir, final long memoryBytes)
    {
        try
        {
            // The store holds program secrets and ledgers: owner-only. RocksDB makes its files with the process
            // umask; those present once it is open lose their group and other bits here, later ones sit in this
            // owner-only directory (and the launcher's umask 077 makes them owner-only too).
            OwnerOnly.directory(dir);
            final StateStore store = new StateStore(dir, memoryBytes, false);
            try
            {
                OwnerOnly.tightenFiles(dir);
            }
            catch (final IOException ex)
            {
                store.close();
                throw ex;
            }
            return store;
        }
        catch (final RocksDBException | IOException ex)
        {
            throw new IllegalStateException("cannot open state store at " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Open an existing store for reading, for tools (the crash suite's audit, replay comparisons): it changes nothing
     * on disk (no table created or dropped, no file mode changed) and refuses writes. It sees everything committed
     * when it opens, including batches that only the WAL holds (a killed process's last commits). Open it on a store
     * no process writes, a stopped service's or a copy of one: it takes no lock, and a writer's compactions would
     * delete files under it. A table the store's files predate reads as empty.
     *
     * @param dir directory of the database.
     * @return the open store.
     * @throws IllegalStateException if there is no store at dir, or RocksDB cannot open it.
     */
    public static StateStore openReadOnly(final Path dir)
    {
        try
        {
            if (!StoreFiles.exists(dir))
            {
                throw new IllegalStateException("cannot open state store at " + dir + " read-only: no store there");
            }
            return new StateStore(dir, MIN_MEMORY_BYTES, true);
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException(
                "cannot open state store at " + dir + " read-only: " + ex.getMessage(), ex);
        }
    }

    /**
     * @return true if opened by {@link #openReadOnly(Path)}.
     */
    public boolean isReadOnly()
    {
        return database.isReadOnly();
    }

    /**
     * @return index of the last journal event whose effects are committed, or {@link Journal#NULL_INDEX}.
     */
    public long journalPosition()
    {
        final byte[] value = get(Table.META, POSITION_KEY);
        return null == value ? Journal.NULL_INDEX : ByteBuffer.wrap(value).getLong();
    }

    /**
     * @param batch    the batch being built.
     * @param position index of the last journal event the batch's state includes.
     */
    public void putJournalPosition(final WriteBatch batch, final long position)
    {
        put(batch, Table.META, POSITION_KEY, ByteBuffer.allocate(8).putLong(position).array());
    }

    /**
     * @param key a key of the {@link Table#META} table.
     * @return true if it is the journal position's, which is a copy's own in a replay (tools comparing stores skip it).
     */
    public static boolean isJournalPositionKey(final byte[] key)
    {
        return Arrays.equals(POSITION_KEY, key);
    }

    /**
     * @param name meta key.
     * @return the committed value, or null.
     */
    public byte[] meta(final String name)
    {
        return get(Table.META, name.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @param batch the batch being built.
     * @param name  meta key.
     * @param value value.
     */
    public void putMeta(final WriteBatch batch, final String name, final byte[] value)
    {
        put(batch, Table.META, name.getBytes(StandardCharsets.US_ASCII), value);
    }

    /**
     * @param batch the batch being built.
     * @param table table.
     * @param key   key laid out by the table's class.
     * @param value value laid out by the table's class.
     */
    public void put(final WriteBatch batch, final Table table, final byte[] key, final byte[] value)
    {
        StoreFiles.put(batch, database.writable(table), key, value);
    }

    /**
     * @param batch the batch being built.
     * @param table table.
     * @param key   key to delete.
     */
    public void delete(final WriteBatch batch, final Table table, final byte[] key)
    {
        StoreFiles.delete(batch, database.writable(table), key);
    }

    /**
     * @param batch the batch being built.
     * @param table table.
     * @param from  first key deleted.
     * @param to    end key, exclusive.
     */
    public void deleteRange(final WriteBatch batch, final Table table, final byte[] from, final byte[] to)
    {
        StoreFiles.deleteRange(batch, database.writable(table), from, to);
    }

    /**
     * Delete outside the aggregator's batches; only for tables the aggregator never reads back, such as a
     * delivered outbox entry.
     *
     * @param table table.
     * @param key   key to delete.
     */
    public void deleteNow(final Table table, final byte[] key)
    {
        database.delete(table, key);
    }

    /**
     * @param table table.
     * @param key   key.
     * @return the committed value, or null.
     */
    public byte[] get(final Table table, final byte[] key)
    {
        return database.read("read", db ->
            null == database.handle(table) ? null : db.get(database.handle(table), key));
    }

    /**
     * Read many keys of a table at once, from one consistent view.
     *
     * @param table table.
     * @param keys  keys.
     * @return the committed value of each key, null where there is none.
     */
    public List<byte[]> multiGet(final Table table, final List<byte[]> keys)
    {
        return database.read("read", db -> null == database.handle(table) ? Arrays.asList(new byte[keys.size()][]) :
            db.multiGetAsList(Collections.nCopies(keys.size(), database.handle(table)), keys));
    }

    /**
     * Visit committed entries with from &lt;= key &lt; to in key order (or reverse order), keys compared as unsigned
     * bytes.
     *
     * @param table    table.
     * @param from     first key, inclusive; null for the table's first.
     * @param to       end key, exclusive; null for no end.
     * @param reverse  true to visit from the end.
     * @param consumer receives key and value; returns false to stop.
     */
    public void scan(final Table table, final byte[] from, final byte[] to, final boolean reverse,
        final EntryConsumer consumer)
    {
        database.read("read", db ->
        {
            if (null != database.handle(table))
            {
                StoreFiles.scan(db, database.handle(table), from, to, reverse, consumer);
            }
            return null;
        });
    }

    /**
     * @param table table.
     * @return a cursor on the table's first committed entry; close it on the thread that opened it.
     */
    public TableCursor cursor(final Table table)
    {
        return new TableCursor(database, table);
    }

    /**
     * Visit every committed entry of every table, table by table in a fixed order and keys in order: to compare two
     * stores, such as a live one and a fresh replay of the same journal.
     *
     * @param consumer receives the table's name, the key and the value.
     */
    public void forEachEntry(final TableEntryConsumer consumer)
    {
        database.read("read", db ->
        {
            for (final ColumnFamilyHandle handle : database.handles())
            {
                final String table = new String(handle.getName(), StandardCharsets.US_ASCII);
                StoreFiles.scan(db, handle, null, null, false, (key, value) ->
                {
                    consumer.accept(table, key, value);
                    return true;
                });
            }
            return null;
        });
    }

    /**
     * Apply a batch atomically. Only the aggregator thread writes.
     *
     * @param batch the batch; cleared afterwards for reuse, left intact if the write failed.
     * @throws WriteFailedException if RocksDB rejects the write (disk full, I/O error): nothing of the batch is
     *                              applied, and this database will refuse every later write too (its WAL writer keeps
     *                              the error), so the caller must {@link #reopen()} before writing the batch again.
     */
    public void write(final WriteBatch batch)
    {
        database.write(batch);
    }

    /**
     * Close the database and open it again: the only way back to a writable store after a failed write, since
     * RocksJava has no {@code DB::Resume()} and a write that failed on the WAL (for example with the disk full) leaves
     * RocksDB refusing every later write, even once space is back (measured with rocksdbjni 11.8: "Seen error. Skip
     * writing buffer"). The open replays the WAL, so the store is again exactly its last successful write. Readers on
     * other threads wait for the reopen; if the open fails, they get {@link UnavailableException} until a later
     * reopen succeeds. Only the aggregator thread may call this.
     *
     * @throws UnavailableException if the database cannot be opened (still no space, for example); call again later.
     */
    public void reopen()
    {
        database.reopen();
    }

    /**
     * @return bytes free for this process on the database's filesystem, or -1 if it cannot be asked.
     */
    public long usableBytes()
    {
        try
        {
            return Files.getFileStore(dir).getUsableSpace();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /**
     * @return the directory of the database.
     */
    public Path dir()
    {
        return dir;
    }

    @Override
    public void close()
    {
        database.close();
    }

    /**
     * A write RocksDB refused: nothing of the batch was applied.
     */
    public static final class WriteFailedException extends IllegalStateException
    {
        private static final long serialVersionUID = 1L;

        WriteFailedException(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }

    /**
     * The store is closed between a failed write and a successful {@link #reopen()}: try again later.
     */
    public static final class UnavailableException extends IllegalStateException
    {
        private static final long serialVersionUID = 1L;

        UnavailableException(final String message)
        {
            super(message);
        }
    }
}
