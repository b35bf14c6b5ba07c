package dev.ricochet.aggregator.store;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Opens the database's files with one column family per {@link Table}, and iterates key ranges: the RocksDB
 * mechanics under {@link StateStore}.
 */
final class StoreFiles
{
    private static final String DEFAULT_FAMILY = "default";
    /**
     * Families of earlier layouts, dropped on a writable open: "hourly_counters" held partner-major hour buckets,
     * which can be rebuilt only by a replay, so the hour reports start empty after the upgrade (day buckets are
     * unaffected).
     */
    private static final Set<String> RETIRED_FAMILIES = Set.of("hourly_counters");

    private StoreFiles()
    {
    }

    /**
     * @param dbOptions options of the database.
     * @param cfOptions options of every family.
     * @param dir       directory of the database.
     * @param readOnly  true to open read-only: nothing created or dropped, a table the files lack left null.
     * @param handles   receives every open handle, "default" first, to close before the database.
     * @param tables    receives each table's handle by ordinal.
     * @return the open database.
     * @throws RocksDBException if RocksDB cannot open it.
     */
    static RocksDB open(final DBOptions dbOptions, final ColumnFamilyOptions cfOptions, final Path dir,
        final boolean readOnly, final List<ColumnFamilyHandle> handles, final ColumnFamilyHandle[] tables)
        throws RocksDBException
    {
        final List<String> existing = existingFamilies(dir);
        final List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(descriptor(DEFAULT_FAMILY, cfOptions));
        final List<Table> opened = new ArrayList<>();
        for (final Table table : Table.values())
        {
            // A read-only open cannot create a table an older store lacks: it reads as empty.
            if (!readOnly || existing.contains(table.columnFamily()))
            {
                descriptors.add(descriptor(table.columnFamily(), cfOptions));
                opened.add(table);
            }
        }
        final RocksDB db = readOnly ? RocksDB.openReadOnly(dbOptions, dir.toString(), descriptors, handles) :
            openDroppingRetired(dbOptions, cfOptions, dir, descriptors, existing, handles);
        Arrays.fill(tables, null);
        for (int i = 0; i < opened.size(); i++)
        {
            tables[opened.get(i).ordinal()] = handles.get(1 + i);
        }
        return db;
    }

    private static RocksDB openDroppingRetired(final DBOptions dbOptions, final ColumnFamilyOptions cfOptions,
        final Path dir, final List<ColumnFamilyDescriptor> descriptors, final List<String> existing,
        final List<ColumnFamilyHandle> handles) throws RocksDBException
    {
        final int known = descriptors.size();
        for (final String name : existing)
        {
            if (descriptors.stream().noneMatch(d -> name.equals(new String(d.getName(), StandardCharsets.US_ASCII))))
            {
                // RocksDB opens only with every existing family named: open the retired ones to drop them.
                descriptors.add(descriptor(name, cfOptions));
            }
        }
        final RocksDB opened = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        try
        {
            for (int i = descriptors.size() - 1; i >= known; i--)
            {
                final ColumnFamilyHandle handle = handles.remove(i);
                if (RETIRED_FAMILIES.contains(new String(descriptors.get(i).getName(), StandardCharsets.US_ASCII)))
                {
                    opened.dropColumnFamily(handle);
                }
                handle.close();
            }
        }
        catch (final RocksDBException | RuntimeException ex)
        {
            handles.forEach(ColumnFamilyHandle::close);
            handles.clear();
            opened.close();
            throw ex;
        }
        return opened;
    }

    private static ColumnFamilyDescriptor descriptor(final String name, final ColumnFamilyOptions cfOptions)
    {
        return new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII), cfOptions);
    }

    /**
     * @param dir directory of a database.
     * @return true if a database is there.
     */
    static boolean exists(final Path dir)
    {
        return Files.exists(dir.resolve("CURRENT"));
    }

    private static List<String> existingFamilies(final Path dir) throws RocksDBException
    {
        final List<String> names = new ArrayList<>();
        if (exists(dir))
        {
            try (Options options = new Options())
            {
                for (final byte[] name : RocksDB.listColumnFamilies(options, dir.toString()))
                {
                    names.add(new String(name, StandardCharsets.US_ASCII));
                }
            }
        }
        return names;
    }

    /**
     * Visit entries with from &lt;= key &lt; to in key order (or reverse order), keys compared as unsigned bytes.
     *
     * @param db       the database.
     * @param handle   the family.
     * @param from     first key, inclusive; null for the first.
     * @param to       end key, exclusive; null for no end.
     * @param reverse  true to visit from the end.
     * @param consumer receives key and value; returns false to stop.
     */
    static void scan(final RocksDB db, final ColumnFamilyHandle handle, final byte[] from, final byte[] to,
        final boolean reverse, final EntryConsumer consumer)
    {
        try (ReadOptions readOptions = new ReadOptions().setTotalOrderSeek(true);
            RocksIterator iterator = db.newIterator(handle, readOptions))
        {
            seek(iterator, from, to, reverse);
            for (; iterator.isValid(); step(reverse, iterator))
            {
                final byte[] key = iterator.key();
                if ((null != from && Arrays.compareUnsigned(key, from) < 0) ||
                    (null != to && Arrays.compareUnsigned(key, to) >= 0))
                {
                    break;
                }
                if (!consumer.accept(key, iterator.value()))
                {
                    break;
                }
            }
        }
    }

    private static void seek(final RocksIterator iterator, final byte[] from, final byte[] to, final boolean reverse)
    {
        if (reverse && null == to)
        {
            iterator.seekToLast();
        }
        else if (reverse)
        {
            iterator.seekForPrev(to);
            if (iterator.isValid() && Arrays.compareUnsigned(iterator.key(), to) >= 0)
            {
                iterator.prev();
            }
        }
        else if (null == from)
        {
            iterator.seekToFirst();
        }
        else
        {
            iterator.seek(from);
        }
    }

    private static void step(final boolean reverse, final RocksIterator iterator)
    {
        if (reverse)
        {
            iterator.prev();
        }
        else
        {
            iterator.next();
        }
    }

    static void put(final WriteBatch batch, final ColumnFamilyHandle handle, final byte[] key, final byte[] value)
    {
        try
        {
            batch.put(handle, key, value);
        }
        catch (final RocksDBException ex)
        {
            throw batchFailed(ex);
        }
    }

    static void delete(final WriteBatch batch, final ColumnFamilyHandle handle, final byte[] key)
    {
        try
        {
            batch.delete(handle, key);
        }
        catch (final RocksDBException ex)
        {
            throw batchFailed(ex);
        }
    }

    static void deleteRange(final WriteBatch batch, final ColumnFamilyHandle handle, final byte[] from,
        final byte[] to)
    {
        try
        {
            batch.deleteRange(handle, from, to);
        }
        catch (final RocksDBException ex)
        {
            throw batchFailed(ex);
        }
    }

    private static IllegalStateException batchFailed(final RocksDBException ex)
    {
        return new IllegalStateException("state store batch failed: " + ex.getMessage(), ex);
    }
}
