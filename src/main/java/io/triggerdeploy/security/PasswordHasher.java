package io.triggerdeploy.security;

import io.quarkus.elytron.security.common.BcryptUtil;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.bouncycastle.crypto.generators.SCrypt;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Hashes new passwords with bcrypt and checks bcrypt as well as the Werkzeug formats the Flask tool wrote
 * ({@code pbkdf2:sha256:N$salt$hex}, {@code scrypt:N:r:p$salt$hex}). Everything here is CPU-heavy: call it
 * from a worker thread, never from the event loop.
 */
@ApplicationScoped
public class PasswordHasher {

    private final int cost;
    private final String dummyHash;

    @Inject
    public PasswordHasher(AuthConfig config) {
        this(config.bcryptCost());
    }

    /** A hasher with an explicit cost (tests, and tools that hash outside the application). */
    public PasswordHasher(int cost) {
        this.cost = cost;
        this.dummyHash = dummyHash(cost);
    }

    /** Outcome of a check: whether it matched, and whether the stored hash should be replaced. */
    public record Check(boolean matches, boolean needsRehash) {
        public static final Check NO = new Check(false, false);
    }

    /**
     * The hash checked for unknown users, so that they cost the same time as a wrong password. A check's time
     * depends only on the cost in the hash, not on its salt or digest, so a cheap cost-4 hash with the cost field
     * set to ours takes a full-cost check to compare (and matches no password of ours): no full-cost hash at start.
     */
    static String dummyHash(int cost) {
        String cheap = BcryptUtil.bcryptHash("not-a-real-password-" + System.nanoTime(), 4);
        return cheap.substring(0, 4) + String.format(Locale.ROOT, "%02d", cost) + cheap.substring(6);
    }

    public String hash(String password) {
        return BcryptUtil.bcryptHash(password, cost);
    }

    public int cost() {
        return cost;
    }

    /** Spends the time of a real check, for unknown users. Always false. */
    public boolean burn(String password) {
        BcryptUtil.matches(password, dummyHash);
        return false;
    }

    public Check check(String password, String stored) {
        if (password == null || stored == null) {
            return Check.NO;
        }
        try {
            if (stored.startsWith("$2")) {
                boolean ok = BcryptUtil.matches(password, normaliseBcrypt(stored));
                return new Check(ok, ok && bcryptCost(stored) < cost);
            }
            if (stored.startsWith("pbkdf2:")) {
                return new Check(checkPbkdf2(password, stored), true);
            }
            if (stored.startsWith("scrypt:")) {
                return new Check(checkScrypt(password, stored), true);
            }
        } catch (RuntimeException | GeneralSecurityException e) {
            // a malformed stored hash is a failed login, not a server error
            return Check.NO;
        }
        return Check.NO;
    }

    /** Whether a string looks like a hash this class can check (used when importing users). */
    public static boolean isSupportedHash(String stored) {
        if (stored == null) {
            return false;
        }
        return stored.matches("^\\$2[abxy]?\\$\\d{2}\\$[./A-Za-z0-9]{53}$")
                || stored.matches("^pbkdf2:(sha1|sha256|sha512):\\d+\\$[^$]*\\$[0-9a-fA-F]+$")
                || stored.matches("^scrypt:\\d+:\\d+:\\d+\\$[^$]*\\$[0-9a-fA-F]+$");
    }

    static String normaliseBcrypt(String stored) {
        // $2b$ and $2y$ (PHP, htpasswd, Python bcrypt) are the same algorithm as $2a$ for valid input
        if (stored.startsWith("$2b$") || stored.startsWith("$2y$") || stored.startsWith("$2x$")) {
            return "$2a$" + stored.substring(4);
        }
        return stored;
    }

    static int bcryptCost(String stored) {
        int first = stored.indexOf('$', 1);
        return Integer.parseInt(stored.substring(first + 1, first + 3));
    }

    private static boolean checkPbkdf2(String password, String stored) throws GeneralSecurityException {
        // pbkdf2:sha256:600000$salt$hex  (Werkzeug: salt and password as UTF-8, key length = digest length)
        String[] parts = stored.split("\\$", -1);
        String[] method = parts[0].split(":");
        String alg = method[1].toLowerCase(Locale.ROOT);
        int iterations = Integer.parseInt(method[2]);
        byte[] expected = HexFormat.of().parseHex(parts[2]);
        String jca = switch (alg) {
            case "sha1" -> "PBKDF2WithHmacSHA1";
            case "sha256" -> "PBKDF2WithHmacSHA256";
            case "sha512" -> "PBKDF2WithHmacSHA512";
            default -> throw new GeneralSecurityException("unsupported pbkdf2 digest");
        };
        byte[] actual = pbkdf2(jca, password, parts[1].getBytes(StandardCharsets.UTF_8), iterations, expected.length * 8);
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] pbkdf2(String jca, String password, byte[] salt, int iterations, int bits)
            throws GeneralSecurityException {
        // PBEKeySpec takes chars and encodes them as UTF-8 for the HMAC key in the SunJCE provider
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, bits);
        try {
            return SecretKeyFactory.getInstance(jca).generateSecret(spec).getEncoded();
        } finally {
            spec.clearPassword();
        }
    }

    private static boolean checkScrypt(String password, String stored) {
        // scrypt:32768:8:1$salt$hex  (Werkzeug 3: dklen 64)
        String[] parts = stored.split("\\$", -1);
        String[] method = parts[0].split(":");
        int n = Integer.parseInt(method[1]);
        int r = Integer.parseInt(method[2]);
        int p = Integer.parseInt(method[3]);
        if (n > (1 << 20) || r > 32 || p > 16) {
            return false; // refuse absurd parameters rather than exhaust memory
        }
        byte[] expected = HexFormat.of().parseHex(parts[2]);
        byte[] actual = SCrypt.generate(password.getBytes(StandardCharsets.UTF_8),
                parts[1].getBytes(StandardCharsets.UTF_8), n, r, p, expected.length);
        return MessageDigest.isEqual(expected, actual);
    }
}
