package io.triggerdeploy.auth;

import io.triggerdeploy.security.AuthConfig;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Failed-login counters in PostgreSQL, keyed by username and by client address, so that the limit holds
 * however many replicas a client spreads its attempts over. Each failure is one atomic upsert.
 */
@ApplicationScoped
public class LoginThrottle {

    private final LoginThrottleRepository repository;
    private final AuthConfig.RateLimit limits;

    public LoginThrottle(LoginThrottleRepository repository, AuthConfig config) {
        this.repository = repository;
        this.limits = config.rateLimit();
    }

    static String userKey(String login) {
        return "u:" + login.trim().toLowerCase(Locale.ROOT);
    }

    static String addressKey(String address) {
        return "a:" + address;
    }

    /** How long the caller must wait, if any of the keys is blocked. */
    public Uni<Optional<Duration>> blockedFor(String userKey, String addressKey) {
        return repository.blockedUntil(userKey, addressKey)
                .map(until -> {
                    if (until == null) {
                        return Optional.empty();
                    }
                    Duration d = Duration.between(OffsetDateTime.now(), until);
                    return Optional.of(d.isNegative() ? Duration.ofSeconds(1) : d);
                });
    }

    public Uni<Void> recordFailure(String userKey, String addressKey) {
        return bump(userKey, limits.maxFailuresPerUser()).chain(() -> bump(addressKey, limits.maxFailuresPerAddress()));
    }

    public Uni<Void> clear(String key) {
        return repository.clear(key);
    }

    /** Drops counters that can no longer block anyone. */
    public Uni<Integer> purgeExpired() {
        return repository.purgeExpired(limits.window().toSeconds());
    }

    private Uni<Void> bump(String key, int max) {
        return repository.bump(key, max, limits.window().toSeconds(), limits.lockout().toSeconds());
    }

    List<String> keys(String login, String address) {
        return List.of(userKey(login), addressKey(address));
    }
}
