package io.triggerdeploy.auth;

import io.triggerdeploy.security.PasswordHasher;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.db.DatabaseState;
import io.triggerdeploy.db.DatabaseUnavailableException;
import io.triggerdeploy.db.DbErrors;
import io.triggerdeploy.federation.ExternalIdentity;
import io.triggerdeploy.federation.ExternalUsers;
import io.triggerdeploy.federation.LdapDirectory;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.user.UserService;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;

/**
 * Password login. Unknown users, wrong passwords and inactive users get the same answer after the same
 * amount of work. Password checks run on a worker thread with no reactive session open; the database is
 * touched before and after, on the event loop.
 */
@ApplicationScoped
public class LoginService {

    private static final Logger LOG = Logger.getLogger(LoginService.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(5);

    private final UserService users;
    private final PasswordHasher hasher;
    private final TokenIssuer issuer;
    private final LoginThrottle throttle;
    private final BreakGlassRealm breakGlass;
    private final DatabaseState database;

    private final AuditLog audit;
    private final MeterRegistry meters;

    private final TotpService totp;
    private final io.triggerdeploy.security.AuthConfig config;
    private final LdapDirectory ldap;
    private final ExternalUsers external;

    public LoginService(UserService users, PasswordHasher hasher, TokenIssuer issuer, LoginThrottle throttle,
                        BreakGlassRealm breakGlass, DatabaseState database, AuditLog audit, MeterRegistry meters,
                        TotpService totp, io.triggerdeploy.security.AuthConfig config, LdapDirectory ldap,
                        ExternalUsers external) {
        this.ldap = ldap;
        this.external = external;
        this.totp = totp;
        this.config = config;
        this.audit = audit;
        this.meters = meters;
        this.users = users;
        this.hasher = hasher;
        this.issuer = issuer;
        this.throttle = throttle;
        this.breakGlass = breakGlass;
        this.database = database;
    }

    /** What the login needs of a user row. */
    record Candidate(long id, String username, Role role, String hash, boolean active, int generation, boolean totpEnabled,
                     ExternalIdentity.Source source) {
    }

    /** Who a successful password check proved the caller to be; {@code id} is null for break-glass users. */
    public record Authenticated(Long id, String username, Role role, int generation, List<String> recoveryCodes) {

        public Authenticated(Long id, String username, Role role, int generation) {
            this(id, username, role, generation, null);
        }

        public boolean breakGlass() {
            return id == null;
        }
    }

    /** Password login for the API: a bearer token. */
    public Uni<LoginResponse> login(LoginRequest req, String clientAddress) {
        return verify(req, clientAddress).map(a -> {
            if (a.breakGlass()) {
                return LoginResponse.of(issuer.forBreakGlass(a.username(), a.role()),
                        new LoginResponse.LoginUser(null, a.username(), a.role().id(), true));
            }
            LoginResponse r = LoginResponse.of(issuer.forUser(a.id(), a.username(), a.role(), a.generation()),
                    new LoginResponse.LoginUser(a.id(), a.username(), a.role().id(), null));
            return a.recoveryCodes() == null ? r : r.withRecoveryCodes(a.recoveryCodes());
        });
    }

    /** Checks a password (throttled, constant work) and says who it belongs to; failures are problems (401, 429, 503). */
    public Uni<Authenticated> verify(LoginRequest req, String clientAddress) {
        String attempted = req.username() == null ? null : req.username().strip();
        return attempt(req, clientAddress)
                .call(a -> audit.record(new Actor(a.username(), a.id(), clientAddress),
                        a.breakGlass() ? "login.break_glass" : "login.success", "user", a.username(), null))
                .onFailure(ProblemException.class).call(e -> {
                    int status = ((ProblemException) e).status();
                    if (status != 401 && status != 403 && status != 429 || e instanceof TotpRequired || e instanceof TotpEnrolmentRequired) {
                        return Uni.createFrom().voidItem();
                    }
                    loginFailure(status == 429 ? "throttled" : status == 403 ? "refused" : "invalid_credentials");
                    return audit.record(new Actor(attempted, null, clientAddress), "login.failure", "user", attempted,
                            status == 429 ? "throttled" : status == 403 ? e.getMessage() : "invalid credentials", false);
                });
    }

    private Uni<Authenticated> attempt(LoginRequest req, String clientAddress) {
        DatabaseState.Phase phase = database.phase();
        if (phase == DatabaseState.Phase.WAITING_FOR_DATABASE || phase == DatabaseState.Phase.FAILED) {
            return breakGlassLogin(req);
        }
        if (phase != DatabaseState.Phase.READY) {
            return Uni.createFrom().failure(ProblemException.unavailable("The service is preparing its database; try again shortly"));
        }
        return databaseLogin(req, clientAddress)
                .onFailure(DbErrors::isUnavailable).recoverWithUni(e -> {
                    LOG.warnf("Database unreachable during login: %s", e.getClass().getSimpleName());
                    return breakGlassLogin(req);
                });
    }

    private Uni<Authenticated> databaseLogin(LoginRequest req, String clientAddress) {
        String userKey = LoginThrottle.userKey(req.username());
        String addressKey = LoginThrottle.addressKey(clientAddress);
        return throttle.blockedFor(userKey, addressKey)
                .ifNoItem().after(DB_TIMEOUT).failWith(() -> new DatabaseUnavailableException("login throttle query timed out"))
                .chain(blocked -> {
                    if (blocked.isPresent()) {
                        return Uni.createFrom().failure(LoginThrottle.tooManyFailures(blocked.get()));
                    }
                    return findCandidate(req.username());
                })
                .chain(c -> {
                    // the typed name (folded) until the account is known; then the account too, which every name and
                    // spelling it answers to (username, email, any casing) counts against
                    LoginThrottle.Keys keys = c == null ? LoginThrottle.Keys.of(addressKey, userKey)
                            : LoginThrottle.Keys.of(addressKey, userKey, LoginThrottle.accountKey(c.id()));
                    Uni<Void> open = c == null ? Uni.createFrom().voidItem()
                            : throttle.blockedFor(LoginThrottle.accountKey(c.id()), addressKey).invoke(blocked -> {
                                if (blocked.isPresent()) {
                                    throw LoginThrottle.tooManyFailures(blocked.get());
                                }
                            }).replaceWithVoid();
                    if (ldap.configured() && (c == null || c.source() == ExternalIdentity.Source.LDAP)) {
                        return open.chain(() -> directoryLogin(req, clientAddress, keys));
                    }
                    return open.chain(() -> passwordLogin(req, c, keys));
                });
    }

    private Uni<Authenticated> passwordLogin(LoginRequest req, Candidate candidate, LoginThrottle.Keys keys) {
        return Uni.createFrom().item(candidate)
                .chain(c -> Workers.cpu(() -> {
                    if (c == null || c.source() != ExternalIdentity.Source.LOCAL) {
                        // unknown, or a user of an identity provider (no password here): the same work, the same answer
                        hasher.burn(req.password());
                        return new Verdict(null, PasswordHasher.Check.NO, null);
                    }
                    PasswordHasher.Check check = hasher.check(req.password(), c.hash());
                    String rehash = check.matches() && check.needsRehash() && c.active() ? hasher.hash(req.password()) : null;
                    return new Verdict(c, check, rehash);
                }))
                .chain(v -> {
                    if (v.candidate() == null || !v.check().matches() || !v.candidate().active()) {
                        return throttle.recordFailure(keys)
                                .chain(() -> Uni.createFrom().failure(invalidCredentials()));
                    }
                    Candidate c = v.candidate();
                    return secondFactor(c, req.totp(), keys).call(codes -> recordLogin(c.id(), v.rehash()))
                            .call(codes -> throttle.clear(keys))
                            .map(codes -> {
                                if (v.rehash() != null) {
                                    LOG.infof("Password hash of user %s upgraded to bcrypt", c.username());
                                }
                                return new Authenticated(c.id(), c.username(), c.role(), c.generation(), codes);
                            });
                });
    }

    private record Verdict(Candidate candidate, PasswordHasher.Check check, String rehash) {
    }

    /**
     * A directory user (or a name no local user has, with LDAP configured): the directory checks the password, the
     * user is made or refreshed with the group mapping applied. A wrong password counts as a failed login; an
     * unreachable directory is a 503 and counts as nothing.
     */
    private Uni<Authenticated> directoryLogin(LoginRequest req, String clientAddress, LoginThrottle.Keys keys) {
        return ldap.authenticate(req.username(), req.password()).chain(who -> {
            if (who == null) {
                return throttle.recordFailure(keys).chain(() -> Uni.createFrom().failure(invalidCredentials()));
            }
            // a directory user who turned on two-factor sign-in here is asked for the code like a local user
            return external.signIn(who, ldap.defaultRole(), clientAddress)
                    .chain(u -> totp.status(u.id()).chain(st -> !st.enabled() ? Uni.createFrom().<List<String>>nullItem()
                                    : secondFactor(new Candidate(u.id(), u.username(), u.role(), "!", true, u.generation(), true,
                                    ExternalIdentity.Source.LDAP), req.totp(), keys))
                            .replaceWith(u))
                    .call(u -> throttle.clear(keys))
                    .map(u -> new Authenticated(u.id(), u.username(), u.role(), u.generation()));
        });
    }

    /**
     * For a user with two-factor sign-in on: without a code, 401 with {@code totp_required} (not a failed login: the
     * password was right); with a wrong or used code, a failed login (throttled like a wrong password).
     */
    private Uni<List<String>> secondFactor(Candidate c, String code, LoginThrottle.Keys keys) {
        if (!c.totpEnabled()) {
            return required(c.role()) ? enrolAtSignIn(c.id(), c.username(), code, keys) : Uni.createFrom().nullItem();
        }
        if (code == null || code.isBlank()) {
            return Uni.createFrom().failure(new TotpRequired(c.id()));
        }
        return totp.check(c.id(), code).chain(ok -> ok ? Uni.createFrom().<List<String>>nullItem()
                : throttle.recordFailure(keys).chain(() -> Uni.createFrom().failure(
                        ProblemException.unauthorized("Invalid or already used two-factor code"))));
    }

    /** Whether the policy ({@code trigger.auth.totp-required}) makes this role use two-factor sign-in. */
    boolean required(Role role) {
        String policy = config.totpRequired();
        return "all".equals(policy) || "admins".equals(policy) && role == Role.ADMIN;
    }

    /**
     * Someone the policy covers who has no second factor yet: without a code, a new secret to set up (401 with
     * {@code totp_enrolment}); with a code of that secret, it is turned on and the recovery codes come with the login.
     */
    private Uni<List<String>> enrolAtSignIn(long userId, String username, String code, LoginThrottle.Keys keys) {
        if (code == null || code.isBlank()) {
            return totp.enrol(userId, username).chain(e -> Uni.createFrom().failure(new TotpEnrolmentRequired(userId, e)));
        }
        return totp.confirm(userId, code).onFailure(ProblemException.class).recoverWithUni(e -> {
            if (((ProblemException) e).status() == 409) { // no pending secret: start one
                return totp.enrol(userId, username).chain(en -> Uni.createFrom().failure(new TotpEnrolmentRequired(userId, en)));
            }
            return throttle.recordFailure(keys).chain(() -> Uni.createFrom().failure(
                    ProblemException.unauthorized("The code is not the current code of the new two-factor secret")));
        });
    }

    /** The policy requires two-factor sign-in and this user has none: here is a new secret to set up. */
    public static final class TotpEnrolmentRequired extends ProblemException {
        private final long userId;
        private final TotpService.Enrolment enrolment;

        TotpEnrolmentRequired(long userId, TotpService.Enrolment e) {
            super(401, "Unauthorized", "Two-factor sign-in is required: add totp_enrolment.secret (or scan its QR code) to an "
                    + "authenticator app and sign in again with its code as totp", java.util.Map.of("WWW-Authenticate", "Bearer"));
            this.userId = userId;
            this.enrolment = e;
            attachTotpEnrolment(java.util.Map.of("secret", e.secret(), "otpauth_uri", e.otpauthUri(), "qr_data_uri", e.qrDataUri()));
        }

        public long userId() {
            return userId;
        }

        public TotpService.Enrolment enrolment() {
            return enrolment;
        }
    }

    /** Checks a second-factor code for a user whose password a web login challenge vouches for. */
    public Uni<Authenticated> completeChallenge(String challenge, String code, String clientAddress) {
        return totp.takeChallenge(challenge).chain(userId -> {
            if (userId == null) {
                return Uni.createFrom().failure(ProblemException.unauthorized("The sign-in took too long; enter your password again"));
            }
            String addressKey = LoginThrottle.addressKey(clientAddress);
            return users.live(userId).chain(u -> {
                if (u == null || !u.active()) {
                    return Uni.createFrom().failure(invalidCredentials());
                }
                LoginThrottle.Keys keys = LoginThrottle.Keys.of(addressKey, LoginThrottle.userKey(u.username()), LoginThrottle.accountKey(userId));
                return throttle.blockedFor(LoginThrottle.accountKey(userId), addressKey).chain(blocked -> {
                    if (blocked.isPresent()) {
                        return Uni.createFrom().failure(new ProblemException(429, "Too Many Requests", "Too many failed logins; try again later"));
                    }
                    return totp.status(userId).chain(st -> {
                        boolean enrolling = !st.enabled() && required(u.role());
                        Uni<List<String>> proof = enrolling
                                ? totp.confirm(userId, code).onFailure(ProblemException.class).recoverWithNull()
                                : totp.check(userId, code).map(ok -> ok ? List.<String>of() : null);
                        return proof.chain(codes -> {
                            if (codes == null) {
                                return throttle.recordFailure(keys).chain(() -> totp.challenge(userId))
                                        .chain(again -> enrolling ? totp.pending(userId, u.username()).map(e -> new SecondFactorRetry(again, e))
                                                : Uni.createFrom().item(new SecondFactorRetry(again, null)))
                                        .chain(retry -> Uni.createFrom().failure(retry));
                            }
                            return throttle.clear(keys).chain(() -> recordLogin(userId, null))
                                    .call(() -> audit.record(new Actor(u.username(), userId, clientAddress), "login.success", "user",
                                            u.username(), enrolling ? "setting up a second factor" : "with a second factor"))
                                    .map(x -> new Authenticated(userId, u.username(), u.role(), u.generation(),
                                            enrolling ? codes : null));
                        });
                    });
                });
            });
        });
    }

    /** The password was right; the second factor's code is needed (401 with {@code totp_required}). */
    public static final class TotpRequired extends ProblemException {
        private final long userId;

        TotpRequired(long userId) {
            super(401, "Unauthorized", "Enter the 6-digit code from your authenticator app (or a recovery code) as totp",
                    java.util.Map.of("WWW-Authenticate", "Bearer"));
            this.userId = userId;
            markTotpRequired();
        }

        public long userId() {
            return userId;
        }
    }

    /** A wrong code on the web: the login may try again with this new challenge. */
    public static final class SecondFactorRetry extends RuntimeException {
        private final String challenge;
        private final TotpService.Enrolment enrolment;

        public SecondFactorRetry(String challenge, TotpService.Enrolment enrolment) {
            super("Invalid or already used code", null, false, false);
            this.challenge = challenge;
            this.enrolment = enrolment;
        }

        public String challenge() {
            return challenge;
        }

        /** The secret being set up, when the login is setting one up (shown again). */
        public TotpService.Enrolment enrolment() {
            return enrolment;
        }
    }

    /** A one-time challenge standing for a right password, for the web login's code step. */
    public Uni<String> challenge(long userId) {
        return totp.challenge(userId);
    }

    private Uni<Candidate> findCandidate(String login) {
        return users.credentials(login.trim()).map(c -> c == null ? null
                : new Candidate(c.id(), c.username(), c.role(), c.hash(), c.active(), c.generation(), c.totpEnabled(),
                        ExternalIdentity.Source.of(c.source())));
    }

    private Uni<Void> recordLogin(long id, String newHash) {
        return users.recordLogin(id, newHash);
    }

    private Uni<Authenticated> breakGlassLogin(LoginRequest req) {
        if (!breakGlass.isConfigured()) {
            return Uni.createFrom().failure(ProblemException.unavailable("The database is unreachable; login is not possible right now"));
        }
        return Workers.cpu(() -> {
            var entry = breakGlass.find(req.username());
            if (entry.isEmpty()) {
                // a database user: their account cannot be checked right now
                throw ProblemException.unavailable("The database is unreachable; only break-glass users can log in right now");
            }
            return hasher.check(req.password(), entry.get().hash()).matches() ? entry.get() : null;
        }).map(entry -> {
            if (entry == null) {
                LOG.warnf("Failed break-glass login for '%s'", req.username());
                throw invalidCredentials();
            }
            LOG.warnf("Break-glass login by '%s' (role %s) while the database is unreachable", entry.username(), entry.role().id());
            return new Authenticated(null, entry.username(), entry.role(), 0);
        });
    }

    static ProblemException invalidCredentials() {
        return ProblemException.unauthorized("Invalid username or password");
    }

    private void loginFailure(String reason) {
        Counter.builder("trigger_login_failures_total").description("Failed logins by reason").tag("reason", reason)
                .register(meters).increment();
    }
}
