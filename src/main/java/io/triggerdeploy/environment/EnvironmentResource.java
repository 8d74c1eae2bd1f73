package io.triggerdeploy.environment;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Environments and their deployment policies: everyone signed in reads them, admins change them. */
@Path("/api/environments")
@Produces(MediaType.APPLICATION_JSON)
public class EnvironmentResource {

    private final EnvironmentService service;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    private final AccessService access;

    public EnvironmentResource(EnvironmentService service, AuditLog audit, SecurityIdentity identity,
                               AccessService access) {
        this.service = service;
        this.audit = audit;
        this.identity = identity;
        this.access = access;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listEnvironments")
    public Uni<List<Environment>> list() {
        return access.of(identity).chain(a -> service.list().map(l -> l.stream().filter(e -> a.seesEnvironment(e.id())).toList()));
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getEnvironment")
    public Uni<Environment> get(@PathParam("name") String name) {
        return access.of(identity).chain(a -> service.get(name).invoke(e -> {
            if (!a.seesEnvironment(e.id())) {
                throw ProblemException.notFound("No environment '" + name + "'");
            }
        }));
    }

    @POST
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = Environment.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createEnvironment")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(ref = "CreateEnvironmentRequest")))
    public Uni<RestResponse<Environment>> create(@NotNull(message = "a JSON body with name is required") @Valid EnvironmentRequest request) {
        return service.create(request, audit.actor(identity)).map(e -> RestResponse.ResponseBuilder.<Environment>created(
                URI.create("/api/environments/" + URLEncoder.encode(e.name(), StandardCharsets.UTF_8))).entity(e).build());
    }

    /** Replaces the environment's policy (fields left out take their defaults): admins, and holders of its manage grant. */
    @PUT
    @Path("{name}")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateEnvironment")
    public Uni<Environment> update(@PathParam("name") String name,
                                   @NotNull(message = "a JSON body is required") @Valid EnvironmentRequest request) {
        return access.of(identity).chain(a -> service.get(name).invoke(e -> {
            if (!a.seesEnvironment(e.id())) {
                throw ProblemException.notFound("No environment '" + name + "'");
            }
            if (!a.managesEnvironment(e.id())) {
                throw ProblemException.forbidden("Changing environment '" + e.name()
                        + "' needs the admin role or a manage grant on it");
            }
        })).chain(e -> service.update(name, request, audit.actor(identity)));
    }

    /** Deletes an environment no server is in (409 naming them otherwise). */
    @DELETE
    @Path("{name}")
    @RolesAllowed(Role.ADMIN_NAME)
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteEnvironment")
    public Uni<RestResponse<Void>> delete(@PathParam("name") String name) {
        return service.delete(name, audit.actor(identity)).map(v -> RestResponse.noContent());
    }
}
