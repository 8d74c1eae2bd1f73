package io.triggerdeploy.ssh;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

import java.security.PublicKey;
import java.util.regex.Pattern;

/** Parses pinned host keys given as an OpenSSH public key line or a known_hosts line. */
public final class HostKeys {

    private static final Pattern KEY_TYPE = Pattern.compile("^(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+$");
    private static volatile boolean providersChecked;

    private HostKeys() {
    }

    /** A parsed key: the canonical {@code type base64} line, the key and its SHA256 fingerprint. */
    public record HostKey(String line, PublicKey key, String fingerprint) {
    }

    /**
     * MINA registers its security providers (BouncyCastle for ed25519) on first use. Doing it here, once, before the
     * SSH client starts, makes a broken setup visible at start: one WARN line saying ed25519 keys cannot be read
     * (seen when a BouncyCastle provider from another class loader was registered first), instead of a vague 400 on
     * the first pin. It runs at run time, never in a static initialiser: a native image initialises application
     * classes at build time, and the providers must be registered in the running process.
     */
    public static void init() {
        if (!providersChecked) {
            checkProviders();
        }
    }

    private static synchronized void checkProviders() {
        if (providersChecked) {
            return;
        }
        try {
            org.apache.sshd.common.util.security.SecurityUtils.isEDDSACurveSupported();
            PublicKeyEntry.parsePublicKeyEntry("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")
                    .resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
        } catch (Exception e) {
            org.jboss.logging.Logger.getLogger(HostKeys.class).warnf("ed25519 host keys are not supported here: %s", e.toString());
        }
        providersChecked = true;
    }

    /**
     * Accepts {@code ssh-ed25519 AAAA… [comment]} or {@code host[,host] ssh-ed25519 AAAA… [comment]}.
     * @throws IllegalArgumentException with a message fit for the API when the line is not a usable key
     */
    public static HostKey parse(String text) {
        init();
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        String line = text.strip();
        if (line.contains("\n") || line.contains("\r")) {
            throw new IllegalArgumentException("must be a single line");
        }
        if (line.startsWith("@")) {
            throw new IllegalArgumentException("known_hosts markers (@cert-authority, @revoked) are not supported");
        }
        String[] parts = line.split("\\s+");
        int typeAt = KEY_TYPE.matcher(parts[0]).matches() ? 0 : 1;
        if (parts.length < typeAt + 2 || !KEY_TYPE.matcher(parts[typeAt]).matches()) {
            throw new IllegalArgumentException("is not an OpenSSH public key line (\"ssh-ed25519 AAAA…\") or known_hosts line");
        }
        String canonical = parts[typeAt] + " " + parts[typeAt + 1];
        try {
            PublicKey key = PublicKeyEntry.parsePublicKeyEntry(canonical).resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
            if (key == null) {
                throw new IllegalArgumentException("uses an unsupported key type " + parts[typeAt]);
            }
            return new HostKey(canonical, key, KeyUtils.getFingerPrint(key));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            org.jboss.logging.Logger.getLogger(HostKeys.class).debugf(e, "Host key of type %s not decoded", parts[typeAt]);
            throw new IllegalArgumentException("cannot be decoded as a " + parts[typeAt] + " key");
        }
    }

    public static HostKey of(PublicKey key) {
        return new HostKey(PublicKeyEntry.toString(key), key, KeyUtils.getFingerPrint(key));
    }

    /** The host key pinned for {@code target}, parsed; a server without one (or with a broken one) is refused before anything connects. */
    static HostKey pinned(SshTarget target, String what) throws SshFailure {
        if (target.pinnedHostKey() == null || target.pinnedHostKey().isBlank()) {
            throw new SshFailure(SshFailure.Kind.NO_PINNED_KEY, what + target.host() + " has no pinned host key; "
                    + "scan and confirm it before deploying");
        }
        try {
            return parse(target.pinnedHostKey());
        } catch (IllegalArgumentException e) {
            throw new SshFailure(SshFailure.Kind.NO_PINNED_KEY, what + target.host() + ": the pinned host key " + e.getMessage());
        }
    }
}
