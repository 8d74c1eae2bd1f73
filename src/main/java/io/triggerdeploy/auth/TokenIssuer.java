package io.triggerdeploy.auth;

import io.smallrye.jwt.build.Jwt;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.security.AuthConfig;
import io.triggerdeploy.security.Role;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/** Issues signed login tokens (RS256 JWTs). */
@ApplicationScoped
public class TokenIssuer {

    static final String CLAIM_UID = "uid";
    static final String CLAIM_ROLE = "role";

    /** A CI job's token: the binding it was issued through (checked at every request) and the team it acts as. */
    static final String CLAIM_CI_BINDING = "ci_binding";
    static final String CLAIM_CI_TEAM = "ci_team";

    /** The user's credentials generation when the token was issued; an older one is refused. */
    static final String CLAIM_GENERATION = "gen";

    private final SigningKeys keys;
    private final AuthConfig config;

    public TokenIssuer(SigningKeys keys, AuthConfig config) {
        this.keys = keys;
        this.config = config;
    }

    /** A freshly signed token and when it stops being valid. */
    public record IssuedToken(String token, OffsetDateTime expiresAt) {
    }

    public IssuedToken forUser(long userId, String username, Role role, int generation) {
        SigningKeys.Key key = keys.shared().orElseThrow(
                () -> ProblemException.unavailable("The service is still starting; try again shortly"));
        return sign(key, String.valueOf(userId), userId, username, role, generation);
    }

    /** Fails with 503 while the shared signing key is not loaded yet (the service is starting). */
    public void requireReady() {
        keys.shared().orElseThrow(() -> ProblemException.unavailable("The service is still starting; try again shortly"));
    }

    /**
     * A CI job's token: it names the job ({@code ci:acme/shop:Deploy#1234}), acts as the binding's team with the team's deploy and
     * view grants only, and lives {@code lifetime} (at most an hour).
     */
    public IssuedToken forCi(String identity, long bindingId, long teamId, java.time.Duration lifetime) {
        SigningKeys.Key key = keys.shared().orElseThrow(
                () -> ProblemException.unavailable("The service is still starting; try again shortly"));
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant exp = now.plus(lifetime.compareTo(java.time.Duration.ofHours(1)) > 0 ? java.time.Duration.ofHours(1) : lifetime);
        String token = Jwt.issuer(SigningKeys.ISSUER).subject("ci-binding:" + bindingId).upn(identity)
                .groups(Set.of(Role.OPERATOR.id())).claim(CLAIM_ROLE, Role.OPERATOR.id())
                .claim(CLAIM_CI_BINDING, bindingId).claim(CLAIM_CI_TEAM, teamId)
                .issuedAt(now).expiresAt(exp).jws().keyId(key.kid()).sign(key.privateKey());
        return new IssuedToken(token, OffsetDateTime.ofInstant(exp, ZoneOffset.UTC));
    }

    /** Tokens for break-glass users are signed with this process's own key and accepted only here. */
    public IssuedToken forBreakGlass(String username, Role role) {
        return sign(keys.local(), "break-glass:" + username, null, username, role, 0);
    }

    private IssuedToken sign(SigningKeys.Key key, String subject, Long uid, String username, Role role, int generation) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant exp = now.plus(config.tokenLifetime());
        var claims = Jwt.issuer(SigningKeys.ISSUER)
                .subject(subject)
                .upn(username)
                .groups(Set.of(role.id()))
                .claim(CLAIM_ROLE, role.id())
                .issuedAt(now)
                .expiresAt(exp);
        if (uid != null) {
            claims.claim(CLAIM_UID, uid);
            claims.claim(CLAIM_GENERATION, generation);
        }
        String token = claims.jws().keyId(key.kid()).sign(key.privateKey());
        return new IssuedToken(token, OffsetDateTime.ofInstant(exp, ZoneOffset.UTC));
    }
}
