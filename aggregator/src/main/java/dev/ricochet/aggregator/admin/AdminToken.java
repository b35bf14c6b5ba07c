package dev.ricochet.aggregator.admin;

import dev.ricochet.ingest.OwnerOnly;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
                return new AdminToken(Files.readString(file, StandardCharsets.US_ASCII).trim(), false);
            }
            final byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            final String token = "rk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            OwnerOnly.directory(dataDir);
            try
            {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            catch (final UnsupportedOperationException ex)
            {
                Files.createFile(file);
            }
            Files.writeString(file, token + "\n", StandardCharsets.US_ASCII);
            return new AdminToken(token, true);
        }
        catch (final FileAlreadyExistsException ex)
        {
            return resolve(null, dataDir, fileName, key);
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
