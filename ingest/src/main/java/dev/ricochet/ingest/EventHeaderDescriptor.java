package dev.ricochet.ingest;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Layout of the fixed header that starts every journal event.
 *
 * <pre>
 *   0        1        2                 4                                   12
 *   +--------+--------+-----------------+-----------------------------------+
 *   |version |  type  |  length (u16)   |        timestampMs (i64)          |
 *   +--------+--------+-----------------+-----------------------------------+
 *   | type-specific fixed fields ...  | variable-length fields, each u16 length + bytes ...
 * </pre>
 *
 * All fields are little-endian. The version byte comes first so that the journal can outlive code changes: a
 * reader that does not know a version rejects the event rather than guessing its layout. A reader never trusts a
 * length it has not checked: the flyweights' {@code wrap} checks the event's length against the bytes available and
 * every variable field's length against the event's, and throws {@link MalformedEventException} otherwise.
 */
public final class EventHeaderDescriptor
{
    /**
     * Byte order of every field in an event.
     */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    /**
     * Current encoding version written by this code.
     */
    public static final byte CURRENT_VERSION = 1;

    /**
     * Offset of the version byte.
     */
    public static final int VERSION_OFFSET = 0;

    /**
     * Offset of the event type byte.
     */
    public static final int TYPE_OFFSET = 1;

    /**
     * Offset of the total encoded length (header included), an unsigned short.
     */
    public static final int LENGTH_OFFSET = 2;

    /**
     * Offset of the event time in epoch milliseconds.
     */
    public static final int TIMESTAMP_OFFSET = 4;

    /**
     * Length of the header in bytes.
     */
    public static final int HEADER_LENGTH = 12;

    /**
     * Largest event the journal accepts, header included.
     */
    public static final int MAX_EVENT_LENGTH = 65_535;

    /**
     * A click on a partner link, or a link preview (see {@link ClickEventFlyweight#FLAG_PREVIEW}).
     */
    public static final byte TYPE_CLICK = 1;

    /**
     * A pixel hit from the merchant's page; same layout as a click, without link fields.
     */
    public static final byte TYPE_PIXEL = 2;

    /**
     * A conversion (lead, sale, recurring invoice, refund, chargeback), see {@link ConversionEventFlyweight}.
     */
    public static final byte TYPE_CONVERSION = 3;

    /**
     * An admin change: the catalog (programs, partners, links, coupons), a ledger command or a clock tick, see
     * {@link CatalogEventFlyweight}.
     */
    public static final byte TYPE_CATALOG = 4;

    /**
     * Input that was received and authenticated but could not be used, kept with its reason, see
     * {@link DeadLetterEventFlyweight}.
     */
    public static final byte TYPE_DEAD_LETTER = 5;

    private EventHeaderDescriptor()
    {
    }

    /**
     * Write the version, type and timestamp of a new event; the length follows with {@link #putLength}.
     *
     * @param buffer      to write into.
     * @param offset      at which the event starts.
     * @param type        one of the {@code TYPE_*} constants.
     * @param timestampMs event time in epoch milliseconds.
     */
    public static void putHeader(
        final MutableDirectBuffer buffer, final int offset, final byte type, final long timestampMs)
    {
        buffer.putByte(offset + VERSION_OFFSET, CURRENT_VERSION);
        buffer.putByte(offset + TYPE_OFFSET, type);
        buffer.putLong(offset + TIMESTAMP_OFFSET, timestampMs, BYTE_ORDER);
    }

    /**
     * Write the total encoded length of an event, header included.
     *
     * @param buffer holding the event.
     * @param offset at which the event starts.
     * @param length encoded length, at most {@link #MAX_EVENT_LENGTH}.
     */
    public static void putLength(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        buffer.putShort(offset + LENGTH_OFFSET, (short)length, BYTE_ORDER);
    }

    /**
     * Check an event's header before any of its fields is read.
     *
     * @param buffer    holding the event.
     * @param offset    at which the event starts.
     * @param available bytes that belong to the event's slot from offset (the journal document's length); never
     *                  more than the buffer holds.
     * @param minLength the type's fixed part, with an empty variable field for each length prefix.
     * @param type      the type expected.
     * @param otherType another type sharing the layout, or {@code type} again.
     * @return the event's own length, between minLength and available.
     * @throws MalformedEventException if the event is shorter than its header, of another type, or its length is
     *                                 outside those bounds.
     */
    static int checkHeader(
        final DirectBuffer buffer,
        final int offset,
        final int available,
        final int minLength,
        final byte type,
        final byte otherType)
    {
        final int bytes = offset < 0 ? -1 : Math.min(available, buffer.capacity() - offset);
        if (bytes < HEADER_LENGTH)
        {
            throw new MalformedEventException("event at " + offset + " has " + bytes + " bytes, less than a header");
        }
        final byte actualType = buffer.getByte(offset + TYPE_OFFSET);
        if (type != actualType && otherType != actualType)
        {
            throw new MalformedEventException("event of type " + actualType + " read as type " + type);
        }
        final int length = buffer.getShort(offset + LENGTH_OFFSET, BYTE_ORDER) & 0xFFFF;
        if (length < minLength || length > bytes)
        {
            throw new MalformedEventException(
                "event of type " + actualType + " claims " + length + " bytes, outside " + minLength + ".." + bytes);
        }
        return length;
    }
}
