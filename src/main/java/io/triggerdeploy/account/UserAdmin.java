package io.triggerdeploy.account;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.auth.ApiTokenService;
import io.triggerdeploy.auth.TotpService;
import io.triggerdeploy.auth.WebSessions;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.security.PasswordHasher;
import io.triggerdeploy.user.CreateUserRequest;
import io.triggerdeploy.user.ImportResult;
import io.triggerdeploy.user.LegacyUserRecord;
import io.triggerdeploy.user.UpdateUserRequest;
import io.triggerdeploy.user.UserService;
import io.triggerdeploy.user.UserView;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Locale;

/**
 * What an admin does to users, and what follows from it: deactivation and a password reset end the user's sessions
 * (and API tokens where asked), signing a user out everywhere ends their login tokens too. Each change commits with its
 * audit record; password hashes are computed on a worker before any transaction opens.
 */
@ApplicationScoped
public class UserAdmin {

    private final UserService users;
    private final PasswordHasher hasher;
    private final WebSessions sessions;
    private final ApiTokenService apiTokens;
    private final TotpService totp;
    private final Transactions transactions;
    private final AuditLog audit;

    public UserAdmin(UserService users, PasswordHasher hasher, WebSessions sessions, ApiTokenService apiTokens, TotpService totp,
                     Transactions transactions, AuditLog audit) {
        this.users = users;
        this.hasher = hasher;
        this.sessions = sessions;
        this.apiTokens = apiTokens;
        this.totp = totp;
        this.transactions = transactions;
        this.audit = audit;
    }

    public Uni<UserView> create(CreateUserRequest request, Actor actor) {
        return Workers.cpu(() -> hasher.hash(request.password())).chain(hash -> users.create(request, hash, actor));
    }

    /**
     * Role, active and email. Deactivation ends everything the user had (sessions, login tokens, API tokens), so that a
     * later reactivation brings none of them back.
     */
    public Uni<UserView> update(long id, UpdateUserRequest request, Actor actor) {
        return users.get(id).chain(before -> users.update(id, request, actor).call(u -> before.active() && !u.active()
                ? transactions.run(tx -> sessions.deleteForUser(tx, id, null).chain(() -> apiTokens.revokeAllOf(tx, id))
                        .call(n -> audit.record(tx, actor, null, "user.tokens_revoked", "user", u.username(),
                                n + " API tokens, on deactivation", true)))
                : Uni.createFrom().voidItem()));
    }

    /** Removes the user's second factor (a lost phone). */
    public Uni<Void> resetTotp(long id, Actor actor) {
        return users.get(id).chain(u -> totp.reset(id, u.username(), actor)).replaceWithVoid();
    }

    /** Ends every browser session and login token of the user at once. */
    public Uni<Void> signOutEverywhere(long id, Actor actor) {
        return users.get(id).chain(u -> transactions.run(tx -> users.bumpTokenGeneration(tx, id)
                .call(name -> sessions.deleteForUser(tx, id, null))
                .call(name -> audit.record(tx, actor, null, "user.signed_out_everywhere", "user", name, "by an admin", true))))
                .replaceWithVoid();
    }

    /**
     * A new password for a local user. The old one may be known: every browser session and login token of the user
     * ends, and their API tokens too when {@code revokeApiTokens}.
     */
    public Uni<Void> resetPassword(long id, String password, boolean revokeApiTokens, Actor actor) {
        // 404 (and 409) before paying for bcrypt
        return users.get(id).invoke(u -> {
            if (!u.local()) {
                throw ProblemException.conflict(u.username() + " signs in through " + u.source().toUpperCase(Locale.ROOT)
                        + "; their password is kept there");
            }
        }).chain(u -> Workers.cpu(() -> hasher.hash(password))).chain(hash -> transactions.run(tx -> users.setPasswordHash(tx, id, hash)
                .chain(name -> sessions.deleteForUser(tx, id, null)
                        .chain(() -> revokeApiTokens ? apiTokens.revokeAllOf(tx, id) : Uni.createFrom().item(-1))
                        .call(revoked -> audit.record(tx, actor, null, "user.password_reset", "user", name,
                                revoked >= 0 ? revoked + " API tokens revoked" : null, true)))))
                .replaceWithVoid();
    }

    public Uni<Void> delete(long id, Actor actor) {
        return users.delete(id, actor);
    }

    /** The old tool's users (its rows as JSON), with their password hashes. */
    public Uni<ImportResult> importLegacy(List<LegacyUserRecord> records, Actor actor) {
        return users.importLegacy(records, actor);
    }
}
