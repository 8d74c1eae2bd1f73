package io.triggerdeploy.auth;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * One application for the tests of keys and tokens supplied by the operator: a secrets key with a previous one (a
 * rotation under way), the token signing pair as files, and the metrics scrape token. Shared by the test classes that
 * need any of them, so they cost one start (one build of the test application and one boot), not four.
 */
public class KeysProfile implements QuarkusTestProfile {

    /** The scrape token that guards /q/metrics. */
    public static final String METRICS_TOKEN = "scrape-token-for-prometheus-1";

    /** The secrets key before the rotation (previous-key-file). */
    static final Path OLD_SECRETS_KEY = secretsKey("old");
    /** The current secrets key (key-file). */
    static final Path NEW_SECRETS_KEY = secretsKey("new");
    /** The token signing pair, as PEM files in {@link #JWT_DIR}. */
    static final KeyPair JWT_PAIR = SigningKeys.generate();
    static final Path JWT_DIR = jwtFiles();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("trigger.secrets.key-file", NEW_SECRETS_KEY.toString(),
                "trigger.secrets.previous-key-file", OLD_SECRETS_KEY.toString(),
                "trigger.auth.jwt.private-key-file", JWT_DIR.resolve("private.pem").toString(),
                "trigger.auth.jwt.public-key-file", JWT_DIR.resolve("public.pem").toString(),
                "trigger.metrics.token", METRICS_TOKEN);
    }

    private static Path secretsKey(String name) {
        try {
            Path p = Files.createTempFile("secrets-" + name, ".key");
            byte[] raw = new byte[32];
            new SecureRandom().nextBytes(raw);
            Files.writeString(p, Base64.getEncoder().encodeToString(raw));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path jwtFiles() {
        try {
            Path dir = Files.createTempDirectory("trigger-keys");
            Files.writeString(dir.resolve("private.pem"), SigningKeys.toPem("PRIVATE KEY", JWT_PAIR.getPrivate().getEncoded()));
            Files.writeString(dir.resolve("public.pem"), SigningKeys.toPem("PUBLIC KEY", JWT_PAIR.getPublic().getEncoded()));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
