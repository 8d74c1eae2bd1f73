package io.triggerdeploy.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.util.KeyUtils;
import io.triggerdeploy.security.AuthConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys this replica signs and verifies tokens with.
 *
 * <p>The <em>shared</em> key is the same on every replica (from files, or created once and stored in the
 * database), so any replica accepts any replica's tokens. The <em>local</em> key exists only in this process
 * and signs break-glass tokens: those are valid only on the replica that issued them, and only until restart.
 */
@ApplicationScoped
public class SigningKeys {

    public static final String ISSUER = "trigger-deploy";
    static final String LOCAL_KID_PREFIX = "local-";
    private static final int MAX_CHECKED = 2_000;

    private final ObjectMapper mapper;
    private final int clockSkewSeconds;
    private volatile Key shared;
    private volatile Key local;

    /**
     * Tokens already verified, by their exact text: a token is immutable and signed, so while the key that signed
     * it is still the installed one (the same object: replacing a key forgets its tokens) and it has not expired,
     * checking the RSA signature and parsing its JSON again would give the same answer. Bounded; emptied when full.
     */
    private final ConcurrentHashMap<String, Checked> checked = new ConcurrentHashMap<>();

    @jakarta.inject.Inject
    public SigningKeys(ObjectMapper mapper, AuthConfig config) {
        this(mapper, (int) config.jwt().clockSkew().toSeconds());
    }

    SigningKeys(ObjectMapper mapper, int clockSkewSeconds) {
        this.mapper = mapper;
        this.clockSkewSeconds = clockSkewSeconds;
    }

    /** A signing key and a parser that verifies against its public half. */
    public record Key(String kid, PrivateKey privateKey, PublicKey publicKey, DefaultJWTParser parser) {
    }

    public Optional<Key> shared() {
        return Optional.ofNullable(shared);
    }

    /** Installs the shared key (bootstrap). */
    public void useShared(String kid, PrivateKey privateKey, PublicKey publicKey) {
        shared = key(kid, privateKey, publicKey);
    }

    public synchronized Key local() {
        if (local == null) {
            KeyPair kp = generate();
            local = key(LOCAL_KID_PREFIX + UUID.randomUUID(), kp.getPrivate(), kp.getPublic());
        }
        return local;
    }

    /** A verified token, and whether it was signed by this process's break-glass key. */
    public record Verified(JsonWebToken jwt, boolean local) {
    }

    /** A token verified before, by which key object, valid until {@code expiresAt} (epoch seconds, skew included). */
    private record Checked(Verified verified, Key key, long expiresAt) {
    }

    /** Verifies signature, issuer and expiry; throws {@link ParseException} for anything not valid. */
    public Verified verify(String token) throws ParseException {
        Checked c = checked.get(token);
        if (c != null && (c.key == shared || c.key == local) && System.currentTimeMillis() / 1000 < c.expiresAt) {
            return c.verified;
        }
        String kid = kidOf(token);
        Key s = shared;
        Key l = local;
        Key k = s != null && s.kid().equals(kid) ? s : l != null && l.kid().equals(kid) ? l : null;
        if (k == null) {
            throw new ParseException("Token signed with an unknown key");
        }
        Verified v = new Verified(k.parser().parse(token), k == l);
        long exp = v.jwt().getExpirationTime();
        if (exp > 0) {
            if (checked.size() >= MAX_CHECKED) {
                checked.clear();
            }
            checked.put(token, new Checked(v, k, exp + clockSkewSeconds));
        }
        return v;
    }

    public static boolean isLocalKid(String kid) {
        return kid != null && kid.startsWith(LOCAL_KID_PREFIX);
    }

    static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String toPem(String type, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
    }

    static PrivateKey privateFromPem(String pem) {
        try {
            return KeyUtils.decodePrivateKey(pem);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a PEM PKCS#8 RSA private key", e);
        }
    }

    static PublicKey publicFromPem(String pem) {
        try {
            return KeyUtils.decodePublicKey(pem);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a PEM RSA public key", e);
        }
    }

    static PrivateKey readPrivate(java.nio.file.Path file) throws IOException {
        return privateFromPem(Files.readString(file));
    }

    static PublicKey readPublic(java.nio.file.Path file) throws IOException {
        return publicFromPem(Files.readString(file));
    }

    /** A stable key id for a public key: the first 16 hex digits of its SHA-256. */
    static String thumbprint(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded())).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String kidOf(String token) throws ParseException {
        int dot = token.indexOf('.');
        if (dot <= 0) {
            throw new ParseException("Not a JWT");
        }
        try {
            JsonNode header = mapper.readTree(Base64.getUrlDecoder().decode(token.substring(0, dot)));
            JsonNode kid = header.get("kid");
            if (kid == null || !kid.isTextual()) {
                throw new ParseException("Token has no key id");
            }
            return kid.asText();
        } catch (IOException | IllegalArgumentException e) {
            throw new ParseException("Malformed token header");
        }
    }

    private Key key(String kid, PrivateKey privateKey, PublicKey publicKey) {
        JWTAuthContextInfo info = new JWTAuthContextInfo(publicKey, ISSUER);
        info.setExpGracePeriodSecs(0);
        // smallrye's default leeway is 60 s past expiry; ours is small and configurable (trigger.auth.jwt.clock-skew)
        info.setClockSkew(clockSkewSeconds);
        return new Key(kid, privateKey, publicKey, new DefaultJWTParser(info));
    }
}
