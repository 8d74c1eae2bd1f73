package io.triggerdeploy.user;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.Role;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code users} table, the only place that reads or writes it: Panache for the entity, plain SQL for the
 * login path (no session needed on the hot path), the bootstrap and the bulk import.
 */
@ApplicationScoped
public class UserRepository implements PanacheRepository<User> {

    /** Advisory lock key of the user namespace ("users" in ASCII). */
    public static final long NAMESPACE_LOCK = 0x7573657273L;

    private final Pool pool;

    public UserRepository(Pool pool) {
        this.pool = pool;
    }

    /** Exact username first, then email; both case-insensitive. */
    public Uni<UserCredentials> credentials(String login) {
        return pool.preparedQuery("SELECT id, username, role, password_hash, active, token_generation, totp_enabled, source FROM users "
                        + "WHERE lower(username) = lower($1) OR lower(email) = lower($1) "
                        + "ORDER BY (lower(username) = lower($1)) DESC LIMIT 1")
                .execute(Tuple.of(login))
                .map(rows -> Rows.first(rows, r -> new UserCredentials(r.getLong("id"), r.getString("username"),
                        Role.parse(r.getString("role")).orElse(Role.VIEWER), r.getString("password_hash"),
                        r.getBoolean("active"), r.getInteger("token_generation"), r.getBoolean("totp_enabled"), r.getString("source"))));
    }

    /** Records a successful login, replacing the hash when it was re-hashed at a higher cost. */
    public Uni<Void> recordLogin(long id, String newHash) {
        if (newHash == null) {
            return pool.preparedQuery("UPDATE users SET last_login_at = now() WHERE id = $1")
                    .execute(Tuple.of(id)).replaceWithVoid();
        }
        return pool.preparedQuery("UPDATE users SET last_login_at = now(), password_hash = $2, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id, newHash)).replaceWithVoid();
    }

    /** The user as requests see it (see {@link UserCache}); null when there is none. */
    Uni<UserCache.LiveUser> liveUser(long id) {
        return pool.preparedQuery("SELECT username, email, role, active, token_generation, last_login_at FROM users WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> Rows.first(rows, r -> new UserCache.LiveUser(id, r.getString("username"), r.getString("email"),
                        Role.parse(r.getString("role")).orElse(Role.VIEWER), r.getBoolean("active"),
                        r.getInteger("token_generation"), r.getOffsetDateTime("last_login_at"))));
    }

    public Uni<Boolean> usernameExists(String username) {
        return pool.preparedQuery("SELECT 1 FROM users WHERE lower(username) = lower($1)")
                .execute(Tuple.of(username)).map(rows -> rows.size() > 0);
    }

    /** Creates the admin unless a user of that name exists; answers its id, or null when another replica won. */
    public Uni<Long> insertAdminIfAbsent(String username, String hash) {
        return pool.preparedQuery("INSERT INTO users (username, password_hash, role, active) VALUES ($1, $2, 'admin', TRUE) "
                        + "ON CONFLICT DO NOTHING RETURNING id")
                .execute(Tuple.of(username, hash))
                .map(rows -> Rows.first(rows, r -> r.getLong(0)));
    }

    /** Users whose username is another user's email, as "named"/"mailed" pairs (at most 50). */
    public Uni<List<Map.Entry<String, String>>> namespaceCollisions() {
        return pool.query("SELECT a.username AS named, b.username AS mailed FROM users a JOIN users b "
                        + "ON a.id <> b.id AND b.email IS NOT NULL AND lower(a.username) = lower(b.email) ORDER BY a.id LIMIT 50")
                .execute().map(rows -> Rows.list(rows, r -> Map.entry(r.getString("named"), r.getString("mailed"))));
    }

    /**
     * Inserts users of a legacy import in one transaction under the namespace lock; a record whose username or
     * email is taken is skipped (added to {@code skipped} with its index) and the others go in.
     */
    public Uni<List<UserView>> importAll(Tx tx, List<LegacyUserRecord> valid, List<Integer> indexes,
                                         List<ImportResult.Skipped> skipped) {
        SqlClient conn = tx.client();
        return conn.query("SELECT pg_advisory_xact_lock(" + NAMESPACE_LOCK + ")").execute()
                .chain(() -> insertAll(conn, valid, indexes, skipped));
    }

    /** A new password hash; every login token issued before stops working. The username, or null for no such user. */
    public Uni<String> setPasswordHash(Tx tx, long id, String hash) {
        return tx.client().preparedQuery("UPDATE users SET password_hash = $2, token_generation = token_generation + 1, "
                        + "updated_at = now() WHERE id = $1 RETURNING username")
                .execute(Tuple.of(id, hash)).map(rows -> Rows.first(rows, r -> r.getString(0)));
    }

    /** Ends every login token of the user (a new generation). The username, or null for no such user. */
    public Uni<String> bumpTokenGeneration(Tx tx, long id) {
        return tx.client().preparedQuery("UPDATE users SET token_generation = token_generation + 1, updated_at = now() "
                        + "WHERE id = $1 RETURNING username")
                .execute(Tuple.of(id)).map(rows -> Rows.first(rows, r -> r.getString(0)));
    }

    /** Case-insensitive match on username, or on email when the login contains '@' and no user has that name. */
    public Uni<User> findByLogin(String login) {
        return find("lower(username) = lower(?1) or lower(email) = lower(?1) order by case when lower(username) = lower(?1) then 0 else 1 end",
                login).firstResult();
    }

    public Uni<User> findByUsername(String username) {
        return find("lower(username) = lower(?1)", username).firstResult();
    }

    public Uni<Boolean> emailTaken(String email, Long exceptId) {
        return count("lower(email) = lower(?1) and id <> ?2", email, exceptId == null ? -1L : exceptId).map(n -> n > 0);
    }

    /** Usernames and emails are one namespace: a value used as either by another user is taken. */
    public Uni<Boolean> nameOrEmailTaken(String value, Long exceptId) {
        return count("(lower(username) = lower(?1) or lower(email) = lower(?1)) and id <> ?2", value,
                exceptId == null ? -1L : exceptId).map(n -> n > 0);
    }

    /** Serialises the namespace checks above with concurrent creates and email changes, until the transaction ends. */
    public Uni<Void> lockNamespace() {
        return getSession().chain(s -> s.createNativeQuery("SELECT 1 FROM pg_advisory_xact_lock(" + NAMESPACE_LOCK + ")", Integer.class)
                .getSingleResult()).replaceWithVoid();
    }

    public Uni<List<User>> listOrdered() {
        return find("order by id").list();
    }

    /**
     * Locks every active admin row for the rest of the transaction: the "never remove the last active admin"
     * rule must hold when two admins are demoted or deleted at the same moment.
     */
    public Uni<List<Long>> lockActiveAdminIds() {
        return getSession().chain(s -> s.createNativeQuery(
                        "SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id FOR UPDATE", Long.class)
                .getResultList());
    }

    private Uni<List<UserView>> insertAll(SqlClient conn, List<LegacyUserRecord> valid, List<Integer> indexes,
                                          List<ImportResult.Skipped> skipped) {
        List<UserView> created = new ArrayList<>();
        return Multi.createFrom().range(0, valid.size())
                .onItem().transformToUniAndConcatenate(i -> {
                    LegacyUserRecord r = valid.get(i);
                    return conn.preparedQuery("INSERT INTO users (username, email, password_hash, role, active) "
                                    + "SELECT $1::varchar, $2::varchar, $3::varchar, $4::varchar, $5::boolean WHERE NOT EXISTS (SELECT 1 FROM users WHERE "
                                    + "lower(username) IN (lower($1::varchar), lower(coalesce($2::varchar, $1::varchar))) "
                                    + "OR lower(email) IN (lower($1::varchar), lower(coalesce($2::varchar, $1::varchar)))) "
                                    + "ON CONFLICT DO NOTHING RETURNING id, created_at, updated_at")
                            .execute(Tuple.of(r.username(), UserService.blankToNull(r.email()), r.passwordHash(),
                                    r.mappedRole().id(), r.isActive() == null || r.isActive()))
                            .map(rows -> {
                                var it = rows.iterator();
                                if (it.hasNext()) {
                                    var row = it.next();
                                    created.add(new UserView(row.getLong(0), r.username(), UserService.blankToNull(r.email()),
                                            r.mappedRole().id(), r.isActive() == null || r.isActive(),
                                            row.getOffsetDateTime(1), row.getOffsetDateTime(2), null, false, "local", null));
                                } else {
                                    skipped.add(new ImportResult.Skipped(indexes.get(i), r.username(),
                                            "a user with this username or email already exists"));
                                }
                                return i;
                            });
                })
                .collect().last()
                .map(x -> created);
    }
}
