package dev.ricochet.ingest;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

import static dev.ricochet.ingest.EventHeaderDescriptor.BYTE_ORDER;
import static dev.ricochet.ingest.EventHeaderDescriptor.HEADER_LENGTH;
import static dev.ricochet.ingest.EventHeaderDescriptor.TIMESTAMP_OFFSET;
import static dev.ricochet.ingest.EventHeaderDescriptor.TYPE_CONVERSION;

/**
 * Flyweight over a conversion: a money (or lead) event from a checkout, reported by a webhook, the API or a postback.
 *
 * <pre>
 *   0        12     13      14      16         20           24             32                 48
 *   | header | kind |source| flags | program  | currency(3)| amount (i64) | clickId (2xi64)  |
 *   48                 64             72
 *   | visitorId (2xi64)| reportedMs   | externalId | originalExternalId | customerId | coupon  (each u16 + bytes)
 * </pre>
 *
 * The header's timestamp is when the edge received it: the only time the aggregator's clocks follow.
 * {@code reportedMs} is the sender's own time for it (Stripe's {@code created}, Shopify's {@code created_at}),
 * bounded by the edge to a window around the receive time (docs/time.md), or the receive time if it reported none:
 * data, never a clock. (Journals written before issue 15 hold the two the other way round: the sender's time in the
 * header, the receive time here; the aggregator bounds every header time it reads, see {@code AggregatorAgent}.)
 * {@code externalId} is the idempotency key within the program; a refund or chargeback names the sale it reverses in
 * {@code originalExternalId}. Amounts are minor units of {@code currency}; a refund's amount is the refunded amount,
 * positive.
 */
public final class ConversionEventFlyweight
{
    /**
     * A lead (sign-up, trial); amount usually 0.
     */
    public static final byte KIND_LEAD = 1;

    /**
     * A first sale.
     */
    public static final byte KIND_SALE = 2;

    /**
     * A recurring invoice of an already attributed customer.
     */
    public static final byte KIND_RECURRING = 3;

    /**
     * A refund of (part of) an earlier conversion.
     */
    public static final byte KIND_REFUND = 4;

    /**
     * A chargeback of an earlier conversion.
     */
    public static final byte KIND_CHARGEBACK = 5;

    /**
     * From {@code POST /v1/conversions}.
     */
    public static final byte SOURCE_API = 1;

    /**
     * From {@code GET /postback}.
     */
    public static final byte SOURCE_POSTBACK = 2;

    /**
     * From a Stripe webhook.
     */
    public static final byte SOURCE_STRIPE = 3;

    /**
     * From a Shopify webhook.
     */
    public static final byte SOURCE_SHOPIFY = 4;

    /**
     * Reported by the browser through the pixel ({@code /p.gif?e=conversion}); derived by the aggregator from the
     * pixel hit, never journaled as such.
     */
    public static final byte SOURCE_PIXEL = 5;

    /**
     * The conversion carries a click id.
     */
    public static final short FLAG_HAS_CLICK_ID = 1;

    /**
     * The conversion carries a visitor id (a browser-reported conversion with the visitor cookie).
     */
    public static final short FLAG_HAS_VISITOR_ID = 2;

    /**
     * A reversal whose amount is the total reversed so far (Stripe's {@code amount_refunded}), not an increment:
     * applying it twice, or two of them out of order, reverses the largest total once.
     */
    public static final short FLAG_CUMULATIVE_REVERSAL = 4;

    /**
     * Longest external id, customer id or original external id kept.
     */
    public static final int MAX_ID_LENGTH = 255;

    /**
     * Longest coupon code kept.
     */
    public static final int MAX_COUPON_LENGTH = 64;

    /**
     * Largest encoded conversion.
     */
    public static final int MAX_LENGTH = 72 + 8 + 3 * MAX_ID_LENGTH + MAX_COUPON_LENGTH;

    static final int KIND_OFFSET = HEADER_LENGTH;
    static final int SOURCE_OFFSET = 13;
    static final int FLAGS_OFFSET = 14;
    static final int PROGRAM_OFFSET = 16;
    static final int CURRENCY_OFFSET = 20;
    static final int AMOUNT_OFFSET = 24;
    static final int CLICK_ID_HI_OFFSET = 32;
    static final int CLICK_ID_LO_OFFSET = 40;
    static final int VISITOR_ID_HI_OFFSET = 48;
    static final int VISITOR_ID_LO_OFFSET = 56;
    static final int REPORTED_OFFSET = 64;
    static final int VAR_FIELDS_OFFSET = 72;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutableBuffer;
    private int offset;
    private int limit;
    private int eventEnd;

    /**
     * Wrap a buffer to write a new conversion and write its header and fixed fields.
     *
     * @param buffer        to write into, with room for {@link #MAX_LENGTH} bytes from offset.
     * @param offset        at which the event starts.
     * @param timestampMs   when the edge received it, epoch milliseconds: the header time.
     * @param reportedMs    the sender's own time for it, bounded (or the receive time).
     * @param kind          one of the {@code KIND_*} constants.
     * @param source        one of the {@code SOURCE_*} constants.
     * @param programNumber catalog number of the program.
     * @param currency      ISO-4217 code, 3 ASCII letters.
     * @param amountMinor   amount in minor units.
     * @return this for a fluent API.
     */
    public ConversionEventFlyweight wrapForEncode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long timestampMs,
        final long reportedMs,
        final byte kind,
        final byte source,
        final int programNumber,
        final CharSequence currency,
        final long amountMinor)
    {
        this.buffer = buffer;
        this.mutableBuffer = buffer;
        this.offset = offset;
        buffer.setMemory(offset, VAR_FIELDS_OFFSET, (byte)0);
        EventHeaderDescriptor.putHeader(buffer, offset, TYPE_CONVERSION, timestampMs);
        buffer.putByte(offset + KIND_OFFSET, kind);
        buffer.putByte(offset + SOURCE_OFFSET, source);
        buffer.putInt(offset + PROGRAM_OFFSET, programNumber, BYTE_ORDER);
        for (int i = 0; i < 3; i++)
        {
            buffer.putByte(offset + CURRENCY_OFFSET + i, (byte)currency.charAt(i));
        }
        buffer.putLong(offset + AMOUNT_OFFSET, amountMinor, BYTE_ORDER);
        buffer.putLong(offset + REPORTED_OFFSET, reportedMs, BYTE_ORDER);
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
    public ConversionEventFlyweight wrap(final DirectBuffer buffer, final int offset)
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
     * @throws MalformedEventException if it is not a conversion, or a length in it runs past the event or the bytes
     *                                 available.
     */
    public ConversionEventFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final int eventLength = EventHeaderDescriptor.checkHeader(
            buffer, offset, length, VAR_FIELDS_OFFSET, TYPE_CONVERSION, TYPE_CONVERSION);
        VarFields.check(buffer, offset + VAR_FIELDS_OFFSET, 4, offset + eventLength);
        this.buffer = buffer;
        this.mutableBuffer = null;
        this.offset = offset;
        this.limit = offset + VAR_FIELDS_OFFSET;
        this.eventEnd = offset + eventLength;
        return this;
    }

    /**
     * @param hi high bits of the click id the checkout passed back.
     * @param lo low bits of the click id.
     * @return this for a fluent API.
     */
    public ConversionEventFlyweight clickId(final long hi, final long lo)
    {
        mutableBuffer.putLong(offset + CLICK_ID_HI_OFFSET, hi, BYTE_ORDER);
        mutableBuffer.putLong(offset + CLICK_ID_LO_OFFSET, lo, BYTE_ORDER);
        return addFlag(FLAG_HAS_CLICK_ID);
    }

    /**
     * @param hi high bits of the visitor id from the cookie.
     * @param lo low bits of the visitor id.
     * @return this for a fluent API.
     */
    public ConversionEventFlyweight visitorId(final long hi, final long lo)
    {
        mutableBuffer.putLong(offset + VISITOR_ID_HI_OFFSET, hi, BYTE_ORDER);
        mutableBuffer.putLong(offset + VISITOR_ID_LO_OFFSET, lo, BYTE_ORDER);
        return addFlag(FLAG_HAS_VISITOR_ID);
    }

    /**
     * Mark a reversal's amount as the cumulative total reversed, see {@link #FLAG_CUMULATIVE_REVERSAL}.
     *
     * @return this for a fluent API.
     */
    public ConversionEventFlyweight cumulativeReversal()
    {
        return addFlag(FLAG_CUMULATIVE_REVERSAL);
    }

    /**
     * Append the variable fields, in layout order; null means absent (empty).
     *
     * @param externalId         idempotency key within the program (order id, event id).
     * @param originalExternalId for a refund or chargeback, the external id of the conversion it reverses.
     * @param customerId         the checkout's customer id.
     * @param coupon             coupon or discount code used.
     * @return this for a fluent API.
     */
    public ConversionEventFlyweight ids(
        final String externalId, final String originalExternalId, final String customerId, final String coupon)
    {
        putString(externalId, MAX_ID_LENGTH);
        putString(originalExternalId, MAX_ID_LENGTH);
        putString(customerId, MAX_ID_LENGTH);
        putString(coupon, MAX_COUPON_LENGTH);
        return this;
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
     * @return when the edge received it, epoch milliseconds (the header time).
     */
    public long timestampMs()
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET, BYTE_ORDER);
    }

    /**
     * @return the sender's own time for the conversion, bounded by the edge: data, never a clock.
     */
    public long reportedMs()
    {
        return buffer.getLong(offset + REPORTED_OFFSET, BYTE_ORDER);
    }

    /**
     * @return one of the {@code KIND_*} constants.
     */
    public byte kind()
    {
        return buffer.getByte(offset + KIND_OFFSET);
    }

    /**
     * @return one of the {@code SOURCE_*} constants.
     */
    public byte source()
    {
        return buffer.getByte(offset + SOURCE_OFFSET);
    }

    /**
     * @param flag one of the {@code FLAG_*} constants.
     * @return true if set.
     */
    public boolean hasFlag(final short flag)
    {
        return (buffer.getShort(offset + FLAGS_OFFSET, BYTE_ORDER) & flag) != 0;
    }

    /**
     * @return catalog number of the program.
     */
    public int programNumber()
    {
        return buffer.getInt(offset + PROGRAM_OFFSET, BYTE_ORDER);
    }

    /**
     * @return the ISO-4217 currency (allocates).
     */
    public String currency()
    {
        final byte[] code = new byte[3];
        buffer.getBytes(offset + CURRENCY_OFFSET, code);
        return new String(code, StandardCharsets.US_ASCII);
    }

    /**
     * @return amount in minor units.
     */
    public long amountMinor()
    {
        return buffer.getLong(offset + AMOUNT_OFFSET, BYTE_ORDER);
    }

    /**
     * @return high bits of the click id (valid if {@link #FLAG_HAS_CLICK_ID}).
     */
    public long clickIdHi()
    {
        return buffer.getLong(offset + CLICK_ID_HI_OFFSET, BYTE_ORDER);
    }

    /**
     * @return low bits of the click id.
     */
    public long clickIdLo()
    {
        return buffer.getLong(offset + CLICK_ID_LO_OFFSET, BYTE_ORDER);
    }

    /**
     * @return high bits of the visitor id (valid if {@link #FLAG_HAS_VISITOR_ID}).
     */
    public long visitorIdHi()
    {
        return buffer.getLong(offset + VISITOR_ID_HI_OFFSET, BYTE_ORDER);
    }

    /**
     * @return low bits of the visitor id.
     */
    public long visitorIdLo()
    {
        return buffer.getLong(offset + VISITOR_ID_LO_OFFSET, BYTE_ORDER);
    }

    /**
     * @return the external id (allocates).
     */
    public String externalId()
    {
        return getString(0);
    }

    /**
     * @return the reversed conversion's external id, or empty (allocates).
     */
    public String originalExternalId()
    {
        return getString(1);
    }

    /**
     * @return the customer id, or empty (allocates).
     */
    public String customerId()
    {
        return getString(2);
    }

    /**
     * @return the coupon code, or empty (allocates).
     */
    public String coupon()
    {
        return getString(3);
    }

    private ConversionEventFlyweight addFlag(final short flag)
    {
        final short flags = mutableBuffer.getShort(offset + FLAGS_OFFSET, BYTE_ORDER);
        mutableBuffer.putShort(offset + FLAGS_OFFSET, (short)(flags | flag), BYTE_ORDER);
        return this;
    }

    private void putString(final String value, final int maxLength)
    {
        limit = VarFields.putUtf8(mutableBuffer, limit, value, maxLength);
    }

    private String getString(final int fieldIndex)
    {
        return VarFields.get(buffer, offset + VAR_FIELDS_OFFSET, fieldIndex, eventEnd, StandardCharsets.UTF_8);
    }
}
