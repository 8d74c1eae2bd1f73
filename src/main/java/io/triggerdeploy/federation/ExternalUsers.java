package io.triggerdeploy.federation;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.Role;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Signs in someone an identity provider vouched for: makes their user at the first sign-in (no local password), updates
 * name, email and groups at each later one, refuses deactivated users, and applies the group mapping (a global role
 * and the teams the mapping manages). All of it in one transaction under the user-namespace lock, audited.
 */
@ApplicationScoped
public class ExternalUsers {

    private static final Logger LOG = Logger.getLogger(ExternalUsers.class);
    /** The characters a local username may have; anything else in a provider's name is replaced. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private final FederationRepository repository;
    private final Transactions transactions;
    private final AuditLog audit;

    public ExternalUsers(FederationRepository repository, Transactions transactions, AuditLog audit) {
        this.repository = repository;
        this.transactions = transactions;
        this.audit = audit;
    }

    /** Who signed in, for the session or token made next. */
    public record SignedIn(long id, String username, Role role, int generation) {
    }

    /**
     * Signs {@code who} in. {@code defaultRole} is the role of someone none of whose groups is mapped to a role;
     * empty: such people are refused (403).
     */
    public Uni<SignedIn> signIn(ExternalIdentity who, Optional<Role> defaultRole, String clientAddress) {
        String username = username(who.username());
        if (username == null) {
            return Uni.createFrom().failure(ProblemException.forbidden(
                    "The identity provider sent no usable user name (it may use letters, digits, '.', '_', '@' and '-', up to 64)"));
        }
        List<String> groups = who.groups() == null ? List.of()
                : who.groups().stream().filter(g -> g != null && !g.isBlank() && g.length() <= 256).distinct().toList();
        ExternalIdentity identity = new ExternalIdentity(who.source(), who.subject(), username,
                who.email() == null || who.email().isBlank() || who.email().length() > 254 ? null : who.email().strip(), groups);
        String via = who.source().id();
        return transactions.run(tx -> repository.lockNamespace(tx)
                .chain(() -> repository.mappingsFor(tx, who.source(), groups))
                .chain(mappings -> {
                    Role role = mappings.stream().flatMap(m -> m.grantedRole().stream())
                            .max(Comparator.comparingInt(Role::ordinal)).orElse(defaultRole.orElse(null));
                    if (role == null) {
                        return Uni.createFrom().failure(ProblemException.forbidden("None of your groups (" + describe(groups)
                                + ") is allowed to sign in here; ask an administrator to map one of them"));
                    }
                    return repository.findExternal(tx, who.source(), who.subject())
                            .chain(user -> user == null ? create(tx, identity, role, clientAddress, via)
                                    : refresh(tx, user, identity, role, clientAddress, via))
                            .call(user -> teams(tx, user, identity, mappings, clientAddress, via));
                }));
    }

    private Uni<SignedIn> create(Tx tx, ExternalIdentity who, Role role, String clientAddress, String via) {
        return repository.nameTaken(tx, who.username(), 0).chain(taken -> {
            if (taken) {
                LOG.warnf("Sign-in through %s refused: the name '%s' belongs to another user", who.source().id(), who.username());
                return Uni.createFrom().failure(ProblemException.forbidden("The name '" + who.username()
                        + "' belongs to another user here; an administrator must rename one of the two before you can sign in"));
            }
            return email(tx, who.email(), 0).chain(email -> repository.insert(tx, who, email, role))
                    .call(u -> audit.record(tx, new Actor(u.username(), u.id(), clientAddress), via, "user.created", "user",
                            u.username(), "first sign-in through " + who.source().id().toUpperCase(java.util.Locale.ROOT)
                                    + " as " + role.id() + "; groups: " + describe(who.groups()), true))
                    .map(u -> new SignedIn(u.id(), u.username(), role, u.generation()));
        });
    }

    private Uni<SignedIn> refresh(Tx tx, FederationRepository.ExternalUser user, ExternalIdentity who, Role role,
                                  String clientAddress, String via) {
        if (!user.active()) {
            return Uni.createFrom().failure(ProblemException.forbidden("Your account here is deactivated; ask an administrator"));
        }
        Actor actor = new Actor(user.username(), user.id(), clientAddress);
        Uni<String> name = who.username().equalsIgnoreCase(user.username()) ? Uni.createFrom().item(who.username())
                : repository.nameTaken(tx, who.username(), user.id()).map(t -> t ? user.username() : who.username());
        return name.chain(username -> email(tx, who.email(), user.id()).chain(email -> repository.update(tx, user.id(), username,
                        email, role, who.groups())
                .chain(() -> user.role() == role ? Uni.createFrom().voidItem()
                        : audit.record(tx, actor, via, "user.updated", "user", username, "role " + user.role().id() + " → "
                                + role.id() + " by group mapping (groups: " + describe(who.groups()) + ")", true))
                .map(x -> new SignedIn(user.id(), username, role, user.generation()))));
    }

    /**
     * Team memberships: the user joins the teams their groups are mapped to, and leaves those the mapping gave them
     * before and no longer gives; memberships an admin made are left alone.
     */
    private Uni<Void> teams(Tx tx, SignedIn user, ExternalIdentity who, List<GroupMapping> mappings,
                            String clientAddress, String via) {
        java.util.Map<Long, String> wanted = new java.util.LinkedHashMap<>();
        mappings.forEach(m -> {
            if (m.teamId() != null) {
                wanted.put(m.teamId(), m.teamName());
            }
        });
        Actor actor = new Actor(user.username(), user.id(), clientAddress);
        return repository.memberships(tx, user.id()).chain(current -> {
            Set<Long> member = new LinkedHashSet<>();
            current.forEach(m -> member.add(m.teamId()));
            List<Uni<Void>> changes = new ArrayList<>();
            wanted.forEach((team, name) -> {
                if (!member.contains(team)) {
                    changes.add(repository.addMappedMember(tx, team, user.id()).chain(() -> audit.record(tx, actor, via,
                            "team.member_added", "team", name, user.username() + " by group mapping", true)));
                }
            });
            for (FederationRepository.Membership m : current) {
                if (m.mapped() && !wanted.containsKey(m.teamId())) {
                    changes.add(repository.removeMappedMember(tx, m.teamId(), user.id()).chain(() -> audit.record(tx, actor, via,
                            "team.member_removed", "team", m.team(), user.username() + " by group mapping (no longer in its groups)", true)));
                }
            }
            Uni<Void> all = Uni.createFrom().voidItem();
            for (Uni<Void> c : changes) {
                all = all.chain(() -> c);
            }
            return all;
        });
    }

    /** The email if no one else uses it (as username or email); else none. */
    private Uni<String> email(Tx tx, String email, long userId) {
        if (email == null) {
            return Uni.createFrom().nullItem();
        }
        return repository.nameTaken(tx, email, userId).map(taken -> taken ? null : email);
    }

    static String username(String raw) {
        if (raw == null) {
            return null;
        }
        String name = raw.strip();
        return NAME.matcher(name).matches() ? name : null;
    }

    static String describe(List<String> groups) {
        return groups == null || groups.isEmpty() ? "none" : String.join(", ", groups);
    }
}
