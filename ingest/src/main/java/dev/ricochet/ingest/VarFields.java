package dev.ricochet.ingest;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import static dev.ricochet.ingest.EventHeaderDescriptor.BYTE_ORDER;

/**
 * The variable-length tail of an event: fields written one after another, each a u16 length and its bytes.
 */
final class VarFields
{
    private VarFields()
    {
    }

    /**
     * Write printable ASCII, replacing anything else with '?', truncated to maxLength.
     *
     * @return the position after the field.
     */
    static int putAscii(final MutableDirectBuffer buffer, final int position, final CharSequence value,
        final int maxLength)
    {
        return putAscii(buffer, position, value, 0, null == value ? 0 : value.length(), maxLength);
    }

    /**
     * Write printable ASCII from {@code value[start, end)}, replacing anything else with '?', truncated to maxLength.
     *
     * @return the position after the field.
     */
    static int putAscii(
        final MutableDirectBuffer buffer,
        final int position,
        final CharSequence value,
        final int start,
        final int end,
        final int maxLength)
    {
        final int length = null == value ? 0 : Math.min(end - start, maxLength);
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(start + i);
            // The journal keeps only bytes a report can print safely.
            buffer.putByte(position + 2 + i, (byte)(c >= 0x20 && c < 0x7f ? c : '?'));
        }
        buffer.putShort(position, (short)length, BYTE_ORDER);
        return position + 2 + length;
    }

    /**
     * Write UTF-8, truncated to maxLength bytes (callers validate lengths first).
     *
     * @return the position after the field.
     */
    static int putUtf8(final MutableDirectBuffer buffer, final int position, final String value, final int maxLength)
    {
        final byte[] bytes = null == value ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
        final int length = Math.min(bytes.length, maxLength);
        buffer.putShort(position, (short)length, BYTE_ORDER);
        buffer.putBytes(position + 2, bytes, 0, length);
        return position + 2 + length;
    }

    /**
     * Check that {@code count} fields starting at firstField all end inside the event: a reader then never follows a
     * length out of it. A loop over a few u16 lengths, cheap enough for every read. Fields may be missing at the end
     * (a writer may stop after the last one it has): they read as empty.
     *
     * @param end position after the event's last byte.
     * @throws MalformedEventException if a field starts or ends past {@code end}.
     */
    static void check(final DirectBuffer buffer, final int firstField, final int count, final int end)
    {
        int position = firstField;
        for (int i = 0; i < count && position != end; i++)
        {
            if (position + 2 > end)
            {
                throw new MalformedEventException("variable field " + i + " starts past the end of its event");
            }
            position += 2 + (buffer.getShort(position, BYTE_ORDER) & 0xFFFF);
            if (position > end)
            {
                throw new MalformedEventException("variable field " + i + " runs past the end of its event");
            }
        }
    }

    /**
     * Read the field at fieldIndex (allocates), empty if the event ends before it; the fields were checked by
     * {@link #check} when the event was wrapped.
     *
     * @param end position after the event's last byte.
     */
    static String get(
        final DirectBuffer buffer, final int firstField, final int fieldIndex, final int end, final Charset charset)
    {
        int position = firstField;
        for (int i = 0; i < fieldIndex && position < end; i++)
        {
            position += 2 + (buffer.getShort(position, BYTE_ORDER) & 0xFFFF);
        }
        if (position >= end)
        {
            return "";
        }
        final byte[] bytes = new byte[buffer.getShort(position, BYTE_ORDER) & 0xFFFF];
        buffer.getBytes(position + 2, bytes);
        return new String(bytes, charset);
    }
}
