package io.triggerdeploy.ci;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.AuditLog;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;

/** CI identity federation (admins): which CI jobs (claim conditions of an issuer's ID tokens) act as which team, for how long; every change is audited. */
@Path("/api/ci-bindings")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN_NAME)
public class CiBindingResource {

    private final CiFederation federation;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public CiBindingResource(CiFederation federation, AuditLog audit, SecurityIdentity identity) {
        this.federation = federation;
        this.audit = audit;
        this.identity = identity;
    }

    @GET
    @Operation(operationId = "listCiBindings", summary = "The CI bindings")
    public Uni<List<CiBinding>> list() {
        return federation.bindings();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = CiBinding.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createCiBinding", summary = "Bind CI jobs to a team", description = "A job whose ID token "
            + "meets every one of claims (claim: value, a trailing * matches a prefix; one of repository, repository_id, project_path, "
            + "project_id, sub exactly) gets a token that acts as the team: it deploys and reads where the team's grants allow, "
            + "nothing else, for token_lifetime (e.g. 15m; 60s to 1h, default 15m). issuer: its id, name or issuer URL.")
    public Uni<RestResponse<CiBinding>> create(@NotNull(message = "a JSON body is required") @Valid CiBindingRequest request) {
        return federation.createBinding(request, audit.actor(identity))
                .map(x -> RestResponse.ResponseBuilder.<CiBinding>created(URI.create("/api/ci-bindings/" + x.id())).entity(x).build());
    }

    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteCiBinding", summary = "Remove a CI binding", description = "The tokens issued through it "
            + "are refused from the next request on.")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        return federation.deleteBinding(id, audit.actor(identity)).map(x -> RestResponse.noContent());
    }
}
