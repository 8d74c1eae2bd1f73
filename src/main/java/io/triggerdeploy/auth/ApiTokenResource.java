package io.triggerdeploy.auth;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.security.Callers;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;

/** API tokens of the calling user: create (secret shown once), list, revoke. */
@Path("/api/tokens")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ApiTokenResource {

    private final ApiTokenService service;
    private final SecurityIdentity identity;
    private final AuditLog audit;

    public ApiTokenResource(ApiTokenService service, SecurityIdentity identity, AuditLog audit) {
        this.service = service;
        this.identity = identity;
        this.audit = audit;
    }

    @GET
    @Operation(operationId = "listTokens")
    public Uni<List<ApiTokenView>> list(@QueryParam("all") @DefaultValue("false") boolean all) {
        return service.list(Callers.databaseUser(identity), all);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = ApiTokenView.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createToken")
    public Uni<RestResponse<ApiTokenView>> create(@NotNull(message = "a JSON body is required") @Valid CreateApiTokenRequest request) {
        return service.create(Callers.databaseUser(identity), request, audit.actor(identity))
                .map(v -> RestResponse.ResponseBuilder.<ApiTokenView>created(URI.create("/api/tokens/" + v.id())).entity(v).build());
    }

    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "revokeToken")
    public Uni<RestResponse<Void>> revoke(@PathParam("id") long id) {
        return service.revoke(Callers.databaseUser(identity), id, audit.actor(identity))
                .map(v -> RestResponse.noContent());
    }
}
