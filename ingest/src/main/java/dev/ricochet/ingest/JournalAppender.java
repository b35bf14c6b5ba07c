package dev.ricochet.ingest;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.io.ReferenceOwner;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wire;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static dev.ricochet.ingest.EventHeaderDescriptor.MAX_EVENT_LENGTH;

/**
 * Single-threaded writer of events into the {@link Journal}, with its own reusable encode buffer.
 *
 * <p>Usage on the owning thread: {@code appender.claimClick(type, nowMs)}, set the fields on the returned
 * flyweight, then {@code appender.append(click.encodedLength())}. Nothing is allocated per event.
 */
public final class JournalAppender implements AutoCloseable
{
    private final ExcerptAppender appender;
    private final SingleChronicleQueue queue;
    private final ReferenceOwner syncOwner = ReferenceOwner.temporary("journal-sync");
    private MappedBytesStore lastSyncedChunk;
    private final byte[] encodeArray = new byte[MAX_EVENT_LENGTH];
    private final UnsafeBuffer encodeBuffer = new UnsafeBuffer(encodeArray);
    private final ClickEventFlyweight click = new ClickEventFlyweight();

    JournalAppender(final ExcerptAppender appender, final SingleChronicleQueue queue)
    {
        this.appender = appender;
        this.queue = queue;
    }

    /**
     * Start encoding a click or pixel hit in this appender's buffer.
     *
     * @param type        {@link EventHeaderDescriptor#TYPE_CLICK} or {@link EventHeaderDescriptor#TYPE_PIXEL}.
     * @param timestampMs event time in epoch milliseconds.
     * @return the flyweight to fill in.
     */
    public ClickEventFlyweight claimClick(final byte type, final long timestampMs)
    {
        return click.wrapForEncode(encodeBuffer, 0, type, timestampMs);
    }

    /**
     * Append an event encoded elsewhere (a replicated or re-played journal, a tool).
     *
     * @param event  buffer holding the encoded event.
     * @param offset where it starts.
     * @param length its encoded length, at most {@link EventHeaderDescriptor#MAX_EVENT_LENGTH}.
     * @return the journal index of the event, or {@link Journal#NULL_INDEX} if the append failed.
     */
    public long append(final DirectBuffer event, final int offset, final int length)
    {
        event.getBytes(offset, encodeArray, 0, length);
        return append(length);
    }

    /**
     * Copy the event encoded in this appender's buffer out, to hand it to another writer (a grouped, synced
     * append); allocates, so only for paths that wait for a sync anyway.
     *
     * @param length encoded length of the event.
     * @return a copy of the encoded bytes.
     */
    public byte[] copyEncoded(final int length)
    {
        return Arrays.copyOf(encodeArray, length);
    }

    /**
     * Append the event encoded in this appender's buffer.
     *
     * @param length encoded length of the event.
     * @return the journal index of the event, or {@link Journal#NULL_INDEX} if the append failed (for example an
     * I/O error); the caller counts it and applies its own policy.
     */
    public long append(final int length)
    {
        final int cycleBefore;
        if (CrashPoints.ENABLED)
        {
            CrashPoints.hit(CrashPoints.Point.EDGE_BEFORE_APPEND);
            cycleBefore = appender.cycle();
        }
        else
        {
            cycleBefore = 0;
        }
        try (DocumentContext dc = appender.writingDocument())
        {
            if (CrashPoints.ENABLED && appender.cycle() != cycleBefore)
            {
                CrashPoints.hit(CrashPoints.Point.EDGE_CYCLE_ROLL);
            }
            // Only a copy of a few dozen bytes happens under Chronicle's write lock.
            dc.wire().bytes().write(encodeArray, 0, length);
            if (CrashPoints.ENABLED)
            {
                CrashPoints.hit(CrashPoints.Point.EDGE_INSIDE_APPEND);
            }
        }
        catch (final RuntimeException ex)
        {
            return Journal.NULL_INDEX;
        }
        if (CrashPoints.ENABLED)
        {
            CrashPoints.hit(CrashPoints.Point.EDGE_AFTER_APPEND);
        }
        return appender.lastIndexAppended();
    }

    /**
     * Force what this appender wrote to the storage device with {@code msync(MS_SYNC)}. Costs ~0.5 ms: call it
     * grouped, never per request.
     *
     * <p>Chronicle's own {@code sync()} would follow the queue's sync mode (MS_ASYNC, which Linux ignores, by default)
     * and only the chunk its last append landed in. This one always asks for MS_SYNC, and when the appender moved to a
     * new 64 MiB chunk (or cycle) since the last sync it first syncs the rest of the previous one, which it kept
     * mapped for that: a group of events can straddle two chunks.
     */
    public void sync()
    {
        final Wire wire = appender.wire();
        if (null == wire)
        {
            return;
        }
        final Bytes<?> bytes = wire.bytes();
        final BytesStore<?, ?> store = bytes.bytesStore();
        if (!(store instanceof MappedBytesStore))
        {
            return;
        }
        final MappedBytesStore chunk = (MappedBytesStore)store;
        if (chunk != lastSyncedChunk)
        {
            releaseLastSyncedChunk(true);
            chunk.reserve(syncOwner);
            lastSyncedChunk = chunk;
        }
        chunk.syncUpTo(bytes.writePosition(), SyncMode.SYNC);
        queue.lastIndexMSynced(appender.lastIndexAppended());
    }

    private void releaseLastSyncedChunk(final boolean syncRest)
    {
        if (null != lastSyncedChunk)
        {
            if (syncRest)
            {
                lastSyncedChunk.syncUpTo(Long.MAX_VALUE, SyncMode.SYNC);
            }
            lastSyncedChunk.release(syncOwner);
            lastSyncedChunk = null;
        }
    }

    @Override
    public void close()
    {
        releaseLastSyncedChunk(false);
        appender.close();
    }
}
