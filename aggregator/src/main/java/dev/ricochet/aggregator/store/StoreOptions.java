package dev.ricochet.aggregator.store;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * RocksDB's options of a {@link StateStore}, under one memory budget; closed after the database.
 */
final class StoreOptions implements AutoCloseable
{
    final DBOptions dbOptions;
    final ColumnFamilyOptions cfOptions;
    final WriteOptions writeOptions = new WriteOptions();
    private final LRUCache cache;
    private final WriteBufferManager writeBufferManager;
    private final BlockBasedTableConfig tableConfig = new BlockBasedTableConfig();

    /**
     * @param memoryBytes block cache and memtables together.
     * @param readOnly    true for a store opened read-only: nothing is created.
     */
    StoreOptions(final long memoryBytes, final boolean readOnly)
    {
        // One budget for all of RocksDB's memory: with ~20 column families, each family's default 64 MB memtable
        // would let memtables alone grow past a gigabyte. The write buffer manager charges memtables to the block
        // cache and flushes the largest once they pass half of it.
        cache = new LRUCache(memoryBytes);
        writeBufferManager = new WriteBufferManager(memoryBytes / 2, cache);
        dbOptions = new DBOptions().setCreateIfMissing(!readOnly).setCreateMissingColumnFamilies(!readOnly)
            .setWriteBufferManager(writeBufferManager);
        cfOptions = new ColumnFamilyOptions().setTableFormatConfig(tableConfig.setBlockCache(cache));
    }

    @Override
    public void close()
    {
        writeOptions.close();
        cfOptions.close();
        dbOptions.close();
        writeBufferManager.close();
        cache.close();
    }
}
