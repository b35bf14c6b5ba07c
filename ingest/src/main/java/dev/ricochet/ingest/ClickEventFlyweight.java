package dev.ricochet.ingest;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

import static dev.ricochet.ingest.EventHeaderDescriptor.BYTE_ORDER;
import static dev.ricochet.ingest.EventHeaderDescriptor.HEADER_LENGTH;
import static dev.ricochet.ingest.EventHeaderDescriptor.TIMESTAMP_OFFSET;
import static dev.ricochet.ingest.EventHeaderDescriptor.TYPE_OFFSET;

/**
 * Flyweight over a click (or pixel hit) event; allocates nothing when wrapping, reading or writing fixed fields.
 *
 * <pre>
 *   0              12       14       16                 32                 48      52      56      60      64
 *   | header        | flags  | (pad)  | clickId (2xi64)  | visitorId (2xi64)| link  |partner|program| (pad) |
 *   64              72
 *   | ipHash (i64)  | query: u16 len + bytes | referrerHost: u16 len + bytes | userAgent: u16 len + bytes |
 * </pre>
 *
 * Usage: {@code wrapForEncode(buffer, 0, type, nowMs)}, set the fixed fields, then the variable fields in
 * declaration order (query, referrer host, user agent), then {@link #encodedLength()}. Reading: {@link #wrap}, then any
 * getter. Variable fields are truncated to their limits rather than rejected: a click is never lost for a long
 * user agent.
 */
public final class ClickEventFlyweight
{
    /**
     * Set for a HEAD request (link-preview fetchers): journaled, never counted as a click.
     */
    public static final short FLAG_PREVIEW = 1;

    /**
     * Set when the edge classified the user agent as a bot or crawler.
     */
    public static final short FLAG_BOT = 2;

    /**
     * Set when the edge issued a new visitor id for this request (no valid cookie came with it).
     */
    public static final short FLAG_NEW_VISITOR = 4;

    /**
     * Longest query string kept (sub-ids, utm_* parameters), in bytes.
     */
    public static final int MAX_QUERY_LENGTH = 512;

    /**
     * Longest referrer host kept, in bytes (a DNS name is at most 253).
     */
    public static final int MAX_REFERRER_HOST_LENGTH = 253;

    /**
     * Longest user agent kept, in bytes.
     */
    public static final int MAX_USER_AGENT_LENGTH = 256;

    /**
     * Largest encoded click event.
     */
    public static final int MAX_LENGTH = 72 + 6 + MAX_QUERY_LENGTH + MAX_REFERRER_HOST_LENGTH + MAX_USER_AGENT_LENGTH;

    static final int FLAGS_OFFSET = HEADER_LENGTH;
    static final int CLICK_ID_HI_OFFSET = 16;
    static final int CLICK_ID_LO_OFFSET = 24;
    static final int VISITOR_ID_HI_OFFSET = 32;
    static final int VISITOR_ID_LO_OFFSET = 40;
    static final int LINK_ID_OFFSET = 48;
    static final int PARTNER_ID_OFFSET = 52;
    static final int PROGRAM_ID_OFFSET = 56;
    static final int IP_HASH_OFFSET = 64;
    static final int VAR_FIELDS_OFFSET = 72;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutableBuffer;
    private int offset;
    private int limit;
    private int eventEnd;

    /**
     * Wrap a buffer to write a new event and write its header.
     *
     * @param buffer      to write into, with room for {@link #MAX_LENGTH} bytes from offset.
     * @param offset      at which the event starts.
     * @param type        {@link EventHeaderDescriptor#TYPE_CLICK} or {@link EventHeaderDescriptor#TYPE_PIXEL}.
     * @param timestampMs event time in epoch milliseconds.
     * @return this for a fluent API.
     */
    public ClickEventFlyweight wrapForEncode(
        final MutableDirectBuffer buffer, final int offset, final byte type, final long timestampMs)
    {
        this.buffer = buffer;
        this.mutableBuffer = buffer;
        this.offset = offset;
        buffer.setMemory(offset, VAR_FIELDS_OFFSET, (byte)0);
        EventHeaderDescriptor.putHeader(buffer, offset, type, timestampMs);
        limit = offset + VAR_FIELDS_OFFSET;
        eventEnd = buffer.capacity();
        return this;
    }

    /**
     * Wrap an encoded event for reading, checking it fits in the rest of the buffer.
     *
     * @param buffer holding the event.
     * @param offset at which the event starts.
     * @return this for a fluent API.
     * @throws MalformedEventException as {@link #wrap(DirectBuffer, int, int)}.
     */
    public ClickEventFlyweight wrap(final DirectBuffer buffer, final int offset)
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
     * @throws MalformedEventException if it is not a click or pixel hit, or a length in it runs past the event or
     *                                 the bytes available.
     */
    public ClickEventFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final int eventLength = EventHeaderDescriptor.checkHeader(
            buffer, offset, length, VAR_FIELDS_OFFSET, EventHeaderDescriptor.TYPE_CLICK,
            EventHeaderDescriptor.TYPE_PIXEL);
        VarFields.check(buffer, offset + VAR_FIELDS_OFFSET, 3, offset + eventLength);
        this.buffer = buffer;
        this.mutableBuffer = null;
        this.offset = offset;
        this.limit = offset + VAR_FIELDS_OFFSET;
        this.eventEnd = offset + eventLength;
        return this;
    }

    /**
     * @return the event type from the header.
     */
    public byte type()
    {
        return buffer.getByte(offset + TYPE_OFFSET);
    }

    /**
     * @return event time in epoch milliseconds.
     */
    public long timestampMs()
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET, BYTE_ORDER);
    }

    /**
     * @return the flag bits, see the {@code FLAG_*} constants.
     */
    public short flags()
    {
        return buffer.getShort(offset + FLAGS_OFFSET, BYTE_ORDER);
    }

    /**
     * @param flags the flag bits to set.
     * @return this for a fluent API.
     */
    public ClickEventFlyweight flags(final short flags)
    {
        mutableBuffer.putShort(offset + FLAGS_OFFSET, flags, BYTE_ORDER);
        return this;
    }

    /**
     * @param flag one of the {@code FLAG_*} constants.
     * @return true if the flag is set.
     */
    public boolean hasFlag(final short flag)
    {
        return (flags() & flag) != 0;
    }

    /**
     * @param hi high 64 bits of the click id.
     * @param lo low 64 bits of the click id.
     * @return this for a fluent API.
     */
    public ClickEventFlyweight clickId(final long hi, final long lo)
    {
        mutableBuffer.putLong(offset + CLICK_ID_HI_OFFSET, hi, BYTE_ORDER);
        mutableBuffer.putLong(offset + CLICK_ID_LO_OFFSET, lo, BYTE_ORDER);
        return this;
    }

    /**
     * @return high 64 bits of the click id.
     */
    public long clickIdHi()
    {
        return buffer.getLong(offset + CLICK_ID_HI_OFFSET, BYTE_ORDER);
    }

    /**
     * @return low 64 bits of the click id.
     */
    public long clickIdLo()
    {
        return buffer.getLong(offset + CLICK_ID_LO_OFFSET, BYTE_ORDER);
    }

    /**
     * @param hi high 64 bits of the visitor id.
     * @param lo low 64 bits of the visitor id.
     * @return this for a fluent API.
     */
    public ClickEventFlyweight visitorId(final long hi, final long lo)
    {
        mutableBuffer.putLong(offset + VISITOR_ID_HI_OFFSET, hi, BYTE_ORDER);
        mutableBuffer.putLong(offset + VISITOR_ID_LO_OFFSET, lo, BYTE_ORDER);
        return this;
    }

    /**
     * @return high 64 bits of the visitor id.
     */
    public long visitorIdHi()
    {
        return buffer.getLong(offset + VISITOR_ID_HI_OFFSET, BYTE_ORDER);
    }

    /**
     * @return low 64 bits of the visitor id.
     */
    public long visitorIdLo()
    {
        return buffer.getLong(offset + VISITOR_ID_LO_OFFSET, BYTE_ORDER);
    }

    /**
     * @param linkId    catalog number of the link.
     * @param partnerId catalog number of the link's partner.
     * @param programId catalog number of the partner's program.
     * @return this for a fluent API.
     */
    public ClickEventFlyweight link(final int linkId, final int partnerId, final int programId)
    {
        mutableBuffer.putInt(offset + LINK_ID_OFFSET, linkId, BYTE_ORDER);
        mutableBuffer.putInt(offset + PARTNER_ID_OFFSET, partnerId, BYTE_ORDER);
        mutableBuffer.putInt(offset + PROGRAM_ID_OFFSET, programId, BYTE_ORDER);
        return this;
    }

    /**
     * @return catalog number of the link, 0 for a pixel hit.
     */
    public int linkId()
    {
        return buffer.getInt(offset + LINK_ID_OFFSET, BYTE_ORDER);
    }

    /**
     * @return catalog number of the partner, 0 for a pixel hit.
     */
    public int partnerId()
    {
        return buffer.getInt(offset + PARTNER_ID_OFFSET, BYTE_ORDER);
    }

    /**
     * @return catalog number of the program, 0 for a pixel hit.
     */
    public int programId()
    {
        return buffer.getInt(offset + PROGRAM_ID_OFFSET, BYTE_ORDER);
    }

    /**
     * @param ipHash keyed hash of the client address (the address itself is never journaled).
     * @return this for a fluent API.
     */
    public ClickEventFlyweight ipHash(final long ipHash)
    {
        mutableBuffer.putLong(offset + IP_HASH_OFFSET, ipHash, BYTE_ORDER);
        return this;
    }

    /**
     * @return keyed hash of the client address.
     */
    public long ipHash()
    {
        return buffer.getLong(offset + IP_HASH_OFFSET, BYTE_ORDER);
    }

    /**
     * Append the raw query string (sub-ids, utm_* parameters); first of the variable fields.
     *
     * @param query the query without the leading '?', possibly empty.
     * @return this for a fluent API.
     */
    public ClickEventFlyweight query(final CharSequence query)
    {
        return putAscii(query, MAX_QUERY_LENGTH);
    }

    /**
     * Append the raw query string from where it lies in the request target, without copying it out first.
     *
     * @param text  text holding the query, such as the request target.
     * @param start index of the query's first character (after the '?').
     * @param end   index after its last character.
     * @return this for a fluent API.
     */
    public ClickEventFlyweight query(final CharSequence text, final int start, final int end)
    {
        limit = VarFields.putAscii(mutableBuffer, limit, text, start, end, MAX_QUERY_LENGTH);
        return this;
    }

    /**
     * Append the referrer's host from where it lies in the Referer header, without copying it out first.
     *
     * @param text  text holding the host, such as the Referer header; null for none.
     * @param start index of the host's first character.
     * @param end   index after its last character.
     * @return this for a fluent API.
     */
    public ClickEventFlyweight referrerHost(final CharSequence text, final int start, final int end)
    {
        limit = VarFields.putAscii(mutableBuffer, limit, text, start, end, MAX_REFERRER_HOST_LENGTH);
        return this;
    }

    /**
     * Append the referrer's host; second of the variable fields.
     *
     * @param referrerHost the host, possibly empty.
     * @return this for a fluent API.
     */
    public ClickEventFlyweight referrerHost(final CharSequence referrerHost)
    {
        return putAscii(referrerHost, MAX_REFERRER_HOST_LENGTH);
    }

    /**
     * Append the user agent; last of the variable fields.
     *
     * @param userAgent the user agent, possibly empty.
     * @return this for a fluent API.
     */
    public ClickEventFlyweight userAgent(final CharSequence userAgent)
    {
        return putAscii(userAgent, MAX_USER_AGENT_LENGTH);
    }

    /**
     * Finish encoding: writes the total length into the header.
     *
     * @return the encoded length in bytes.
     */
    public int encodedLength()
    {
        final int length = limit - offset;
        EventHeaderDescriptor.putLength(mutableBuffer, offset, length);
        return length;
    }

    /**
     * @return the query string of a decoded event (allocates; not for the hot path).
     */
    public String query()
    {
        return getAscii(0);
    }

    /**
     * @return the referrer host of a decoded event (allocates; not for the hot path).
     */
    public String referrerHost()
    {
        return getAscii(1);
    }

    /**
     * @return the user agent of a decoded event (allocates; not for the hot path).
     */
    public String userAgent()
    {
        return getAscii(2);
    }

    private ClickEventFlyweight putAscii(final CharSequence value, final int maxLength)
    {
        limit = VarFields.putAscii(mutableBuffer, limit, value, maxLength);
        return this;
    }

    private String getAscii(final int fieldIndex)
    {
        return VarFields.get(buffer, offset + VAR_FIELDS_OFFSET, fieldIndex, eventEnd, StandardCharsets.US_ASCII);
    }
}
