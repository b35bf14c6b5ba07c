package dev.ricochet.tracker;

import dev.ricochet.ingest.OwnerOnly;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The server secret that signs visitor cookies: a 128-bit SipHash key. A visitor id is an attribution key, so a
 * cookie the edge did not issue (a forged or guessed id) must not be taken for one it did ({@link VisitorCookie}).
 *
 * <p>Kept in the data directory ({@code visitor.key}, 16 bytes, owner-only) so cookies outlive a restart; losing or
 * replacing the file gives every returning visitor a new id once.
 *
 * @param k0 first half of the key.
 * @param k1 second half of the key.
 */
public record VisitorKey(long k0, long k1)
{
    static final int KEY_BYTES = 16;

    /**
     * @return a new random key, kept in memory only (tests, and an edge embedded without a data directory).
     */
    public static VisitorKey random()
    {
        final byte[] bytes = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        return of(bytes);
    }

    /**
     * @param file the key file: read if present, else made (16 random bytes, owner-only, synced).
     * @return the key.
     * @throws IOException if the file cannot be made or read, or does not hold exactly 16 bytes.
     */
    public static VisitorKey persistent(final Path file) throws IOException
    {
        if (!Files.exists(file))
        {
            final byte[] bytes = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(bytes);
            if (OwnerOnly.writeNew(file, bytes))
            {
                return of(bytes);
            }
        }
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException("visitor key " + file + " vanished while read", ex);
        }
        if (KEY_BYTES != bytes.length)
        {
            throw new IOException("visitor key " + file + " holds " + bytes.length + " bytes, not " + KEY_BYTES +
                ": restore it, or delete it to make a new one (every returning visitor then gets a new id once)");
        }
        OwnerOnly.setMode(file, OwnerOnly.FILE);
        return of(bytes);
    }

    /**
     * @param visitorHi the visitor id's high half.
     * @param visitorLo the visitor id's low half.
     * @return the visitor cookie's value this key signs for the id (allocates: for a harness that plays a returning
     * visitor).
     */
    public String cookieValue(final long visitorHi, final long visitorLo)
    {
        return VisitorCookie.value(this, visitorHi, visitorLo);
    }

    @Override
    public String toString()
    {
        return "VisitorKey[redacted]";
    }

    private static VisitorKey of(final byte[] bytes)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return new VisitorKey(buffer.getLong(0), buffer.getLong(8));
    }
}
