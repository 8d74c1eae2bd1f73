package io.triggerdeploy.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.db.DbErrors;
import io.triggerdeploy.federation.OidcSignIn;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import io.triggerdeploy.user.UserService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * Turns a bearer token into an identity. Login JWTs are verified against the key ring and then checked
 * against the user row, so that deactivating a user or lowering their role takes effect at once; while the
 * database is unreachable the signed claims are trusted. API tokens are looked up by hash.
 */
@ApplicationScoped
public class BearerIdentityProvider implements IdentityProvider<BearerTokenRequest> {

    private static final Logger LOG = Logger.getLogger(BearerIdentityProvider.class);

    private final SigningKeys keys;
    private final ApiTokenService apiTokens;
    private final UserService users;

    private final OidcSignIn oidc;
    private final CiBindings ci;

    public BearerIdentityProvider(SigningKeys keys, ApiTokenService apiTokens, UserService users, OidcSignIn oidc, CiBindings ci) {
        this.keys = keys;
        this.apiTokens = apiTokens;
        this.users = users;
        this.oidc = oidc;
        this.ci = ci;
    }

    @Override
    public Class<BearerTokenRequest> getRequestType() {
        return BearerTokenRequest.class;
    }

    /** A token that is valid now: who it stands for and until when (null: no expiry known). */
    public record Inspected(TriggerPrincipal principal, java.time.OffsetDateTime expiresAt) {
    }

    /**
     * Checks a login JWT or an API token the way every request is checked (signature, expiry, revocation, the
     * user still active); fails with {@link AuthenticationFailedException} when it is not valid.
     */
    public Uni<Inspected> inspect(String token) {
        if (token == null || token.isBlank() || token.length() > 8192) {
            return Uni.createFrom().failure(new AuthenticationFailedException("invalid token"));
        }
        if (ApiTokenService.looksLikeApiToken(token)) {
            return apiTokens.inspect(token).map(i -> {
                if (i == null) {
                    throw new AuthenticationFailedException("invalid token");
                }
                return new Inspected(i.principal(), i.expiresAt());
            });
        }
        boolean provider = oidc.isProviderToken(token);
        return fromJwt(token).map(p -> {
            if (p == null) {
                throw new AuthenticationFailedException("invalid token");
            }
            return new Inspected(p, provider ? null : expiryOf(token));
        });
    }

    private java.time.OffsetDateTime expiryOf(String token) {
        try {
            long exp = keys.verify(token).jwt().getExpirationTime();
            return exp <= 0 ? null : java.time.OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(exp), java.time.ZoneOffset.UTC);
        } catch (ParseException e) {
            throw new AuthenticationFailedException("invalid token");
        }
    }

    @Override
    public Uni<SecurityIdentity> authenticate(BearerTokenRequest request, AuthenticationRequestContext context) {
        String token = request.token();
        Uni<TriggerPrincipal> principal = ApiTokenService.looksLikeApiToken(token)
                ? apiTokens.authenticate(token)
                : fromJwt(token);
        return principal.map(p -> {
            if (p == null) {
                throw new AuthenticationFailedException("invalid token");
            }
            return (SecurityIdentity) QuarkusSecurityIdentity.builder()
                    .setPrincipal(p)
                    .addRoles(p.role().grantedRoles())
                    .build();
        });
    }

    /**
     * A CI job's token: valid while the binding it was issued through still exists and still names the team it acts as
     * (deleting the binding or its issuer stops it at once); refused while the database cannot say so.
     */
    private Uni<TriggerPrincipal> fromCi(JsonWebToken jwt, long bindingId) {
        Long team = number(jwt.getClaim(TokenIssuer.CLAIM_CI_TEAM));
        if (team == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException("CI token without team"));
        }
        return ci.holds(bindingId, team).map(holds -> holds ? TriggerPrincipal.ci(jwt.getName(), team) : null)
                .onFailure(e -> !(e instanceof AuthenticationFailedException)).transform(e -> {
                    LOG.debugf("CI token refused: %s", e.getMessage());
                    return new AuthenticationFailedException("invalid token");
                });
    }

    private static Long number(Object claim) {
        if (claim instanceof jakarta.json.JsonNumber n) {
            return n.longValueExact();
        }
        return claim instanceof Number n ? n.longValue() : null;
    }

    /** Custom claims come back as JSON-P values. */
    private static String claimText(Object claim) {
        if (claim instanceof jakarta.json.JsonString js) {
            return js.getString();
        }
        return claim == null ? null : claim.toString();
    }

    /**
     * An access token of the OIDC provider (when {@code trigger.auth.oidc.bearer} is on): checked against the provider's
     * keys and audience, its user signed in (made or refreshed with the group mapping) at its first use, and then taken
     * as the user is now (deactivated: refused).
     */
    private Uni<TriggerPrincipal> fromProvider(String token) {
        return oidc.bearer(token, null)
                .chain(uid -> users.live(uid).map(u -> u == null || !u.active() ? null
                        : new TriggerPrincipal(uid, u.username(), u.role(), TriggerPrincipal.AuthType.PASSWORD, null)))
                .onFailure(e -> !(e instanceof AuthenticationFailedException)).transform(e -> {
                    LOG.debugf("Provider's bearer token refused: %s", e.getMessage());
                    return new AuthenticationFailedException("invalid token");
                });
    }

    private Uni<TriggerPrincipal> fromJwt(String token) {
        if (oidc.isProviderToken(token)) {
            return fromProvider(token);
        }
        JsonWebToken jwt;
        boolean local;
        try {
            SigningKeys.Verified verified = keys.verify(token);
            jwt = verified.jwt();
            local = verified.local();
        } catch (ParseException e) {
            LOG.debugf("Bearer token rejected: %s", e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            return Uni.createFrom().failure(new AuthenticationFailedException("invalid token"));
        }
        Role claimed = Role.parse(claimText(jwt.getClaim(TokenIssuer.CLAIM_ROLE))).orElse(null);
        if (claimed == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException("token without role"));
        }
        if (local) {
            return Uni.createFrom().item(new TriggerPrincipal(null, jwt.getName(), claimed,
                    TriggerPrincipal.AuthType.BREAK_GLASS, null));
        }
        Long binding = number(jwt.getClaim(TokenIssuer.CLAIM_CI_BINDING));
        if (binding != null) {
            return fromCi(jwt, binding);
        }
        Object uidClaim = jwt.getClaim(TokenIssuer.CLAIM_UID);
        long uid;
        if (uidClaim instanceof jakarta.json.JsonNumber n) {
            uid = n.longValueExact();
        } else if (uidClaim instanceof Number n) {
            uid = n.longValue();
        } else {
            return Uni.createFrom().failure(new AuthenticationFailedException("token without user id"));
        }
        Object genClaim = jwt.getClaim(TokenIssuer.CLAIM_GENERATION);
        int generation = genClaim instanceof jakarta.json.JsonNumber n ? n.intValue() : genClaim instanceof Number n ? n.intValue() : 0;
        // a token of an older credentials generation (password reset or changed, user deactivated, signed out
        // everywhere) is refused like an unknown one
        return users.activeIdentity(uid, generation)
                .map(u -> u == null ? null : new TriggerPrincipal(uid, u.username(), u.role(), TriggerPrincipal.AuthType.PASSWORD, null))
                .onFailure(DbErrors::isUnavailable).recoverWithItem(e -> {
                    LOG.debugf("Database unreachable; trusting signed token of %s", jwt.getName());
                    return new TriggerPrincipal(uid, jwt.getName(), claimed, TriggerPrincipal.AuthType.PASSWORD, null);
                });
    }
}
