package io.triggerdeploy.federation;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OIDC sign-in from start to finish. The start keeps the state (hashed), nonce, PKCE verifier and target in PostgreSQL
 * for ten minutes, so any replica may take the provider's answer; the browser holds the state itself in a cookie, so an
 * answer arriving in another browser (login CSRF) or with a changed state is refused. The finish takes the row once.
 * Access tokens sent as bearer tokens sign their user in the same way, once per token (kept until it expires).
 */
@ApplicationScoped
public class OidcSignIn {

    public static final String STATE_COOKIE = "td_oidc";
    static final Duration FLOW_TTL = Duration.ofMinutes(10);
    private static final Logger LOG = Logger.getLogger(OidcSignIn.class);
    private static final int MAX_CACHED_TOKENS = 10_000;

    private final OidcClient client;
    private final FederationRepository repository;
    private final ExternalUsers users;
    private final AuditLog audit;

    /** Access token hash → user id, until the token expires. */
    private final Map<String, CachedToken> tokens = new ConcurrentHashMap<>();

    public OidcSignIn(OidcClient client, FederationRepository repository, ExternalUsers users, AuditLog audit) {
        this.client = client;
        this.repository = repository;
        this.users = users;
        this.audit = audit;
    }

    public boolean configured() {
        return client.configured();
    }

    public String displayName() {
        return client.displayName();
    }

    /** Where the browser goes first, and the state it must keep in its cookie. */
    public record Start(String state, String url) {
    }

    /** A finished sign-in: the user, the ID token (for the provider's logout) and where to go now. */
    public record Finish(ExternalUsers.SignedIn user, String idToken, String next) {
    }

    private record CachedToken(long userId, long expiresAtMillis) {
    }

    public Uni<Start> start(String next, String redirectUri) {
        return client.authorize(redirectUri).chain(a -> repository.insertOidcLogin(hash(a.state()), a.nonce(), a.verifier(), next,
                FLOW_TTL.toSeconds()).replaceWith(new Start(a.state(), a.url())));
    }

    /**
     * Checks the provider's answer: the state must be the one this browser holds and a live one of ours (used once);
     * then the code is exchanged, the ID token checked, and the user signed in with the group mapping applied.
     */
    public Uni<Finish> finish(String code, String state, String cookieState, String redirectUri, String clientAddress) {
        if (state == null || cookieState == null || code == null || code.isBlank() || code.length() > 4096
                || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8), cookieState.getBytes(StandardCharsets.UTF_8))) {
            LOG.warnf("OIDC sign-in refused: the state does not match this browser's");
            return refusedState(clientAddress);
        }
        return repository.takeOidcLogin(hash(state)).chain(flow -> {
            if (flow == null) {
                return refusedState(clientAddress);
            }
            return client.exchange(code, flow.verifier(), redirectUri, flow.nonce())
                    .chain(signed -> users.signIn(signed.identity(), client.defaultRole(), clientAddress)
                            .map(u -> new Finish(u, signed.idToken(), flow.next())));
        });
    }

    private <T> Uni<T> refusedState(String clientAddress) {
        return audit.record(new Actor(null, null, clientAddress), "login.failure", "user", null,
                        "OIDC sign-in with an unknown, used or mismatched state", false)
                .chain(() -> Uni.createFrom().failure(new ProblemException(400, "Bad Request",
                        "This sign-in could not be verified (it was changed, used already or started in another browser); start again")));
    }

    /** Whether a bearer token is one of the provider's (to be checked here) rather than one of ours. */
    public boolean isProviderToken(String token) {
        return client.bearer() && client.issuedHere(token);
    }

    /** The user an access token of the provider stands for (made or refreshed with the mapping at its first use). */
    public Uni<Long> bearer(String token, String clientAddress) {
        String key = hash(token);
        CachedToken cached = tokens.get(key);
        long now = System.currentTimeMillis();
        if (cached != null && cached.expiresAtMillis() > now) {
            return Uni.createFrom().item(cached.userId());
        }
        return client.accessToken(token).chain(who -> users.signIn(who, client.defaultRole(), clientAddress)).map(u -> {
            if (tokens.size() >= MAX_CACHED_TOKENS) {
                tokens.entrySet().removeIf(e -> e.getValue().expiresAtMillis() <= now);
                if (tokens.size() >= MAX_CACHED_TOKENS) {
                    tokens.clear();
                }
            }
            // kept for at most five minutes: a later use signs in again (the mapping is re-applied, the provider's keys re-checked)
            tokens.put(key, new CachedToken(u.id(), now + Duration.ofMinutes(5).toMillis()));
            return u.id();
        });
    }

    public Uni<java.util.Optional<String>> providerLogout(String idToken, String postLogoutRedirect) {
        return client.endSession(idToken, postLogoutRedirect);
    }

    public java.util.Optional<String> publicUrl() {
        return client.publicUrl();
    }

    public Uni<Integer> purgeExpired() {
        return repository.purgeOidcLogins();
    }

    static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
