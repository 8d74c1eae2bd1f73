package io.triggerdeploy.federation;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.security.Role;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;

/**
 * The group mapping (which groups of the identity provider give which role and which team memberships): read by other
 * features (the Teams page), changed by admins, each change committed with its audit record; and whether any identity
 * provider is set up.
 */
@ApplicationScoped
public class GroupMappings {

    private final FederationRepository repository;
    private final OidcClient oidc;
    private final LdapDirectory ldap;
    private final Transactions transactions;
    private final AuditLog audit;

    public GroupMappings(FederationRepository repository, OidcClient oidc, LdapDirectory ldap, Transactions transactions,
                         AuditLog audit) {
        this.repository = repository;
        this.oidc = oidc;
        this.ldap = ldap;
        this.transactions = transactions;
        this.audit = audit;
    }

    public Uni<GroupMapping> create(GroupMappingRequest request, Actor actor) {
        if ((request.role() == null || request.role().isBlank()) && (request.team() == null || request.team().isBlank())) {
            throw ProblemException.invalid("role", "give a role, a team or both");
        }
        String provider = request.provider() == null ? "any" : request.provider();
        String group = request.group().strip();
        Role role = request.role() == null ? null : Role.parse(request.role()).orElse(null);
        return transactions.run(tx -> {
            Uni<Map.Entry<Long, String>> team = request.team() == null || request.team().isBlank()
                    ? Uni.createFrom().nullItem() : repository.team(tx, request.team().strip()).map(t -> {
                        if (t == null) {
                            throw ProblemException.invalid("team", "no team '" + request.team().strip() + "'");
                        }
                        return t;
                    });
            return team.chain(t -> repository.insertMapping(tx, provider, group, role, t == null ? null : t.getKey(), actor.name())
                    .chain(id -> {
                        if (id == null) {
                            throw ProblemException.conflict("This mapping exists already");
                        }
                        return audit.record(tx, actor, null, "group_mapping.created", "group", provider + ":" + group,
                                (role == null ? "" : "role " + role.id()) + (role != null && t != null ? ", " : "")
                                        + (t == null ? "" : "team " + t.getValue()), true)
                                .chain(() -> repository.mapping(tx, id));
                    }));
        });
    }

    /** Removes a mapping; it stops applying at the next sign-in of the people it covered. */
    public Uni<Void> delete(long id, Actor actor) {
        return transactions.run(tx -> repository.deleteMapping(tx, id).chain(m -> {
            if (m == null) {
                throw ProblemException.notFound("No group mapping " + id);
            }
            return audit.record(tx, actor, null, "group_mapping.deleted", "group", m.provider() + ":" + m.group(),
                    (m.role() == null ? "" : "role " + m.role()) + (m.teamName() == null ? "" : " team " + m.teamName()), true);
        })).replaceWithVoid();
    }

    public Uni<List<GroupMapping>> list() {
        return repository.mappings();
    }

    /** Whether people can sign in through OIDC or LDAP here. */
    public boolean providerConfigured() {
        return oidc.configured() || ldap.configured();
    }
}
