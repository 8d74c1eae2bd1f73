package io.triggerdeploy.notify;

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

/** Forge links (admins): where a server's or an environment's deployments write their status back (GitHub, GitLab). */
@Path("/api/forge-links")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN_NAME)
public class ForgeResource {

    private final ForgeLinks links;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public ForgeResource(ForgeLinks links, AuditLog audit, SecurityIdentity identity) {
        this.links = links;
        this.audit = audit;
        this.identity = identity;
    }

    @GET
    @Operation(operationId = "listForgeLinks", summary = "The forge links, with how the last write went (tokens are never read back)")
    public Uni<List<ForgeLink>> list() {
        return links.list();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = ForgeLink.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createForgeLink", summary = "Link a server or an environment to a GitHub or GitLab repository",
            description = "Its deployments with a REF then write a GitHub Deployment with its statuses and, for a commit SHA, a commit "
                    + "status (GitLab: for a commit SHA, a commit status and a deployment), with the log link and environment_url; "
                    + "through the notifications' address policy, retried like notifications, never blocking the deployment. "
                    + "The token is sealed with the secrets key.")
    public Uni<RestResponse<ForgeLink>> create(@NotNull(message = "a JSON body is required") @Valid ForgeLinkRequest request) {
        return links.create(request, audit.actor(identity))
                .map(l -> RestResponse.ResponseBuilder.<ForgeLink>created(URI.create("/api/forge-links/" + l.id())).entity(l).build());
    }

    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteForgeLink", summary = "Remove a forge link")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        return links.delete(id, audit.actor(identity)).map(x -> RestResponse.noContent());
    }
}
