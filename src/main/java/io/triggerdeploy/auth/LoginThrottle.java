package io.triggerdeploy.auth;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.security.AuthConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.text.Normalizer;
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

    /**
     * The key of a typed login before it is resolved to an account: NFKC-normalised and lower-cased, so full-width or
     * mixed-case forms that a directory (or our case-insensitive lookup) folds to the same entry share one allowance.
     */
    static String userKey(String login) {
        return "u:" + Normalizer.normalize(login.trim(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    /** The key of a known account: every name it answers to (username, email, any casing) counts against it. */
    static String accountKey(long userId) {
        return "id:" + userId;
    }

    static String addressKey(String address) {
        return "a:" + address;
    }

    /** The keys one attempt counts against: its client address and one or more for who it claims to be. */
    public record Keys(String address, List<String> users) {
        static Keys of(String address, String... users) {
            return new Keys(address, List.of(users));
        }
    }

    /** The answer while a key is blocked: 429 with how long to wait, in words and in Retry-After. */
    static ProblemException tooManyFailures(Duration wait) {
        long secs = Math.max(1, (wait.toMillis() + 999) / 1000);
        return new ProblemException(429, "Too Many Requests",
                "Too many failed sign-in attempts; try again in " + secs + " s", java.util.Map.of("Retry-After", String.valueOf(secs)));
    }

    /** A failed attempt, counted against every key it carries. */
    public Uni<Void> recordFailure(Keys keys) {
        Uni<Void> u = bump(keys.address(), limits.maxFailuresPerAddress());
        for (String user : keys.users()) {
            u = u.chain(() -> bump(user, limits.maxFailuresPerUser()));
        }
        return u;
    }

    /** A successful attempt: the user keys start again (the address keeps its count). */
    public Uni<Void> clear(Keys keys) {
        Uni<Void> u = Uni.createFrom().voidItem();
        for (String user : keys.users()) {
            u = u.chain(() -> clear(user));
        }
        return u;
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
