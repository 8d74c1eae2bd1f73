package io.triggerdeploy.common;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signature checks for inbound hooks, all in constant time. */
public final class Signatures {

    private Signatures() {
    }

    /** HMAC of the raw body as lower-case hex. */
    public static String hmacHex(String algorithm, String secret, byte[] body) {
        String mac = switch (algorithm) {
            case "sha1" -> "HmacSHA1";
            case "sha512" -> "HmacSHA512";
            default -> "HmacSHA256";
        };
        try {
            Mac m = Mac.getInstance(mac);
            m.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), mac));
            return HexFormat.of().formatHex(m.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether {@code presented} (hex, optionally prefixed {@code sha256=} like GitHub's) is the HMAC of the body.
     * A missing or malformed header is simply a mismatch.
     */
    public static boolean hmacMatches(String algorithm, String secret, byte[] body, String presented) {
        if (presented == null || secret == null) {
            return false;
        }
        String value = presented.trim();
        int eq = value.indexOf('=');
        if (eq > 0 && eq < 10) {
            value = value.substring(eq + 1);
        }
        String expected = hmacHex(algorithm, secret, body);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                value.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    /** Compares a presented token with a stored SHA-256 (GitLab's X-Gitlab-Token). */
    public static boolean tokenMatches(String storedSha256, String presented) {
        if (presented == null || storedSha256 == null) {
            return false;
        }
        return MessageDigest.isEqual(storedSha256.getBytes(StandardCharsets.US_ASCII),
                sha256(presented).getBytes(StandardCharsets.US_ASCII));
    }

    public static String sha256(String value) {
        return sha256(value.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
