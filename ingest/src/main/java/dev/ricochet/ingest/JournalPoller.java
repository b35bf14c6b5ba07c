package dev.ricochet.ingest;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.ricochet.ingest.EventHeaderDescriptor.MAX_EVENT_LENGTH;

/**
 * Single-threaded reader of the {@link Journal} from a saved position, in the style of Aeron's {@code poll}.
 *
 * <p>Usage in a duty cycle: {@code workCount += poller.poll(handler, limit)}; persist {@link #lastIndex()} with the
 * state the handler produced, and resume from it with {@link Journal#newPoller(long)} after a restart.
 */
public final class JournalPoller implements AutoCloseable
{
    private final ExcerptTailer tailer;
    private final byte[] readArray = new byte[MAX_EVENT_LENGTH];
    private final UnsafeBuffer readBuffer = new UnsafeBuffer(readArray);
    private long lastIndex;

    JournalPoller(final ExcerptTailer tailer, final long afterIndex)
    {
        this.tailer = tailer;
        this.lastIndex = afterIndex;
        if (Journal.NULL_INDEX != afterIndex)
        {
            if (!tailer.moveToIndex(afterIndex))
            {
                throw new IllegalStateException(
                    "journal index " + Long.toHexString(afterIndex) + " not found: was it removed by retention?");
            }
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent() || dc.index() != afterIndex)
                {
                    throw new IllegalStateException("journal index " + Long.toHexString(afterIndex) + " unreadable");
                }
            }
        }
    }

    /**
     * Deliver up to {@code limit} events to the handler.
     *
     * @param handler receives each event.
     * @param limit   most events to deliver in this call.
     * @return number of events delivered (the work count).
     */
    public int poll(final JournalEventHandler handler, final int limit)
    {
        int count = 0;
        while (count < limit)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final int length = (int)Math.min(bytes.readRemaining(), MAX_EVENT_LENGTH);
                bytes.read(readArray, 0, length);
                lastIndex = dc.index();
                handler.onEvent(readBuffer, length, lastIndex);
                count++;
            }
        }
        return count;
    }

    /**
     * @return index of the last event delivered, or the index the poller started after.
     */
    public long lastIndex()
    {
        return lastIndex;
    }

    @Override
    public void close()
    {
        tailer.close();
    }
}
