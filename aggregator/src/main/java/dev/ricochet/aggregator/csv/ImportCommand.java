package dev.ricochet.aggregator.csv;

import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.aggregator.catalog.PartnerSpec;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * An import as journaled (catalog kind {@code KIND_IMPORT}): the rows that change something, each with the entity
 * as it will be stored and a fingerprint of the entity it was merged onto. The aggregator applies all of them in one
 * commit or, if any entity changed since the file was checked (its fingerprint differs, or it appeared or went), none.
 *
 * @param programId the program imported into.
 * @param partners  partner rows, in file order (empty for a links import).
 * @param links     link rows, in file order (empty for a partners import).
 * @param unchanged rows of the file equal to what was stored, not journaled.
 */
public record ImportCommand(String programId, List<Row<PartnerSpec>> partners, List<Row<LinkSpec>> links,
    int unchanged)
{
    private static final int FINGERPRINT_BYTES = 16;

    /**
     * One row that changes something.
     *
     * @param id   the partner id or link code.
     * @param spec the entity as it will be stored.
     * @param base {@link #fingerprint} of the entity it was merged onto, or null for a new one.
     * @param <T>  the spec type.
     */
    public record Row<T>(String id, T spec, String base)
    {
    }

    /**
     * @param spec a stored spec, or null.
     * @return a short digest of its JSON, or null for null: equal for equal specs, read the same way in a replay.
     */
    public static String fingerprint(final Object spec)
    {
        if (null == spec)
        {
            return null;
        }
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(CatalogJson.write(spec));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                Arrays.copyOf(digest, FINGERPRINT_BYTES));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }
}
