package dev.ricochet.aggregator.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Makes named tokens and their ids, and the one hash a token is known by. A token is {@value #PREFIX} and 256
 * random bits (base64url); only its SHA-256 is journaled and stored, so neither the journal nor the state holds a
 * secret. A plain hash suffices: the token is random, not a password, so its hash cannot be guessed back.
 */
public final class TokenSecrets
{
    /**
     * Prefix of every named token (bootstrap tokens start {@code rk_}, partner tokens {@code rp_}).
     */
    public static final String PREFIX = "rt_";

    /**
     * Longest string looked up as a named token: {@value #PREFIX} and 43 base64url characters, with room to spare.
     */
    public static final int MAX_TOKEN_LENGTH = 64;

    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSecrets()
    {
    }

    /**
     * @return a new token: {@value #PREFIX} and 256 random bits.
     */
    public static String newToken()
    {
        final byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /**
     * @return a new token id: {@code tk_} and 64 random bits in hex; not a secret.
     */
    public static String newId()
    {
        final byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        return "tk_" + HexFormat.of().formatHex(random);
    }

    /**
     * @param presented a bearer token.
     * @return true if it has the shape of a named token (and is short enough to be worth hashing).
     */
    public static boolean isNamedToken(final String presented)
    {
        return null != presented && presented.startsWith(PREFIX) && presented.length() <= MAX_TOKEN_LENGTH;
    }

    /**
     * @param token a token.
     * @return its SHA-256, lower-case hex.
     */
    public static String hash(final String token)
    {
        try
        {
            return HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }
}
