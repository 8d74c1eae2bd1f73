package io.triggerdeploy.auth;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.security.AuthConfig;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.user.UserService;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;

/**
 * The second step of a sign-in whose password was right: the TOTP code of a user who has one, enrolment at sign-in for
 * users the policy ({@code trigger.auth.totp-required}) covers, and the web login's one-time challenge between the two
 * steps. A wrong or used code counts as a failed login in the shared throttle.
 */
@ApplicationScoped
public class SecondFactor {

    private final TotpService totp;
    private final LoginThrottle throttle;
    private final UserService users;
    private final AuditLog audit;
    private final AuthConfig config;

    public SecondFactor(TotpService totp, LoginThrottle throttle, UserService users, AuditLog audit, AuthConfig config) {
        this.totp = totp;
        this.throttle = throttle;
        this.users = users;
        this.audit = audit;
        this.config = config;
    }

    /**
     * For a user with two-factor sign-in on: without a code, 401 with {@code totp_required} (not a failed login: the
     * password was right); with a wrong or used code, a failed login (throttled like a wrong password).
     */
    Uni<List<String>> check(LoginService.Candidate c, String code, LoginThrottle.Keys keys, String clientAddress) {
        if (!c.totpEnabled()) {
            return required(c.role()) ? enrolAtSignIn(new Actor(c.username(), c.id(), clientAddress), code, keys)
                    : Uni.createFrom().nullItem();
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
    private Uni<List<String>> enrolAtSignIn(Actor user, String code, LoginThrottle.Keys keys) {
        long userId = user.id();
        if (code == null || code.isBlank()) {
            return totp.enrol(userId, user.name(), user).chain(e -> Uni.createFrom().failure(new TotpEnrolmentRequired(userId, e)));
        }
        return totp.confirm(userId, code, user).onFailure(ProblemException.class).recoverWithUni(e -> {
            if (((ProblemException) e).status() == 409) { // no pending secret: start one
                return totp.enrol(userId, user.name(), user).chain(en -> Uni.createFrom().failure(new TotpEnrolmentRequired(userId, en)));
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
                    + "authenticator app and sign in again with its code as totp", Map.of("WWW-Authenticate", "Bearer"));
            this.userId = userId;
            this.enrolment = e;
            with("totp_enrolment", Map.of("secret", e.secret(), "otpauth_uri", e.otpauthUri(), "qr_data_uri", e.qrDataUri()));
        }

        public long userId() {
            return userId;
        }

        public TotpService.Enrolment enrolment() {
            return enrolment;
        }
    }

    /** Checks a second-factor code for a user whose password a web login challenge vouches for. */
    public Uni<LoginService.Authenticated> completeChallenge(String challenge, String code, String clientAddress) {
        return totp.takeChallenge(challenge).chain(userId -> {
            if (userId == null) {
                return Uni.createFrom().failure(ProblemException.unauthorized("The sign-in took too long; enter your password again"));
            }
            String addressKey = LoginThrottle.addressKey(clientAddress);
            return users.live(userId).chain(u -> {
                if (u == null || !u.active()) {
                    return Uni.createFrom().failure(LoginService.invalidCredentials());
                }
                LoginThrottle.Keys keys = LoginThrottle.Keys.of(addressKey, LoginThrottle.userKey(u.username()), LoginThrottle.accountKey(userId));
                return throttle.blockedFor(LoginThrottle.accountKey(userId), addressKey).chain(blocked -> {
                    if (blocked.isPresent()) {
                        return Uni.createFrom().failure(new ProblemException(429, "Too Many Requests", "Too many failed logins; try again later"));
                    }
                    return totp.status(userId).chain(st -> {
                        boolean enrolling = !st.enabled() && required(u.role());
                        Uni<List<String>> proof = enrolling
                                ? totp.confirm(userId, code, new Actor(u.username(), userId, clientAddress))
                                .onFailure(ProblemException.class).recoverWithNull()
                                : totp.check(userId, code).map(ok -> ok ? List.<String>of() : null);
                        return proof.chain(codes -> {
                            if (codes == null) {
                                return throttle.recordFailure(keys).chain(() -> totp.challenge(userId))
                                        .chain(again -> enrolling ? totp.pending(userId, u.username()).map(e -> new SecondFactorRetry(again, e))
                                                : Uni.createFrom().item(new SecondFactorRetry(again, null)))
                                        .chain(retry -> Uni.createFrom().failure(retry));
                            }
                            return throttle.clear(keys).chain(() -> users.recordLogin(userId, null))
                                    .call(() -> audit.record(new Actor(u.username(), userId, clientAddress), "login.success", "user",
                                            u.username(), enrolling ? "setting up a second factor" : "with a second factor"))
                                    .map(x -> new LoginService.Authenticated(userId, u.username(), u.role(), u.generation(),
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
                    Map.of("WWW-Authenticate", "Bearer"));
            this.userId = userId;
            with("totp_required", true);
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
}
