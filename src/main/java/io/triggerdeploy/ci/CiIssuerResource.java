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

/** CI identity federation (admins): the CI providers whose ID tokens may be exchanged for a short-lived token (deleting one deletes its bindings); every change is audited. */
@Path("/api/ci-issuers")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN_NAME)
public class CiIssuerResource {

    private final CiFederation federation;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public CiIssuerResource(CiFederation federation, AuditLog audit, SecurityIdentity identity) {
        this.federation = federation;
        this.audit = audit;
        this.identity = identity;
    }

    @GET
    @Operation(operationId = "listCiIssuers", summary = "The trusted CI issuers")
    public Uni<List<CiIssuer>> list() {
        return federation.issuers();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = CiIssuer.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createCiIssuer", summary = "Trust a CI issuer", description = "issuer exactly as its tokens' iss says "
            + "it, jwks_url its key set (fetched under the notifications' address policy, trigger.notify.allow-networks / deny-networks), audience the aud its tokens must name. "
            + "https only (http to a loopback host).")
    public Uni<RestResponse<CiIssuer>> create(@NotNull(message = "a JSON body is required") @Valid CiIssuerRequest request) {
        return federation.createIssuer(request, audit.actor(identity))
                .map(x -> RestResponse.ResponseBuilder.<CiIssuer>created(URI.create("/api/ci-issuers/" + x.id())).entity(x).build());
    }

    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteCiIssuer", summary = "Stop trusting a CI issuer", description = "Deletes its bindings too: "
            + "the tokens issued through them are refused from the next request on.")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        return federation.deleteIssuer(id, audit.actor(identity)).map(x -> RestResponse.noContent());
    }
}
