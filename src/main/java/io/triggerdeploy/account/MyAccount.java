package io.triggerdeploy.account;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.auth.TotpChanges;
import io.triggerdeploy.auth.TotpService;
import io.triggerdeploy.auth.WebSessions;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.security.PasswordHasher;
import io.triggerdeploy.security.TriggerPrincipal;
import io.triggerdeploy.user.UserService;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * What signed-in users do to their own account: change the password (proven with the current one), sign out
 * everywhere, and set up or turn off their second factor. Each change commits with its audit record.
 */
@ApplicationScoped
public class MyAccount {

    private final UserService users;
    private final PasswordHasher hasher;
    private final WebSessions sessions;
    private final TotpService totp;
    private final TotpChanges totpChanges;
    private final Transactions transactions;
    private final AuditLog audit;

    public MyAccount(UserService users, PasswordHasher hasher, WebSessions sessions, TotpService totp, TotpChanges totpChanges,
                     Transactions transactions, AuditLog audit) {
        this.users = users;
        this.hasher = hasher;
        this.sessions = sessions;
        this.totp = totp;
        this.totpChanges = totpChanges;
        this.transactions = transactions;
        this.audit = audit;
    }

    /** A new password; the caller's other browser sessions end, {@code keepSession} (the one asking; may be null) stays. */
    public Uni<Void> changePassword(TriggerPrincipal p, Actor actor, String current, String next, String keepSession) {
        return users.passwordHash(p.userId())
                .chain(stored -> Workers.cpu(() -> {
                    if ("!".equals(stored)) {
                        throw ProblemException.conflict("You sign in through your identity provider (OIDC or LDAP); change your password there");
                    }
                    if (!hasher.check(current, stored).matches()) {
                        throw new ProblemException(403, "Forbidden", "The current password is not correct");
                    }
                    return hasher.hash(next);
                }))
                .chain(hash -> transactions.run(tx -> users.setPasswordHash(tx, p.userId(), hash)
                        .call(name -> sessions.deleteForUser(tx, p.userId(), keepSession))
                        .call(name -> audit.record(tx, actor, null, "user.password_changed", "user", name, null, true))))
                .replaceWithVoid();
    }

    /** Ends every login token and browser session of the caller, the asking one included. */
    public Uni<Void> signOutEverywhere(TriggerPrincipal p, Actor actor) {
        return transactions.run(tx -> users.bumpTokenGeneration(tx, p.userId())
                .call(name -> sessions.deleteForUser(tx, p.userId(), null))
                .call(name -> audit.record(tx, actor, null, "user.signed_out_everywhere", "user", name, null, true)))
                .replaceWithVoid();
    }

    /** A new second-factor secret to set up (users of single sign-on have theirs at the provider). */
    public Uni<TotpService.Enrolment> enrolTotp(TriggerPrincipal p, Actor actor) {
        return users.get(p.userId()).invoke(u -> {
            if ("oidc".equals(u.source())) {
                throw ProblemException.conflict("You sign in through single sign-on; your identity provider asks for your second factor");
            }
        }).chain(u -> totp.enrol(p.userId(), p.username(), actor));
    }

    /** Turns the second factor on with its first code; the recovery codes. */
    public Uni<List<String>> confirmTotp(TriggerPrincipal p, Actor actor, String clientAddress, String code) {
        return totpChanges.confirm(p, actor, clientAddress, code);
    }

    /** Turns the second factor off, proven with the password and a code. */
    public Uni<Void> disableTotp(TriggerPrincipal p, Actor actor, String clientAddress, String code, String password) {
        return totpChanges.disable(p, actor, clientAddress, code, password);
    }
}
