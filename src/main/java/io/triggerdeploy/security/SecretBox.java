package io.triggerdeploy.security;

import io.quarkus.runtime.Startup;
import io.triggerdeploy.common.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secret values (secret parameters, server secret variables) with AES-256-GCM under the key in
 * {@code TRIGGER_SECRETS_KEY_FILE}. A sealed value reads {@code v1:<key id>:<base64 of nonce and ciphertext>}; the
 * key id (8 hex digits of the key's SHA-256) lets a rotation find what the previous key
 * ({@code TRIGGER_SECRETS_PREVIOUS_KEY_FILE}) sealed. The value's name is bound to it as associated data, so a value
 * copied under another name does not open.
 */
@ApplicationScoped
@Startup
public class SecretBox {

    private static final Logger LOG = Logger.getLogger(SecretBox.class);
    private static final String PREFIX = "v1:";
    private static final int NONCE = 12;

    private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
    private final String currentId;
    private final String problem;
    private final SecureRandom random = new SecureRandom();

    public SecretBox(SecretsConfig config) {
        String current = null;
        String why = null;
        try {
            if (config.keyFile().isPresent()) {
                SecretKeySpec k = read(config.keyFile().get());
                current = id(k);
                keys.put(current, k);
                if (config.previousKeyFile().isPresent()) {
                    SecretKeySpec old = read(config.previousKeyFile().get());
                    keys.putIfAbsent(id(old), old);
                }
            } else {
                why = "no key file is configured (TRIGGER_SECRETS_KEY_FILE)";
            }
        } catch (IllegalArgumentException e) {
            current = null;
            keys.clear();
            why = e.getMessage();
        }
        this.currentId = current;
        this.problem = why;
        if (current == null) {
            LOG.infof("Secrets are disabled: %s. Secret parameters and secret variables cannot be created; "
                    + "write 32 random bytes (e.g. `head -c 32 /dev/urandom | base64 > secrets.key`) and set "
                    + "TRIGGER_SECRETS_KEY_FILE to enable them.", why);
        } else {
            LOG.infof("Secrets are enabled (key %s%s)", current, keys.size() > 1 ? ", previous key accepted for reading" : "");
        }
    }

    public boolean enabled() {
        return currentId != null;
    }

    /** The id of the key new values are sealed with; null when secrets are disabled. */
    public String currentKeyId() {
        return currentId;
    }

    /** A clear 400 naming {@code field} when secrets are disabled here. */
    public void requireEnabled(String field) {
        if (currentId == null) {
            throw ProblemException.notConfigured(field, "secrets are disabled on this installation (" + problem
                    + "); an admin must configure TRIGGER_SECRETS_KEY_FILE first");
        }
    }

    /** Seals {@code value}, bound to {@code name}; call {@link #requireEnabled} first. */
    public String seal(String name, String value) {
        requireEnabled(name);
        try {
            byte[] nonce = new byte[NONCE];
            random.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(128, nonce));
            c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(value.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE + ct.length];
            System.arraycopy(nonce, 0, out, 0, NONCE);
            System.arraycopy(ct, 0, out, NONCE, ct.length);
            return PREFIX + currentId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    /** Opens a sealed value; fails (without the value in the message) when no configured key sealed it. */
    public String open(String name, String sealed) {
        String[] parts = sealed == null ? new String[0] : sealed.split(":", 3);
        if (parts.length != 3 || !parts[0].equals("v1")) {
            throw new SecretUnavailable("secret " + name + " is not a sealed value");
        }
        SecretKeySpec key = keys.get(parts[1]);
        if (key == null) {
            throw new SecretUnavailable("secret " + name + " was sealed with key " + parts[1]
                    + ", which is not configured (current " + currentId + ")");
        }
        try {
            byte[] in = Base64.getDecoder().decode(parts[2]);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, NONCE));
            c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(in, NONCE, in.length - NONCE), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SecretUnavailable("secret " + name + " does not open with key " + parts[1] + " (altered or misplaced)");
        }
    }

    /** Whether a sealed value is under a key other than the current one (a rotation re-seals it). */
    public boolean stale(String sealed) {
        return currentId != null && sealed != null && !sealed.startsWith(PREFIX + currentId + ":");
    }

    /** The value re-sealed under the current key. */
    public String reseal(String name, String sealed) {
        return stale(sealed) ? seal(name, open(name, sealed)) : sealed;
    }

    private static SecretKeySpec read(Path file) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("the key file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        byte[] key = raw;
        if (raw.length != 32) {
            String text = new String(raw, StandardCharsets.US_ASCII).strip();
            try {
                key = text.matches("[0-9a-fA-F]{64}") ? HexFormat.of().parseHex(text) : Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                key = new byte[0];
            }
        }
        if (key.length != 32) {
            throw new IllegalArgumentException("the key file " + file + " must hold 32 bytes (raw, base64 or hex)");
        }
        return new SecretKeySpec(key, "AES");
    }

    private static String id(SecretKeySpec key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sealed value that cannot be opened here: never carries the value. */
    public static final class SecretUnavailable extends RuntimeException {
        public SecretUnavailable(String message) {
            super(message, null, false, false);
        }
    }
}
