package io.triggerdeploy.ssh;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** SSH client settings ({@code trigger.ssh.*}, e.g. TRIGGER_SSH_PRIVATE_KEY_FILE). */
@ConfigMapping(prefix = "trigger.ssh")
public interface SshConfig {

    /** The default client key (OpenSSH or PEM), typically a mounted Secret. */
    Optional<Path> privateKeyFile();

    /** Passphrase of {@link #privateKeyFile()} and of per-server keys, if they are encrypted. */
    Optional<String> privateKeyPassphrase();

    /** Folder holding per-server key files; a server's key reference is a plain file name inside it. */
    Optional<Path> keyDirectory();

    @WithDefault("10s")
    Duration connectTimeout();

    @WithDefault("15s")
    Duration authTimeout();

    /**
     * How long an authenticated session to a server is kept for the next deployment there (a channel instead of a
     * new handshake); 0 opens a new session for every deployment.
     */
    @WithDefault("60s")
    Duration sessionIdleTimeout();

    /** Longest line kept from remote output; longer lines are split. */
    @WithDefault("16384")
    int maxLineLength();
}
