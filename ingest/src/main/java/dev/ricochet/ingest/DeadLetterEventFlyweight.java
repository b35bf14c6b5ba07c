package dev.ricochet.ingest;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

import static dev.ricochet.ingest.EventHeaderDescriptor.BYTE_ORDER;
import static dev.ricochet.ingest.EventHeaderDescriptor.HEADER_LENGTH;
import static dev.ricochet.ingest.EventHeaderDescriptor.MAX_EVENT_LENGTH;
import static dev.ricochet.ingest.EventHeaderDescriptor.TIMESTAMP_OFFSET;
import static dev.ricochet.ingest.EventHeaderDescriptor.TYPE_DEAD_LETTER;

/**
 * Flyweight over a dead letter: authenticated input that could not be used, kept with the reason and the body so
 * nothing accepted is silently dropped and an operator can replay it once the cause is fixed.
 *
 * <pre>
 *   0        12       13      16            20           22
 *   | header | source | (pad) | program i32 | reason u16 | reason bytes | body i32 | body bytes (truncated)
 * </pre>
 */
public final class DeadLetterEventFlyweight
{
    /**
     * Longest reason kept.
     */
    public static final int MAX_REASON_LENGTH = 512;

    static final int SOURCE_OFFSET = HEADER_LENGTH;
    static final int PROGRAM_OFFSET = 16;
    static final int REASON_OFFSET = 20;

    private DirectBuffer buffer;
    private int offset;

    /**
     * Encode a dead letter.
     *
     * @param buffer        to write into, with room for {@link EventHeaderDescriptor#MAX_EVENT_LENGTH} bytes.
     * @param offset        at which the event starts.
     * @param timestampMs   when it was received.
     * @param source        one of {@code ConversionEventFlyweight.SOURCE_*}.
     * @param programNumber catalog number of the program it was sent to.
     * @param reason        why it could not be used.
     * @param body          the raw body; truncated to fit the event.
     * @return the encoded length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long timestampMs,
        final byte source,
        final int programNumber,
        final String reason,
        final byte[] body)
    {
        final byte[] reasonBytes = reason.getBytes(StandardCharsets.UTF_8);
        final int reasonLength = Math.min(reasonBytes.length, MAX_REASON_LENGTH);
        final int bodyOffset = REASON_OFFSET + 2 + reasonLength;
        final int bodyLength = Math.min(body.length, MAX_EVENT_LENGTH - bodyOffset - 4);
        EventHeaderDescriptor.putHeader(buffer, offset, TYPE_DEAD_LETTER, timestampMs);
        buffer.putByte(offset + SOURCE_OFFSET, source);
        buffer.putInt(offset + PROGRAM_OFFSET, programNumber, BYTE_ORDER);
        buffer.putShort(offset + REASON_OFFSET, (short)reasonLength, BYTE_ORDER);
        buffer.putBytes(offset + REASON_OFFSET + 2, reasonBytes, 0, reasonLength);
        buffer.putInt(offset + bodyOffset, bodyLength, BYTE_ORDER);
        buffer.putBytes(offset + bodyOffset + 4, body, 0, bodyLength);
        final int length = bodyOffset + 4 + bodyLength;
        EventHeaderDescriptor.putLength(buffer, offset, length);
        return length;
    }

    /**
     * Wrap an encoded event for reading, checking it fits in the rest of the buffer.
     *
     * @param buffer holding the event.
     * @param offset at which the event starts.
     * @return this for a fluent API.
     * @throws MalformedEventException as {@link #wrap(DirectBuffer, int, int)}.
     */
    public DeadLetterEventFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        return wrap(buffer, offset, buffer.capacity() - offset);
    }

    /**
     * Wrap an encoded event for reading; every getter then stays inside the event.
     *
     * @param buffer holding the event.
     * @param offset at which the event starts.
     * @param length bytes available for the event (a journal document's length).
     * @return this for a fluent API.
     * @throws MalformedEventException if it is not a dead letter, or its reason's or body's length runs past the
     *                                 event or the bytes available.
     */
    public DeadLetterEventFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final int eventLength = EventHeaderDescriptor.checkHeader(
            buffer, offset, length, REASON_OFFSET + 2 + 4, TYPE_DEAD_LETTER, TYPE_DEAD_LETTER);
        final int bodyOffset = REASON_OFFSET + 2 + (buffer.getShort(offset + REASON_OFFSET, BYTE_ORDER) & 0xFFFF);
        if (bodyOffset + 4 > eventLength)
        {
            throw new MalformedEventException("dead letter reason runs past the end of its event");
        }
        final int bodyLength = buffer.getInt(offset + bodyOffset, BYTE_ORDER);
        if (bodyLength < 0 || bodyLength > eventLength - bodyOffset - 4)
        {
            throw new MalformedEventException("dead letter body of " + bodyLength + " bytes in an event of " +
                eventLength);
        }
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * @return when it was received.
     */
    public long timestampMs()
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET, BYTE_ORDER);
    }

    /**
     * @return the intake it came from.
     */
    public byte source()
    {
        return buffer.getByte(offset + SOURCE_OFFSET);
    }

    /**
     * @return catalog number of the program.
     */
    public int programNumber()
    {
        return buffer.getInt(offset + PROGRAM_OFFSET, BYTE_ORDER);
    }

    /**
     * @return why it could not be used (allocates).
     */
    public String reason()
    {
        final byte[] reason = new byte[buffer.getShort(offset + REASON_OFFSET, BYTE_ORDER) & 0xFFFF];
        buffer.getBytes(offset + REASON_OFFSET + 2, reason);
        return new String(reason, StandardCharsets.UTF_8);
    }

    /**
     * @return the raw body as received, possibly truncated (allocates).
     */
    public byte[] body()
    {
        final int bodyOffset = offset + REASON_OFFSET + 2 + (buffer.getShort(offset + REASON_OFFSET,
            BYTE_ORDER) & 0xFFFF);
        final byte[] body = new byte[buffer.getInt(bodyOffset, BYTE_ORDER)];
        buffer.getBytes(bodyOffset + 4, body);
        return body;
    }
}
