package io.triggerdeploy.security;

import io.smallrye.config.ConfigMapping;

import java.nio.file.Path;
import java.util.Optional;

/** Where the key that seals secret parameters and secret variables lives ({@code trigger.secrets.*}). */
@ConfigMapping(prefix = "trigger.secrets")
public interface SecretsConfig {

    /** 32 bytes (raw, base64 or hex) sealing new secrets; without it secrets cannot be created. Env: TRIGGER_SECRETS_KEY_FILE. */
    Optional<Path> keyFile();

    /** The key before a rotation, still accepted for opening until everything is re-sealed. Env: TRIGGER_SECRETS_PREVIOUS_KEY_FILE. */
    Optional<Path> previousKeyFile();
}
