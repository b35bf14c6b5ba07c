package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.InvalidSpecException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque cursor of a list (part 8 item 1, lists): base64url (no padding) of a version, the list it belongs to
 * and the sort key of the last item of the page, which the next page starts after. A cursor names a position in
 * the sort order, not an offset, so items inserted meanwhile never shift a page, and it is stable across restarts
 * and replays. A cursor that does not decode, or belongs to another list (or another order of the same list), is a
 * 400 naming {@code cursor}.
 */
final class ListCursor
{
    /**
     * Longest cursor accepted, in characters: far above any real one (a 200-character id and a time).
     */
    static final int MAX_LENGTH = 1024;

    private static final byte VERSION = 1;

    /**
     * The lists, each with its own tag: a cursor of one is refused by another.
     */
    enum ListName
    {
        /** A program's links. */
        LINKS('l'),
        /** A program's coupons. */
        COUPONS('c'),
        /** A program's conversions, newest first. */
        CONVERSIONS_DESC('d'),
        /** A program's conversions, oldest first. */
        CONVERSIONS_ASC('a'),
        /** A program's payout runs. */
        PAYOUT_RUNS('r');

        private final byte tag;

        ListName(final char tag)
        {
            this.tag = (byte)tag;
        }
    }

    private ListCursor()
    {
    }

    /**
     * @param list the list.
     * @param text the sort key of the last item (a code, a period).
     * @return the cursor.
     */
    static String of(final ListName list, final String text)
    {
        return encode(list, ByteBuffer.allocate(0), text);
    }

    /**
     * @param list   the list.
     * @param timeMs the time of the last item.
     * @param text   its id.
     * @return the cursor.
     */
    static String of(final ListName list, final long timeMs, final String text)
    {
        return encode(list, ByteBuffer.allocate(8).putLong(timeMs).flip(), text);
    }

    /**
     * @param list   the list the request reads.
     * @param cursor the cursor given, or null.
     * @return the text it holds, or null for the first page.
     * @throws InvalidSpecException if it is malformed or another list's (a 400).
     */
    static String text(final ListName list, final String cursor)
    {
        final ByteBuffer payload = payload(list, cursor);
        return null == payload ? null : utf8(payload);
    }

    /**
     * @param list   the list the request reads.
     * @param cursor the cursor given, or null.
     * @return the time and id it holds, or null for the first page.
     * @throws InvalidSpecException if it is malformed or another list's (a 400).
     */
    static TimeAndId timeAndId(final ListName list, final String cursor)
    {
        final ByteBuffer payload = payload(list, cursor);
        if (null == payload)
        {
            return null;
        }
        try
        {
            final long timeMs = payload.getLong();
            return new TimeAndId(timeMs, utf8(payload));
        }
        catch (final BufferUnderflowException ex)
        {
            throw malformed();
        }
    }

    /**
     * A position in a time-ordered list.
     *
     * @param timeMs the time of the last item.
     * @param id     its id.
     */
    record TimeAndId(long timeMs, String id)
    {
    }

    private static String encode(final ListName list, final ByteBuffer prefix, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer buffer = ByteBuffer.allocate(2 + prefix.remaining() + bytes.length)
            .put(VERSION).put(list.tag).put(prefix).put(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    private static ByteBuffer payload(final ListName list, final String cursor)
    {
        if (null == cursor)
        {
            return null;
        }
        if (cursor.isEmpty() || cursor.length() > MAX_LENGTH)
        {
            throw malformed();
        }
        final byte[] bytes;
        try
        {
            bytes = Base64.getUrlDecoder().decode(cursor);
        }
        catch (final IllegalArgumentException ex)
        {
            throw malformed();
        }
        if (bytes.length < 2 || VERSION != bytes[0] || list.tag != bytes[1])
        {
            throw malformed();
        }
        return ByteBuffer.wrap(bytes, 2, bytes.length - 2);
    }

    private static String utf8(final ByteBuffer bytes)
    {
        try
        {
            final String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
            if (text.isEmpty())
            {
                throw malformed();
            }
            return text;
        }
        catch (final CharacterCodingException ex)
        {
            throw malformed();
        }
    }

    private static InvalidSpecException malformed()
    {
        return new InvalidSpecException("cursor is malformed: pass the 'next' of the previous page of this list, " +
            "with the same order");
    }
}
