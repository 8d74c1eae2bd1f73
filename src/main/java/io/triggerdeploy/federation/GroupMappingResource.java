package io.triggerdeploy.federation;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;

/**
 * The group mapping (admins): which groups of the identity provider give which role and which team memberships. It
 * is applied at each sign-in through the provider; every change is audited.
 */
@Path("/api/group-mappings")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN_NAME)
public class GroupMappingResource {

    private final FederationRepository repository;
    private final Transactions transactions;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public GroupMappingResource(FederationRepository repository, Transactions transactions, AuditLog audit, SecurityIdentity identity) {
        this.repository = repository;
        this.transactions = transactions;
        this.audit = audit;
        this.identity = identity;
    }

    @GET
    public Uni<List<GroupMapping>> list() {
        return repository.mappings();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<GroupMapping>> create(
            @NotNull(message = "a JSON body with group and role or team is required") @Valid GroupMappingRequest request) {
        if ((request.role() == null || request.role().isBlank()) && (request.team() == null || request.team().isBlank())) {
            throw ProblemException.invalid("role", "give a role, a team or both");
        }
        Actor actor = audit.actor(identity);
        String provider = request.provider() == null ? "any" : request.provider();
        String group = request.group().strip();
        Role role = request.role() == null ? null : Role.parse(request.role()).orElse(null);
        return transactions.run(tx -> {
            Uni<java.util.Map.Entry<Long, String>> team = request.team() == null || request.team().isBlank()
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
                                .chain(() -> repository.mapping(tx.client(), id));
                    }));
        }).map(m -> RestResponse.ResponseBuilder.<GroupMapping>created(URI.create("/api/group-mappings/" + m.id()))
                        .entity(m).build());
    }

    /** Removes a mapping; it stops applying at the next sign-in of the people it covered. */
    @DELETE
    @Path("{id}")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        Actor actor = audit.actor(identity);
        return transactions.run(tx -> repository.deleteMapping(tx, id).chain(m -> {
            if (m == null) {
                throw ProblemException.notFound("No group mapping " + id);
            }
            return audit.record(tx, actor, null, "group_mapping.deleted", "group", m.provider() + ":" + m.group(),
                    (m.role() == null ? "" : "role " + m.role()) + (m.teamName() == null ? "" : " team " + m.teamName()), true);
        })).map(x -> RestResponse.noContent());
    }
}
