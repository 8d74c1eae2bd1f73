package io.triggerdeploy.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.db.DatabaseState;
import io.triggerdeploy.db.DatabaseUnavailableException;
import io.triggerdeploy.db.DbErrors;
import io.triggerdeploy.federation.ExternalIdentity;
import io.triggerdeploy.federation.ExternalUsers;
import io.triggerdeploy.federation.LdapDirectory;
import io.triggerdeploy.security.PasswordHasher;
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
    private final SecondFactor secondFactor;
    private final LdapDirectory ldap;
    private final ExternalUsers external;

    public LoginService(UserService users, PasswordHasher hasher, TokenIssuer issuer, LoginThrottle throttle,
                        BreakGlassRealm breakGlass, DatabaseState database, AuditLog audit, MeterRegistry meters,
                        TotpService totp, SecondFactor secondFactor, LdapDirectory ldap, ExternalUsers external) {
        this.users = users;
        this.hasher = hasher;
        this.issuer = issuer;
        this.throttle = throttle;
        this.breakGlass = breakGlass;
        this.database = database;
        this.audit = audit;
        this.meters = meters;
        this.totp = totp;
        this.secondFactor = secondFactor;
        this.ldap = ldap;
        this.external = external;
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
                    if (status != 401 && status != 403 && status != 429 || e instanceof SecondFactor.TotpRequired || e instanceof SecondFactor.TotpEnrolmentRequired) {
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
                    return open.chain(() -> passwordLogin(req, c, keys, clientAddress));
                });
    }

    private Uni<Authenticated> passwordLogin(LoginRequest req, Candidate candidate, LoginThrottle.Keys keys, String clientAddress) {
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
                    return secondFactor.check(c, req.totp(), keys, clientAddress).call(codes -> recordLogin(c.id(), v.rehash()))
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
                                    : secondFactor.check(new Candidate(u.id(), u.username(), u.role(), "!", true, u.generation(), true,
                                    ExternalIdentity.Source.LDAP), req.totp(), keys, clientAddress))
                            .replaceWith(u))
                    .call(u -> throttle.clear(keys))
                    .map(u -> new Authenticated(u.id(), u.username(), u.role(), u.generation()));
        });
    }

    private Uni<Candidate> findCandidate(String login) {
        return users.credentials(login.trim()).map(c -> c == null ? null
                : new Candidate(c.id(), c.username(), c.role(), c.hash(), c.active(), c.generation(), c.totpEnabled(),
                        ExternalIdentity.Source.of(c.source())));
    }

    Uni<Void> recordLogin(long id, String newHash) {
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
