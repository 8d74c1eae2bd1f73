package io.triggerdeploy.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Login, token and password settings ({@code trigger.auth.*}). */
@ConfigMapping(prefix = "trigger.auth")
public interface AuthConfig {

    /** bcrypt cost factor for new password hashes. */
    @WithDefault("11")
    @Min(4) @Max(16)
    int bcryptCost();

    /** Lifetime of a login token. */
    @WithDefault("8h")
    Duration tokenLifetime();

    /**
     * How long a replica may reuse the user row that authenticates a request; every change reaches all replicas by
     * NOTIFY at once, so this is a backstop. 0: read it on every request.
     */
    @WithDefault("10s")
    Duration userCacheTtl();

    /** How long a replica may reuse a caller's permissions (teams and grants); a NOTIFY backstop like the user cache. */
    @WithDefault("10s")
    Duration accessCacheTtl();

    /**
     * Who must use two-factor sign-in: {@code none}, {@code admins} or {@code all} (local users). Someone it covers who
     * has not set it up is shown a new secret at sign-in and signs in with its first code. Env: TRIGGER_AUTH_TOTP_REQUIRED.
     */
    @WithDefault("none")
    @jakarta.validation.constraints.Pattern(regexp = "none|admins|all")
    String totpRequired();

    /** Break-glass users ({@code username:bcrypt-hash:role} per line), usable only while the database is unreachable. */
    Optional<Path> fallbackFile();

    Jwt jwt();

    RateLimit rateLimit();

    ApiTokens apiTokens();

    Session session();

    /** Browser sessions (web UI): a random id in an HttpOnly, SameSite=Strict cookie, the row in PostgreSQL. */
    interface Session {
        /** A session unused for this long ends. */
        @WithDefault("12h")
        Duration idleTimeout();

        /** A session ends this long after login, however busy. */
        @WithDefault("7d")
        Duration maxLifetime();

        /**
         * Whether the cookie is marked Secure. Unset: Secure when the request came over HTTPS (behind a proxy,
         * enable {@code quarkus.http.proxy.proxy-address-forwarding} so the scheme is known).
         */
        Optional<Boolean> secureCookie();
    }

    /** Token signing keys. Without files, a key pair is created once and shared through the database. */
    interface Jwt {
        /** PEM (PKCS#8) RSA private key, e.g. mounted from a Kubernetes Secret. */
        Optional<Path> privateKeyFile();

        /** PEM (X.509 SubjectPublicKeyInfo) RSA public key matching {@link #privateKeyFile()}. */
        Optional<Path> publicKeyFile();

        /** How long past its expiry (or before its issue time) a token is still accepted, for clocks that differ. */
        @WithDefault("5s")
        Duration clockSkew();
    }

    /** Brute-force protection, counted in PostgreSQL so that it holds across replicas. */
    interface RateLimit {
        @WithDefault("5")
        @Min(1)
        int maxFailuresPerUser();

        @WithDefault("20")
        @Min(1)
        int maxFailuresPerAddress();

        /** Failures older than this are forgotten. */
        @WithDefault("15m")
        Duration window();

        /** How long a username or address is refused once it reached its limit. */
        @WithDefault("5m")
        Duration lockout();
    }

    interface ApiTokens {
        /** Longest expiry a user may give an API token. */
        @WithDefault("365d")
        Duration maxLifetime();
    }
}
