package dev.ricochet.ingest;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static dev.ricochet.ingest.EventHeaderDescriptor.BYTE_ORDER;
import static dev.ricochet.ingest.EventHeaderDescriptor.HEADER_LENGTH;
import static dev.ricochet.ingest.EventHeaderDescriptor.MAX_EVENT_LENGTH;
import static dev.ricochet.ingest.EventHeaderDescriptor.TIMESTAMP_OFFSET;
import static dev.ricochet.ingest.EventHeaderDescriptor.TYPE_CATALOG;

/**
 * Flyweight over an admin change carried as a UTF-8 JSON document: a catalog upsert (program, partner, link,
 * coupon), a ledger command (payout run, payout approval, commission review) or a clock tick.
 *
 * <pre>
 *   0              12       13                16                  20
 *   | header        | kind   | (pad)           | length (i32)      | JSON bytes ...
 * </pre>
 *
 * Admin changes are rare and travel through the journal so that the catalog and the ledger, like every other piece
 * of aggregator state, are rebuilt by replay; plain JSON keeps them readable in a journal dump. Clock ticks put the
 * passage of time into the journal too: commissions are approved and tiers reviewed when the journal's time says
 * so, never when a replay happens to run.
 */
public final class CatalogEventFlyweight
{
    /**
     * An upserted program.
     */
    public static final byte KIND_PROGRAM = 1;

    /**
     * An upserted partner.
     */
    public static final byte KIND_PARTNER = 2;

    /**
     * An upserted link.
     */
    public static final byte KIND_LINK = 3;

    /**
     * An upserted coupon code.
     */
    public static final byte KIND_COUPON = 4;

    /**
     * A request to build a payout run for a program.
     */
    public static final byte KIND_PAYOUT_RUN = 5;

    /**
     * Finance's approval of a payout run: it is paid.
     */
    public static final byte KIND_PAYOUT_APPROVAL = 6;

    /**
     * Finance's hold, release or void of one commission.
     */
    public static final byte KIND_COMMISSION_REVIEW = 7;

    /**
     * The clock passed an hour with nothing else in the journal: time-driven ledger work (approvals after the hold
     * period, tier reviews) is due up to the event's timestamp.
     */
    public static final byte KIND_CLOCK_TICK = 8;

    /**
     * An admin change with who made it: an envelope around one of the other kinds (or a command of part 8), which the
     * aggregator applies and records in the audit trail. Its document may be split over {@link #KIND_COMMAND_PART}
     * events that precede it.
     */
    public static final byte KIND_ADMIN_CHANGE = 9;

    /**
     * One part of an admin change too large for one event, held until the envelope that names it arrives.
     */
    public static final byte KIND_COMMAND_PART = 10;

    /**
     * An upserted or deleted saved segment (a named partner filter).
     */
    public static final byte KIND_SEGMENT = 11;

    /**
     * A named API token created or revoked (only its hash is journaled).
     */
    public static final byte KIND_TOKEN = 12;

    /**
     * A bulk change of partners (a segment or an id list): all or nothing.
     */
    public static final byte KIND_BULK = 13;

    /**
     * A CSV import of partners or links: all or nothing.
     */
    public static final byte KIND_IMPORT = 14;

    /**
     * Largest JSON document a catalog event carries.
     */
    public static final int MAX_DOCUMENT_LENGTH = MAX_EVENT_LENGTH - 20;

    static final int KIND_OFFSET = HEADER_LENGTH;
    static final int DOCUMENT_LENGTH_OFFSET = 16;
    static final int DOCUMENT_OFFSET = 20;

    private DirectBuffer buffer;
    private int offset;

    /**
     * Encode a catalog change into a buffer.
     *
     * @param buffer      to write into, with room for the document plus 20 bytes.
     * @param offset      at which the event starts.
     * @param timestampMs time of the change in epoch milliseconds.
     * @param kind        one of the {@code KIND_*} constants.
     * @param document    UTF-8 JSON of the entity, at most {@link #MAX_DOCUMENT_LENGTH} bytes.
     * @return the encoded length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long timestampMs,
        final byte kind,
        final byte[] document)
    {
        if (document.length > MAX_DOCUMENT_LENGTH)
        {
            throw new IllegalArgumentException("catalog document over " + MAX_DOCUMENT_LENGTH + " bytes");
        }
        final int length = DOCUMENT_OFFSET + document.length;
        EventHeaderDescriptor.putHeader(buffer, offset, TYPE_CATALOG, timestampMs);
        EventHeaderDescriptor.putLength(buffer, offset, length);
        buffer.putByte(offset + KIND_OFFSET, kind);
        buffer.putInt(offset + DOCUMENT_LENGTH_OFFSET, document.length, BYTE_ORDER);
        buffer.putBytes(offset + DOCUMENT_OFFSET, document);
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
    public CatalogEventFlyweight wrap(final DirectBuffer buffer, final int offset)
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
     * @throws MalformedEventException if it is not a catalog event, or its document's length runs past the event
     *                                 or the bytes available.
     */
    public CatalogEventFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final int eventLength = EventHeaderDescriptor.checkHeader(
            buffer, offset, length, DOCUMENT_OFFSET, TYPE_CATALOG, TYPE_CATALOG);
        final int documentLength = buffer.getInt(offset + DOCUMENT_LENGTH_OFFSET, BYTE_ORDER);
        if (documentLength < 0 || documentLength > eventLength - DOCUMENT_OFFSET)
        {
            // Unchecked, a negative or huge length would allocate that many bytes (or fail to) in document().
            throw new MalformedEventException("catalog document of " + documentLength + " bytes in an event of " +
                eventLength);
        }
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * @return time of the change in epoch milliseconds.
     */
    public long timestampMs()
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET, BYTE_ORDER);
    }

    /**
     * @return one of the {@code KIND_*} constants.
     */
    public byte kind()
    {
        return buffer.getByte(offset + KIND_OFFSET);
    }

    /**
     * @return a copy of the JSON document.
     */
    public byte[] document()
    {
        final byte[] document = new byte[buffer.getInt(offset + DOCUMENT_LENGTH_OFFSET, BYTE_ORDER)];
        buffer.getBytes(offset + DOCUMENT_OFFSET, document);
        return document;
    }
}
