package dev.ricochet.aggregator.store;

import dev.ricochet.aggregator.AggregatorConfiguration;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.OwnerOnly;
import dev.ricochet.ingest.Settings;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The aggregator's RocksDB: one column family per kind of state, and the journal position committed in the same
 * atomic {@link WriteBatch} as the state it produced.
 *
 * <p>Only the aggregator thread writes ({@link #write}); the admin API reads concurrently, which RocksDB allows.
 * The WAL stays on (not synced per write): a committed batch survives a process crash, and the journal, which is
 * the source of truth, covers anything newer.
 *
 * <pre>
 *   meta      "journal.position"                       -> i64 index of the last applied event
 *   catalog   kind:u8 + id (UTF-8)                     -> JSON {id, number, spec}
 *   clicks    clickId hi:i64 + lo:i64 (big-endian)     -> visitorId hi + lo + timeMs:i64 + partnerNumber:i32 +
 *                                                         programNumber:i32 + isBot:u8 (the journal has the rest)
 *   visits    visitorId hi + lo + linkNumber:i32 (BE)  -> i64 time of the visitor's last unique click on the link
 *   counters  partnerNumber:i32 + epochDay:i32 (BE)    -> CounterField.COUNT x i64 (little-endian)
 *   conversions          programNumber:i32 + externalId  -> JSON ConversionRecord (also refunds, and refunds
 *                                                           still waiting for their sale)
 *   partner_conversions  partnerNumber:i32 + timeMs:i64 + programNumber:i32 + externalId -> (empty)
 *   customers            programNumber:i32 + customerId  -> JSON of the customer's attribution
 *   touches              visitorId hi + lo + timeMs:i64 + clickId hi + lo -> partnerNumber:i32 + programNumber:i32
 *                        (each visitor's real clicks in time order: the touch paths of multi-touch attribution)
 *   and the {@link Family} tables of the money side (hour buckets, ledger, commissions, payout runs, timeline,
 *   outbox), whose keys are built by the packages that own them.
 * </pre>
 * Counter buckets are zig-zag varints (one to three bytes for most fields) so that a partner's history stays small.
 * Keys are big-endian so that a partner's day buckets sort by day and a report is one range scan.
 */
public final class StateStore implements AutoCloseable
{
    private static final byte[] POSITION_KEY = "journal.position".getBytes(StandardCharsets.US_ASCII);
    /**
     * Families of earlier layouts, dropped on open: "hourly_counters" held partner-major hour buckets, which can be
     * rebuilt only by a replay, so the hour reports start empty after the upgrade (day buckets are unaffected).
     */
    private static final java.util.Set<String> RETIRED_FAMILIES = java.util.Set.of("hourly_counters");
    // Slots of the tables read by key, resolved to their handles under the read lock (see get(int, byte[])).
    private static final int META = 0;
    private static final int CLICKS = 1;
    private static final int VISITS = 2;
    private static final int CONVERSIONS = 3;
    private static final int CUSTOMERS = 4;
    private static final int COUNTERS = 5;
    private static final int FAMILY_BASE = 6;

    static
    {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final LRUCache cache;
    private final WriteBufferManager writeBufferManager;
    private final BlockBasedTableConfig tableConfig = new BlockBasedTableConfig();
    private final WriteOptions writeOptions = new WriteOptions();
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    /**
     * Readers on other threads (admin API, webhook dispatcher) hold the read lock while they touch the database; the
     * aggregator thread takes the write lock only to {@link #reopen()} it, so no read ever sees a closed handle.
     * The aggregator thread builds batches without the lock: it is the only thread that replaces the handles.
     */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private RocksDB db;
    private String unavailableReason;
    private ColumnFamilyHandle meta;
    private ColumnFamilyHandle catalog;
    private ColumnFamilyHandle clicks;
    private ColumnFamilyHandle visits;
    private ColumnFamilyHandle counters;
    private ColumnFamilyHandle conversions;
    private ColumnFamilyHandle partnerConversions;
    private ColumnFamilyHandle customers;
    private ColumnFamilyHandle touches;
    private final ColumnFamilyHandle[] families = new ColumnFamilyHandle[Family.values().length];
    // Scratch keys and values of the per-click rows, for the aggregator thread only.
    private final ByteBuffer scratchClickKey = ByteBuffer.allocate(16);
    private final ByteBuffer scratchClickValue = ByteBuffer.allocate(33);
    private final ByteBuffer scratchTouchKey = ByteBuffer.allocate(40);
    private final ByteBuffer scratchTouchValue = ByteBuffer.allocate(8);
    private final ByteBuffer scratchVisitKey = ByteBuffer.allocate(20);
    private final ByteBuffer scratchVisitValue = ByteBuffer.allocate(8);

    /**
     * Tables whose keys are laid out by their owners; each is a column family.
     */
    public enum Family
    {
        /**
         * epochHour:i32 + partnerNumber:i32 -> counters, kept for {@link #HOUR_BUCKET_RETENTION_HOURS}. Hour-major,
         * so that retention is one range delete per hour for all partners: a range delete per partner piled
         * tombstones into the memtable that every later read had to consult.
         */
        HOURLY_COUNTERS("hour_counters"),
        /**
         * partnerNumber:i32 -> JSON of the partner's tier and ledger balances.
         */
        PARTNER_STATE("partner_state"),
        /**
         * partnerNumber:i32 + timeMs:i64 + programNumber:i32 + externalId -> JSON of one commission.
         */
        COMMISSIONS("commissions"),
        /**
         * same key as COMMISSIONS -> (empty): commissions not yet paid or voided.
         */
        UNPAID_COMMISSIONS("unpaid_commissions"),
        /**
         * approveDay:i32 + commission key -> (empty): pending commissions by the day their hold ends.
         */
        APPROVALS_DUE("approvals_due"),
        /**
         * partnerNumber:i32 + seq:i64 -> JSON ledger entry (append-only).
         */
        LEDGER("ledger"),
        /**
         * partnerNumber:i32 + seq:i64 -> JSON timeline event (append-only).
         */
        TIMELINE("timeline"),
        /**
         * "run:" + runId -> JSON payout run; "period:" + programNumber + ":" + periodEnd -> runId (UTF-8).
         */
        PAYOUT_RUNS("payout_runs"),
        /**
         * seq:i64 -> JSON outbound webhook event, deleted once delivered.
         */
        OUTBOX("outbox"),
        /**
         * programNumber:i32 + commission key -> (empty): commissions held for review, the program's review queue.
         */
        HELD_COMMISSIONS("held_commissions");

        private final String columnFamily;

        Family(final String columnFamily)
        {
            this.columnFamily = columnFamily;
        }
    }

    /**
     * How long hour buckets are kept; day buckets are kept for good.
     */
    public static final int HOUR_BUCKET_RETENTION_HOURS = 8 * 24;

    /**
     * Smallest memory budget {@link #open(Path, long)} accepts.
     */
    public static final long MIN_MEMORY_BYTES = 16L << 20;

    private StateStore(final Path dir, final long memoryBytes) throws RocksDBException
    {
        this.dir = dir;
        // One budget for all of RocksDB's memory: with ~20 column families, each family's default 64 MB memtable
        // would let memtables alone grow past a gigabyte. The write buffer manager charges memtables to the block
        // cache and flushes the largest once they pass half of it.
        cache = new LRUCache(memoryBytes);
        writeBufferManager = new WriteBufferManager(memoryBytes / 2, cache);
        dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
            .setWriteBufferManager(writeBufferManager);
        cfOptions = new ColumnFamilyOptions().setTableFormatConfig(tableConfig.setBlockCache(cache));
        try
        {
            openDatabase();
        }
        catch (final RocksDBException | RuntimeException ex)
        {
            writeOptions.close();
            cfOptions.close();
            dbOptions.close();
            writeBufferManager.close();
            cache.close();
            throw ex;
        }
    }

    private void openDatabase() throws RocksDBException
    {
        final List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (final String name : new String[]{ "default", "meta", "catalog", "clicks", "visits", "counters",
            "conversions", "partner_conversions", "customers", "touches" })
        {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII), cfOptions));
        }
        for (final Family family : Family.values())
        {
            descriptors.add(new ColumnFamilyDescriptor(
                family.columnFamily.getBytes(StandardCharsets.US_ASCII), cfOptions));
        }
        final List<String> retired = new ArrayList<>();
        for (final String name : existingFamilies(dir))
        {
            if (descriptors.stream().noneMatch(d -> name.equals(new String(d.getName(), StandardCharsets.US_ASCII))))
            {
                // RocksDB opens only with every existing family named: open the retired ones to drop them.
                retired.add(name);
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII), cfOptions));
            }
        }
        final RocksDB opened = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        try
        {
            for (int i = descriptors.size() - 1; i >= descriptors.size() - retired.size(); i--)
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
        meta = handles.get(1);
        catalog = handles.get(2);
        clicks = handles.get(3);
        visits = handles.get(4);
        counters = handles.get(5);
        conversions = handles.get(6);
        partnerConversions = handles.get(7);
        customers = handles.get(8);
        touches = handles.get(9);
        for (final Family family : Family.values())
        {
            families[family.ordinal()] = handles.get(10 + family.ordinal());
        }
        db = opened;
    }

    private static List<String> existingFamilies(final Path dir) throws RocksDBException
    {
        final List<String> names = new ArrayList<>();
        if (Files.exists(dir.resolve("CURRENT")))
        {
            try (org.rocksdb.Options options = new org.rocksdb.Options())
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
            final StateStore store = new StateStore(dir, memoryBytes);
            try
            {
                OwnerOnly.tightenFiles(dir);
            }
            catch (final java.io.IOException ex)
            {
                store.close();
                throw ex;
            }
            return store;
        }
        catch (final RocksDBException | java.io.IOException ex)
        {
            throw new IllegalStateException("cannot open state store at " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return index of the last journal event whose effects are committed, or {@link Journal#NULL_INDEX}.
     */
    public long journalPosition()
    {
        final byte[] value = get(META, POSITION_KEY);
        return null == value ? Journal.NULL_INDEX : ByteBuffer.wrap(value).getLong();
    }

    /**
     * @param batch    the batch being built.
     * @param position index of the last journal event the batch's state includes.
     */
    public void putJournalPosition(final WriteBatch batch, final long position)
    {
        put(batch, meta, POSITION_KEY, ByteBuffer.allocate(8).putLong(position).array());
    }

    /**
     * @param batch the batch being built.
     * @param kind  entity kind.
     * @param id    external id.
     * @param json  entity document.
     */
    public void putCatalog(final WriteBatch batch, final byte kind, final String id, final byte[] json)
    {
        put(batch, catalog, catalogKey(kind, id), json);
    }

    /**
     * Visit every saved catalog entity.
     *
     * @param consumer receives kind and document.
     */
    public void forEachCatalogEntry(final CatalogEntryConsumer consumer)
    {
        lockForRead();
        try (RocksIterator iterator = db.newIterator(catalog))
        {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next())
            {
                consumer.accept(iterator.key()[0], iterator.value());
            }
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * Receives saved catalog entities.
     */
    @FunctionalInterface
    public interface CatalogEntryConsumer
    {
        /**
         * @param kind entity kind.
         * @param json entity document.
         */
        void accept(byte kind, byte[] json);
    }

    /**
     * What attribution needs of a click: whose it was, when, and on which partner's link.
     *
     * @param visitorHi     high bits of the visitor id.
     * @param visitorLo     low bits of the visitor id.
     * @param timeMs        click time.
     * @param partnerNumber partner of the link.
     * @param programNumber program of the link.
     * @param isBot         true if the edge classified the click as a bot's.
     */
    public record StoredClick(
        long visitorHi, long visitorLo, long timeMs, int partnerNumber, int programNumber, boolean isBot)
    {
    }

    /**
     * Store a click's attribution fields (the journal keeps the rest): 33 bytes instead of the whole event, since
     * this row and the touch row are most of what the aggregator writes per click.
     *
     * @param batch         the batch being built.
     * @param clickHi       high bits of the click id.
     * @param clickLo       low bits of the click id.
     * @param visitorHi     high bits of the visitor id.
     * @param visitorLo     low bits of the visitor id.
     * @param timeMs        click time.
     * @param partnerNumber partner of the link.
     * @param programNumber program of the link.
     * @param isBot         true if the edge classified the click as a bot's.
     */
    public void putClick(final WriteBatch batch, final long clickHi, final long clickLo, final long visitorHi,
        final long visitorLo, final long timeMs, final int partnerNumber, final int programNumber,
        final boolean isBot)
    {
        // WriteBatch copies key and value into its own buffer: the scratch arrays are reused for every click.
        scratchClickKey.clear();
        scratchClickKey.putLong(clickHi).putLong(clickLo);
        scratchClickValue.clear();
        scratchClickValue.putLong(visitorHi).putLong(visitorLo).putLong(timeMs)
            .putInt(partnerNumber).putInt(programNumber).put((byte)(isBot ? 1 : 0));
        put(batch, clicks, scratchClickKey.array(), scratchClickValue.array());
    }

    /**
     * @param clickHi high bits of the click id.
     * @param clickLo low bits of the click id.
     * @return the click, or null if unknown.
     */
    public StoredClick click(final long clickHi, final long clickLo)
    {
        final byte[] stored = get(CLICKS, ByteBuffer.allocate(16).putLong(clickHi).putLong(clickLo).array());
        if (null == stored)
        {
            return null;
        }
        final ByteBuffer value = ByteBuffer.wrap(stored);
        return new StoredClick(value.getLong(), value.getLong(), value.getLong(), value.getInt(), value.getInt(),
            0 != value.get());
    }

    /**
     * @param visitorHi  high bits of the visitor id.
     * @param visitorLo  low bits of the visitor id.
     * @param linkNumber catalog number of the link.
     * @return time of the last unique click of the visitor on the link, or -1.
     */
    public long lastUniqueClickMs(final long visitorHi, final long visitorLo, final int linkNumber)
    {
        final byte[] value = get(VISITS, visitKey(visitorHi, visitorLo, linkNumber));
        return null == value ? -1 : ByteBuffer.wrap(value).getLong();
    }

    /**
     * @param batch      the batch being built.
     * @param visitorHi  high bits of the visitor id.
     * @param visitorLo  low bits of the visitor id.
     * @param linkNumber catalog number of the link.
     * @param timeMs     time of the unique click.
     */
    public void putLastUniqueClick(
        final WriteBatch batch, final long visitorHi, final long visitorLo, final int linkNumber, final long timeMs)
    {
        scratchVisitKey.clear();
        scratchVisitKey.putLong(visitorHi).putLong(visitorLo).putInt(linkNumber);
        scratchVisitValue.clear();
        scratchVisitValue.putLong(timeMs);
        put(batch, visits, scratchVisitKey.array(), scratchVisitValue.array());
    }

    /**
     * @param programNumber catalog number of the program.
     * @param externalId    the conversion's idempotency key.
     * @return the stored record, or null.
     */
    public byte[] conversion(final int programNumber, final String externalId)
    {
        return get(CONVERSIONS, programKey(programNumber, externalId));
    }

    /**
     * @param batch         the batch being built.
     * @param programNumber catalog number of the program.
     * @param externalId    the conversion's idempotency key.
     * @param record        JSON record.
     */
    public void putConversion(final WriteBatch batch, final int programNumber, final String externalId,
        final byte[] record)
    {
        put(batch, conversions, programKey(programNumber, externalId), record);
    }

    /**
     * @param batch         the batch being built.
     * @param partnerNumber partner credited.
     * @param timeMs        conversion time.
     * @param programNumber catalog number of the program.
     * @param externalId    the conversion's idempotency key.
     */
    public void putPartnerConversion(final WriteBatch batch, final int partnerNumber, final long timeMs,
        final int programNumber, final String externalId)
    {
        final byte[] id = externalId.getBytes(StandardCharsets.UTF_8);
        put(batch, partnerConversions, ByteBuffer.allocate(16 + id.length).putInt(partnerNumber).putLong(timeMs)
            .putInt(programNumber).put(id).array(), new byte[0]);
    }

    /**
     * @param batch         the batch being built.
     * @param partnerNumber partner no longer credited.
     * @param timeMs        conversion time.
     * @param programNumber catalog number of the program.
     * @param externalId    the conversion's idempotency key.
     */
    public void deletePartnerConversion(final WriteBatch batch, final int partnerNumber, final long timeMs,
        final int programNumber, final String externalId)
    {
        final byte[] id = externalId.getBytes(StandardCharsets.UTF_8);
        try
        {
            batch.delete(partnerConversions, ByteBuffer.allocate(16 + id.length).putInt(partnerNumber).putLong(timeMs)
                .putInt(programNumber).put(id).array());
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException("state store batch failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * Visit a partner's conversions, newest first.
     *
     * @param partnerNumber partner credited.
     * @param limit         most to visit.
     * @param consumer      receives program number and external id.
     */
    public void forEachPartnerConversion(final int partnerNumber, final int limit, final PartnerConversionConsumer consumer)
    {
        lockForRead();
        try (ReadOptions readOptions = new ReadOptions().setTotalOrderSeek(true);
            RocksIterator iterator = db.newIterator(partnerConversions, readOptions))
        {
            int count = 0;
            for (iterator.seekForPrev(ByteBuffer.allocate(13).putInt(partnerNumber).putLong(Long.MAX_VALUE)
                .put((byte)0xFF).array()); iterator.isValid() && count < limit; iterator.prev())
            {
                final ByteBuffer key = ByteBuffer.wrap(iterator.key());
                if (key.getInt() != partnerNumber)
                {
                    break;
                }
                key.getLong();
                final int programNumber = key.getInt();
                final byte[] id = new byte[key.remaining()];
                key.get(id);
                consumer.accept(programNumber, new String(id, StandardCharsets.UTF_8));
                count++;
            }
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * Receives a partner's conversions.
     */
    @FunctionalInterface
    public interface PartnerConversionConsumer
    {
        /**
         * @param programNumber catalog number of the program.
         * @param externalId    the conversion's idempotency key.
         */
        void accept(int programNumber, String externalId);
    }

    /**
     * @param batch         the batch being built.
     * @param visitorHi     high bits of the visitor id.
     * @param visitorLo     low bits of the visitor id.
     * @param timeMs        click time.
     * @param clickHi       high bits of the click id.
     * @param clickLo       low bits of the click id.
     * @param partnerNumber partner of the link.
     * @param programNumber program of the link.
     */
    public void putTouch(final WriteBatch batch, final long visitorHi, final long visitorLo, final long timeMs,
        final long clickHi, final long clickLo, final int partnerNumber, final int programNumber)
    {
        scratchTouchKey.clear();
        scratchTouchKey.putLong(visitorHi).putLong(visitorLo).putLong(timeMs).putLong(clickHi).putLong(clickLo);
        scratchTouchValue.clear();
        scratchTouchValue.putInt(partnerNumber).putInt(programNumber);
        put(batch, touches, scratchTouchKey.array(), scratchTouchValue.array());
    }

    /**
     * Visit a visitor's touches in a time range, oldest first.
     *
     * @param visitorHi high bits of the visitor id.
     * @param visitorLo low bits of the visitor id.
     * @param fromMs    earliest click time, inclusive.
     * @param toMs      latest click time, inclusive.
     * @param consumer  receives each touch.
     */
    public void forEachTouch(final long visitorHi, final long visitorLo, final long fromMs, final long toMs,
        final TouchConsumer consumer)
    {
        lockForRead();
        try (ReadOptions readOptions = new ReadOptions().setTotalOrderSeek(true);
            RocksIterator iterator = db.newIterator(touches, readOptions))
        {
            for (iterator.seek(ByteBuffer.allocate(24).putLong(visitorHi).putLong(visitorLo).putLong(fromMs).array());
                iterator.isValid(); iterator.next())
            {
                final ByteBuffer key = ByteBuffer.wrap(iterator.key());
                if (key.getLong() != visitorHi || key.getLong() != visitorLo)
                {
                    break;
                }
                final long timeMs = key.getLong();
                if (timeMs > toMs)
                {
                    break;
                }
                final ByteBuffer value = ByteBuffer.wrap(iterator.value());
                consumer.accept(timeMs, key.getLong(), key.getLong(), value.getInt(), value.getInt());
            }
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * Receives touches.
     */
    @FunctionalInterface
    public interface TouchConsumer
    {
        /**
         * @param timeMs        click time.
         * @param clickHi       high bits of the click id.
         * @param clickLo       low bits of the click id.
         * @param partnerNumber partner of the link.
         * @param programNumber program of the link.
         */
        void accept(long timeMs, long clickHi, long clickLo, int partnerNumber, int programNumber);
    }

    /**
     * @param programNumber catalog number of the program.
     * @param customerId    the checkout's customer id.
     * @return the customer's attribution JSON, or null.
     */
    public byte[] customer(final int programNumber, final String customerId)
    {
        return get(CUSTOMERS, programKey(programNumber, customerId));
    }

    /**
     * @param batch         the batch being built.
     * @param programNumber catalog number of the program.
     * @param customerId    the checkout's customer id.
     * @param record        the customer's attribution JSON.
     */
    public void putCustomer(final WriteBatch batch, final int programNumber, final String customerId,
        final byte[] record)
    {
        put(batch, customers, programKey(programNumber, customerId), record);
    }

    /**
     * @param partnerNumber catalog number of the partner.
     * @param epochDay      day bucket.
     * @return the bucket's counters, all zero if none were stored.
     */
    public long[] dayCounters(final int partnerNumber, final int epochDay)
    {
        final long[] values = new long[CounterField.COUNT];
        final byte[] stored = get(COUNTERS, counterKey(partnerNumber, epochDay));
        if (null != stored)
        {
            decodeCounters(stored, values);
        }
        return values;
    }

    /**
     * @param batch         the batch being built.
     * @param partnerNumber catalog number of the partner.
     * @param epochDay      day bucket.
     * @param values        absolute values of the bucket.
     */
    public void putDayCounters(final WriteBatch batch, final int partnerNumber, final int epochDay, final long[] values)
    {
        put(batch, counters, counterKey(partnerNumber, epochDay), encodeCounters(values));
    }

    /**
     * @param partnerNumber catalog number of the partner.
     * @param epochHour     hour bucket (epoch milliseconds / 3,600,000).
     * @return the bucket's counters, or null if none were stored.
     */
    public long[] hourCounters(final int partnerNumber, final int epochHour)
    {
        final byte[] stored = get(FAMILY_BASE + Family.HOURLY_COUNTERS.ordinal(), hourKey(epochHour, partnerNumber));
        if (null == stored)
        {
            return null;
        }
        final long[] values = new long[CounterField.COUNT];
        decodeCounters(stored, values);
        return values;
    }

    /**
     * @param batch         the batch being built.
     * @param partnerNumber catalog number of the partner.
     * @param epochHour     hour bucket.
     * @param values        absolute values of the bucket.
     */
    public void putHourCounters(
        final WriteBatch batch, final int partnerNumber, final int epochHour, final long[] values)
    {
        put(batch, families[Family.HOURLY_COUNTERS.ordinal()], hourKey(epochHour, partnerNumber),
            encodeCounters(values));
    }

    /**
     * Drop every partner's hour buckets before an hour, with one range delete.
     *
     * @param batch     the batch being built.
     * @param epochHour first hour kept.
     */
    public void expireHourCounters(final WriteBatch batch, final int epochHour)
    {
        deleteRange(batch, Family.HOURLY_COUNTERS, hourKey(0, 0), hourKey(Math.max(0, epochHour), 0));
    }

    /**
     * Read a partner's hour buckets in a range, with one multi-get.
     *
     * @param partnerNumber catalog number of the partner.
     * @param fromHour      first epoch hour, inclusive.
     * @param toHour        last epoch hour, inclusive.
     * @param consumer      receives each stored bucket in hour order.
     */
    public void readHourCounters(
        final int partnerNumber, final int fromHour, final int toHour, final DayCountersConsumer consumer)
    {
        if ((long)toHour - fromHour >= HOUR_BUCKET_RETENTION_HOURS)
        {
            // One key per hour is built below: a caller's range must be bounded before it gets here.
            throw new IllegalArgumentException("at most " + HOUR_BUCKET_RETENTION_HOURS + " hours per read, not " +
                fromHour + ".." + toHour);
        }
        final List<ColumnFamilyHandle> familyPerKey = new ArrayList<>();
        final List<byte[]> keys = new ArrayList<>();
        for (int hour = fromHour; hour <= toHour; hour++)
        {
            keys.add(hourKey(hour, partnerNumber));
        }
        final List<byte[]> stored;
        try
        {
            lockForRead();
            try
            {
                // The handle is read under the lock: a concurrent reopen replaces it.
                final ColumnFamilyHandle family = families[Family.HOURLY_COUNTERS.ordinal()];
                for (int i = 0; i < keys.size(); i++)
                {
                    familyPerKey.add(family);
                }
                stored = db.multiGetAsList(familyPerKey, keys);
            }
            finally
            {
                lock.readLock().unlock();
            }
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException("state store read failed: " + ex.getMessage(), ex);
        }
        final long[] values = new long[CounterField.COUNT];
        for (int i = 0; i < stored.size(); i++)
        {
            if (null != stored.get(i))
            {
                decodeCounters(stored.get(i), values);
                consumer.accept(fromHour + i, values);
            }
        }
    }

    /**
     * Read a partner's day buckets in a range with one scan of a consistent snapshot.
     *
     * @param partnerNumber catalog number of the partner.
     * @param fromDay       first epoch day, inclusive.
     * @param toDay         last epoch day, inclusive.
     * @param consumer      receives each stored bucket in day order (days without events are not stored).
     */
    public void readDayCounters(
        final int partnerNumber, final int fromDay, final int toDay, final DayCountersConsumer consumer)
    {
        final long[] values = new long[CounterField.COUNT];
        lockForRead();
        try (ReadOptions readOptions = new ReadOptions().setTotalOrderSeek(true);
            RocksIterator iterator = db.newIterator(counters, readOptions))
        {
            final byte[] end = counterKey(partnerNumber, toDay);
            for (iterator.seek(counterKey(partnerNumber, fromDay)); iterator.isValid(); iterator.next())
            {
                final byte[] key = iterator.key();
                if (java.util.Arrays.compareUnsigned(key, end) > 0)
                {
                    break;
                }
                decodeCounters(iterator.value(), values);
                consumer.accept(ByteBuffer.wrap(key).getInt(4), values);
            }
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * Receives stored day buckets.
     */
    @FunctionalInterface
    public interface DayCountersConsumer
    {
        /**
         * @param epochDay the bucket's day.
         * @param values   the bucket's counters, indexed by {@link CounterField#ordinal()}; reused between calls.
         */
        void accept(int epochDay, long[] values);
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
        if (null == db)
        {
            throw new WriteFailedException("state store write failed: the store is closed: " + unavailableReason, null);
        }
        try
        {
            db.write(writeOptions, batch);
            batch.clear();
        }
        catch (final RocksDBException ex)
        {
            throw new WriteFailedException("state store write failed: " + ex.getMessage(), ex);
        }
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
        lock.writeLock().lock();
        try
        {
            if (null != db)
            {
                closeDatabase();
            }
            try
            {
                openDatabase();
                unavailableReason = null;
            }
            catch (final RocksDBException | RuntimeException ex)
            {
                unavailableReason = "reopening " + dir + " failed: " + ex.getMessage();
                throw new UnavailableException("state store " + unavailableReason);
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
        // close() rather than closeE(): after a failed write the final flush fails too, and the WAL has the state.
        db.close();
        db = null;
        unavailableReason = "closed for a reopen";
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
        catch (final java.io.IOException ex)
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
        lock.writeLock().lock();
        try
        {
            if (null != db)
            {
                closeDatabase();
            }
            unavailableReason = "closed";
            // The database before its options.
            writeOptions.close();
            cfOptions.close();
            dbOptions.close();
            writeBufferManager.close();
            cache.close();
        }
        finally
        {
            lock.writeLock().unlock();
        }
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

    /**
     * Zig-zag varints, one per field in {@link CounterField} order; a bucket from a layout with fewer fields reads
     * as zero for the new ones.
     */
    static byte[] encodeCounters(final long[] values)
    {
        final byte[] out = new byte[10 * values.length];
        int length = 0;
        for (final long value : values)
        {
            long zigzag = (value << 1) ^ (value >> 63);
            while ((zigzag & ~0x7FL) != 0)
            {
                out[length++] = (byte)((zigzag & 0x7F) | 0x80);
                zigzag >>>= 7;
            }
            out[length++] = (byte)zigzag;
        }
        return java.util.Arrays.copyOf(out, length);
    }

    /**
     * Read a counter bucket as stored (for tools that read the store's files, such as the crash suite's audit).
     *
     * @param stored the bucket's value.
     * @param values receives the fields in {@link CounterField} order.
     */
    public static void decodeCounters(final byte[] stored, final long[] values)
    {
        java.util.Arrays.fill(values, 0);
        int position = 0;
        for (int i = 0; i < values.length && position < stored.length; i++)
        {
            long zigzag = 0;
            int shift = 0;
            byte b;
            do
            {
                b = stored[position++];
                zigzag |= (long)(b & 0x7F) << shift;
                shift += 7;
            }
            while (b < 0 && position < stored.length);
            values[i] = (zigzag >>> 1) ^ -(zigzag & 1);
        }
    }

    /**
     * @param batch  the batch being built.
     * @param family table.
     * @param key    key laid out by the table's owner.
     * @param value  value.
     */
    public void put(final WriteBatch batch, final Family family, final byte[] key, final byte[] value)
    {
        put(batch, families[family.ordinal()], key, value);
    }

    /**
     * @param batch  the batch being built.
     * @param family table.
     * @param key    key to delete.
     */
    public void delete(final WriteBatch batch, final Family family, final byte[] key)
    {
        try
        {
            batch.delete(families[family.ordinal()], key);
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException("state store batch failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * Delete outside the aggregator's batches; only for tables the aggregator never reads back, such as a
     * delivered outbox entry.
     *
     * @param family table.
     * @param key    key to delete.
     */
    public void deleteNow(final Family family, final byte[] key)
    {
        lockForRead();
        try
        {
            db.delete(families[family.ordinal()], writeOptions, key);
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException("state store delete failed: " + ex.getMessage(), ex);
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    private void deleteRange(final WriteBatch batch, final Family family, final byte[] from, final byte[] to)
    {
        try
        {
            batch.deleteRange(families[family.ordinal()], from, to);
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException("state store batch failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param family table.
     * @param key    key.
     * @return the committed value, or null.
     */
    public byte[] get(final Family family, final byte[] key)
    {
        return get(FAMILY_BASE + family.ordinal(), key);
    }

    /**
     * Visit committed entries with from &lt;= key &lt; to in key order (or reverse order).
     *
     * @param family   table.
     * @param from     first key, inclusive.
     * @param to       end key, exclusive.
     * @param reverse  true to visit from the end.
     * @param consumer receives key and value; returns false to stop.
     */
    public void scan(final Family family, final byte[] from, final byte[] to, final boolean reverse,
        final EntryConsumer consumer)
    {
        lockForRead();
        try (ReadOptions readOptions = new ReadOptions().setTotalOrderSeek(true);
            RocksIterator iterator = db.newIterator(families[family.ordinal()], readOptions))
        {
            if (reverse)
            {
                iterator.seekForPrev(to);
                if (iterator.isValid() && java.util.Arrays.compareUnsigned(iterator.key(), to) >= 0)
                {
                    iterator.prev();
                }
            }
            else
            {
                iterator.seek(from);
            }
            for (; iterator.isValid(); step(reverse, iterator))
            {
                final byte[] key = iterator.key();
                if (java.util.Arrays.compareUnsigned(key, from) < 0 || java.util.Arrays.compareUnsigned(key, to) >= 0)
                {
                    break;
                }
                if (!consumer.accept(key, iterator.value()))
                {
                    break;
                }
            }
        }
        finally
        {
            lock.readLock().unlock();
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

    /**
     * Receives entries of a scan.
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

    /**
     * Visit every committed entry of every table, table by table in a fixed order and keys in order: to compare two
     * stores, such as a live one and a fresh replay of the same journal.
     *
     * @param consumer receives the table's name, the key and the value.
     */
    public void forEachEntry(final TableEntryConsumer consumer)
    {
        lockForRead();
        try
        {
            for (final ColumnFamilyHandle handle : handles)
            {
                final String table = new String(handle.getName(), StandardCharsets.US_ASCII);
                try (RocksIterator iterator = db.newIterator(handle))
                {
                    for (iterator.seekToFirst(); iterator.isValid(); iterator.next())
                    {
                        consumer.accept(table, iterator.key(), iterator.value());
                    }
                }
            }
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException("state store read failed: " + ex.getMessage(), ex);
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * Receives the entries of every table.
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

    /**
     * @param name meta key.
     * @return the committed value, or null.
     */
    public byte[] meta(final String name)
    {
        return get(META, name.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @param batch the batch being built.
     * @param name  meta key.
     * @param value value.
     */
    public void putMeta(final WriteBatch batch, final String name, final byte[] value)
    {
        put(batch, meta, name.getBytes(StandardCharsets.US_ASCII), value);
    }

    private static byte[] catalogKey(final byte kind, final String id)
    {
        final byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + idBytes.length).put(kind).put(idBytes).array();
    }

    private static byte[] programKey(final int programNumber, final String id)
    {
        final byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + idBytes.length).putInt(programNumber).put(idBytes).array();
    }

    private static byte[] visitKey(final long visitorHi, final long visitorLo, final int linkNumber)
    {
        return ByteBuffer.allocate(20).putLong(visitorHi).putLong(visitorLo).putInt(linkNumber).array();
    }

    private static byte[] hourKey(final int epochHour, final int partnerNumber)
    {
        return ByteBuffer.allocate(8).putInt(epochHour).putInt(partnerNumber).array();
    }

    private static byte[] counterKey(final int partnerNumber, final int epochDay)
    {
        return ByteBuffer.allocate(8).putInt(partnerNumber).putInt(epochDay).array();
    }

    /**
     * Read one key of a table named by its slot, resolved under the read lock: a handle read before the lock could be
     * one a concurrent {@link #reopen()} has closed.
     */
    private byte[] get(final int table, final byte[] key)
    {
        lockForRead();
        try
        {
            return db.get(table(table), key);
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException("state store read failed: " + ex.getMessage(), ex);
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    private ColumnFamilyHandle table(final int table)
    {
        switch (table)
        {
            case META:
                return meta;
            case CLICKS:
                return clicks;
            case VISITS:
                return visits;
            case CONVERSIONS:
                return conversions;
            case CUSTOMERS:
                return customers;
            case COUNTERS:
                return counters;
            default:
                return families[table - FAMILY_BASE];
        }
    }

    /**
     * Take the read lock, or fail clearly while a {@link #reopen()} has not yet succeeded.
     */
    private void lockForRead()
    {
        lock.readLock().lock();
        if (null == db)
        {
            final String reason = unavailableReason;
            lock.readLock().unlock();
            throw new UnavailableException("state store unavailable: " + reason);
        }
    }

    private static void put(final WriteBatch batch, final ColumnFamilyHandle family, final byte[] key, final byte[] value)
    {
        try
        {
            batch.put(family, key, value);
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException("state store batch failed: " + ex.getMessage(), ex);
        }
    }
}
