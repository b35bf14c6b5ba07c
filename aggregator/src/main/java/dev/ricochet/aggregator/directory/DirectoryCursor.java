package dev.ricochet.aggregator.directory;

import dev.ricochet.aggregator.catalog.InvalidSpecException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a page of a partner list ended: the sort, its order, and the last partner's key and id. Opaque to clients
 * (base64url of a small binary record); the next page starts strictly after that key and id, so a page never repeats
 * or skips a partner whose key did not change, whatever is added meanwhile.
 *
 * @param sort       the list's sort.
 * @param descending the list's order.
 * @param key        the last partner's numeric key.
 * @param text       the last partner's text key (the lower-cased name for a name sort, else empty).
 * @param partnerId  the last partner's id.
 */
public record DirectoryCursor(DirectorySort sort, boolean descending, long key, String text, String partnerId)
{
    private static final byte VERSION = 1;
    private static final int MAX_TEXT_BYTES = 4096;

    /**
     * @return the cursor as a client passes it back.
     */
    public String encode()
    {
        final byte[] textBytes = text.getBytes(StandardCharsets.UTF_8);
        final byte[] idBytes = partnerId.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer buffer = ByteBuffer.allocate(3 + 8 + 2 + textBytes.length + 2 + idBytes.length);
        buffer.put(VERSION).put((byte)sort.ordinal()).put((byte)(descending ? 1 : 0)).putLong(key)
            .putShort((short)textBytes.length).put(textBytes).putShort((short)idBytes.length).put(idBytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    /**
     * @param value      a {@code cursor} parameter.
     * @param sort       the sort of the request.
     * @param descending the order of the request.
     * @return the cursor.
     * @throws InvalidSpecException naming {@code cursor} if it is malformed or from a list in another sort or order.
     */
    public static DirectoryCursor decode(final String value, final DirectorySort sort, final boolean descending)
    {
        final DirectoryCursor cursor;
        try
        {
            if (value.length() > 2 * MAX_TEXT_BYTES)
            {
                throw new IllegalArgumentException("too long");
            }
            final ByteBuffer buffer = ByteBuffer.wrap(Base64.getUrlDecoder().decode(value));
            if (VERSION != buffer.get())
            {
                throw new IllegalArgumentException("version");
            }
            final int sortOrdinal = buffer.get();
            final int order = buffer.get();
            if (sortOrdinal < 0 || sortOrdinal >= DirectorySort.values().length || (order != 0 && order != 1))
            {
                throw new IllegalArgumentException("sort");
            }
            final long key = buffer.getLong();
            final String text = string(buffer);
            final String id = string(buffer);
            if (buffer.hasRemaining() || id.isEmpty())
            {
                throw new IllegalArgumentException("trailing bytes");
            }
            cursor = new DirectoryCursor(DirectorySort.values()[sortOrdinal], 1 == order, key, text, id);
        }
        catch (final IllegalArgumentException | BufferUnderflowException | CharacterCodingException ex)
        {
            throw new InvalidSpecException("cursor: malformed; pass back the 'next' of the previous page as it is");
        }
        if (cursor.sort != sort || cursor.descending != descending)
        {
            throw new InvalidSpecException("cursor: it continues a list sorted by " + cursor.sort.parameter() + " " +
                (cursor.descending ? "desc" : "asc") + ", not this one");
        }
        return cursor;
    }

    private static String string(final ByteBuffer buffer) throws CharacterCodingException
    {
        final int length = Short.toUnsignedInt(buffer.getShort());
        if (length > buffer.remaining())
        {
            throw new IllegalArgumentException("length");
        }
        final ByteBuffer bytes = buffer.slice(buffer.position(), length);
        buffer.position(buffer.position() + length);
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
    }
}
