package io.triggerdeploy.user;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Reads and locks users; callers provide the session or transaction. */
@ApplicationScoped
public class UserRepository implements PanacheRepository<User> {

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

    /** Advisory lock key of the user namespace ("users" in ASCII). */
    static final long NAMESPACE_LOCK = 0x7573657273L;

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
}
