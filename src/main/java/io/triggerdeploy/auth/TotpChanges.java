package io.triggerdeploy.auth;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.security.PasswordHasher;
import io.triggerdeploy.security.TriggerPrincipal;
import io.triggerdeploy.user.UserService;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * A signed-in user turning their second factor on or off. Each is proven like a login and counted like one: a wrong
 * code (or password) is a failure against the caller's account and address in the shared login throttle, and a
 * blocked account or address gets 429 before anything is checked. Turning it off takes the password as well as a
 * code (for local users; users of an identity provider have no password here), so a stolen session or token alone
 * cannot guess its way through the codes.
 */
@ApplicationScoped
public class TotpChanges {

    private final TotpService totp;
    private final LoginThrottle throttle;
    private final UserService users;
    private final PasswordHasher hasher;

    public TotpChanges(TotpService totp, LoginThrottle throttle, UserService users, PasswordHasher hasher) {
        this.totp = totp;
        this.throttle = throttle;
        this.users = users;
        this.hasher = hasher;
    }

    /** Turns the pending secret on with its first code; the ten recovery codes. */
    public Uni<List<String>> confirm(TriggerPrincipal p, Actor actor, String clientAddress, String code) {
        String account = LoginThrottle.accountKey(p.userId());
        String address = LoginThrottle.addressKey(clientAddress);
        LoginThrottle.Keys keys = LoginThrottle.Keys.of(address, account, LoginThrottle.userKey(p.username()));
        return notBlocked(account, address).chain(() -> totp.confirm(p.userId(), code, actor))
                .onFailure(e -> e instanceof ProblemException pe && pe.status() == 400)
                .call(() -> throttle.recordFailure(keys));
    }

    /** Turns the second factor off, proven with the password and a current (or recovery) code. */
    public Uni<Void> disable(TriggerPrincipal p, Actor actor, String clientAddress, String code, String password) {
        String account = LoginThrottle.accountKey(p.userId());
        String address = LoginThrottle.addressKey(clientAddress);
        LoginThrottle.Keys keys = LoginThrottle.Keys.of(address, account, LoginThrottle.userKey(p.username()));
        return notBlocked(account, address)
                .chain(() -> users.passwordHash(p.userId()))
                .chain(hash -> {
                    if ("!".equals(hash)) {
                        return Uni.createFrom().item(true); // signs in through a provider: no password here to ask for
                    }
                    if (password == null || password.isEmpty()) {
                        throw ProblemException.invalid("password", "is required to turn two-factor sign-in off");
                    }
                    return Workers.cpu(() -> hasher.check(password, hash).matches());
                })
                .chain(passwordOk -> passwordOk ? totp.check(p.userId(), code).map(ok -> ok ? null : "The code is not right, or was used already")
                        : Uni.createFrom().item("The password is not correct"))
                .chain(refusal -> {
                    if (refusal != null) {
                        return throttle.recordFailure(keys)
                                .chain(() -> Uni.createFrom().failure(ProblemException.forbidden(refusal)));
                    }
                    return throttle.clear(keys).chain(() -> totp.disable(p.userId(), actor)).replaceWithVoid();
                });
    }

    private Uni<Void> notBlocked(String account, String address) {
        return throttle.blockedFor(account, address).invoke(blocked -> {
            if (blocked.isPresent()) {
                throw LoginThrottle.tooManyFailures(blocked.get());
            }
        }).replaceWithVoid();
    }
}
