package io.triggerdeploy.auth;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.AuthConfig;
import io.triggerdeploy.security.Role;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Browser sessions kept in PostgreSQL so that any replica serves any browser and logout ends the session
 * everywhere. The cookie carries 32 random bytes; only their SHA-256 is stored. Each session has its own
 * CSRF token, which pages embed and scripts send back in {@code X-CSRF-Token}.
 */
@ApplicationScoped
public class WebSessions {

    public static final String COOKIE = "td_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";

    /** An instance field: a generator in a static field would be created at build time in a native image. */
    private final SecureRandom random = new SecureRandom();

    private final WebSessionRepository repository;
    private final AuthConfig config;
    private final Transactions transactions;
    private final AuditLog audit;

    public WebSessions(WebSessionRepository repository, AuthConfig config, Transactions transactions, AuditLog audit) {
        this.repository = repository;
        this.config = config;
        this.transactions = transactions;
        this.audit = audit;
    }

    /** A new session: the cookie value (secret, shown to nobody but the browser). */
    public record Created(String cookieValue, String csrfToken) {
    }

    /** A live session and its user as they are now. */
    public record Live(String idHash, long userId, String username, Role role, String csrfToken) {
    }

    public Uni<Created> create(long userId, String clientIp, String userAgent) {
        return create(userId, clientIp, userAgent, null);
    }

    /** A session made by an OIDC sign-in keeps the provider's ID token, for ending the provider's session at logout. */
    public Uni<Created> create(long userId, String clientIp, String userAgent, String idToken) {
        return create(null, userId, clientIp, userAgent, idToken);
    }

    /** A session for a sign-in the caller vouches for ({@code detail} says how); "login.success" commits with it. */
    public Uni<Created> signIn(Actor user, String userAgent, String idToken, String detail) {
        return transactions.run(tx -> create(tx, user.id(), user.ip(), userAgent, idToken)
                .call(() -> audit.record(tx, user, null, "login.success", "user", user.name(), detail, true)));
    }

    private Uni<Created> create(Tx tx, long userId, String clientIp, String userAgent, String idToken) {
        String secret = random(32);
        String csrf = random(24);
        String ua = userAgent == null ? null : userAgent.substring(0, Math.min(userAgent.length(), 300));
        return repository.insert(tx, hash(secret), userId, csrf, clientIp, ua, config.session().idleTimeout().toSeconds(), idToken)
                .replaceWith(new Created(secret, csrf));
    }

    /** The ID token kept with a session (null: none, or a local sign-in). */
    public Uni<String> idToken(String cookieValue) {
        if (cookieValue == null || cookieValue.length() < 20 || cookieValue.length() > 100) {
            return Uni.createFrom().nullItem();
        }
        return repository.idToken(hash(cookieValue));
    }

    /**
     * The session for a cookie value, or null when it is unknown, expired, past its maximum lifetime or its user is
     * inactive. Extends the idle expiry at most once a minute.
     */
    public Uni<Live> find(String cookieValue) {
        if (cookieValue == null || cookieValue.length() < 20 || cookieValue.length() > 100) {
            return Uni.createFrom().nullItem();
        }
        String idHash = hash(cookieValue);
        return repository.findLive(idHash, config.session().maxLifetime().toSeconds())
                .chain(row -> {
                    Live live = row == null ? null : new Live(idHash, row.userId(), row.username(), row.role(), row.csrfToken());
                    if (live == null || !row.stale()) {
                        return Uni.createFrom().item(live);
                    }
                    return repository.touch(idHash, config.session().idleTimeout().toSeconds()).replaceWith(live);
                });
    }

    public Uni<Void> delete(String cookieValue) {
        if (cookieValue == null || cookieValue.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return repository.delete(null, hash(cookieValue));
    }

    /** Logout: the session ends and "logout" ({@code detail}: how, or null) commits with it. */
    public Uni<Void> signOut(String cookieValue, Actor user, String detail) {
        return transactions.run(tx -> repository.delete(tx, hash(cookieValue))
                .call(() -> audit.record(tx, user, null, "logout", "user", user.name(), detail, true)));
    }

    /** Ends every session of a user except, optionally, one (after a password change). */
    public Uni<Integer> deleteForUser(Tx tx, long userId, String keepIdHash) {
        return repository.deleteForUser(tx, userId, keepIdHash);
    }

    /** Removes expired rows; any replica may run it, the delete is idempotent. */
    public Uni<Integer> purgeExpired() {
        return repository.purgeExpired(config.session().maxLifetime().toSeconds());
    }

    /** The session cookie: HttpOnly, SameSite=Lax, Secure when configured so or when the request came over HTTPS. */
    public jakarta.ws.rs.core.NewCookie cookie(String value, io.vertx.core.http.HttpServerRequest http) {
        boolean secure = config.session().secureCookie().orElseGet(() -> "https".equals(http.scheme()));
        return new jakarta.ws.rs.core.NewCookie.Builder(COOKIE).value(value).path("/").httpOnly(true).secure(secure)
                .sameSite(jakarta.ws.rs.core.NewCookie.SameSite.LAX).build();
    }

    /**
     * Login CSRF: a browser posting from another origin says so in {@code Origin}; no Origin (curl, old browsers) is
     * let through, {@code Origin: null} is not.
     */
    public static boolean sameOrigin(io.vertx.core.http.HttpServerRequest http) {
        String origin = http.getHeader("Origin");
        if (origin == null || origin.equals("null")) {
            return origin == null;
        }
        String host = http.authority() == null ? http.getHeader("Host") : http.authority().toString();
        try {
            java.net.URI o = java.net.URI.create(origin);
            String originHost = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            return host != null && originHost != null
                    && originHost.toLowerCase(java.util.Locale.ROOT).equals(host.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Whether a request that comes with the session cookie is proven to come from this site's own pages: it carries the
     * session's CSRF token, or the browser says so ({@code Sec-Fetch-Site: same-origin}, or {@code none} for an address
     * typed by the user), or, from a browser that sends no fetch metadata, an {@code Origin} of this host. A request
     * that proves none of these (a cross-site image, link or form; a client sending only the cookie) is not.
     */
    public static boolean provenSameSite(io.vertx.core.http.HttpServerRequest http, Live live) {
        if (csrfMatches(live, http.getHeader(CSRF_HEADER))) {
            return true;
        }
        String site = http.getHeader("Sec-Fetch-Site");
        if (site != null) {
            return "same-origin".equalsIgnoreCase(site) || "none".equalsIgnoreCase(site);
        }
        return http.getHeader("Origin") != null && sameOrigin(http);
    }

    /** Tells the browser to forget the session cookie. */
    public static jakarta.ws.rs.core.NewCookie clearedCookie() {
        return new jakarta.ws.rs.core.NewCookie.Builder(COOKIE).value("").path("/").maxAge(0).httpOnly(true)
                .sameSite(jakarta.ws.rs.core.NewCookie.SameSite.LAX).build();
    }

    /** Constant-time comparison of the CSRF token a request presents with the session's. */
    public static boolean csrfMatches(Live session, String presented) {
        if (session == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(session.csrfToken().getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String random(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
