package dev.ricochet.aggregator.admin;

import dev.ricochet.ingest.OwnerOnly;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The admin bearer token: configured, or generated once and kept (owner-readable only) in the data directory.
 *
 * @param value       the token.
 * @param isGenerated true if this start generated it, so the launcher prints it once.
 */
public record AdminToken(String value, boolean isGenerated)
{
    /**
     * Name of the file holding a generated token.
     */
    public static final String FILE_NAME = "admin.token";

    /**
     * Name of the file holding a generated finance token.
     */
    public static final String FINANCE_FILE_NAME = "finance.token";

    /**
     * Name of the file holding a generated analyst token.
     */
    public static final String ANALYST_FILE_NAME = "analyst.token";

    /**
     * @param configured token from configuration, or null.
     * @param dataDir    where a generated token is kept.
     * @return the token to use.
     */
    public static AdminToken resolve(final String configured, final Path dataDir)
    {
        return resolve(configured, dataDir, FILE_NAME, "ricochet.admin.token");
    }

    /**
     * @param configured token from configuration, or null.
     * @param dataDir    where a generated token is kept.
     * @param fileName   file of the generated token.
     * @param key        configuration key, for messages.
     * @return the token to use.
     */
    public static AdminToken resolve(final String configured, final Path dataDir, final String fileName,
        final String key)
    {
        if (null != configured && !configured.isBlank())
        {
            if (configured.length() < 16)
            {
                throw new IllegalArgumentException(key + ": must be at least 16 characters");
            }
            return new AdminToken(configured.trim(), false);
        }
        final Path file = dataDir.resolve(fileName);
        try
        {
            if (Files.exists(file))
            {
                OwnerOnly.setMode(file, OwnerOnly.FILE);
                final String stored = Files.readString(file, StandardCharsets.US_ASCII).trim();
                if (stored.length() < 16)
                {
                    // An empty file (one created and never written, as a crash left it before the write below was
                    // atomic) failed every request with "Empty key"; a short one is guessable. Refused by name.
                    throw new IllegalArgumentException(file + ": holds no token of at least 16 characters; " +
                        "delete it to generate a new one, or set " + key);
                }
                return new AdminToken(stored, false);
            }
            final byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            final String token = "rk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            OwnerOnly.directory(dataDir);
            // Whole or not at all (a synced 0600 temporary file linked into place): a crash never leaves an empty one.
            if (!OwnerOnly.writeNew(file, (token + "\n").getBytes(StandardCharsets.US_ASCII)))
            {
                return resolve(null, dataDir, fileName, key); // made meanwhile by another start: use that one
            }
            return new AdminToken(token, true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read or create " + file, ex);
        }
    }

    /**
     * @param presented token from an Authorization header.
     * @return true if it matches, compared in constant time.
     */
    public boolean matches(final String presented)
    {
        return null != presented && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString()
    {
        return "AdminToken[redacted]";
    }
}
