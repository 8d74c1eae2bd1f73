package io.triggerdeploy.user;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.PasswordHasher;
import io.triggerdeploy.security.Role;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * User rules: unique names and emails (case-insensitive), at least one active admin at all times.
 * Password hashes are computed by the caller on a worker before any method here opens a session.
 */
@ApplicationScoped
public class UserService {

    /** Advisory lock key of the user namespace, for features that make users in their own transaction. */
    public static final long NAMESPACE_LOCK = UserRepository.NAMESPACE_LOCK;

    private final UserRepository users;
    private final UserCache cache;
    private final AuditLog audit;
    private final Transactions transactions;

    public UserService(UserRepository users, UserCache cache, AuditLog audit, Transactions transactions) {
        this.users = users;
        this.cache = cache;
        this.audit = audit;
        this.transactions = transactions;
    }

    @WithSession
    public Uni<List<UserView>> list() {
        return users.listOrdered().map(l -> l.stream().map(UserView::of).toList());
    }

    @WithSession
    public Uni<UserView> get(long id) {
        return users.findById(id).map(u -> UserView.of(require(u, id)));
    }

    /** The stored hash, for a password check done elsewhere. */
    @WithSession
    public Uni<String> passwordHash(long id) {
        return users.findById(id).map(u -> require(u, id).passwordHash);
    }

    @WithSession
    public Uni<User> find(long id) {
        return users.findById(id);
    }

    /** Creates a user with a hash computed beforehand; the record "user.created" commits with it. */
    @WithTransaction
    public Uni<UserView> create(CreateUserRequest req, String passwordHash, Actor actor) {
        String email = blankToNull(req.email());
        if (email != null && email.equalsIgnoreCase(req.username())) {
            email = req.username(); // one's own username as email collides with nobody
        }
        String mail = email;
        return users.lockNamespace().chain(() -> users.nameOrEmailTaken(req.username(), null))
                .chain(existing -> {
                    if (existing) {
                        throw ProblemException.conflict("'" + req.username() + "' is already another user's username or email");
                    }
                    return mail == null || mail.equalsIgnoreCase(req.username()) ? Uni.createFrom().item(false)
                            : users.nameOrEmailTaken(mail, null);
                })
                .chain(taken -> {
                    if (taken) {
                        throw ProblemException.conflict("'" + mail + "' is already another user's username or email");
                    }
                    OffsetDateTime now = now();
                    User u = new User();
                    u.username = req.username();
                    u.email = mail;
                    u.passwordHash = passwordHash;
                    u.role = Role.parse(req.role()).orElseThrow();
                    u.active = req.active() == null || req.active();
                    u.createdAt = now;
                    u.updatedAt = now;
                    return users.persist(u).map(UserView::of);
                })
                .call(u -> audit.recordInSession(actor, "user.created", "user", u.username(), "role " + u.role()));
    }

    /** Changes role, active and email; deactivation also ends the user's login tokens (a new generation). */
    @WithTransaction
    public Uni<UserView> update(long id, UpdateUserRequest req, Actor actor) {
        cache.changing(id);
        return users.lockActiveAdminIds().chain(admins -> users.findById(id).chain(u -> {
            require(u, id);
            Role newRole = req.role() == null ? u.role : Role.parse(req.role()).orElseThrow();
            boolean newActive = req.active() == null ? u.active : req.active();
            boolean losesAdmin = u.role == Role.ADMIN && u.active && (newRole != Role.ADMIN || !newActive);
            if (losesAdmin && admins.size() <= 1) {
                throw ProblemException.conflict("This is the last active admin; make another user admin first");
            }
            String email = req.email() == null ? u.email : blankToNull(req.email());
            Uni<Boolean> taken = email == null || email.equalsIgnoreCase(u.email == null ? "" : u.email)
                    ? Uni.createFrom().item(false) : users.lockNamespace().chain(() -> users.nameOrEmailTaken(email, id));
            return taken.map(t -> {
                if (t) {
                    throw ProblemException.conflict("'" + email + "' is already another user's username or email");
                }
                u.role = newRole;
                if (u.active && !newActive) {
                    // reactivating must not bring back the login tokens the user had before
                    u.tokenGeneration++;
                }
                u.active = newActive;
                u.email = email;
                u.updatedAt = now();
                return UserView.of(u);
            });
        })).call(u -> audit.recordInSession(actor, "user.updated", "user", u.username(),
                "role " + u.role() + ", " + (u.active() ? "active" : "inactive")));
    }

    /** Sets a new password hash inside the caller's transaction; every login token issued under the old one stops working. */
    public Uni<String> setPasswordHash(Tx tx, long id, String passwordHash) {
        cache.changing(id);
        return users.setPasswordHash(tx, id, passwordHash).map(name -> requireName(name, id));
    }

    /** Ends every login token of the user inside the caller's transaction ("sign out everywhere"); the username. */
    public Uni<String> bumpTokenGeneration(Tx tx, long id) {
        cache.changing(id);
        return users.bumpTokenGeneration(tx, id).map(name -> requireName(name, id));
    }

    private static String requireName(String username, long id) {
        if (username == null) {
            throw ProblemException.notFound("No user " + id);
        }
        return username;
    }

    @WithTransaction
    public Uni<Void> delete(long id, Actor actor) {
        cache.changing(id);
        return users.lockActiveAdminIds().chain(admins -> users.findById(id).chain(u -> {
            require(u, id);
            if (u.role == Role.ADMIN && u.active && admins.size() <= 1) {
                throw ProblemException.conflict("This is the last active admin and cannot be deleted");
            }
            return users.delete(u).call(() -> audit.recordInSession(actor, "user.deleted", "user", u.username, null));
        }));
    }

    /**
     * Imports the old tool's users with their password hashes, in one transaction. Entries that are
     * invalid, duplicated in the batch or already present are skipped and reported; nothing is overwritten.
     */
    public Uni<ImportResult> importLegacy(List<LegacyUserRecord> records, Actor actor) {
        List<ImportResult.Skipped> skipped = new ArrayList<>();
        List<LegacyUserRecord> valid = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        // usernames and emails are one namespace, within the file as against the table
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < records.size(); i++) {
            LegacyUserRecord r = records.get(i);
            String reason = r == null ? "invalid username" : r.problem();
            if (reason == null) {
                reason = namespaceProblem(r, seen);
            }
            if (reason != null) {
                skipped.add(new ImportResult.Skipped(i, r == null ? null : r.username(), reason));
            } else {
                valid.add(r);
                indexes.add(i);
            }
        }
        return transactions.run(tx -> users.importAll(tx, valid, indexes, skipped).map(created -> new ImportResult(created, skipped))
                .call(r -> audit.record(tx, actor, null, "user.imported", "user", null,
                        "created " + r.created().size() + ", skipped " + r.skipped().size(), true)));
    }

    /** Why a valid record cannot go in with the others: an unsupported hash, or a name or email taken in the file. */
    private static String namespaceProblem(LegacyUserRecord r, Set<String> seen) {
        if (!PasswordHasher.isSupportedHash(r.passwordHash())) {
            return "unsupported password hash format";
        }
        if (!seen.add(r.username().toLowerCase(Locale.ROOT))) {
            return "duplicate username or email in the import";
        }
        if (blankToNull(r.email()) != null && !r.email().trim().equalsIgnoreCase(r.username())
                && !seen.add(r.email().trim().toLowerCase(Locale.ROOT))) {
            return "duplicate username or email in the import";
        }
        return null;
    }

    /** What a login needs of the user named (username first, then email); null when there is none. */
    public Uni<UserCredentials> credentials(String login) {
        return users.credentials(login);
    }

    /** Records a successful login, replacing the hash when it was re-hashed at a higher cost. */
    public Uni<Void> recordLogin(long id, String newHash) {
        cache.changing(id);
        return users.recordLogin(id, newHash);
    }

    /** The user as requests see it, as the database has it now (via {@link UserCache}); null when there is none. */
    public Uni<UserCache.LiveUser> live(long id) {
        return cache.get(id, users::liveUser);
    }

    /** The active user still on credentials generation {@code generation}; else null. */
    public Uni<UserCache.LiveUser> activeIdentity(long id, int generation) {
        return live(id).map(u -> u != null && u.active() && u.generation() == generation ? u : null);
    }

    /** The first rule an import record breaks (the username first), or null. */
    static User require(User u, long id) {
        if (u == null) {
            throw ProblemException.notFound("No user " + id);
        }
        return u;
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
