package io.triggerdeploy.auth;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.AuthConfig;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** Creates, lists, revokes and authenticates API tokens. */
@ApplicationScoped
public class ApiTokenService {

    static final String PREFIX = "tdp_";
    private static final Logger LOG = Logger.getLogger(ApiTokenService.class);
    /** An instance field: a generator in a static field would be created at build time in a native image. */
    private final SecureRandom random = new SecureRandom();

    private final ApiTokenRepository repository;
    private final AuthConfig config;
    private final AuditLog audit;

    public ApiTokenService(ApiTokenRepository repository, AuthConfig config, AuditLog audit) {
        this.repository = repository;
        this.config = config;
        this.audit = audit;
    }

    public static boolean looksLikeApiToken(String token) {
        return token.startsWith(PREFIX);
    }

    /** A new token of the owner's (its secret is in this answer only); "token.created" commits with it. */
    @WithTransaction
    public Uni<ApiTokenView> create(TriggerPrincipal owner, CreateApiTokenRequest req, Actor actor) {
        Role role = req.role() == null ? owner.role() : Role.parse(req.role()).orElseThrow();
        if (!owner.role().atLeast(role)) {
            throw ProblemException.forbidden("A token's role cannot be higher than your own (" + owner.role().id() + ")");
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        OffsetDateTime expires = req.expiresAt() != null ? req.expiresAt()
                : now.plusDays(req.expiresInDays() == null ? 90 : req.expiresInDays());
        if (!expires.isAfter(now)) {
            throw ProblemException.badRequest("expires_at must be in the future");
        }
        if (Duration.between(now, expires).compareTo(config.apiTokens().maxLifetime()) > 0) {
            throw ProblemException.badRequest("expires_at is too far away; the limit is "
                    + config.apiTokens().maxLifetime().toDays() + " days");
        }
        String name = req.name().trim();
        return repository.liveNameTaken(owner.userId(), name).chain(taken -> {
            if (taken) {
                throw ProblemException.conflict("You already have an active token named '" + name + "'");
            }
            String secret = newSecret();
            ApiToken t = new ApiToken();
            t.userId = owner.userId();
            t.name = name;
            t.tokenHash = sha256(secret);
            t.tokenPrefix = secret.substring(0, 12);
            t.role = role;
            t.createdAt = now;
            t.expiresAt = expires.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
            return repository.persist(t).map(saved -> ApiTokenView.of(saved, secret));
        }).call(v -> audit.recordInSession(actor, "token.created", "api_token", v.name(),
                "role " + v.role() + ", prefix " + v.tokenPrefix()));
    }

    @WithSession
    public Uni<List<ApiTokenView>> list(TriggerPrincipal caller, boolean all) {
        Uni<List<ApiToken>> rows = all && caller.role() == Role.ADMIN
                ? repository.listAll() : repository.listForUser(caller.userId());
        return rows.map(l -> l.stream().map(t -> ApiTokenView.of(t, null)).toList());
    }

    /** Revokes one of the caller's tokens; admins may revoke anyone's. */
    @WithTransaction
    public Uni<Void> revoke(TriggerPrincipal caller, long id, Actor actor) {
        return repository.findById(id).chain(t -> {
            if (t == null || (!t.userId.equals(caller.userId()) && caller.role() != Role.ADMIN)) {
                throw ProblemException.notFound("No API token " + id);
            }
            if (t.revokedAt == null) {
                t.revokedAt = OffsetDateTime.now(ZoneOffset.UTC);
            }
            return audit.recordInSession(actor, "token.revoked", "api_token", String.valueOf(id), null);
        });
    }

    /** Revokes every live API token of a user (deactivation, or an admin's password reset that asks for it). */
    public Uni<Integer> revokeAllOf(Tx tx, long userId) {
        return repository.revokeAllOf(tx, userId);
    }

    /** Looks the secret up by hash; the effective role is the lower of the token's and the owner's current role. */
    public Uni<TriggerPrincipal> authenticate(String secret) {
        return inspect(secret).map(i -> i == null ? null : i.principal());
    }

    /** A live API token: who it stands for and until when. */
    public record Inspected(TriggerPrincipal principal, OffsetDateTime expiresAt) {
    }

    /** Like {@link #authenticate}, with the token's expiry; null for unknown, expired, revoked or deactivated. */
    public Uni<Inspected> inspect(String secret) {
        return repository.live(sha256(secret)).map(t -> {
            if (t == null) {
                return null;
            }
            touch(t.tokenId());
            return new Inspected(new TriggerPrincipal(t.userId(), t.username(), Role.lower(t.tokenRole(), t.userRole()),
                    TriggerPrincipal.AuthType.API_TOKEN, t.tokenId()), t.expiresAt());
        });
    }

    private void touch(long tokenId) {
        // at most once a minute per token, and never in the caller's way
        repository.touch(tokenId)
                .subscribe().with(ok -> { }, e -> LOG.debugf("Could not record token use: %s", e.getMessage()));
    }

    String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
